"""Running one job: claim it, do it, record the outcome; heartbeats and the stalled-job reaper."""

import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.models import Job, JobKind, JobStatus, utcnow
from app.models.jobs import FINISHED
from app.pipeline.jobs.persist import in_words, until_accepted
from app.pipeline.jobs.runtime import PARSING

if TYPE_CHECKING:
    from app.align.encoder import Encoder
    from app.pipeline.jobs.runtime import Runtime

log = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
MAX_ATTEMPTS = 3
# A job the database kept busy goes on after this many seconds times its attempt.
BUSY_RETRY_SECONDS = 2.0
KEEP_FINISHED = timedelta(days=7)


class JobFailed(Exception):
    """A job cannot succeed (bad input): recorded as failed with this message, not retried.

    `status` is the HTTP status a waiting request answers with.
    """

    def __init__(self, message: str, *, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class JobContext:
    """What a job handler gets: the job's ids and params, the runtime, a progress reporter."""

    def __init__(self, job: Job, runtime: "Runtime", *, may_defer: bool = True) -> None:
        assert job.id is not None
        self.job_id = job.id
        self.kind = job.kind
        self.params = dict(job.params)
        self.document_id = job.document_id
        self.story_id = job.story_id
        self.created_by = job.created_by
        self.runtime = runtime
        self.engine = runtime.engine
        # Whether the job may go back to the queue half done (Later): not when the caller
        # runs it to the end right here (the command line).
        self.may_defer = may_defer

    @property
    def encoder(self) -> "Encoder | None":
        """The model, or None when the settings switch it off (then nothing is aligned)."""
        return self.runtime.encoder if self.runtime.settings.load_encoder else None

    def update(self, **fields: Any) -> None:
        """Record progress or intermediate ids on the job, in a transaction of its own."""
        fields["updated_at"] = fields["heartbeat_at"] = utcnow()
        with Session(self.engine) as session:
            session.exec(update(Job).where(col(Job.id) == self.job_id).values(**fields))  # type: ignore[call-overload]
            session.commit()
        if "document_id" in fields:
            self.document_id = fields["document_id"]
        if "story_id" in fields:
            self.story_id = fields["story_id"]

    def progress(self, done: int, total: int) -> None:
        self.update(progress_done=done, progress_total=total)

    def payload(self) -> bytes:
        with Session(self.engine) as session:
            data = session.exec(select(Job.payload).where(Job.id == self.job_id)).first()
        return data or b""


Handler = Callable[[JobContext], dict[str, Any]]


def claim(engine: Engine, job_id: int, worker: str = WORKER_ID) -> Job | None:
    """Take a queued job for this worker, atomically; None if it is not (or no longer) queued.

    A job delivered twice (re-queued by the reaper while its message was still in the queue)
    therefore runs once.
    """
    now = utcnow()
    with Session(engine) as session:
        taken = session.exec(  # type: ignore[call-overload]
            update(Job)
            .where(col(Job.id) == job_id, col(Job.status) == JobStatus.QUEUED)
            .values(
                status=JobStatus.RUNNING,
                attempts=Job.attempts + 1,
                worker=worker,
                heartbeat_at=now,
                updated_at=now,
            )
        ).rowcount
        session.commit()
        return session.get(Job, job_id) if taken else None


def _ours(job_id: int, attempt: int) -> Any:
    """The job is still this runner's: this process's claim, this attempt (a runner so slow
    that its job was re-queued and claimed again, even by this process, is not the owner)."""
    return (
        (col(Job.id) == job_id)
        & (col(Job.worker) == WORKER_ID)
        & (col(Job.attempts) == attempt)
        & (col(Job.status) == JobStatus.RUNNING)
    )


def finish(engine: Engine, job_id: int, attempt: int, **fields: Any) -> None:
    """Record a job's outcome, unless another runner took it over meanwhile."""
    fields["updated_at"] = utcnow()
    with Session(engine) as session:
        session.exec(update(Job).where(_ours(job_id, attempt)).values(**fields))  # type: ignore[call-overload]
        session.commit()


def still_ours(engine: Engine, job_id: int, attempt: int) -> bool:
    with Session(engine) as session:
        return session.exec(select(Job.id).where(_ours(job_id, attempt))).first() is not None


class Later(Exception):  # noqa: N818 (a signal, not an error)
    """Raised by a handler whose job should go on later, behind more urgent work.

    The job goes back to the queue at `priority`; what it recorded (its document) stays.
    """

    def __init__(self, priority: int = 0) -> None:
        super().__init__("continued later")
        self.priority = priority


# The job ids this process is running now: the only ones its heartbeat keeps alive, so a
# job whose runner is gone (crashed, or stuck) goes stale and is re-queued by the reaper.
# Counted: a second delivery of a running job registers and leaves without unregistering it.
_running: Counter[int] = Counter()
_running_lock = threading.Lock()


@contextmanager
def running(job_id: int) -> Iterator[None]:
    with _running_lock:
        _running[job_id] += 1
    try:
        yield
    finally:
        with _running_lock:
            _running[job_id] -= 1
            if _running[job_id] <= 0:
                del _running[job_id]


def running_here() -> list[int]:
    with _running_lock:
        return sorted(_running)


def run_job(job_id: int, *, runtime: "Runtime", may_defer: bool = True) -> None:
    """The task huey runs: claim the job, call its handler, store the result or the error.

    The outcome is written until the database accepts it (a locked SQLite file does not leave
    the job "running" for good), and a failed job's stored effects are undone first.
    """
    # Registered before the claim: the heartbeat covers the job from the moment the claim
    # commits, however long this thread then waits for the CPU.
    with running(job_id):
        job = until_accepted(lambda: claim(runtime.engine, job_id), f"job {job_id}: claim")
        if job is None:
            log.info("job %s is not queued any more; skipped", job_id)
            return
        _run_claimed(job, runtime, may_defer)


def _run_claimed(job: Job, runtime: "Runtime", may_defer: bool) -> None:
    from app.pipeline.jobs.handlers import HANDLERS

    assert job.id is not None
    job_id, engine, attempt = job.id, runtime.engine, job.attempts
    kind = JobKind(job.kind) if job.kind in JobKind.__members__.values() else None
    try:
        if kind is None:
            raise JobFailed(f"no worker knows jobs of the kind {job.kind!r}", status=500)
        result = HANDLERS[kind](JobContext(job, runtime, may_defer=may_defer))
    except Later as later:
        until_accepted(lambda: _requeue(engine, job_id, attempt), f"job {job_id}: re-queue")
        _send_back(runtime, job_id, later.priority, None)
        return
    except OperationalError as exc:
        if not (may_defer and attempt < MAX_ATTEMPTS):
            _record_failure(job, runtime, kind, exc)
            return
        # The database stayed busy (a locked SQLite file): what the job stored is undone, as
        # for a failure, and it runs again from the start later, as its next attempt.
        log.warning("job %s (%s): the database stayed busy; trying again later", job_id, kind)
        _undo_own(job, runtime, kind)
        keep = partial(_requeue, engine, job_id, attempt, count_attempt=True)
        until_accepted(keep, f"job {job_id}: re-queue")
        _send_back(runtime, job_id, _priority_now(engine, job_id), BUSY_RETRY_SECONDS * attempt)
        return
    except Exception as exc:
        _record_failure(job, runtime, kind, exc)
        return
    until_accepted(
        lambda: finish(engine, job_id, attempt, status=JobStatus.DONE, result=result, payload=None),
        f"job {job_id}: record the result",
    )


def _send_back(runtime: "Runtime", job_id: int, priority: int, delay: float | None) -> None:
    try:
        runtime.enqueue(job_id, priority=priority, delay=delay)
    except Exception:  # queued in the table: the watchman sends it again (resend_lost)
        log.exception("job %s: the queue refused it back; it will be sent again", job_id)


def _priority_now(engine: Engine, job_id: int) -> int:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        return priority_of(job) if job is not None else 0


def _undo_own(job: Job, runtime: "Runtime", kind: JobKind | None) -> None:
    """Undo what a job stored (its uploaded document), unless another runner has it now."""
    from app.pipeline.jobs.handlers import UNDO

    assert job.id is not None
    job_id, engine, attempt = job.id, runtime.engine, job.attempts
    undo = UNDO.get(kind) if kind else None
    mine = until_accepted(lambda: still_ours(engine, job_id, attempt), f"job {job_id}")
    if undo is not None and mine:  # (another runner's work is not undone)
        until_accepted(lambda: undo(engine, job_id), f"job {job_id}: undo")


def _record_failure(job: Job, runtime: "Runtime", kind: JobKind | None, exc: Exception) -> None:
    """A job that failed: its stored effects undone (if still its own), then marked failed
    with what went wrong in words."""
    assert job.id is not None
    job_id, engine, attempt = job.id, runtime.engine, job.attempts
    if isinstance(exc, JobFailed):
        log.info("job %s (%s) failed: %s", job_id, kind, exc)
        fields = {"error": str(exc), "result": {"status": exc.status}}
    else:
        log.exception("job %s (%s) crashed", job_id, kind)
        fields = {"error": in_words(exc, job_id), "result": {"status": 500}}
    _undo_own(job, runtime, kind)
    until_accepted(
        lambda: finish(engine, job_id, attempt, status=JobStatus.FAILED, payload=None, **fields),
        f"job {job_id}: record the failure",
    )


def _requeue(engine: Engine, job_id: int, attempt: int, count_attempt: bool = False) -> None:
    """Put a job this worker runs back in the queue; the attempt it was on does not count
    unless `count_attempt` (a retry after the database stayed busy)."""
    attempts = Job.attempts if count_attempt else Job.attempts - 1
    with Session(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Job)
            .where(_ours(job_id, attempt))
            .values(status=JobStatus.QUEUED, worker=None, attempts=attempts, updated_at=utcnow())
        )
        session.commit()


