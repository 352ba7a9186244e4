"""HTMX endpoints that answer with HTML fragments (the browser's forms)."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.auth import UserDep, require_editor
from app.deps import RuntimeDep, SettingsDep
from app.ingest import IngestError
from app.jobs.runtime import Runtime
from app.models import Job
from app.services.jobs import submit, wait_for
from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request, settings: SettingsDep, runtime: RuntimeDep, user: UserDep
) -> Response:
    """Add an article from the home page form; show its job's live progress (or, without JS,
    open its story once stored)."""
    if not settings.open_uploads:
        require_editor(user)
    form = await request.form()
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile):
        context: dict[str, object] = {"error": str(IngestError("upload", "no file was chosen"))}
        return templates.TemplateResponse(
            request, "stories/_upload_result.html", context, status_code=422
        )
    data = await upload_file.read()
    source = upload_file.filename or "upload.txt"
    # Queuing and waiting for the document to be stored block: off the event loop.
    job = await run_in_threadpool(_submit, runtime, data, source, user.id if user else None)
    if job.status == "failed":
        code = int((job.result or {}).get("status", 500))
        return templates.TemplateResponse(
            request, "stories/_upload_result.html", {"error": job.error}, status_code=code
        )
    if not request.headers.get("HX-Request"):
        target = f"/stories/{job.story_id}" if job.story_id else "/"
        return RedirectResponse(target, status_code=303)
    response = templates.TemplateResponse(request, "stories/_upload_result.html", {"job": job})
    if job.status == "done":  # otherwise the job line's own polling announces it
        response.headers["HX-Trigger"] = "parallax:stories-changed"
    return response


def _submit(runtime: Runtime, data: bytes, source: str, user_id: int | None) -> Job:
    job_id = submit(
        runtime, kind="ingest", params={"source": source}, payload=data, created_by=user_id
    )
    return wait_for(
        runtime.engine,
        job_id,
        until=lambda j: j.document_id is not None,
        timeout=runtime.settings.upload_wait_seconds,
    )
