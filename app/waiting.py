"""What a request that waits for a job holds meanwhile: a slot of its account, nothing else.

The account is read with a session of its own, closed before the route goes on, so the
wait (on the event loop, between short reads) keeps no pooled connection. Each account (or address)
has `job_waits_per_account` slots; one wait more answers 429 (TooManyWaits).
"""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.engine import Engine

from app.auth import account_read, request_account, require_editor
from app.models import Job, JobKind, User
from app.pipeline.jobs.submit import get_job, job_over, submit


async def released_user(request: Request) -> User | None:
    """The request's account, read with a session of its own that is closed before the route
    goes on: a request that then waits holds no pooled connection, not even between two
    steps on the thread pool (with every thread taken by requests queueing for a connection,
    a request holding one while it waits for a thread would never give it back). An upload
    has read it already for the write limits; then it costs no thread at all."""
    if account_read(request):
        return request_account(request)
    return await run_in_threadpool(request_account, request)


async def released_editor(request: Request) -> User:
    """An editor's account (401/403 otherwise), read the same way."""
    return require_editor(await released_user(request))


WaitingUserDep = Annotated[User | None, Depends(released_user)]
WaitingEditorDep = Annotated[User, Depends(released_editor)]


def waiter(request: Request, user_id: int | None) -> str:
    """Whose wait a request is: its account's, else its address's."""
    if user_id is not None:
        return f"user:{user_id}"
    return f"address:{request.client.host if request.client else '?'}"


def waiting(
    request: Request, user_id: int | None, wait: bool = True
) -> AbstractAsyncContextManager[None]:
    """A slot for a request that waits for its job (TooManyWaits when its account has no
    slot left); nothing to hold when it does not wait."""
    if not wait:
        return nullcontext()
    slots: WaitSlots = request.app.state.wait_slots
    return slots.hold(waiter(request, user_id))


async def submit_and_wait(
    request: Request,
    user_id: int | None,
    kind: JobKind,
    params: dict[str, Any],
    *,
    wait: bool = True,
    **job: Any,
) -> Job:
    """Submit a job (in a worker thread) and wait for it in a slot of the account, up to
    `job_wait_seconds` (not at all when `wait` is false); TooManyWaits when no slot is left.
    `job` are `submit`'s other fields (document_id, payload, created_by...)."""
    runtime = request.app.state.runtime
    async with waiting(request, user_id, wait):
        job_id = await run_in_threadpool(partial(submit, runtime, kind=kind, params=params), **job)
        timeout = runtime.settings.job_wait_seconds if wait else 0
        return await await_job(runtime.engine, job_id, timeout=timeout)


async def await_job(
    engine: Engine,
    job_id: int,
    *,
    until: Callable[[Job], bool] = job_over,
    timeout: float,
) -> Job:
    """`wait_for` for async routes: between short reads (each a pool connection for a moment,
    on a worker thread) it sleeps on the event loop, holding no thread and no connection."""
    deadline = time.monotonic() + timeout
    interval = 0.05
    while True:
        job = await run_in_threadpool(get_job, engine, job_id)
        if job is None:
            raise LookupError(f"job {job_id} does not exist")
        if until(job) or job_over(job) or time.monotonic() >= deadline:
            return job
        await _pause(interval)
        interval = min(interval * 1.5, 0.5)


_pause = asyncio.sleep  # between two reads of a waited-for job


class TooManyWaits(Exception):  # noqa: N818 (answered as 429)
    """An account already has as many requests waiting for jobs as it may."""


class WaitSlots:
    """How many requests of each account (or address) wait for jobs at once, in this process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, who: str) -> AsyncIterator[None]:
        """One wait for `who`; TooManyWaits when they already have `limit` going (only the
        event loop touches the counts, so no lock is needed)."""
        if self.counts.get(who, 0) >= self.limit:
            raise TooManyWaits(
                f"{self.limit} requests of yours are already waiting for their jobs; wait for "
                "them to finish, or send this one without ?wait=true and follow its job's url"
            )
        self.counts[who] = self.counts.get(who, 0) + 1
        try:
            yield
        finally:
            self.counts[who] -= 1
            if not self.counts[who]:
                del self.counts[who]
