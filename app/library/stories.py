"""Read stories, documents and paragraphs for the pages and the JSON API."""

import threading
from dataclasses import dataclass

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from app.library.visibility import story_clause
from app.models import PUBLIC, Document, LibraryVersion, Paragraph, Sentence, Story, User
from app.models.versions import library_touched


@dataclass(frozen=True)
class StoryDocuments:
    """A story with its documents in a stable order (by id)."""

    story: Story
    documents: list[Document]


@dataclass(frozen=True)
class StoryPage:
    """One page of the story list: newest first, with the cursor of the next page."""

    items: list[StoryDocuments]
    languages: dict[int, list[str]]
    total: int
    next: str | None


MAX_PAGE = 200


def page_stories(
    session: Session, *, cursor: str | None = None, limit: int = 50, user: User | None = None
) -> StoryPage:
    """Stories `user` may read that have documents, newest first, `limit` at a time (keyset on
    the id): the public ones, and the user's own private ones.

    `cursor` is the `next` of the previous page: the id below which to continue. Counts and
    languages are computed in SQL, and only the page's documents are read.
    """
    limit = max(1, min(limit, MAX_PAGE))
    # EXISTS, not IN (SELECT DISTINCT ...): the page query then walks the story ids downwards
    # and stops after `limit` rows instead of collecting every story that has documents.
    has_docs = select(Document.id).where(col(Document.story_id) == col(Story.id)).exists()
    readable = story_clause(user)
    total = count_stories(session, user)
    query = select(Story).where(has_docs, readable)
    if cursor and cursor.isdigit():
        query = query.where(col(Story.id) < int(cursor))
    stories = session.exec(query.order_by(col(Story.id).desc()).limit(limit + 1)).all()
    more = len(stories) > limit
    stories = stories[:limit]
    ids = [s.id for s in stories if s.id is not None]
    docs = session.exec(
        select(Document)
        .where(col(Document.story_id).in_(ids))
        .order_by(col(Document.id))
        .options(defer(Document.original))  # type: ignore[arg-type]
    ).all()
    by_story: dict[int, list[Document]] = {i: [] for i in ids}
    for doc in docs:
        by_story[doc.story_id].append(doc)
    languages: dict[int, list[str]] = {i: [] for i in ids}
    tag = func.coalesce(col(Document.tag), col(Document.lang))
    for story_id, lang in session.exec(
        select(Document.story_id, tag)
        .where(col(Document.story_id).in_(ids))
        .group_by(col(Document.story_id), tag)
        .order_by(col(Document.story_id), tag)
    ):
        languages[story_id].append(lang)
    return StoryPage(
        [StoryDocuments(s, by_story[s.id or 0]) for s in stories],
        languages,
        total,
        str(ids[-1]) if more and ids else None,
    )


def count_stories(session: Session, user: User | None) -> int:
    """How many stories with documents `user` may read: the public ones and their own.

    Counted as distinct story ids of readable documents (index `ix_document_visibility_story`)
    rather than stories with an EXISTS each. A document's visibility is its story's, so a
    story is public or one owner's, never both. The public count (a scan of the index, 15 ms
    at 100,000 documents) is kept per database by the library's version, which every write
    that could change it bumps: a list rendered after a write to one story does not count
    the whole library again.
    """
    distinct = func.count(func.distinct(Document.story_id))
    total = _public_count(session, select(distinct).where(col(Document.visibility) == PUBLIC))
    uid = user.id if user is not None else None
    if uid is not None:
        total += session.exec(
            select(distinct).where(
                col(Document.owner_id) == uid, col(Document.visibility) != PUBLIC
            )
        ).one()
    return int(total)


_public_counts: dict[str, tuple[str, int]] = {}  # database URL -> (library version, count)
_counts_lock = threading.Lock()


def _public_count(session: Session, query: SelectOfScalar[int]) -> int:
    if session.new or session.dirty or session.deleted or library_touched(session):
        return int(session.exec(query).one())  # this transaction's own writes count too
    bind = session.get_bind()
    url = str(bind.url) if isinstance(bind, Engine) else str(bind.engine.url)
    # the version first: a count read after it is at least as new, never older
    version = library_version(session)
    with _counts_lock:
        kept = _public_counts.get(url)
    if kept is not None and kept[0] == version:
        return kept[1]
    count = int(session.exec(query).one())
    with _counts_lock:
        _public_counts[url] = (version, count)
    return count


def library_version(session: Session) -> str:
    """The library's version: it changes with every commit a story list shows.

    One row read by its key (app.models.versions bumps it), whatever the library's size."""
    version = session.exec(select(LibraryVersion.version).where(LibraryVersion.id == 1)).one()
    return str(version)


def get_story(session: Session, story_id: int) -> StoryDocuments | None:
    """One story and its documents, or None."""
    story = session.get(Story, story_id)
    if story is None:
        return None
    # The original text is only needed for offsets; pages and the API never send it.
    docs = session.exec(
        select(Document)
        .where(Document.story_id == story_id)
        .order_by(col(Document.id))
        .options(defer(Document.original))  # type: ignore[arg-type]
    ).all()
    return StoryDocuments(story, list(docs))


def paragraphs_of(session: Session, document_ids: list[int]) -> dict[int, list[Paragraph]]:
    """Paragraphs of each document, in reading order."""
    rows = session.exec(
        select(Paragraph)
        .where(col(Paragraph.document_id).in_(document_ids))
        .order_by(col(Paragraph.document_id), col(Paragraph.index))
    ).all()
    out: dict[int, list[Paragraph]] = {d: [] for d in document_ids}
    for row in rows:
        out[row.document_id].append(row)
    return out


def sentences_of(session: Session, paragraph_ids: list[int]) -> dict[int, list[Sentence]]:
    """Sentences of each paragraph id, in order."""
    out: dict[int, list[Sentence]] = {}
    for sent in session.exec(
        select(Sentence)
        .where(col(Sentence.paragraph_id).in_(paragraph_ids))
        .order_by(col(Sentence.index))
    ):
        out.setdefault(sent.paragraph_id, []).append(sent)
    return out


class DocumentSummary(BaseModel):
    """The document fields every API listing shares."""

    id: int
    lang: str
    tag: str = Field(description="the language tag readers see (a variant if known)")
    source: str
    title: str


def document_summary(doc: Document) -> DocumentSummary:
    """The document fields every API listing shares."""
    assert doc.id is not None
    return DocumentSummary(
        id=doc.id, lang=doc.lang, tag=doc.language_tag, source=doc.source, title=doc.title
    )
