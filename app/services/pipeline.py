"""What the background jobs run on a stored document: group it into a story and align it.

Every write is a short transaction of its own: reading and encoding happen first, with no
write lock held, then one transaction per step (placing the document, then each pair).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from app.align.encoder import Encoder, encoder_for
from app.models import Document, GroupingDecision, Job, Story
from app.services.alignment import (
    PairReport,
    apply_pair,
    move_into_story,
    plan_pair,
)
from app.services.bridge import backfill, bridging, decide_across
from app.services.embeddings import CachedEncoder
from app.services.grouping import GroupingResult, decide, record_decision, record_grouping
from app.services.verdicts import Verifier, apply_verified
from app.services.visibility import hidden_from

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
# An editor may change a pair's reviewed links while it is being aligned: plan again.
_REPLANS = 3
_GROUPING_LOCK = 0x7061_7261  # "para"


@dataclass
class AlignmentOutcome:
    """Where a document ended up and what aligning it produced."""

    document_id: int
    story_id: int
    pairs: list[PairReport] = field(default_factory=list)


def _no_progress(done: int, total: int) -> None:
    return None


def _grouping_lock(session: Session, document_id: int) -> None:
    """Serialize grouping decisions: two uploads deciding at once could each join the other's
    temporary story. PostgreSQL: a transaction-level advisory lock; SQLite: its write lock,
    taken up front by a no-op write."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _GROUPING_LOCK})
    else:
        session.execute(
            update(Document)
            .where(col(Document.id) == document_id)
            .values(story_id=Document.story_id)
        )


def _ungrouped(session: Session, document_id: int) -> set[int]:
    """Documents whose own ingest job has not grouped them yet: not candidates to join.

    A job still aligning has already decided (its decision is recorded): that document is a
    candidate; only stored-but-undecided documents are not.
    """
    decided = select(GroupingDecision.document_id)
    rows = session.exec(
        select(Job.document_id).where(
            Job.kind == "ingest",
            col(Job.status).in_(("queued", "running")),
            col(Job.document_id).is_not(None),
            Job.document_id != document_id,
            col(Job.document_id).not_in(decided),
        )
    ).all()
    return {r for r in rows if r is not None}


def _move(session: Session, document_id: int, story_id: int | None) -> int:
    """Put a document into `story_id` (a new story when None), in `session`, no commit."""
    return move_into_story(session, _document(session, document_id), story_id)


def choose_and_move(
    *,
    engine: Engine,
    encoder: Encoder,
    document_id: int,
    aligned: list[PairReport] | None = None,
) -> int:
    """Decide which story a new document belongs to and put it there; returns the story.

    The document's own vectors, and the alignment that verifies a join, are computed first
    with no lock held (a first decision); the decision is then taken again and the move
    made in one transaction under the grouping lock. The verifying alignment of a join is
    stored with it; `aligned` receives that pair's report.
    """
    with Session(engine) as session:
        lang = _document(session, document_id).lang
    # The document's own language picks the encoder its vector is indexed under (e5 for
    # languages the default encoder does not read); that index must then hold every text
    # it can read, or a Hebrew text would never meet its English translation (bridge.py).
    home = encoder_for(encoder, lang)
    if home.name != encoder.name:
        backfill(engine, home)
    with Session(engine) as session:
        top = CachedEncoder(encoder, session)
        cached = top.named(home.name)
        bridge = bridging(session, top, cached)
        verifier = Verifier(top, document_id)
        _decide(session, (cached, bridge), document_id, verifier)  # models and aligner run here
        session.rollback()
        _grouping_lock(session, document_id)
        deciding, result, vectors = _decide(session, (cached, bridge), document_id, verifier)
        top.save(session)
        story_id = _move(
            session, document_id, result.story_id or _document(session, document_id).story_id
        )
        done = apply_verified(session, verifier, result, story_id)
        record_grouping(
            session,
            doc=_document(session, document_id),
            story_id=story_id,
            result=result,
            vectors=vectors,
            encoder_name=deciding,
        )
        session.commit()
    if aligned is not None:
        aligned.extend(done)
    return story_id


