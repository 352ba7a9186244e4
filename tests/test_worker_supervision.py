"""`parallax serve`'s embedded worker: restarted when killed, at lower CPU priority, and
`/healthz` says whether any worker is alive and how deep the queue is."""

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.models import JobKind
from app.pipeline.jobs.submit import submit
from app.pipeline.jobs.supervisor import Supervisor
from app.pipeline.jobs.worker import spawn_worker


def _sleeper() -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])


def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    done = threading.Event()
    for _ in range(400):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError(f"never: {what}")


def test_a_killed_worker_is_started_again() -> None:
    supervisor = Supervisor(_sleeper, first_pause=0.1)
    supervisor.start()
    try:
        _until(lambda: supervisor.alive, "the worker runs")
        first = supervisor.proc
        assert first is not None
        os.kill(first.pid, signal.SIGKILL)
        _until(lambda: supervisor.restarts == 1 and supervisor.alive, "a second worker runs")
        assert supervisor.proc is not None and supervisor.proc.pid != first.pid
    finally:
        supervisor.stop(timeout=5)
    assert not supervisor.alive


def test_the_embedded_worker_runs_at_a_lower_cpu_priority(db_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, data_dir=tmp_path / "data", worker_nice=5)
    proc = spawn_worker(settings)
    try:
        # The priority is set before the worker's program starts (preexec).
        child = os.getpriority(os.PRIO_PROCESS, proc.pid)
        assert child == min(os.getpriority(os.PRIO_PROCESS, 0) + 5, 19)
    finally:
        proc.kill()
        proc.wait()


def test_healthz_reports_a_silent_worker_and_the_queue(db_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, queue_url="", data_dir=tmp_path / "data")
    app = create_app(settings)
    with TestClient(app) as client:
        quiet = client.get("/healthz").json()
        assert quiet["status"] == "degraded" and quiet["worker"]["alive"] is False
        runtime = app.state.runtime
        submit(runtime, kind=JobKind.SENTENCE_LINKS, story_id=1)
        runtime.mark_alive()  # what a worker's watchman does on every tick
        alive = client.get("/healthz").json()
    assert alive["status"] == "ok" and alive["worker"]["alive"] is True
    assert alive["queue"] == {"queued": 1, "running": 0, "messages": 1}
