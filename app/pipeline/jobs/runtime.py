"""What a process needs to run jobs: the engine, the encoder (loaded on first use), the queue."""

import ctypes
import logging
import threading
import time
from functools import cached_property
from pathlib import Path

from huey import Huey, MemoryHuey, PriorityRedisHuey, SqliteHuey
from huey.api import TaskWrapper
from sqlalchemy.engine import Engine, make_url

from app.align.encoder import Encoder, load_encoders
from app.config import Settings
from app.db import make_engine

log = logging.getLogger(__name__)

TASK_NAME = "parallax.run_job"
BEAT_KEY = "parallax.worker-beat"
# Jobs sent at this priority or above are parsing (an upload's first step): they go to a
# queue of their own, which a worker consumes with a thread of its own, so an upload is
# parsed within seconds however many alignments wait in the main queue.
PARSING = 20


def trim_heap() -> None:
    """Hand the C heap's free pages back to the system (glibc's malloc_trim, a few ms).

    Run after each job a queue consumer runs: what the job freed (lingua's model loading,
    parsing, span vectors) otherwise stays resident in the worker; bench/ingest.py
    --pairs 10 measured 749 -> 665 MiB after the last job.
    """
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass


def queue_file(settings: Settings) -> Path:
    """Where the embedded queue lives: beside a SQLite database, else in the data folder."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        db = Path(url.database)
        return db.with_name(db.stem + "-queue.db")
    return settings.data_dir / "queue.db"


class Runtime:
    """One per process and database: shared by the web app (to enqueue) and the worker."""

    def __init__(self, settings: Settings, *, encoder: Encoder | None = None) -> None:
        self.settings = settings
        self._encoder = encoder
        self._lock = threading.Lock()

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)

    @property
    def encoder(self) -> Encoder:
        """The encoders (default first, others when a language pair needs them), loaded once,
        on first use: web processes never use them."""
        with self._lock:
            if self._encoder is None:
                log.info("loading the %s encoder", self.settings.encoder)
                self._encoder = load_encoders(self.settings.encoder)
            return self._encoder

    @cached_property
    def huey(self) -> Huey:
        """The main queue (grouping, alignment, editors' jobs), with the job task on it."""
        huey, self._task = self._make_queue(self.settings.queue_name)
        return huey

    @cached_property
    def parse_huey(self) -> Huey:
        """The parsing queue: uploads' first step, consumed by a thread of its own."""
        huey, self._parse_task = self._make_queue(self.settings.queue_name + "-parse")
        return huey

    @property
    def inline(self) -> bool:
        """Whether jobs run in the thread that submits them (no queue, no worker)."""
        return self.settings.queue_url == "inline"

    def pending_count(self) -> int:
        """Messages waiting in both queues."""
        return int(self.huey.pending_count()) + int(self.parse_huey.pending_count())

    def _make_queue(self, name: str) -> tuple[Huey, TaskWrapper]:
        from app.pipeline.jobs.runner import run_job

        huey = make_huey(self.settings, name)

        def run(job_id: int) -> None:
            try:
                run_job(job_id, runtime=self)
            finally:
                trim_heap()

        # No huey retries: a failure is recorded on the job; a dead worker's job is re-queued
        # by the reaper from its stale heartbeat (app.pipeline.jobs.runner.reap_stalled).
        return huey, huey.task(name=TASK_NAME, retries=0)(run)

    def enqueue(self, job_id: int, *, priority: int = 0, delay: float | None = None) -> None:
        """Hand a stored job to its queue (parsing from PARSING up, else the main queue),
        higher `priority` first, after `delay` seconds if given (in `inline` mode: run it
        now, in this thread)."""
        if priority >= PARSING:
            _ = self.parse_huey
            task = self._parse_task
        else:
            _ = self.huey
            task = self._task
        if delay:
            task.schedule(args=(job_id,), delay=delay, priority=priority)
        else:
            task(job_id, priority=priority)

    def resend(self, job_id: int) -> None:
        """Hand a job to the queue again (re-queued or lost), at the priority of what it has
        left to do."""
        from sqlmodel import Session

        from app.models import Job
        from app.pipeline.jobs.runner import priority_of

        with Session(self.engine) as session:
            job = session.get(Job, job_id)
            priority = priority_of(job) if job is not None else 0
        self.enqueue(job_id, priority=priority)

    def mark_alive(self) -> None:
        """A worker's sign of life, kept in the queue's own store (its SQLite file, Redis), so
        any web process can tell whether some worker is running."""
        self.huey.put(BEAT_KEY, time.time())

    def last_beat(self) -> float | None:
        """When a worker last gave a sign of life (epoch seconds), or None."""
        value = self.huey.get(BEAT_KEY, peek=True)
        return float(value) if value is not None else None

    def close(self) -> None:
        if "engine" in self.__dict__:
            self.engine.dispose()


def make_huey(settings: Settings, name: str | None = None) -> Huey:
    """The queue `name` (`settings.queue_name` by default) in the store `settings.queue_url`.

    - "" (default): a SQLite file beside the database, for one machine with no other service;
    - "redis://...": Redis, shared by any number of `parallax worker` processes;
    - "inline": no queue; a job runs in the thread that enqueues it (tests, one-shot scripts).
    """
    url = settings.queue_url
    if url == "inline":
        return MemoryHuey(name or settings.queue_name, immediate=True, results=False)
    if url.startswith(("redis://", "rediss://", "unix://")):
        # The priority flavour (Redis >= 5): parsing goes before queued alignment work.
        return PriorityRedisHuey(name or settings.queue_name, url=url, results=False)
    if url:
        raise ValueError(f"PARALLAX_QUEUE_URL: {url!r} is not redis://..., 'inline' or empty")
    path = queue_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name or settings.queue_name, filename=str(path), results=False)
