"""Store a parsed document in one transaction (the pipeline's first step), and the summary
of a batch of files."""

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.ingest import IngestError, ParsedDocument
from app.ingest.reading import ALL_EXTENSIONS
from app.labels import machine_translation_note
from app.library.personal import Scope, check_quota
from app.library.visibility import library_hash
from app.models import Document, Job, Paragraph, Sentence, Story, utcnow

log = logging.getLogger(__name__)

INGESTIBLE_SUFFIXES = ALL_EXTENSIONS


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one input: the stored (or already present) document."""

    status: Literal["added", "duplicate"]
    document_id: int
    story_id: int
    paragraphs: int


@dataclass
class IngestSummary:
    """Counts for a batch of files, for the one-line CLI summary."""

    added: list[IngestOutcome] = field(default_factory=list)
    duplicates: list[IngestOutcome] = field(default_factory=list)
    rejected: list[IngestError] = field(default_factory=list)

    def line(self) -> str:
        """One line: added, skipped as duplicates, rejected with the reasons."""
        text = (
            f"{len(self.added)} added, {len(self.duplicates)} skipped as duplicates, "
            f"{len(self.rejected)} rejected"
        )
        if self.rejected:
            text += ": " + "; ".join(str(err) for err in self.rejected)
        return text


PUBLIC_SCOPE = Scope(None, "public")


def store_document(
    session: Session,
    parsed: ParsedDocument,
    story_id: int | None = None,
    scope: Scope = PUBLIC_SCOPE,
) -> Document:
    """Add a parsed document, its paragraphs and sentences to the session (no commit).

    Without `story_id` the document starts a story of its own, as private as it is.
    """
    if story_id is None:
        story = Story(title=parsed.title, visibility=scope.visibility, owner_id=scope.owner_id)
        session.add(story)
        session.flush()
        assert story.id is not None
        story_id = story.id
    doc = Document(
        story_id=story_id,
        source=parsed.source,
        title=parsed.title,
        lang=parsed.lang,
        tag=parsed.tag if parsed.tag and parsed.tag != parsed.lang else None,
        content_hash=library_hash(parsed.content_hash, scope.owner_id, scope.visibility),
        original=parsed.original,
        owner_id=scope.owner_id,
        visibility=scope.visibility,
        mt_note=machine_translation_note([p.text for p in parsed.paragraphs]),
    )
    session.add(doc)
    session.flush()
    assert doc.id is not None
    for para in parsed.paragraphs:
        row = Paragraph(
            document_id=doc.id,
            index=para.index,
            text=para.text,
            kind=para.kind,
            lang=para.lang,
            start=para.start,
            end=para.end,
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all(
            Sentence(
                paragraph_id=row.id,
                index=sent.index,
                text=sent.text,
                lang=sent.lang,
                start=sent.start,
                end=sent.end,
            )
            for sent in para.sentences
        )
    session.flush()
    return doc


def _existing(
    session: Session, content_hash: str, scope: Scope = PUBLIC_SCOPE
) -> IngestOutcome | None:
    """The outcome for content already stored where the uploader can read it, or None.

    A public text counts for everyone; a private one only in its owner's library, so another
    person's private copy never shows (theirs and this one are kept apart).
    """
    hashes = {content_hash, library_hash(content_hash, scope.owner_id, scope.visibility)}
    existing = session.exec(
        select(Document)
        .where(col(Document.content_hash).in_(hashes))
        .order_by(col(Document.visibility).desc())  # the public copy first
    ).first()
    if existing is None:
        return None
    assert existing.id is not None
    count = len(
        session.exec(select(Paragraph.id).where(Paragraph.document_id == existing.id)).all()
    )
    return IngestOutcome("duplicate", existing.id, existing.story_id, count)


def ingest_parsed(
    *,
    engine: Engine,
    parsed: ParsedDocument,
    scope: Scope = PUBLIC_SCOPE,
    job_id: int | None = None,
) -> IngestOutcome:
    """Store `parsed` unless its content is already there; one short transaction.

    A text over the owner's quota raises IngestError (403) and nothing is stored. The new
    document is recorded on job `job_id` in the same transaction: a worker that dies right
    after the commit leaves a job that knows its document, so its re-run stores nothing again.
    """
    with Session(engine) as session:
        existing = _existing(session, parsed.content_hash, scope)
        if existing is not None:
            return existing
        try:
            check_quota(session, scope, parsed.source, len(parsed.original.encode("utf-8")))
            doc = store_document(session, parsed, scope=scope)
            if job_id is not None:
                session.exec(  # type: ignore[call-overload]
                    update(Job)
                    .where(col(Job.id) == job_id)
                    .values(document_id=doc.id, story_id=doc.story_id, updated_at=utcnow())
                )
            session.commit()
        except IntegrityError:
            # Two uploads of the same text at once: the other one won; report it as ours.
            session.rollback()
            raced = _existing(session, parsed.content_hash, scope)
            if raced is None:
                raise
            return raced
        except Exception:
            session.rollback()
            raise
        assert doc.id is not None
        log.info("ingested %s as document %s (%s)", parsed.source, doc.id, parsed.lang)
        return IngestOutcome("added", doc.id, doc.story_id, len(parsed.paragraphs))


def expand_paths(paths: Iterable[Path]) -> list[Path]:
    """Files as given, and the ingestible files inside folders (sorted, recursive)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in INGESTIBLE_SUFFIXES
                )
            )
        else:
            files.append(path)
    return files
