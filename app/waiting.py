"""What a request that waits for a job holds meanwhile: a slot of its account, nothing else.

The account is read first; then the request's database session is closed, so the wait (on
the event loop, between short reads) keeps no pooled connection. Each account (or address)
has `job_waits_per_account` slots; one wait more answers 429 (TooManyWaits).
"""

from contextlib import AbstractAsyncContextManager, nullcontext
from functools import partial
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from app.auth import EditorDep, UserDep
from app.deps import SessionDep
from app.models import Job, JobKind, User
from app.services.jobs import WaitSlots, await_job, submit


def released_user(user: UserDep, session: SessionDep) -> User | None:
    """The request's account, with the request's session closed (its objects stay loaded)."""
    session.close()
    return user


def released_editor(user: EditorDep, session: SessionDep) -> User:
    """An editor's account (401/403 otherwise), with the request's session closed."""
    session.close()
    return user


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
