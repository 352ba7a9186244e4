"""The embedded worker kept alive, and what `/healthz` says about the workers and the queue."""

import logging
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from app.config import Settings
from app.models import Job
from app.models.jobs import ACTIVE
from app.pipeline.jobs.runtime import Runtime

log = logging.getLogger(__name__)


class Supervisor(threading.Thread):
    """`parallax serve`'s worker process: restarted when it dies, with a back-off that doubles
    from `first_pause` up to `max_pause` while it keeps dying within `steady` seconds."""

    def __init__(
        self,
        spawn: Callable[[], subprocess.Popen[bytes]],
        *,
        first_pause: float = 1.0,
        max_pause: float = 60.0,
        steady: float = 120.0,
    ) -> None:
        super().__init__(name="parallax-supervisor", daemon=True)
        self.spawn = spawn
        self.first_pause, self.max_pause, self.steady = first_pause, max_pause, steady
        self.stopped = threading.Event()
        self.proc: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    @property
    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def run(self) -> None:
        pause = self.first_pause
        while not self.stopped.is_set():
            started = time.monotonic()
            self.proc = self.spawn()
            while self.proc.poll() is None and not self.stopped.wait(0.5):
                pass
            if self.stopped.is_set():
                return
            if time.monotonic() - started > self.steady:
                pause = self.first_pause  # it had been running fine: a fresh failure
            log.error(
                "the worker (pid %s) exited with %s; starting another in %.0f s",
                self.proc.pid,
                self.proc.returncode,
                pause,
            )
            if self.stopped.wait(pause):
                return
            pause = min(pause * 2, self.max_pause)
            self.restarts += 1

    def stop(self, timeout: float = 20) -> None:
        """Stop restarting, and end the worker (SIGTERM, then SIGKILL after `timeout`)."""
        self.stopped.set()
        self.join(timeout=5)
        proc = self.proc
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()


class WorkerHealth(BaseModel):
    """The worker as `/healthz` sees it (fields only where they apply)."""

    inline: bool = Field(description="jobs run in the request's thread: no worker needed")
    alive: bool | None = Field(None, description="a worker was heard of lately")
    last_seen_seconds: float | None = Field(None, description="since its last heartbeat")
    embedded: bool | None = Field(None, description="started by `parallax serve` itself")
    running: bool | None = Field(None, description="the embedded worker's process is up")
    restarts: int | None = Field(None, description="times the embedded worker was restarted")


class QueueHealth(BaseModel):
    queued: int
    running: int
    messages: int | None = Field(description="messages in the queues; null if it did not answer")


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    worker: WorkerHealth
    queue: QueueHealth


def health(runtime: Runtime, supervisor: Supervisor | None) -> dict[str, Any]:
    """`/healthz`: ok, or degraded when no worker has been heard of lately (uploads would
    then wait for ever); the queue's depth either way."""
    settings: Settings = runtime.settings
    with Session(runtime.engine) as session:
        counts = dict(
            session.exec(
                select(Job.status, func.count())
                .where(col(Job.status).in_(ACTIVE))
                .group_by(col(Job.status))
            ).all()
        )
    worker: dict[str, Any] = {"inline": settings.queue_url == "inline"}
    messages: int | None = 0
    if not worker["inline"]:
        try:
            beat, messages = runtime.last_beat(), runtime.pending_count()
        except Exception:  # the queue's store is busy or gone: say so, do not fail the probe
            log.warning("healthz: the queue did not answer", exc_info=True)
            beat, messages = None, None
        age = None if beat is None else max(time.time() - beat, 0.0)
        worker["last_seen_seconds"] = None if age is None else round(age, 1)
        worker["alive"] = age is not None and age < max(settings.job_stale_seconds, 10)
    if supervisor is not None:
        worker.update(embedded=True, running=supervisor.alive, restarts=supervisor.restarts)
        worker["alive"] = worker.get("alive", False) and supervisor.alive
    ok = worker["inline"] or worker["alive"]
    return {
        "status": "ok" if ok else "degraded",
        "worker": worker,
        "queue": {
            "queued": counts.get("queued", 0),
            "running": counts.get("running", 0),
            "messages": messages,
        },
    }
