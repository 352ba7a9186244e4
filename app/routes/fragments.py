"""HTMX endpoints that answer with HTML fragments (the browser's forms)."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.deps import RuntimeDep, SettingsDep
from app.ingest import IngestError
from app.library.personal import upload_scope
from app.models import JobStatus
from app.pipeline.jobs.submit import failure_status, queue_upload
from app.templating import templates
from app.waiting import WaitingUserDep, await_job

router = APIRouter(include_in_schema=False)


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request, settings: SettingsDep, runtime: RuntimeDep, user: WaitingUserDep
) -> Response:
    """Add an article from the home page form; show its job's live progress (or, without JS,
    open its story once stored)."""
    if user is None:
        upload_scope(user, settings, None)  # 401 before the body is read
    form = await request.form()
    requested = form.get("visibility")
    scope = upload_scope(user, settings, requested if isinstance(requested, str) else None)
    upload_file = form.get("file")
    if not isinstance(upload_file, UploadFile):
        context: dict[str, object] = {"error": str(IngestError("upload", "no file was chosen"))}
        return templates.TemplateResponse(
            request, "stories/_upload_result.html", context, status_code=422
        )
    data = await upload_file.read()
    source = upload_file.filename or "upload.txt"
    params = {"source": source, **scope.params()}
    user_id = user.id if user else None
    try:
        job_id = await run_in_threadpool(queue_upload, runtime, data, params, user_id, scope)
    except IngestError as err:
        return templates.TemplateResponse(
            request, "stories/_upload_result.html", {"error": str(err)}, status_code=err.status
        )
    # Waiting for the document to be stored holds no thread and no connection.
    job = await await_job(
        runtime.engine,
        job_id,
        until=lambda j: j.document_id is not None,
        timeout=settings.upload_wait_seconds,
    )
    if job.status == JobStatus.FAILED:
        return templates.TemplateResponse(
            request,
            "stories/_upload_result.html",
            {"error": job.error},
            status_code=failure_status(job),
        )
    if not request.headers.get("HX-Request"):
        target = f"/stories/{job.story_id}" if job.story_id else "/"
        return RedirectResponse(target, status_code=303)
    response = templates.TemplateResponse(request, "stories/_upload_result.html", {"job": job})
    if job.status == JobStatus.DONE:  # otherwise the job line's own polling announces it
        response.headers["HX-Trigger"] = "parallax:stories-changed"
    return response