def _decide(
    session: Session,
    encoders: tuple[CachedEncoder, CachedEncoder | None],
    document_id: int,
    verifier: Verifier,
) -> tuple[str, GroupingResult, dict[str, np.ndarray | None]]:
    """The grouping decision (its own encoder's, then the bridge's), the deciding encoder,
    and the document's vectors by encoder. No writes."""
    cached, bridge = encoders
    doc = _document(session, document_id)
    # The personal library's candidate filter: only documents of the same library (the
    # owner's private texts, or the public ones) may be joined.
    exclude = _ungrouped(session, document_id) | hidden_from(session, doc)
    verify = verifier.bind(session)
    result, vector = decide(session, cached, doc, exclude=exclude, verify=verify)
    vectors: dict[str, np.ndarray | None] = {cached.name: vector}
    deciding = cached.name
    if bridge is not None:
        deciding, result, vectors[bridge.name] = decide_across(
            session, bridge, doc, (cached.name, result), exclude, verify
        )
    return deciding, result, vectors


def _document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise LookupError(f"document {document_id} does not exist")
    return doc


def move_to_story(*, engine: Engine, document_id: int, story_id: int | None) -> int:
    """Put a document into `story_id` (a new story when None); one short transaction.

    Its pairs with its former siblings go; a story left empty is deleted. Returns the story.
    """
    with Session(engine) as session:
        story_id = _move(session, document_id, story_id)
        session.commit()
    return story_id


def align_document(
    *,
    engine: Engine,
    encoder: Encoder,
    document_id: int,
    progress: Progress = _no_progress,
    skip: frozenset[int] | set[int] = frozenset(),
) -> AlignmentOutcome:
    """Align a document with every other document of its story (but those in `skip`, already
    aligned), one transaction per pair."""
    with Session(engine) as session:
        story_id = _document(session, document_id).story_id
        siblings = [
            d.id
            for d in session.exec(
                select(Document)
                .where(Document.story_id == story_id, Document.id != document_id)
                .order_by(col(Document.id))
            )
            if d.id not in skip
        ]
    outcome = AlignmentOutcome(document_id, story_id)
    progress(0, len(siblings))
    for done, other in enumerate(siblings, start=1):
        assert other is not None
        report = _align_one_pair(engine, encoder, min(other, document_id), max(other, document_id))
        if report is not None:
            outcome.pairs.append(report)
        progress(done, len(siblings))
    return outcome


def _align_one_pair(
    engine: Engine, encoder: Encoder, source_id: int, target_id: int
) -> PairReport | None:
    for _ in range(_REPLANS):
        with Session(engine) as session:
            source, target = session.get(Document, source_id), session.get(Document, target_id)
            if source is None or target is None or source.story_id != target.story_id:
                return None  # moved or removed meanwhile: nothing to align any more
            cached = CachedEncoder(encoder, session)
            plan = plan_pair(session=session, encoder=cached, source=source, target=target)
            session.rollback()  # the read ends here; the write below is short
            cached.save(session)
            report = apply_pair(session, plan)
            if report is not None:
                session.commit()
                return report
            session.rollback()
    log.warning("pair %s-%s kept changing under review; left as it was", source_id, target_id)
    return None


def group_and_align(
    *, engine: Engine, encoder: Encoder, document_id: int, progress: Progress = _no_progress
) -> AlignmentOutcome:
    """Choose the story of a newly stored document, move it there, align it with its siblings
    (but the one whose alignment verified the join: stored with it)."""
    aligned: list[PairReport] = []
    choose_and_move(engine=engine, encoder=encoder, document_id=document_id, aligned=aligned)
    skip = {r.source if r.target == document_id else r.target for r in aligned}
    outcome = align_document(
        engine=engine, encoder=encoder, document_id=document_id, progress=progress, skip=skip
    )
    outcome.pairs[:0] = aligned
    return outcome


def realign(
    *,
    engine: Engine,
    encoder: Encoder,
    document_id: int,
    story_id: int | None,
    progress: Progress = _no_progress,
) -> AlignmentOutcome:
    """Move a document to another story (or its own) and align it there."""
    story_id = move_to_story(engine=engine, document_id=document_id, story_id=story_id)
    with Session(engine) as session:
        record_decision(
            session,
            doc=_document(session, document_id),
            story_id=story_id,
            decision="moved",
            encoder=encoder.name,
            evidence={"story": story_id},
        )
        session.commit()
    return align_document(
        engine=engine, encoder=encoder, document_id=document_id, progress=progress
    )


def discard_document(*, engine: Engine, document_id: int) -> None:
    """Remove a document a failed ingest job stored, and its story if that is left empty.

    Its paragraphs, sentences, pairs and links go with it (foreign keys cascade).
    """
    with Session(engine) as session:
        doc = session.get(Document, document_id)
        if doc is None:
            return
        story_id = doc.story_id
        session.delete(doc)
        session.flush()
        if session.exec(select(Document.id).where(Document.story_id == story_id)).first() is None:
            session.exec(delete(Story).where(col(Story.id) == story_id))
        session.commit()
