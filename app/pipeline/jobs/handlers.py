"""One handler per job kind: thin, they load ids and params and call the pipeline's steps.

Each is idempotent, so a job re-run after its worker died does its work once: an ingest job
remembers the document it stored (in the same transaction), alignment replaces a pair's
automatic links. A failed ingest job's document is removed again (`UNDO`).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.exchange import ExchangeError
from app.ingest import IngestError, parse_bytes
from app.library import documents
from app.library.personal import Scope
from app.models import Document, Job, JobKind, User
from app.pipeline.alignment import fill_sentence_links, plan_pair
from app.pipeline.embeddings import CachedEncoder
from app.pipeline.jobs.runner import Handler, JobContext, JobFailed, Later
from app.pipeline.steps import (
    AlignmentOutcome,
    check,
    discard_document,
    group_and_align,
    ordered,
    store,
)
from app.pipeline.store import IngestOutcome
from app.review.changes import ReviewError
from app.review.exchange import import_tmx
from app.review.realign import realign_layout


def _outcome(out: AlignmentOutcome) -> dict[str, Any]:
    return {
        "document": out.document_id,
        "story_id": out.story_id,
        "pairs": [
            {
                "source": p.source,
                "target": p.target,
                "kind": p.kind,
                "translations": p.translations,
                "related": p.related,
            }
            for p in out.pairs
        ],
    }


def ingest(ctx: JobContext) -> dict[str, Any]:
    """Parse and store an upload (unless a previous attempt did), then place, align, check.

    Parsing runs from the parsing queue; once the document is stored the job goes on in the
    main queue, so the parsing thread is free for the next upload at once (inline, it goes
    straight on).
    """
    if ctx.document_id is None:
        stored = _store(ctx)
        if stored.status == "duplicate":
            result = {
                "document": stored.document_id,
                "story_id": stored.story_id,
                "duplicate": True,
            }
            # The result goes with the id: an upload waiting for the id then knows at once
            # that it is a duplicate (the job's end, a moment later, could come too late).
            ctx.update(document_id=stored.document_id, story_id=stored.story_id, result=result)
            return result
        ctx.document_id, ctx.story_id = stored.document_id, stored.story_id
        ctx.progress(0, 1)
        if ctx.encoder is not None and ctx.may_defer and not ctx.runtime.inline:
            raise Later(priority=0)  # grouping and alignment: the main queue's work
    assert ctx.document_id is not None
    if ctx.encoder is None:  # no model: stored in a story of its own, unaligned
        return {"document": ctx.document_id, "story_id": ctx.story_id, "duplicate": False}
    out = group_and_align(
        engine=ctx.engine, encoder=ctx.encoder, document_id=ctx.document_id, progress=ctx.progress
    )
    ctx.update(story_id=out.story_id)
    check(ctx.engine, ctx.encoder, out.story_id, out.separated)
    return {**_outcome(out), "duplicate": False}


def _store(ctx: JobContext) -> IngestOutcome:
    """The pipeline's first step for an upload: parsed, then stored (and recorded on the job)."""
    params = ctx.params
    try:
        parsed = parse_bytes(
            ctx.payload(),
            source=params["source"],
            lang=params.get("lang"),
            title=params.get("title"),
            max_bytes=ctx.runtime.settings.max_upload_bytes,
        )
        return store(
            engine=ctx.engine, parsed=parsed, scope=Scope.from_params(params), job_id=ctx.job_id
        )
    except IngestError as err:
        raise JobFailed(str(err), status=err.status) from err


def forget_upload(engine: Engine, job_id: int) -> None:
    """Undo a failed ingest job: the document it stored goes (a duplicate's is not its own)."""
    with Session(engine) as session:
        job = session.get(Job, job_id)
        if job is None or job.document_id is None or (job.result or {}).get("duplicate"):
            return
        document_id = job.document_id
    discard_document(engine=engine, document_id=document_id, job_id=job_id)


def _plan_ahead(session: Session, encoder: CachedEncoder, doc: Document, story_id: int) -> None:
    """Plan `doc`'s pairs in `story_id` once with no lock held, so the model has encoded
    everything by the time the recorded write runs (it then reads the cache)."""
    for other in session.exec(select(Document).where(Document.story_id == story_id)):
        if other.id != doc.id:
            source, dest = ordered(doc, other)
            plan_pair(session=session, encoder=encoder, source=source, target=dest)


def _recorded_move(ctx: JobContext) -> AlignmentOutcome:
    """An editor's move: recorded in the history as one undoable step with the realignment.

    The pairs it will align are planned once beforehand, with no lock held, so the model has
    already encoded everything by the time the move's transaction runs.
    """
    assert ctx.document_id is not None and ctx.encoder is not None
    target = ctx.params.get("story_id")
    with Session(ctx.engine) as session:
        user = session.get(User, ctx.created_by) if ctx.created_by else None
        doc = session.get(Document, ctx.document_id)
        if user is None or doc is None:
            raise JobFailed("the document or the editor who moved it is gone", status=404)
        cached = CachedEncoder(ctx.encoder, session)
        if target is not None:
            _plan_ahead(session, cached, doc, target)
        session.rollback()
        try:
            moved = documents.move_document(
                session=session,
                encoder=cached,
                user=user,
                document_id=ctx.document_id,
                story_id=target,
                discard_reviewed=bool(ctx.params.get("discard_reviewed")),
            )
        except ReviewError as err:
            raise JobFailed(str(err), status=err.status) from err
        return AlignmentOutcome(ctx.document_id, moved.story_id)


