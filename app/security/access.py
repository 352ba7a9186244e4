"""App-wide read guard: an id in the path that names something the visitor may not see is 404.

Every route whose path carries `story_id`, `document_id` or `link_id` goes through this check
before its handler runs, so a private story of someone else answers exactly as a missing one
(pages, fragments, JSON, exports, review and queue routes alike, and any route added later).
Ids in bodies and forms are checked where editorial changes are recorded
(`app.services.review.record`), and lists filter with `app.services.visibility`.
"""

from collections.abc import Callable

from fastapi import HTTPException, Request, status
from sqlmodel import Session

from app.auth import UserDep
from app.deps import SessionDep
from app.models import User
from app.services.visibility import document_visible, link_visible, story_visible

_MAX_ID = 2**63 - 1
_CHECKS: tuple[tuple[str, str, Callable[[Session, int, User | None], bool]], ...] = (
    ("story_id", "story", story_visible),
    ("document_id", "document", document_visible),
    ("link_id", "link", link_visible),
)


def _as_id(raw: object) -> int | None:
    try:
        value = int(str(raw))
    except ValueError:
        return None
    return value if 0 < value <= _MAX_ID else None


def guard_path_ids(request: Request, session: SessionDep, user: UserDep) -> None:
    """404 for a path id of a thing that does not exist or is someone else's private text."""
    for param, noun, visible in _CHECKS:
        value = _as_id(request.path_params.get(param))
        if value is not None and not visible(session, value, user):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"{noun} {value} does not exist")
