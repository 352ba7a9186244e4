"""HTMX endpoints that answer with HTML fragments (the browser's forms)."""

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import UploadFile

from app.auth import UserDep
from app.deps import RuntimeDep, SettingsDep
from app.ingest import IngestError
from app.jobs.runtime import Runtime
from app.models import Job
from app.services.jobs import submit, wait_for
from app.services.library import Scope, check_quota, upload_scope
from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request, settings: SettingsDep, runtime: RuntimeDep, user: UserDep
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
    # Queuing and waiting for the document to be stored block: off the event loop.
    job = await run_in_threadpool(_submit, runtime, data, source, user.id if user else None, scope)
    if isinstance(job, str):
        return templates.TemplateResponse(
            request, "stories/_upload_result.html", {"error": job}, status_code=403
        )
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


def _submit(
    runtime: Runtime, data: bytes, source: str, user_id: int | None, scope: Scope
) -> Job | str:
    """The job, once its document is stored; or why the library cannot take another text."""
    try:
        with Session(runtime.engine) as session:
            check_quota(session, scope, source, 0)
    except IngestError as err:
        return str(err)
    job_id = submit(
        runtime,
        kind="ingest",
        params={"source": source, **scope.params()},
        payload=data,
        created_by=user_id,
    )
    return wait_for(
        runtime.engine,
        job_id,
        until=lambda j: j.document_id is not None,
        timeout=runtime.settings.upload_wait_seconds,
    )
