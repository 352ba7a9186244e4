"""Creating jobs and reading their state (a request that waits for one: app/waiting.py)."""

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.library.visibility import job_visible
from app.models import Job, JobKind, JobStatus, User
from app.models.jobs import ACTIVE, FINISHED
from app.pipeline.jobs.runner import PRIORITY
from app.pipeline.jobs.runtime import Runtime

if TYPE_CHECKING:
    from app.library.personal import Scope

log = logging.getLogger(__name__)


class JobProgress(BaseModel):
    done: int
    total: int


class JobOut(BaseModel):
    """A job as `GET /api/jobs/{id}` answers it."""

    id: int
    kind: str
    status: str
    progress: JobProgress
    error: str | None
    result: dict[str, Any] | None


class JobRef(BaseModel):
    """The short form inside other answers: enough to follow the job."""

    id: int
    status: str
    url: str


def job_out(job: Job) -> JobOut:
    assert job.id is not None
    return JobOut(
        id=job.id,
        kind=job.kind,
        status=job.status,
        progress=JobProgress(done=job.progress_done, total=job.progress_total),
        error=job.error,
        result=job.result,
    )


def job_ref(job: Job) -> JobRef:
    assert job.id is not None
    return JobRef(id=job.id, status=job.status, url=f"/api/jobs/{job.id}")


def submit(
    runtime: Runtime,
    *,
    kind: JobKind,
    params: dict[str, Any] | None = None,
    payload: bytes | None = None,
    document_id: int | None = None,
    story_id: int | None = None,
    created_by: int | None = None,
    enqueue: bool = True,
    batch: str | None = None,
) -> int:
    """The one way a job is made: store it (one short transaction) and hand it to the queue
    (not with `enqueue=False`: the caller runs it itself); returns its id.

    Once the row is stored the job exists: a queue that refuses the message (its SQLite file
    locked, Redis gone) is logged, not raised, and the worker's watchman sends the job again.
    """
    with Session(runtime.engine) as session:
        job = Job(
            kind=kind,
            params=params or {},
            payload=payload,
            document_id=document_id,
            story_id=story_id,
            created_by=created_by,
            batch=batch,
        )
        session.add(job)
        session.commit()
        assert job.id is not None
        job_id = job.id
    if enqueue:
        try:
            runtime.enqueue(job_id, priority=PRIORITY.get(kind, 0))
        except Exception:
            log.exception("job %s is stored but the queue refused it; sent again later", job_id)
    return job_id


def queue_upload(
    runtime: Runtime, data: bytes, params: dict[str, Any], user_id: int | None, scope: "Scope"
) -> int:
    """The ingest job for an upload, once the library has room (IngestError: it has not).

    The size counts against the quota once parsed (the worker checks it again then).
    """
    from app.library.personal import check_quota  # library -> auth -> deps -> here

    with Session(runtime.engine) as session:
        check_quota(session, scope, params["source"], 0)
    return submit(runtime, kind=JobKind.INGEST, params=params, payload=data, created_by=user_id)


def get_job(engine: Engine, job_id: int) -> Job | None:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        if job is not None:
            session.expunge(job)
        return job


def wait_for(
    engine: Engine,
    job_id: int,
    *,
    until: Callable[[Job], bool] = lambda job: job.status in FINISHED,
    timeout: float = 60.0,
    interval: float = 0.05,
) -> Job:
    """Poll the job until `until(job)` or `timeout` seconds; returns its last state.

    Plain blocking code: call it from a thread (a `def` route), never on the event loop.
    """
    deadline = time.monotonic() + timeout
    while True:
        job = get_job(engine, job_id)
        if job is None:
            raise LookupError(f"job {job_id} does not exist")
        if until(job) or job.status in FINISHED or time.monotonic() >= deadline:
            return job
        time.sleep(interval)
        interval = min(interval * 1.5, 0.5)


def job_over(job: Job) -> bool:
    return job.status in FINISHED


def failure_status(job: Job) -> int:
    """The HTTP status a failed job is answered with (the handler chose it; 500 if none)."""
    return int((job.result or {}).get("status", 500))


def recent_jobs(engine: Engine, *, limit: int = 10, user_id: int | None = None) -> list[Job]:
    """Jobs still queued or running, newest first (the home page's live list)."""
    with Session(engine) as session:
        query = select(Job).where(col(Job.status).in_(ACTIVE))
        if user_id is not None:
            query = query.where(Job.created_by == user_id)
        jobs = list(session.exec(query.order_by(col(Job.id).desc()).limit(limit)).all())
        for job in jobs:
            session.expunge(job)
        return jobs


def refresh_after_review(runtime: Runtime, story_id: int, *, user_id: int | None = None) -> None:
    """After an editor's change: sentence links for hand-made links, then the findings (a job).

    A refresh already waiting in the queue for the story covers this change too.
    """
    with Session(runtime.engine) as session:
        waiting = session.exec(
            select(Job.id).where(
                Job.kind == JobKind.SENTENCE_LINKS,
                Job.story_id == story_id,
                Job.status == JobStatus.QUEUED,
            )
        ).first()
    if waiting is None:
        submit(runtime, kind=JobKind.SENTENCE_LINKS, story_id=story_id, created_by=user_id)


def visible_jobs(session: Session, user: User | None, *, limit: int = 10) -> list[Job]:
    """The active jobs `user` may see (their own, and those on texts they may read)."""
    jobs = recent_jobs(session.get_bind(), limit=limit * 5)  # type: ignore[arg-type]
    return [job for job in jobs if job_visible(session, job, user)][:limit]
