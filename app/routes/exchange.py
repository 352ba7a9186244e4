"""Export a story (TMX, TSV, JSON, printable HTML) and import a TMX file as a new story."""

from dataclasses import replace
from typing import Literal

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from app.auth import UserDep
from app.deps import RuntimeDep, SessionDep
from app.exchange import ExchangeError, ExportStory
from app.labels import DocLabel
from app.library.credentials import is_editor
from app.models import JobKind, JobStatus
from app.pipeline.jobs.submit import JobRef, failure_status, job_ref
from app.reading.printable import print_rows
from app.review.exchange import export_story, render_export
from app.security.openapi import errors
from app.templating import templates
from app.waiting import TooManyWaits, WaitingEditorDep, submit_and_wait

router = APIRouter(tags=["exchange"], responses=errors(404))

MEDIA_TYPES = {
    "tmx": "application/x-tmx+xml",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "json": "application/json",
    "html": "text/html; charset=utf-8",
}


def _pair(documents: str | None) -> tuple[int, int] | None:
    if not documents:
        return None
    parts = documents.split(",")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "documents must be two ids: ?documents=ID,ID"
        )
    return int(parts[0]), int(parts[1])


@router.get("/api/stories/{story_id}/export", responses=errors(422))
def export(
    request: Request,
    story_id: int,
    session: SessionDep,
    user: UserDep,
    format: Literal["tmx", "tsv", "json", "html"] = "tmx",  # noqa: A002 - the public query name
    documents: str | None = Query(default=None, description="two document ids: one pair only"),
) -> Response:
    """Download a story, or one document pair of it, for translation tools or print."""
    story = export_story(session, story_id)
    if story is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    if not is_editor(user):
        story = hide_reviewers(story)
    pair = _pair(documents)
    name = f"story-{story_id}" + (f"-{pair[0]}-{pair[1]}" if pair else "")
    try:
        if format == "html":
            return _printable(request, story, pair)
        body = render_export(story, format, pair)
    except ExchangeError as err:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(err)) from err
    return Response(
        body,
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'},
    )


def hide_reviewers(story: ExportStory) -> ExportStory:
    """The story with reviewers' names replaced by their role: readers need not know them."""
    links = tuple(replace(lk, reviewed_by="editor") if lk.reviewed_by else lk for lk in story.links)
    return replace(story, links=links)


def _printable(request: Request, story: ExportStory, pair: tuple[int, int] | None) -> HTMLResponse:
    docs = {d.id: d for d in story.documents}
    if pair and not all(d in docs for d in pair):
        raise ExchangeError(f"story {story.id}", f"documents {pair} are not both in the story")
    links = [
        lk
        for lk in story.links
        if lk.status != "rejected"
        and (pair is None or {lk.source_document, lk.target_document} == set(pair))
    ]
    order = list(pair) if pair else [d.id for d in story.documents]
    labels = {
        d.id: DocLabel(lang=d.lang, source=d.source, title=d.title, texts=list(d.paragraphs))
        for d in story.documents
    }
    return templates.TemplateResponse(
        request,
        "stories/print.html",
        {
            "story": story,
            "docs": docs,
            "order": order,
            "labels": labels,
            "rows": print_rows(story, links, order),
        },
    )


class Imported(BaseModel):
    """The story a TMX import made (null until its job is over) and the job."""

    story_id: int | None
    job: JobRef


@router.post(
    "/api/import",
    status_code=201,
    response_model=Imported,
    responses={
        202: {"model": Imported, "description": "still importing: follow the job"},
        **errors(401, 403, 413, 422),
    },
)
async def import_file(
    request: Request, runtime: RuntimeDep, user: WaitingEditorDep
) -> JSONResponse:
    """Import a TMX file (multipart `file`) as a new story with its links (run as a job)."""
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, "send the TMX file as multipart field 'file'"
        )
    data = await upload.read()
    if len(data) > runtime.settings.max_upload_bytes:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"{upload.filename}: larger than the upload limit"
        )
    source = upload.filename or "import.tmx"
    params = {"source": source}
    try:
        job = await submit_and_wait(
            request, user.id, JobKind.IMPORT_TMX, params, payload=data, created_by=user.id
        )
    except TooManyWaits as err:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, str(err)) from err
    if job.status == JobStatus.FAILED:
        raise HTTPException(failure_status(job), job.error)
    body = Imported(story_id=job.story_id, job=job_ref(job))
    return JSONResponse(
        body.model_dump(mode="json"), status_code=201 if job.status == JobStatus.DONE else 202
    )
