"""Writes that must land: retried while the database is busy, and errors told in words."""

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, OperationalError

log = logging.getLogger(__name__)

T = TypeVar("T")

# Between attempts: from 0.2 s, growing to at most MAX_PAUSE seconds.
MAX_PAUSE = 5.0


def until_accepted(write: Callable[[], T], what: str, *, stop: threading.Event | None = None) -> T:
    """Run `write` (one whole transaction) until the database accepts it.

    Only a busy or unreachable database is retried (SQLite's "database is locked", a dropped
    PostgreSQL connection); any other error is a bug and propagates. `stop`, when set, ends
    the retries by re-raising the last error (a process shutting down).
    """
    pause = 0.2
    attempt = 1
    while True:
        try:
            return write()
        except OperationalError as exc:
            if stop is not None and stop.is_set():
                raise
            log.warning("%s: the database refused (%s); attempt %d, again in %.1f s",
                        what, _first_line(exc), attempt, pause)  # fmt: skip
        time.sleep(pause)
        pause = min(pause * 2, MAX_PAUSE)
        attempt += 1


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc)
    return text.splitlines()[0] if text else type(exc).__name__


def in_words(exc: BaseException, job_id: int) -> str:
    """What a client is told about a job an unexpected error stopped: never SQL or a trace."""
    if isinstance(exc, OperationalError):
        return (
            "the database stayed busy while this job ran, so it stopped and nothing of it was "
            "kept; send it again"
        )
    if isinstance(exc, DBAPIError):
        return "the database refused a write of this job, so it stopped and nothing of it was kept"
    return (
        f"an internal error stopped this job and nothing of it was kept (the server log has "
        f"the details under job {job_id})"
    )
