"""What a request that waits for a job holds meanwhile: a slot of its account, nothing else.

The account is read with a session of its own, closed before the route goes on, so the
wait (on the event loop, between short reads) keeps no pooled connection. Each account (or address)
has `job_waits_per_account` slots; one wait more answers 429 (TooManyWaits).
"""

from contextlib import AbstractAsyncContextManager, nullcontext
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from app.auth import require_editor, session_user
from app.models import Job, JobKind, User
from app.services.jobs import WaitSlots, await_job, submit


def released_user(request: Request) -> User | None:
    """The request's account, read with a session of its own that is closed before the route
    goes on: a request that then waits holds no pooled connection, not even between two
    steps on the thread pool (with every thread taken by requests queueing for a connection,
    a request holding one while it waits for a thread would never give it back)."""
    with Session(request.app.state.engine) as session:
        user = session_user(request, session)
        if user is not None:
            session.expunge(user)
    return user


def released_editor(request: Request) -> User:
    """An editor's account (401/403 otherwise), read the same way."""
    return require_editor(released_user(request))


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
