"""App-wide read guard: an id in the path that names something the visitor may not see is 404.

Every route whose path carries `story_id`, `document_id` or `link_id` goes through this check
before its handler runs, so a private story of someone else answers exactly as a missing one
(pages, fragments, JSON, exports, review and queue routes alike, and any route added later).
Ids in bodies and forms are checked where editorial changes are recorded
(`app.review.changes.record`), and lists filter with `app.library.visibility`.
"""

from collections.abc import Callable
from typing import Any

from fastapi import HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from sqlmodel import Session

from app.auth import request_account
from app.library.visibility import document_visible, link_visible, story_visible
from app.models import Document, Link, Story, User

_MAX_ID = 2**63 - 1
Visible = Callable[[Session, int, User | None], bool]
_CHECKS: tuple[tuple[str, str, tuple[type[Any], Visible]], ...] = (
    ("story_id", "story", (Story, story_visible)),
    ("document_id", "document", (Document, document_visible)),
    ("link_id", "link", (Link, link_visible)),
)


def _as_id(raw: object) -> int | None:
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if 0 < value <= _MAX_ID else None


async def guard_path_ids(request: Request) -> None:
    """404 for a path id of something that exists but is someone else's private text.

    Ids of nothing are left to the route (its own 404, or the history a deleted link keeps,
    which `app.review.changes.history` filters the same way). This guard runs for every
    request: a path without an id returns at once, on the event loop; one with ids is checked
    on the thread pool with a session of its own, closed before the route runs (a request must
    not hold a pooled connection while it waits for its next step, see app.waiting).
    """
    ids = [
        (noun, value, check)
        for param, noun, check in _CHECKS
        if (value := _as_id(request.path_params.get(param))) is not None
    ]
    if ids:
        await run_in_threadpool(_check_ids, request, ids)


def _check_ids(request: Request, ids: list[tuple[str, int, tuple[type[Any], Visible]]]) -> None:
    user = request_account(request)
    with Session(request.app.state.engine) as session:
        for noun, value, (model, visible) in ids:
            row = session.get(model, value)
            if row is None:
                continue
            if not visible(session, value, user):
                raise HTTPException(status.HTTP_404_NOT_FOUND, f"{noun} {value} does not exist")
            if isinstance(row, Story):
                setattr(request.state, GUARDED_STORY, row)


# request.state attribute: the path's story as the guard read it and let through (detached:
# id, version, visibility), for a route that needs no more, such as a page cache hit.
GUARDED_STORY = "parallax_guarded_story"


def guarded_story(request: Request, story_id: int) -> Story | None:
    """The story the guard read and let through for this request, if it is `story_id`."""
    story = getattr(request.state, GUARDED_STORY, None)
    return story if isinstance(story, Story) and story.id == story_id else None
