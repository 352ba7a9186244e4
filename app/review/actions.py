"""The review desk's actions, one function each, called by the JSON API and the HTMX panel
and queue alike (the routes only read the request and render the answer).

Each returns what an editor reads afterwards ('link 12 confirmed'). A ReviewError says why
nothing changed; `retrying` runs an action again when the database was momentarily busy.
"""

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.db import is_busy
from app.models import Link, LinkEvent, User
from app.paranum import para_no
from app.reading.view import ParaKey
from app.review import changes as review
from app.review import undo
from app.statuses import LinkStatus

log = logging.getLogger(__name__)

T = TypeVar("T")
BUSY_TRIES = 3
BUSY_PAUSE = 0.5  # seconds, doubled each time (the database already waited busy_timeout)

STATUS_OF = {
    "confirm": LinkStatus.CONFIRMED,
    "reject": LinkStatus.REJECTED,
    "unlink": LinkStatus.REJECTED,
}


def retrying(session: Session, action: Callable[[], T]) -> T:
    """Run `action`; when the database says it is locked, roll back and try again."""
    for attempt in range(1, BUSY_TRIES + 1):
        try:
            return action()
        except OperationalError as err:
            session.rollback()
            if not is_busy(err) or attempt == BUSY_TRIES:
                raise
            log.warning("database busy, review action tried again (%d)", attempt)
            time.sleep(BUSY_PAUSE * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def set_status(
    session: Session, user: User, link_id: int, version: int | None, action: str
) -> Link:
    """Confirm, reject or unlink one link."""
    if action not in STATUS_OF:
        raise review.ReviewError(f"unknown action {action!r}", status=404)
    return review.set_status(
        session=session,
        user=user,
        link_id=link_id,
        version=version,
        status=STATUS_OF[action],
        action=action,
    )


def split_in_reading_order(
    session: Session, user: User, link_id: int, version: int | None
) -> list[Link]:
    """Split a group link into 1-1 links in reading order; what is left over is unlinked."""
    link = review.load(session, link_id, version)
    src, tgt = link.source_paragraphs, link.target_paragraphs
    parts = [([s], [t]) for s, t in zip(src, tgt, strict=False)]
    parts += [([s], []) for s in src[len(tgt) :]] + [([], [t]) for t in tgt[len(src) :]]
    return review.split(session=session, user=user, link_id=link_id, version=version, parts=parts)


def _sides(link: Link, active: ParaKey) -> tuple[bool, list[int], set[int]]:
    """Whether the active paragraph is on the link's source side, its side, the other side."""
    mine_is_source = active[0] == link.source_document_id
    mine = link.source_paragraphs if mine_is_source else link.target_paragraphs
    theirs = set(link.target_paragraphs if mine_is_source else link.source_paragraphs)
    return mine_is_source, mine, theirs


def move_boundary(
    session: Session, user: User, link_id: int, version: int | None, active: ParaKey, down: bool
) -> str:
    """Move the link's far boundary by one paragraph (down adds the next, up drops the last)."""
    link = review.load(session, link_id, version)
    mine_is_source, mine, theirs = _sides(link, active)
    if down:
        theirs.add(max(theirs) + 1)
    elif len(theirs) > 1:
        theirs.discard(max(theirs))
    else:
        raise review.ReviewError("the link keeps at least one paragraph on each side")
    src, tgt = (set(mine), theirs) if mine_is_source else (theirs, set(mine))
    review.reshape(session=session, user=user, link=link, source=src, target=tgt, action="boundary")
    return "boundary moved down" if down else "boundary moved up"


def merge_next(
    session: Session, user: User, link_id: int, version: int | None, active: ParaKey
) -> str:
    """Merge the link with the link of the next paragraph on the active side."""
    link = review.load(session, link_id, version)
    mine_is_source, mine, _ = _sides(link, active)
    nxt = max(mine) + 1
    candidates = session.exec(
        select(Link).where(
            Link.source_document_id == link.source_document_id,
            Link.target_document_id == link.target_document_id,
            col(Link.status) != LinkStatus.REJECTED,
        )
    )
    following = next(
        (
            lk
            for lk in candidates
            if nxt in (lk.source_paragraphs if mine_is_source else lk.target_paragraphs)
        ),
        None,
    )
    if following is None:
        raise review.ReviewError(f"{para_no(nxt)} has no link to the same version to merge with")
    review.merge(
        session=session, user=user, links=[(link_id, link.version), (following.id or 0, None)]
    )
    return f"merged with the link of {para_no(nxt)}"


def step(session: Session, user: User, story_id: int | None, direction: str) -> str:
    """Undo or redo the editor's last change (in a story); says what it took back."""
    if direction not in ("undo", "redo"):
        raise review.ReviewError(f"unknown action {direction!r}", status=404)
    run = undo.undo_last if direction == "undo" else undo.redo_last
    event = run(session=session, user=user, story_id=story_id)
    target = session.get(LinkEvent, event.reverts) if event.reverts else None
    label = undo.event_label(target) if target else "your last change"
    return f"{'undone' if direction == 'undo' else 'redone'}: {label}"
