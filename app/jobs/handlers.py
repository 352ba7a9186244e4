"""One handler per job kind: thin, they load ids and params and call the services.

Each is idempotent, so a job re-run after its worker died does its work once: an ingest job
remembers the document it stored, alignment replaces a pair's automatic links.
"""

from typing import Any

from app.exchange import ExchangeError
from app.ingest import IngestError, parse_bytes
from app.jobs.runner import Handler, JobContext, JobFailed
from app.services.alignment import fill_sentence_links
from app.services.exchange import import_tmx
from app.services.ingest import ingest_parsed
from app.services.pipeline import AlignmentOutcome, discard_document, group_and_align, realign


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
        except IngestError as err:
            raise JobFailed(str(err), status=err.status) from err
        stored = ingest_parsed(engine=ctx.engine, parsed=parsed)
        if stored.status == "duplicate":
            ctx.update(document_id=stored.document_id, story_id=stored.story_id)
            return {"document": stored.document_id, "story_id": stored.story_id, "duplicate": True}
        ctx.update(document_id=stored.document_id, progress_done=0, progress_total=1)
    assert ctx.document_id is not None
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
    return {**_outcome(out), "duplicate": False}


def realign_document(ctx: JobContext) -> dict[str, Any]:
    """Move a document (to `params.story_id`, or a story of its own) and align it there."""
    assert ctx.document_id is not None
    out = realign(
        engine=ctx.engine,
        encoder=ctx.encoder,
        document_id=ctx.document_id,
        story_id=ctx.params.get("story_id"),
        progress=ctx.progress,
    )
    ctx.update(story_id=out.story_id)
    return _outcome(out)


def sentence_links(ctx: JobContext) -> dict[str, Any]:
    """Align the sentences of a story's links that have none yet (links made by hand)."""
    assert ctx.story_id is not None
    from sqlmodel import Session

    with Session(ctx.engine) as session:
        filled = fill_sentence_links(session=session, encoder=ctx.encoder, story_id=ctx.story_id)
    return {"story_id": ctx.story_id, "links": filled}


def import_file(ctx: JobContext) -> dict[str, Any]:
    """Import a TMX file as a new story with its links."""
    try:
        story_id = import_tmx(engine=ctx.engine, data=ctx.payload(), source=ctx.params["source"])
    except ExchangeError as err:
        raise JobFailed(str(err)) from err
    ctx.update(story_id=story_id)
    return {"story_id": story_id}


HANDLERS: dict[str, Handler] = {
    "ingest": ingest,
    "realign": realign_document,
    "sentence_links": sentence_links,
    "import_tmx": import_file,
}
