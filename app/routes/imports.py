"""Collections imported whole: `POST /api/imports` (many files or one zip) and its progress."""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from app.auth import UserDep
from app.deps import RuntimeDep, SettingsDep
from app.ingest import IngestError
from app.library.credentials import is_editor
from app.library.personal import upload_scope
from app.models import User
from app.pipeline.imports import (
    ImportFile,
    ImportProgress,
    batch_jobs,
    collect,
    progress,
    start_import,
)
from app.security.openapi import errors
from app.security.ratelimit import RateLimits, client_address
from app.waiting import WaitingUserDep

router = APIRouter(prefix="/api", tags=["api"])

IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                        "visibility": {"type": "string", "enum": ["public", "private"]},
                    },
                    "required": ["files"],
                }
            }
        },
    }
}


class ImportStarted(BaseModel):
    """An import's answer: its id, the ingest jobs it queued, where to follow it."""

    id: str
    jobs: list[int]
    url: str


def _account(user: User | None) -> User:
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in to import a collection")
    return user


async def _files(request: Request) -> tuple[list[ImportFile], str | None]:
    form = await request.form()
    sent = [
        ImportFile(part.filename or "upload.txt", await part.read())
        for key in ("files", "file")
        for part in form.getlist(key)
        if isinstance(part, UploadFile)
    ]
    if not sent:
        raise IngestError("import", "has no files: send them as multipart fields 'files'")
    visibility = form.get("visibility")
    return sent, visibility if isinstance(visibility, str) and visibility else None


def _count_as_one_upload(request: Request, user: User) -> None:
    """However many files it holds, an import counts once against its role's upload limit."""
    limits: RateLimits = request.app.state.rate_limits
    item = limits.rules.uploads_for(is_editor(user))
    limits.count(item, "uploads", client_address(request), user.id)


async def _queue(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, user: User, batch: str | None
) -> JSONResponse:
    max_files = (
        settings.import_max_files_editor if is_editor(user) else settings.import_max_files_reader
    )
    try:
        sent, visibility = await _files(request)
        scope = upload_scope(user, settings, visibility)
        files = collect(sent, max_files=max_files, max_bytes=settings.max_upload_bytes)
        if batch is None:
            _count_as_one_upload(request, user)
        batch_id, jobs = await run_in_threadpool(
            lambda: start_import(runtime, files, scope=scope, user_id=user.id, batch=batch)
        )
    except IngestError as err:
        return JSONResponse({"detail": str(err)}, status_code=err.status)
    started = ImportStarted(id=batch_id, jobs=jobs, url=f"/api/imports/{batch_id}")
    return JSONResponse(started.model_dump(), status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/imports",
    status_code=202,
    response_model=ImportStarted,
    openapi_extra=IMPORT_BODY,
    responses=errors(401, 403, 413, 422, 429),
)
async def create_import(
    request: Request, runtime: RuntimeDep, settings: SettingsDep, user: WaitingUserDep
) -> JSONResponse:
    """Import a collection: many files (multipart `files`), or one zip of them; one ingest
    job per article, answered at once with the import to follow. Counts as one upload for
    the rate limits; at most PARALLAX_IMPORT_MAX_FILES_READER / _EDITOR files."""
    return await _queue(request, runtime, settings, _account(user), None)


@router.post(
    "/imports/{batch}/files",
    status_code=202,
    response_model=ImportStarted,
    openapi_extra=IMPORT_BODY,
    responses=errors(401, 403, 404, 413, 422),
)
async def add_to_import(
    batch: str, request: Request, runtime: RuntimeDep, settings: SettingsDep, user: WaitingUserDep
) -> JSONResponse:
    """More files for an import you started (a folder too large for one request is sent in
    parts); answers with the jobs this part queued."""
    account = _account(user)
    if not await run_in_threadpool(batch_jobs, runtime.engine, batch, account.id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"import {batch} does not exist")
    return await _queue(request, runtime, settings, account, batch)


@router.get("/imports/{batch}", responses=errors(401, 404))
def import_progress(batch: str, runtime: RuntimeDep, user: UserDep) -> ImportProgress:
    """An import's progress: its jobs counted by status, the files that failed and why."""
    jobs = batch_jobs(runtime.engine, batch, _account(user).id)
    if not jobs:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"import {batch} does not exist")
    return progress(batch, jobs)
