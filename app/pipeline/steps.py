"""The write pipeline every job runs, in named steps: store, place, align, check.

- `store`: a parsed upload becomes a document (and the job that stored it knows it, in the
  same transaction, so a re-run never stores it twice);
- `place`: decide which story it belongs to and move it there;
- `align`: align it with every other document of its story, pair by pair (`align_in` does
  the same inside a caller's transaction, for an editor's recorded move or text edit);
- `check`: recompute the stored findings of the stories that changed.

Every write is a short transaction of its own: reading and encoding happen first, with no
write lock held, then one transaction per step (placing the document, then each pair).
The pair-order rule (which document of a pair is the source) is `ordered`, and only there.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import text, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, delete, select

from app.align.encoder import Encoder, encoder_for
from app.ingest import ParsedDocument
from app.library.personal import Scope
from app.library.visibility import hidden_from
from app.models import Document, GroupingDecision, Job, JobKind, Story
from app.models.jobs import ACTIVE
from app.pipeline.alignment import (
    PairReport,
    apply_pair,
    move_into_story,
    plan_pair,
)
from app.pipeline.bridge import backfill, bridging, decide_across
from app.pipeline.embeddings import CachedEncoder
from app.pipeline.grouping import GroupingResult, decide, record_grouping
from app.pipeline.pages import record_separation, separate_pages
from app.pipeline.store import PUBLIC_SCOPE, IngestOutcome, ingest_parsed
from app.pipeline.verdicts import Verifier, apply_verified
from app.review.findings import compute_findings

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
    # another story the placement changed: two pages of one site split apart (pages.py)
    separated: int | None = None


def _no_progress(done: int, total: int) -> None:
    return None


def ordered(a: Document, b: Document) -> tuple[Document, Document]:
    """The pair-order rule: of two documents, the one with the lower id is the source."""
    return (a, b) if (a.id or 0) < (b.id or 0) else (b, a)


def store(
    *, engine: Engine, parsed: ParsedDocument, scope: Scope = PUBLIC_SCOPE, job_id: int | None
) -> IngestOutcome:
    """Step 1: store a parsed upload unless its content is there already (one transaction,
    which also records the new document on job `job_id`)."""
    return ingest_parsed(engine=engine, parsed=parsed, scope=scope, job_id=job_id)


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
            Job.kind == JobKind.INGEST,
            col(Job.status).in_(ACTIVE),
            col(Job.document_id).is_not(None),
            Job.document_id != document_id,
            col(Job.document_id).not_in(decided),
        )
    ).all()
    return {r for r in rows if r is not None}


def place(
    *,
    engine: Engine,
    encoder: Encoder,
    document_id: int,
    aligned: list[PairReport] | None = None,
    separated: list[int] | None = None,
) -> int:
    """Step 2: decide which story a new document belongs to and put it there; returns it.

    The document's own vectors, and the alignment that verifies a join, are computed first
    with no lock held (a first decision); the decision is then taken again and the move
    made in one transaction under the grouping lock. The verifying alignment of a join is
    stored with it; `aligned` receives that pair's report. When the story it joins holds
    another page of its site in its language, the story is split by page (`pages.py`) and
    `separated` receives the other story.
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
        doc = _document(session, document_id)
        story_id = move_into_story(session, doc, result.story_id or doc.story_id)
        done = apply_verified(session, verifier, result, story_id)
        record_grouping(
            session,
            doc=_document(session, document_id),
            story_id=story_id,
            result=result,
            vectors=vectors,
            encoder_name=deciding,
        )
        split = separate_pages(session, _document(session, document_id), story_id)
        if split is not None:
            record_separation(session, split)
            went = document_id in split.documents
            story_id, other = (split.story, split.left) if went else (split.left, split.story)
            moved = set(split.documents)  # a pair across the split went with it
            done = [r for r in done if (r.source in moved) == (r.target in moved)]
            if separated is not None:
                separated.append(other)
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


def align(
    *,
    engine: Engine,
    encoder: Encoder,
    document_id: int,
    progress: Progress = _no_progress,
    skip: frozenset[int] | set[int] = frozenset(),
) -> AlignmentOutcome:
    """Step 3: align a document with every other document of its story (but those in `skip`,
    already aligned), one transaction per pair."""
    with Session(engine) as session:
        doc = _document(session, document_id)
        story_id = doc.story_id
        pairs = [
            (a.id, b.id)
            for a, b in (ordered(doc, o) for o in _siblings(session, doc) if o.id not in skip)
        ]
    outcome = AlignmentOutcome(document_id, story_id)
    progress(0, len(pairs))
    for done, (source_id, target_id) in enumerate(pairs, start=1):
        assert source_id is not None and target_id is not None
        report = _align_one_pair(engine, encoder, source_id, target_id)
        if report is not None:
            outcome.pairs.append(report)
        progress(done, len(pairs))
    return outcome


def _siblings(session: Session, doc: Document) -> list[Document]:
    return list(
        session.exec(
            select(Document)
            .where(Document.story_id == doc.story_id, Document.id != doc.id)
            .order_by(col(Document.id))
        ).all()
    )


def align_in(session: Session, encoder: Encoder, doc: Document) -> list[PairReport]:
    """Step 3 inside the caller's transaction (no commit): replace the automatic links of every
    pair `doc` forms in its story, for a change recorded in the history as one step."""
    reports = []
    for other in _siblings(session, doc):
        source, target = ordered(doc, other)
        report = apply_pair(
            session, plan_pair(session=session, encoder=encoder, source=source, target=target)
        )
        assert report is not None  # nothing else writes inside this transaction
        reports.append(report)
    if isinstance(encoder, CachedEncoder):
        encoder.save(session)
    session.flush()
    return reports


def check(engine: Engine, encoder: Encoder | None, *story_ids: int | None) -> None:
    """Step 4: recompute the stored findings of the stories a job changed."""
    for story_id in dict.fromkeys(s for s in story_ids if s is not None):
        with Session(engine) as session:
            compute_findings(session=session, encoder=encoder, story_id=story_id)


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
    """Steps 2 and 3: choose the story of a newly stored document, move it there, align it
    with its siblings (but the one whose alignment verified the join: stored with it)."""
    aligned: list[PairReport] = []
    separated: list[int] = []
    place(
        engine=engine,
        encoder=encoder,
        document_id=document_id,
        aligned=aligned,
        separated=separated,
    )
    skip = {r.source if r.target == document_id else r.target for r in aligned}
    outcome = align(
        engine=engine, encoder=encoder, document_id=document_id, progress=progress, skip=skip
    )
    outcome.pairs[:0] = aligned
    outcome.separated = separated[0] if separated else None
    return outcome


def discard_document(*, engine: Engine, document_id: int, job_id: int | None = None) -> None:
    """Remove a document a failed ingest job stored, and its story if that is left empty; one
    transaction, which also makes job `job_id` forget it (a re-run stores it again).

    Its paragraphs, sentences, pairs and links go with it (foreign keys cascade).
    """
    with Session(engine) as session:
        doc = session.get(Document, document_id)
        if doc is not None:
            story_id = doc.story_id
            session.delete(doc)
            session.flush()
            left = session.exec(select(Document.id).where(Document.story_id == story_id)).first()
            if left is None:
                session.exec(delete(Story).where(col(Story.id) == story_id))
        if job_id is not None:
            session.exec(
                update(Job)
                .where(col(Job.id) == job_id, col(Job.document_id) == document_id)
                .values(document_id=None, story_id=None)
            )
        session.commit()
