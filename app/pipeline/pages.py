"""A site's pages: the path a document came from, less its language, names the page it is.

Sites keep a page's translations at one path per language (`fr/about/eol.md`,
`en--about_eol.md`, `about.fr.md`, `https://example.org/de/about`): that path with the
language taken out is the page's key (`page_key`). Grouping reads it two ways, and only when
the path marks the document's own language (a file name that says nothing of its language
says nothing here):

- when two candidate stories match a document equally, the one that already holds its page
  in another language is tried first (`stories_with_page`);
- a story never holds two pages of one site in one language (`separate_pages`): the
  nodejs.org site serves one text at `download/current` and `download/index` (they differ
  by one attribute), and an older copy of `about/eol` at `eol`. By their text they are one
  story; by the site they are two pages, each with its translations. When a story holds
  texts of one language at two pages, and the site keeps one of those paths across
  languages (texts in two languages at it), the story is split by page: the page fewer
  languages keep (the newcomer's on a tie) moves to a story of its own, with the pairs
  aligned inside it; the pairs between the two go. Files that each have a name of their own
  (`00017_zh.txt`, `00018_zh.txt`) show no such convention: a revision there still joins.

A page translated under another slug (`fr/a-propos`, `en/about`) keeps the key of neither:
nothing is split unless two texts of one language meet in one story.
"""

from __future__ import annotations

import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlmodel import Session, col, delete, select, update

from app.ingest.tags import language_of_tag
from app.models import Document, DocumentPair, GroupingDecision, Link, Story
from app.models.review import StoredFinding
from app.models.versions import touch_library, touch_stories
from app.statuses import LinkStatus

log = logging.getLogger(__name__)

_TAG = re.compile(r"^[a-z]{2,3}(?:[-_][a-z0-9]{2,8})*$")
_LEAD = re.compile(r"^([a-z]{2,3}(?:[-_][a-z0-9]{2,4})?)(?:--|[._])")
_TAIL = re.compile(r"[._-]([a-z]{2,3}(?:[-_][a-z0-9]{2,4})?)$")
_EXTENSION = re.compile(r"\.(?:md|mdx|markdown|html?|txt|xhtml|epub|rst)$")


def page_key(source: str, lang: str) -> str | None:
    """The page a document is, from its source path with its own language taken out
    (`fr--about_eol.mdx` in French: `about_eol`); None when the path does not mark it."""
    path = urlsplit(source).path if "://" in source else source
    parts = [p for p in re.split(r"[/\\]", path.lower()) if p]
    if not parts:
        return None
    *folders, name = parts
    kept = [f for f in folders if not _marks(f, lang)]
    marked = len(kept) < len(folders)
    stem = _EXTENSION.sub("", name)
    lead, tail = _LEAD.search(stem), _TAIL.search(stem)
    if lead and _marks(lead.group(1), lang) and stem[lead.end() :]:
        stem, marked = stem[lead.end() :], True
    elif tail and _marks(tail.group(1), lang) and stem[: tail.start()]:
        stem, marked = stem[: tail.start()], True
    return "/".join([*kept, stem]) if marked else None


def _marks(part: str, lang: str) -> bool:
    return bool(_TAG.match(part)) and language_of_tag(part) == lang


def stories_with_page(session: Session, doc: Document, story_ids: set[int]) -> set[int]:
    """Those of `story_ids` that hold `doc`'s page in another text."""
    key = page_key(doc.source, doc.lang)
    if key is None or not story_ids:
        return set()
    rows = session.exec(
        select(Document.story_id, Document.source, Document.lang).where(
            col(Document.story_id).in_(story_ids), Document.id != doc.id
        )
    ).all()
    return {story for story, source, lang in rows if page_key(source, lang) == key}


@dataclass(frozen=True)
class Separation:
    """Two pages of one site found in one story, and the group that left it."""

    page: str  # the key of the page that moved
    apart_from: str  # the key of the page that stayed
    left: int  # the story the group left
    story: int  # the story it moved to
    documents: tuple[int, ...]


