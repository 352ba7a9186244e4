"""`parallax worker`: a huey consumer with the model loaded, plus the heartbeat/reaper thread."""

import ctypes
import logging
import os
import signal
import subprocess
import sys

from huey import Huey
from huey.consumer import Consumer

from app.config import Settings
from app.pipeline.jobs.runner import Watchman, reap_stalled
from app.pipeline.jobs.runtime import Runtime

log = logging.getLogger(__name__)


# glibc's mallopt parameter for the number of malloc arenas (M_ARENA_MAX).
_M_ARENA_MAX = -8


def limit_malloc_arenas(arenas: int = 2) -> bool:
    """Let glibc's malloc keep at most `arenas` arenas (unless MALLOC_ARENA_MAX is set).

    By default each thread that allocates while another does gets an arena of its own (up
    to 8 per core), and freed memory stays in it: the worker's job threads held 50-65 MB
    more at peak for the same work (bench/ingest.py, MALLOC_ARENA_MAX=2 or not, same CPU).
    Returns whether the limit was set (not on other C libraries).
    """
    if "MALLOC_ARENA_MAX" in os.environ:
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        return bool(libc.mallopt(_M_ARENA_MAX, arenas))
    except (OSError, AttributeError):  # not glibc
        return False


def run_worker(settings: Settings, *, threads: int | None = None) -> None:
    """Consume jobs until SIGINT/SIGTERM (huey finishes or abandons the running ones)."""
    from app.ingest import warm_up

    limit_malloc_arenas()
    runtime = Runtime(settings)
    threads = threads or settings.worker_threads
    # Load the model and the language detector before taking work, not inside the first job.
    _ = runtime.encoder
    warm_up()
    watchman = Watchman(runtime, stale_after=settings.job_stale_seconds)
    watchman.tick()
    watchman.start()
    for job_id in reap_stalled(runtime.engine, settings.job_stale_seconds):
        runtime.resend(job_id)
    # Parsing has a queue and a thread of its own (started first: `run` below then takes the
    # signal handlers); the main queue's threads group, align and run editors' jobs.
    parsing = _consumer(runtime.parse_huey, 1)
    parsing.start()
    consumer = _consumer(runtime.huey, threads)
    log.info(
        "worker %s: 1 parsing thread, %d thread(s) for the rest, on %s",
        os.getpid(),
        threads,
        settings.database_url,
    )
    try:
        consumer.run()
    finally:
        parsing.stop(graceful=True)
        watchman.stopped.set()
        runtime.close()


def _consumer(huey: Huey, threads: int) -> Consumer:
    return huey.create_consumer(
        workers=threads,
        worker_type="thread",
        periodic=False,
        initial_delay=0.05,
        backoff=1.3,
        max_delay=0.5,
    )


def spawn_worker(settings: Settings) -> subprocess.Popen[bytes]:
    """Start `parallax worker` as a child process on the same database and queue, at a lower
    CPU priority than the web process (`worker_nice`): pages stay quick while it aligns."""
    env = dict(os.environ)
    env["PARALLAX_DATABASE_URL"] = settings.database_url
    env["PARALLAX_QUEUE_URL"] = settings.queue_url
    env["PARALLAX_QUEUE_NAME"] = settings.queue_name
    env["PARALLAX_ENCODER"] = settings.encoder
    nice = settings.worker_nice

    def prepare() -> None:
        _die_with_parent()
        if nice:
            os.nice(nice)

    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker"], env=env, preexec_fn=prepare
    )


def _die_with_parent() -> None:
    """Linux: the worker gets SIGTERM when `serve` dies, even by SIGKILL (no orphan worker)."""
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: `serve` still stops its worker on a normal exit