# Queue priorities (higher first): parsing an upload goes before alignment work, so an
# upload's document exists within seconds however long the alignment queue is; an editor's
# change before the uploads' alignment.
PRIORITY = {JobKind.INGEST: PARSING, JobKind.EDIT_TEXT: 10, JobKind.REALIGN: 10}


def priority_of(job: Job) -> int:
    """The queue priority of a job (re)sent to the queue: an ingest job that already stored
    its document has only its alignment left."""
    if job.kind == JobKind.INGEST and job.document_id is not None:
        return 0
    return PRIORITY.get(JobKind(job.kind), 0)


def beat(engine: Engine, job_ids: Sequence[int], worker: str = WORKER_ID) -> None:
    """Mark the jobs this process is running as alive (and no other job of this worker)."""
    if not job_ids:
        return
    with Session(engine) as session:
        session.exec(  # type: ignore[call-overload]
            update(Job)
            .where(
                col(Job.id).in_(list(job_ids)),
                col(Job.worker) == worker,
                col(Job.status) == JobStatus.RUNNING,
            )
            .values(heartbeat_at=utcnow())
        )
        session.commit()


def reap_stalled(engine: Engine, stale_after: float) -> list[int]:
    """Re-queue running jobs whose worker stopped beating (killed, machine lost).

    Returns the ids to hand to the queue again. A job past MAX_ATTEMPTS fails instead, so a
    job that kills its worker every time does not loop forever.
    """
    limit = utcnow() - timedelta(seconds=stale_after)
    requeued: list[int] = []
    with Session(engine) as session:
        stalled = session.exec(
            select(Job).where(col(Job.status) == JobStatus.RUNNING, col(Job.heartbeat_at) < limit)
        ).all()
        for job in stalled:
            worker, beat_at = job.worker, job.heartbeat_at
            fields: dict[str, Any] = {"updated_at": utcnow(), "worker": None}
            if job.attempts >= MAX_ATTEMPTS:
                fields.update(
                    status=JobStatus.FAILED, error=f"its worker died {job.attempts} times"
                )
            else:
                fields["status"] = JobStatus.QUEUED
            changed = session.exec(  # type: ignore[call-overload]
                update(Job)
                .where(
                    col(Job.id) == job.id,
                    col(Job.status) == JobStatus.RUNNING,
                    col(Job.worker) == worker,
                    col(Job.heartbeat_at) < limit,  # not if it beat meanwhile
                )
                .values(**fields)
            ).rowcount
            if changed and fields["status"] == JobStatus.QUEUED:
                assert job.id is not None
                requeued.append(job.id)
                log.warning("job %s: worker %s stopped (last beat %s); re-queued",
                            job.id, worker, beat_at)  # fmt: skip
        session.commit()
    return requeued


