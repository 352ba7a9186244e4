"""A story's language pairs as the review desk sees them: how far each is reviewed, which are
still aligning (and so not open to review yet), and how a `pair=` parameter names one.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from itertools import combinations
from textwrap import shorten

from sqlmodel import Session, col, select

from app.labels import language_name
from app.models import Document, Job, Link, utcnow
from app.models.jobs import ACTIVE
from app.statuses import REVIEWED

# Jobs that (re)align a document; a pair with a document in one of these is still aligning.
ALIGNING_KINDS = ("ingest", "realign", "edit_text", "import_tmx")
# A job nothing has touched for this long is a dead worker's, not work under way.
STALE_AFTER = timedelta(minutes=30)


@dataclass(frozen=True)
class PairView:
    """One document pair of a story, its review progress and whether it is aligning."""

    source: Document
    target: Document
    reviewed: int
    total: int
    aligning: bool
    names: tuple[str, str] = ("", "")  # from `document_names`: which text, when it matters

    @property
    def key(self) -> str:
        """'3-7': the `pair=` value that names it."""
        return f"{self.source.id}-{self.target.id}"

    @property
    def label(self) -> str:
        """'French – German'; 'French – English (Around 70 Japanese…)' for one of two English
        texts."""
        ours, theirs = self.names
        ours = ours or language_name(self.source.lang)
        theirs = theirs or language_name(self.target.lang)
        return f"{ours} – {theirs}"


def document_names(documents: list[Document], width: int = 28) -> dict[int, str]:
    """Each document's name in a pair's label: its language, and the start of its title when
    the story holds another text in that language (two English texts are two pairs with
    French, which the label must tell apart)."""
    twice = {lang for lang, n in Counter(d.lang for d in documents).items() if n > 1}
    names = {}
    for doc in documents:
        name = language_name(doc.lang)
        if doc.lang in twice:
            name = f"{name} ({shorten(doc.title, width, placeholder='…')})"
        names[doc.id or 0] = name
    return names


def aligning_documents(session: Session, story_id: int) -> dict[int, int]:
    """Documents of the story with alignment work queued or running: document id → job id.

    A job on the story without one of its documents (a text arriving) holds them all.
    """
    docs = list(session.exec(select(Document.id).where(Document.story_id == story_id)).all())
    fresh_since = utcnow() - STALE_AFTER
    jobs = session.exec(
        select(Job).where(
            col(Job.kind).in_(ALIGNING_KINDS),
            col(Job.status).in_(ACTIVE),
            col(Job.updated_at) >= fresh_since,
            (col(Job.document_id).in_(docs)) | (Job.story_id == story_id),
        )
    ).all()
    out: dict[int, int] = {}
    for job in jobs:
        targets = [job.document_id] if job.document_id in docs else docs
        for doc in targets:
            if doc is not None:
                out.setdefault(doc, job.id or 0)
    return out


def story_pairs(session: Session, story_id: int) -> list[PairView]:
    """Every pair of the story's documents (lower id first), with progress and state."""
    documents = list(
        session.exec(
            select(Document).where(Document.story_id == story_id).order_by(col(Document.id))
        ).all()
    )
    counts: dict[tuple[int, int], list[int]] = {}
    for link in session.exec(select(Link).where(Link.story_id == story_id)):
        ends = tuple(sorted((link.source_document_id, link.target_document_id)))
        seen = counts.setdefault((ends[0], ends[1]), [0, 0])
        seen[0] += link.status in REVIEWED
        seen[1] += 1
    busy = aligning_documents(session, story_id)
    names = document_names(documents)
    out = []
    for a, b in combinations(documents, 2):
        reviewed, total = counts.get((a.id or 0, b.id or 0), [0, 0])
        aligning = bool({a.id, b.id} & set(busy))
        named = (names[a.id or 0], names[b.id or 0])
        out.append(PairView(a, b, reviewed, total, aligning=aligning, names=named))
    return out


def parse_pair(value: str | None, documents: list[Document]) -> tuple[int, int] | None:
    """'3-7' (document ids) or 'fr-de' (languages, the first document of each) → ids in order."""
    if not value:
        return None
    parts = [p.strip() for p in value.replace(",", "-").split("-")]
    if len(parts) != 2:
        return None
    ids: list[int] = []
    for part in parts:
        if part.isdigit():
            ids.append(int(part))
            continue
        match = next((d.id for d in documents if d.lang == part.lower()), None)
        if match is None:
            return None
        ids.append(match)
    if ids[0] == ids[1]:
        return None
    return (min(ids), max(ids))