def separate_pages(session: Session, doc: Document, story_id: int) -> Separation | None:
    """Split `story_id` by page when it holds texts of one language at two pages of a site
    whose paths the site keeps across languages (`two_pages`); no commit. `doc` was just
    placed there. None: nothing to split (or editors reviewed links between the two pages:
    their work stays where it is)."""
    members = session.exec(select(Document).where(Document.story_id == story_id)).all()
    keys = {m.id: page_key(m.source, m.lang) for m in members}
    found = two_pages(members, keys, doc)
    if found is None:
        return None
    page, apart = found
    movers = [m for m in members if keys[m.id] == page]
    moving = {m.id for m in movers if m.id is not None}
    staying = {m.id for m in members if m.id is not None} - moving
    if _reviewed_between(session, moving, staying):
        return None
    first = movers[0]
    story = Story(title=first.title, visibility=first.visibility, owner_id=first.owner_id)
    session.add(story)
    session.flush()
    assert story.id is not None
    _move_group(session, moving, staying, story_id, story.id)
    log.info(
        "story %s holds two pages (%s, %s): documents %s move to story %s",
        story_id, apart, page, sorted(moving), story.id,
    )  # fmt: skip
    return Separation(page, apart, story_id, story.id, tuple(sorted(moving)))


def two_pages(
    members: Sequence[Document], keys: dict[int | None, str | None], doc: Document
) -> tuple[str, str] | None:
    """(the page that moves, the page that stays) when one language holds texts at two
    pages and the site keeps at least one of those paths across languages (two languages'
    texts at it): a library whose every file has a name of its own (`00017_zh.txt`,
    `00018_zh.txt`) shows no such convention, and a revision there still joins. The page
    kept by fewer languages moves; on a tie the newcomer's."""
    langs: dict[str, set[str]] = {}
    for m in members:
        if keys[m.id] is not None:
            langs.setdefault(keys[m.id], set()).add(m.lang)  # type: ignore[arg-type]
    for lang in dict.fromkeys(m.lang for m in members):
        pages = sorted({k for m in members if m.lang == lang and (k := keys[m.id])})
        for a, b in itertools.combinations(pages, 2):
            if len(langs[a]) < 2 and len(langs[b]) < 2:
                continue
            mine = keys[doc.id] == a
            if len(langs[a]) < len(langs[b]) or (len(langs[a]) == len(langs[b]) and mine):
                return a, b
            return b, a
    return None


def _between(model: type[Link] | type[DocumentPair], a: set[int], b: set[int]):  # type: ignore[no-untyped-def]
    src, tgt = col(model.source_document_id), col(model.target_document_id)
    return (src.in_(a) & tgt.in_(b)) | (src.in_(b) & tgt.in_(a))


def _reviewed_between(session: Session, a: set[int], b: set[int]) -> bool:
    reviewed = session.exec(
        select(Link.id).where(_between(Link, a, b), col(Link.status) != LinkStatus.AUTO)
    ).first()
    return reviewed is not None


def _move_group(session: Session, moving: set[int], staying: set[int], old: int, new: int) -> None:
    """Move documents `moving` from story `old` to `new` with the pairs and links among
    them; their pairs with `staying` go, and their findings (the checks run again)."""
    touch_stories(session, [("story", old), ("story", new)])
    touch_library(session)  # the documents move by a Core update: the story lists change
    for model in (Link, DocumentPair):
        session.exec(delete(model).where(_between(model, moving, staying)))  # type: ignore[call-overload]
        inside = _between(model, moving, moving)
        session.exec(update(model).where(inside).values(story_id=new))  # type: ignore[call-overload]
    session.exec(delete(StoredFinding).where(col(StoredFinding.document_id).in_(moving)))  # type: ignore[call-overload]
    session.exec(update(Document).where(col(Document.id).in_(moving)).values(story_id=new))  # type: ignore[call-overload]
    session.expire_all()


def record_separation(session: Session, split: Separation) -> None:
    """Note on each moved document's grouping decision why it left its story (no commit)."""
    rows = session.exec(
        select(GroupingDecision).where(col(GroupingDecision.document_id).in_(split.documents))
    ).all()
    for row in rows:
        row.decision, row.story_id = "separated", split.story
        row.evidence = {
            **row.evidence,
            "page": {"path": split.page, "apart_from": split.apart_from, "left": split.left},
        }
        session.add(row)
    session.flush()