def resend_lost(engine: Engine, *, pending: int, grace: float) -> list[int]:
    """Queued jobs whose queue message is gone: to hand to the queue again.

    huey pops a message before `claim` marks its job running, so a worker that dies between
    the two leaves a job "queued" in the table with nothing in the queue to run it. While the
    queue still holds messages a waiting job may simply be behind them; once it is empty, a
    job queued for longer than `grace` seconds has lost its message. Sending it twice is safe:
    `claim` lets only one delivery run it.
    """
    if pending:
        return []
    limit = utcnow() - timedelta(seconds=grace)
    with Session(engine) as session:
        lost = [
            job_id
            for job_id in session.exec(
                select(Job.id).where(
                    col(Job.status) == JobStatus.QUEUED, col(Job.updated_at) < limit
                )
            ).all()
            if job_id is not None
        ]
        if lost:  # touched, so the next tick waits another `grace` before sending them again
            session.exec(  # type: ignore[call-overload]
                update(Job)
                .where(col(Job.id).in_(lost), col(Job.status) == JobStatus.QUEUED)
                .values(updated_at=utcnow())
            )
            session.commit()
    for job_id in lost:
        log.warning("job %s: queued with no message left in the queue; sent again", job_id)
    return lost


def prune_finished(engine: Engine, keep: timedelta) -> int:
    """Forget finished jobs older than `keep` (the table would otherwise only grow)."""
    with Session(engine) as session:
        gone = session.exec(  # type: ignore[call-overload]
            delete(Job).where(col(Job.status).in_(FINISHED), col(Job.updated_at) < utcnow() - keep)
        ).rowcount
        session.commit()
    return int(gone or 0)


class Watchman(threading.Thread):
    """In a worker: beat for this worker's jobs and re-queue other workers' stalled jobs."""

    def __init__(self, runtime: "Runtime", *, stale_after: float) -> None:
        super().__init__(name="parallax-watchman", daemon=True)
        self.runtime = runtime
        self.stale_after = stale_after
        self.stopped = threading.Event()
        self.pruned = 0.0

    def tick(self) -> None:
        engine = self.runtime.engine
        self.runtime.mark_alive()
        beat(engine, running_here())
        for job_id in reap_stalled(engine, self.stale_after):
            self.runtime.resend(job_id)
        pending = self.runtime.pending_count()
        for job_id in resend_lost(engine, pending=pending, grace=self.stale_after):
            self.runtime.resend(job_id)
        if time.monotonic() - self.pruned > 3600:
            prune_finished(self.runtime.engine, KEEP_FINISHED)
            self.pruned = time.monotonic()

    def run(self) -> None:
        while not self.stopped.wait(max(self.stale_after / 4, 0.5)):
            try:
                self.tick()
            except Exception:  # the database may be briefly busy; try at the next tick
                log.exception("watchman tick failed")
