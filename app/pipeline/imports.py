"""A collection imported whole: many files (or one zip) become one batch of ingest jobs.

The batch is its jobs' shared `batch` id; its progress is read from them together. The files
are checked here (count per role, size, kind) before any job is made, so a refused import
stores nothing.
"""

import io
import logging
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.ingest import IngestError
from app.ingest.reading import ALL_EXTENSIONS
from app.library.personal import Scope, check_quota
from app.models import Job, JobKind, JobStatus
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import submit

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportFile:
    """One file of an import: its name (the path inside a folder or zip) and its bytes."""

    name: str
    data: bytes


def _wanted(name: str) -> bool:
    """A file worth a job: an article's extension, not hidden, not an OS's metadata."""
    path = PurePosixPath(name.replace("\\", "/"))
    if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
        return False
    return path.suffix.lower() in ALL_EXTENSIONS


def unzip(data: bytes, *, max_files: int, max_bytes: int) -> list[ImportFile]:
    """The article files inside a zip, each within `max_bytes` (read no further than that,
    whatever the archive claims), at most `max_files` of them; IngestError otherwise."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise IngestError("import", f"is not a readable zip file ({exc})") from exc
    members = [m for m in archive.infolist() if not m.is_dir() and _wanted(m.filename)]
    if len(members) > max_files:
        raise IngestError("import", f"holds {len(members)} articles; at most {max_files} at once")
    files = []
    for member in members:
        with archive.open(member) as handle:
            body = handle.read(max_bytes + 1)
        if len(body) > max_bytes:
            raise IngestError(member.filename, f"is larger than the {max_bytes:,} byte limit")
        files.append(ImportFile(member.filename, body))
    return files


def collect(sent: list[ImportFile], *, max_files: int, max_bytes: int) -> list[ImportFile]:
    """The files of an import as sent: one zip is opened; other files go as they are
    (files that are not articles, such as a folder's .DS_Store, are left out)."""
    if len(sent) == 1 and sent[0].name.lower().endswith(".zip"):
        files = unzip(sent[0].data, max_files=max_files, max_bytes=max_bytes)
    else:
        files = [f for f in sent if _wanted(f.name)]
        if len(files) > max_files:
            raise IngestError("import", f"has {len(files)} articles; at most {max_files} at once")
        for f in files:
            if len(f.data) > max_bytes:
                raise IngestError(f.name, f"is larger than the {max_bytes:,} byte limit")
    if not files:
        raise IngestError("import", "has no article files (.txt, .md, .html, .epub, ...)")
    return files


def start_import(
    runtime: Runtime,
    files: list[ImportFile],
    *,
    scope: Scope,
    user_id: int | None,
    batch: str | None = None,
) -> tuple[str, list[int]]:
    """Queue one ingest job per file under one batch id (a new one unless `batch`, which
    adds to an import already started); returns the id and the job ids."""
    with Session(runtime.engine) as session:
        check_quota(session, scope, "import", 0)  # sizes count once parsed, as for uploads
    batch = batch or uuid.uuid4().hex
    jobs = [
        submit(
            runtime,
            kind=JobKind.INGEST,
            params={"source": PurePosixPath(f.name).name, **scope.params()},
            payload=f.data,
            created_by=user_id,
            batch=batch,
        )
        for f in files
    ]
    log.info("import %s: %d files queued", batch, len(jobs))
    return batch, jobs


def batch_jobs(engine: Engine, batch: str, user_id: int | None) -> list[Job]:
    """The jobs of an import, if `user_id` started it (anyone else sees none)."""
    with Session(engine) as session:
        jobs = list(
            session.exec(
                select(Job)
                .where(Job.batch == batch, Job.created_by == user_id)
                .order_by(col(Job.id))
            ).all()
        )
        for job in jobs:
            session.expunge(job)
        return jobs


class ImportFailure(BaseModel):
    """A file of an import that could not be added, and why."""

    job: int
    source: str | None
    error: str | None


class ImportProgress(BaseModel):
    """An import as `GET /api/imports/{id}` answers it: its jobs counted by status."""

    id: str
    status: Literal["running", "done"]
    total: int
    queued: int
    running: int
    done: int
    failed: int
    added: int
    duplicates: int
    failures: list[ImportFailure]
    jobs: list[int]
    url: str


def progress(batch: str, jobs: list[Job]) -> ImportProgress:
    """An import as `GET /api/imports/{id}` answers it."""
    counts = {status.value: 0 for status in JobStatus}
    for job in jobs:
        counts[job.status] = counts.get(job.status, 0) + 1
    added = sum(
        1 for j in jobs if j.status == JobStatus.DONE and not (j.result or {}).get("duplicate")
    )
    return ImportProgress(
        id=batch,
        status="done" if counts["queued"] + counts["running"] == 0 else "running",
        total=len(jobs),
        queued=counts["queued"],
        running=counts["running"],
        done=counts["done"],
        failed=counts["failed"],
        added=added,
        duplicates=counts["done"] - added,
        failures=[
            ImportFailure(job=j.id, source=j.params.get("source"), error=j.error)
            for j in jobs
            if j.status == JobStatus.FAILED and j.id is not None
        ],
        jobs=[j.id for j in jobs if j.id is not None],
        url=f"/api/imports/{batch}",
    )
