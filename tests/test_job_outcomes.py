"""Jobs end, on a real SQLite file: a locked database delays a job's outcome but never leaves
it "running"; a failed upload leaves nothing behind; heartbeats are per job; at most once."""

import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.config import REPO_ROOT, Settings
from app.models import Document, Job, JobKind, utcnow
from app.pipeline.jobs import handlers, runner
from app.pipeline.jobs.runner import JobContext, Watchman, reap_stalled, run_job
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import submit
from tests.factories import row_counts

SEEDS = sorted((REPO_ROOT / "seeds").glob("*.txt"))
REFUSED = "the database refused"


@pytest.fixture
def runtime(db_url: str, tmp_path: Path) -> Iterator[Runtime]:
    """Jobs run here, inline, without the model (storing an upload is all they do)."""
    settings = Settings(
        database_url=db_url, queue_url="inline", data_dir=tmp_path / "data", load_encoder=False
    )
    rt = Runtime(settings)
    yield rt
    rt.close()


class WriteLock:
    """Another connection holding SQLite's write lock until the job runner was refused once."""

    def __init__(self, db_url: str, caplog: pytest.LogCaptureFixture) -> None:
        self.path = str(make_url(db_url).database)
        self.caplog = caplog
        self.taken = threading.Event()
        self.thread = threading.Thread(target=self._hold, daemon=True)

    def take(self) -> None:
        self.thread.start()
        assert self.taken.wait(10)

    def _hold(self) -> None:
        conn = sqlite3.connect(self.path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        self.taken.set()
        while not any(REFUSED in r.getMessage() for r in self.caplog.records):
            threading.Event().wait(0.05)
        conn.execute("COMMIT")
        conn.close()


def _ingest_job(runtime: Runtime, path: Path) -> int:
    params = {"source": path.name}
    return submit(
        runtime, kind=JobKind.INGEST, params=params, payload=path.read_bytes(), enqueue=False
    )


def _job(runtime: Runtime, job_id: int) -> Job:
    with Session(runtime.engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def test_a_job_ends_done_although_the_database_is_locked_as_it_finishes(
    runtime: Runtime, db_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    caplog.set_level(logging.WARNING)
    lock = WriteLock(db_url, caplog)

    def ingest_then_lock(ctx: JobContext) -> dict[str, Any]:
        result = handlers.ingest(ctx)
        lock.take()  # the job's outcome now meets a locked database
        return result

    monkeypatch.setitem(handlers.HANDLERS, JobKind.INGEST, ingest_then_lock)
    job_id = _ingest_job(runtime, SEEDS[0])
    run_job(job_id, runtime=runtime)
    job = _job(runtime, job_id)
    assert any(REFUSED in r.getMessage() for r in caplog.records)  # it was refused once
    assert (job.status, job.error) == ("done", None)
    assert row_counts(runtime.engine)["document"] == 1


def test_an_upload_failing_on_a_locked_database_is_undone_and_said_in_words(
    runtime: Runtime, db_url: str, caplog: pytest.LogCaptureFixture, monkeypatch: Any
) -> None:
    caplog.set_level(logging.WARNING)

    def ingest_then_fail(ctx: JobContext) -> dict[str, Any]:
        handlers.ingest(ctx)  # stores the document
        caplog.clear()
        WriteLock(db_url, caplog).take()
        ctx.update(progress_done=1)  # "database is locked", as under load
        raise AssertionError("not reached: the write above fails")

    monkeypatch.setitem(handlers.HANDLERS, JobKind.INGEST, ingest_then_fail)
    job_id = _ingest_job(runtime, SEEDS[0])
    scheduled: list[tuple[int, float | None]] = []
    monkeypatch.setattr(
        runtime, "enqueue", lambda j, priority=0, delay=None: scheduled.append((j, delay))
    )
    run_job(job_id, runtime=runtime)
    # A busy database is worth another attempt, later, from the start: undone meanwhile.
    job = _job(runtime, job_id)
    assert (job.status, job.attempts, job.document_id) == ("queued", 1, None)
    assert scheduled == [(job_id, runner.BUSY_RETRY_SECONDS)]
    assert row_counts(runtime.engine)["document"] == 0
    run_job(job_id, runtime=runtime)
    run_job(job_id, runtime=runtime)  # the last attempt: it fails
    job = _job(runtime, job_id)
    assert job.status == "failed" and job.result == {"status": 500} and job.attempts == 3
    assert job.error is not None and "busy" in job.error
    assert "SQL" not in job.error and "locked" not in job.error
    # The document it had stored is gone again, with the story it had started.
    assert row_counts(runtime.engine) == {"story": 0, "document": 0, "paragraph": 0, "sentence": 0}
    assert job.document_id is None


def test_an_unexpected_error_is_told_without_its_internals(
    runtime: Runtime, monkeypatch: Any
) -> None:
    def crash(ctx: JobContext) -> dict[str, Any]:
        handlers.ingest(ctx)
        raise RuntimeError("[SQL: DELETE FROM document WHERE id = 1]")

    monkeypatch.setitem(handlers.HANDLERS, JobKind.INGEST, crash)
    job_id = _ingest_job(runtime, SEEDS[0])
    run_job(job_id, runtime=runtime)
    job = _job(runtime, job_id)
    assert job.status == "failed" and job.error is not None
    assert "SQL" not in job.error and f"job {job_id}" in job.error
    assert row_counts(runtime.engine)["document"] == 0


def test_a_job_whose_runner_is_gone_is_requeued_though_its_worker_still_beats(
    runtime: Runtime, db_url: str, tmp_path: Path
) -> None:
    """The heartbeat covers the jobs this process runs, not every job with its worker name."""
    settings = Settings(database_url=db_url, queue_url="", data_dir=tmp_path / "q")
    queued = Runtime(settings)
    with Session(queued.engine) as session:
        stuck = Job(
            kind=JobKind.SENTENCE_LINKS,
            story_id=1,
            status="running",
            attempts=1,
            worker=runner.WORKER_ID,
            heartbeat_at=utcnow() - timedelta(seconds=120),
        )
        session.add(stuck)
        session.commit()
        assert stuck.id is not None
        stuck_id = stuck.id
    Watchman(queued, stale_after=30).tick()
    assert _job(queued, stuck_id).status == "queued"
    message = queued.huey.dequeue()
    assert message is not None and message.args == (stuck_id,)
    queued.close()


def test_a_job_stored_while_the_queue_refuses_it_is_not_an_error(
    runtime: Runtime, monkeypatch: Any
) -> None:
    def refuse(job_id: int, *, priority: int = 0) -> None:
        raise OperationalError("INSERT INTO task", {}, Exception("database is locked"))

    monkeypatch.setattr(runtime, "enqueue", refuse)
    job_id = submit(runtime, kind=JobKind.SENTENCE_LINKS, story_id=1)
    assert _job(runtime, job_id).status == "queued"  # the watchman sends it again later


def test_an_upload_whose_worker_died_after_storing_is_stored_once(
    runtime: Runtime, monkeypatch: Any
) -> None:
    """The document is recorded on the job in the transaction that stores it."""
    real_update = JobContext.update

    def die_after_store(self: JobContext, **fields: Any) -> None:
        raise KeyboardInterrupt  # the worker stops here, before anything else is recorded

    monkeypatch.setattr(JobContext, "update", die_after_store)
    job_id = _ingest_job(runtime, SEEDS[0])
    with pytest.raises(KeyboardInterrupt):
        run_job(job_id, runtime=runtime)
    assert _job(runtime, job_id).status == "running"
    monkeypatch.setattr(JobContext, "update", real_update)
    assert reap_stalled(runtime.engine, stale_after=0) == [job_id]
    run_job(job_id, runtime=runtime)
    job = _job(runtime, job_id)
    assert job.status == "done" and job.result is not None
    assert job.result["duplicate"] is False and job.attempts == 2
    with Session(runtime.engine) as session:
        docs = session.exec(select(Document.id)).all()
    assert docs == [job.document_id]


def test_uploads_are_parsed_in_a_queue_of_their_own_and_aligned_in_the_main_one(
    db_url: str, tmp_path: Path, encoder: Encoder
) -> None:
    """Parsing has its own queue (and a worker thread of its own): an ingest job parses and
    stores its document there, then goes on in the main queue, behind the work already
    waiting; the parsing queue never waits behind an alignment."""
    settings = Settings(database_url=db_url, queue_url="", data_dir=tmp_path / "q")
    rt = Runtime(settings, encoder=encoder)
    first, second = (_ingest_job(rt, path) for path in SEEDS[:2])
    for job_id in (first, second):
        rt.enqueue(job_id, priority=runner.PRIORITY[JobKind.INGEST])
    assert (rt.parse_huey.pending_count(), rt.huey.pending_count()) == (2, 0)
    order = []
    for name, queue in (("parse", rt.parse_huey), ("main", rt.huey)):
        while (message := queue.dequeue()) is not None:
            (job_id,) = message.args
            order.append((name, job_id, _job(rt, job_id).document_id is not None))
            run_job(job_id, runtime=rt)
    assert order == [
        ("parse", first, False),
        ("parse", second, False),
        ("main", first, True),
        ("main", second, True),
    ]
    assert {_job(rt, j).status for j in (first, second)} == {"done"}
    assert _job(rt, first).attempts == 1  # going on in the other queue is not a new attempt
    rt.close()


def test_a_second_delivery_of_a_running_job_leaves_its_heartbeat_alone() -> None:
    with runner.running(7):
        with runner.running(7):  # a duplicate delivery: registered, claim refused, gone
            pass
        assert runner.running_here() == [7]
    assert runner.running_here() == []
