"""One handler per job kind: thin, they load ids and params and call the services.

Each is idempotent, so a job re-run after its worker died does its work once: an ingest job
remembers the document it stored, alignment replaces a pair's automatic links.
"""

from typing import Any

from sqlmodel import Session, select

from app.exchange import ExchangeError
from app.ingest import IngestError, parse_bytes
from app.jobs.runner import Handler, JobContext, JobFailed
from app.models import Document, User
from app.services import documents
from app.services.alignment import fill_sentence_links, plan_pair
from app.services.embeddings import CachedEncoder
from app.services.exchange import import_tmx
from app.services.findings import compute_findings
from app.services.ingest import ingest_parsed
from app.services.library import Scope
from app.services.pipeline import (
    AlignmentOutcome,
    align_document,
    discard_document,
    group_and_align,
    realign,
)
from app.services.review import ReviewError


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
    """Parse and store an upload (unless a previous attempt did), then group and align it."""
    if ctx.document_id is None:
        params = ctx.params
        try:
            parsed = parse_bytes(
                ctx.payload(),
                source=params["source"],
                lang=params.get("lang"),
                title=params.get("title"),
                max_bytes=ctx.runtime.settings.max_upload_bytes,
            )
            stored = ingest_parsed(
                engine=ctx.engine, parsed=parsed, scope=Scope.from_params(params)
            )
        except IngestError as err:
            raise JobFailed(str(err), status=err.status) from err
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
        ctx.update(
            document_id=stored.document_id,
            story_id=stored.story_id,
            progress_done=0,
            progress_total=1,
        )
    assert ctx.document_id is not None
    if ctx.encoder is None:  # no model: stored in a story of its own, unaligned
        return {"document": ctx.document_id, "story_id": ctx.story_id, "duplicate": False}
    try:
        out = group_and_align(
            engine=ctx.engine,
            encoder=ctx.encoder,
            document_id=ctx.document_id,
            progress=ctx.progress,
        )
    except Exception:
        # A failed ingest leaves the database as it was: no document left unaligned.
        discard_document(engine=ctx.engine, document_id=ctx.document_id)
        ctx.update(document_id=None)
        raise
    ctx.update(story_id=out.story_id)
    _refresh_findings(ctx, out.story_id)
    return {**_outcome(out), "duplicate": False}


def _refresh_findings(ctx: JobContext, *story_ids: int | None) -> None:
    """Recompute the stored findings of the stories a job changed."""
    for story_id in dict.fromkeys(s for s in story_ids if s is not None):
        with Session(ctx.engine) as session:
            compute_findings(session=session, encoder=ctx.encoder, story_id=story_id)


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
            for other in session.exec(select(Document).where(Document.story_id == target)):
                if other.id != doc.id:
                    pair = (other, doc) if (other.id or 0) < ctx.document_id else (doc, other)
                    plan_pair(session=session, encoder=cached, source=pair[0], target=pair[1])
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


def realign_document(ctx: JobContext) -> dict[str, Any]:
    """Move a document and realign it there (`move`: an editor's recorded move), or realign it
    where it is (`in_place`: after a text edit)."""
    assert ctx.document_id is not None
    if ctx.encoder is None:
        raise JobFailed("the alignment model is switched off (PARALLAX_LOAD_ENCODER)", status=503)
    before = ctx.story_id
    if ctx.params.get("move"):
        out = _recorded_move(ctx)
    elif ctx.params.get("in_place"):
        out = align_document(
            engine=ctx.engine,
            encoder=ctx.encoder,
            document_id=ctx.document_id,
            progress=ctx.progress,
        )
    else:
        out = realign(
            engine=ctx.engine,
            encoder=ctx.encoder,
            document_id=ctx.document_id,
            story_id=ctx.params.get("story_id"),
            progress=ctx.progress,
        )
    ctx.update(story_id=out.story_id)
    _fill_sentences(ctx, out.story_id)
    _refresh_findings(ctx, before, out.story_id)
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
    _refresh_findings(ctx, story_id)
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
    _refresh_findings(ctx, ctx.story_id)
    return {"story_id": ctx.story_id, "sentence_links": filled}


def findings(ctx: JobContext) -> dict[str, Any]:
    """Recompute a story's stored findings."""
    assert ctx.story_id is not None
    _refresh_findings(ctx, ctx.story_id)
    return {"story_id": ctx.story_id}


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


HANDLERS: dict[str, Handler] = {
    "ingest": ingest,
    "realign": realign_document,
    "sentence_links": after_review,
    "findings": findings,
    "edit_text": edit_text,
    "import_tmx": import_file,
}