def _realign_in_place(ctx: JobContext, event_id: int) -> dict[str, Any]:
    """After an editor's split or merge (event `event_id`): the document realigned in its
    story, written into that change's history event; sentence links and findings after."""
    assert ctx.document_id is not None
    if ctx.encoder is None:
        return {"document": ctx.document_id, "realigned": False, "why": "no alignment model"}
    with Session(ctx.engine) as session:
        doc = session.get(Document, ctx.document_id)
        if doc is None:
            return {"document": ctx.document_id, "realigned": False, "why": "document removed"}
        story_id = doc.story_id
        cached = CachedEncoder(ctx.encoder, session)
        _plan_ahead(session, cached, doc, story_id)
        session.rollback()
        cached.save(session)
        done = realign_layout(
            session=session, encoder=cached, event_id=event_id, document_id=ctx.document_id
        )
    if done:
        _fill_sentences(ctx, story_id)
        check(ctx.engine, ctx.encoder, story_id)
    return {"document": ctx.document_id, "story_id": story_id, "realigned": done}


def realign_document(ctx: JobContext) -> dict[str, Any]:
    """An editor's move of a document to another story (or its own), realigned there; with
    an `event` parameter, the realignment in place after that split or merge."""
    assert ctx.document_id is not None
    if "event" in ctx.params:
        return _realign_in_place(ctx, int(ctx.params["event"]))
    if ctx.encoder is None:
        raise JobFailed("the alignment model is switched off (PARALLAX_LOAD_ENCODER)", status=503)
    before = ctx.story_id
    out = _recorded_move(ctx)
    ctx.update(story_id=out.story_id)
    _fill_sentences(ctx, out.story_id)
    check(ctx.engine, ctx.encoder, before, out.story_id)
    return _outcome(out)


def edit_text(ctx: JobContext) -> dict[str, Any]:
    """An editor's text edit with the realignment around it, recorded as one undoable step.

    Only the edited paragraph's new texts reach the model inside the write; everything else
    comes from the embedding cache.
    """
    assert ctx.document_id is not None
    with Session(ctx.engine) as session:
        user = session.get(User, ctx.created_by) if ctx.created_by else None
        if user is None:
            raise JobFailed("the editor who made the change is gone", status=404)
        try:
            para = documents.edit_text(
                session=session,
                encoder=CachedEncoder(ctx.encoder, session) if ctx.encoder else None,
                user=user,
                document_id=ctx.document_id,
                index=int(ctx.params["index"]),
                text=str(ctx.params["text"]),
            )
        except ReviewError as err:
            raise JobFailed(str(err), status=err.status) from err
        doc = session.get(Document, ctx.document_id)
        story_id = doc.story_id if doc else None
        text = para.text
    ctx.update(story_id=story_id)
    check(ctx.engine, ctx.encoder, story_id)
    return {"document": ctx.document_id, "text": text, "story_id": story_id}


def _fill_sentences(ctx: JobContext, story_id: int) -> int:
    if ctx.encoder is None:
        return 0
    with Session(ctx.engine) as session:
        return fill_sentence_links(session=session, encoder=ctx.encoder, story_id=story_id)


def after_review(ctx: JobContext) -> dict[str, Any]:
    """After an editor's change: sentence links for links made by hand, then the findings."""
    assert ctx.story_id is not None
    filled = _fill_sentences(ctx, ctx.story_id)
    check(ctx.engine, ctx.encoder, ctx.story_id)
    return {"story_id": ctx.story_id, "sentence_links": filled}


def import_file(ctx: JobContext) -> dict[str, Any]:
    """Import a TMX file as a new story with its links."""
    try:
        story_id = import_tmx(
            engine=ctx.engine,
            data=ctx.payload(),
            source=ctx.params["source"],
            user_id=ctx.created_by,
        )
    except ExchangeError as err:
        raise JobFailed(str(err)) from err
    ctx.update(story_id=story_id)
    return {"story_id": story_id}


HANDLERS: dict[JobKind, Handler] = {
    JobKind.INGEST: ingest,
    JobKind.REALIGN: realign_document,
    JobKind.SENTENCE_LINKS: after_review,
    JobKind.EDIT_TEXT: edit_text,
    JobKind.IMPORT_TMX: import_file,
}

# What undoes a failed job's stored effects (the other kinds write in one transaction).
UNDO: dict[JobKind, Callable[[Engine, int], None]] = {JobKind.INGEST: forget_upload}
