"""The review desk's actions, one function each, called by the JSON API and the HTMX panel
and queue alike (the routes only read the request and render the answer).

Every review write passes here: a link's status or relation, a link made, merged, split,
extended or reshaped, a mark, a batch, a paragraph split or merged (then realigned by a job),
undo and redo; a text edit and a document move are jobs, built here for both route sets. A
ReviewError says why nothing changed (one handler turns it into HTTP for the JSON routes, one
wrapper into the panel for the HTMX ones); `retrying` runs an action again when the database
was momentarily busy.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from app.db import is_busy
from app.library import documents
from app.models import Document, JobKind, Link, LinkEvent, Paragraph, User
from app.paranum import para_no
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import submit
from app.reading.view import ParaKey
from app.review import changes as review
from app.review import paragraphs, undo
from app.review.changes import Side
from app.statuses import LinkStatus, Relation

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


def revert(session: Session, user: User, story_id: int | None, direction: str) -> LinkEvent:
    """Undo or redo the editor's last change (in a story); the event that records it."""
    if direction not in ("undo", "redo"):
        raise review.ReviewError(f"unknown action {direction!r}", status=404)
    run = undo.undo_last if direction == "undo" else undo.redo_last
    return run(session=session, user=user, story_id=story_id)


def step(session: Session, user: User, story_id: int | None, direction: str) -> str:
    """Undo or redo the editor's last change (in a story); says what it took back."""
    event = revert(session, user, story_id, direction)
    target = session.get(LinkEvent, event.reverts) if event.reverts else None
    label = undo.event_label(target) if target else "your last change"
    return f"{'undone' if direction == 'undo' else 'redone'}: {label}"


def set_relation(
    session: Session, user: User, link_id: int, version: int | None, relation: str
) -> Link:
    """Say whether a link is a translation or related facts."""
    return review.set_relation(
        session=session, user=user, link_id=link_id, version=version, relation=relation
    )


def create_link(
    session: Session, user: User, story_id: int, source: Side, target: Side, relation: str
) -> Link:
    """Link paragraphs by hand (the panel links one paragraph with another)."""
    return review.create_link(
        session=session,
        user=user,
        story_id=story_id,
        source=source,
        target=target,
        relation=relation,
    )


def link_active(session: Session, user: User, a: ParaKey | None, b: ParaKey | None) -> Link:
    """Link the panel's active paragraph `a` with paragraph `b`, clicked next."""
    if a is None or b is None:
        raise review.ReviewError("click one paragraph, then the other")
    doc = session.get(Document, a[0])
    if doc is None:
        raise review.ReviewError(f"document {a[0]} does not exist", 404)
    source, target = Side(a[0], (a[1],)), Side(b[0], (b[1],))
    return create_link(session, user, doc.story_id, source, target, Relation.TRANSLATION)


def merge(session: Session, user: User, links: list[tuple[int, int | None]]) -> Link:
    """Merge links of one document pair into one."""
    return review.merge(session=session, user=user, links=links)


def split(
    session: Session,
    user: User,
    link_id: int,
    version: int | None,
    parts: list[tuple[list[int], list[int]]],
) -> list[Link]:
    """Split a group link into the given parts."""
    links = review.split(session=session, user=user, link_id=link_id, version=version, parts=parts)
    for link in links:
        session.refresh(link)
    return links


def extend(
    session: Session, user: User, link_id: int, version: int | None, key: ParaKey | None
) -> str:
    """Add paragraph `key` to a link."""
    if key is None:
        raise review.ReviewError("which paragraph should join the link?")
    review.extend(
        session=session, user=user, link_id=link_id, version=version, document=key[0], index=key[1]
    )
    return f"paragraph {para_no(key[1])} added to the link"


def mark(
    session: Session, user: User, key: ParaKey | None, value: str | None, target: int | None
) -> str:
    """Mark paragraph `key` 'not_translated' (from `target`, or any version) or 'added';
    None clears the mark."""
    if key is None:
        raise review.ReviewError("which paragraph? send p=DOCUMENT-INDEX")
    review.mark_paragraph(
        session=session,
        user=user,
        document_id=key[0],
        index=key[1],
        mark=value,
        target_document=target,
    )
    return "mark cleared" if value is None else f"marked {value.replace('_', ' ')}"


def confirm_batch(
    session: Session,
    user: User,
    story_id: int,
    min_score: float,
    documents_pair: tuple[int, int] | None,
) -> list[Link]:
    """Confirm every automatic translation link at or above `min_score` (in one pair)."""
    if not 0.0 <= min_score <= 1.0:
        raise review.ReviewError("the score must be a number between 0 and 1")
    return review.batch_confirm(
        session=session, user=user, story_id=story_id, min_score=min_score, documents=documents_pair
    )


def _realign(runtime: Runtime, user: User, reshaped: paragraphs.Reshaped, document_id: int) -> int:
    """Queue the realignment a split or merge needs (the pair shows as aligning until done)."""
    return submit(
        runtime,
        kind=JobKind.REALIGN,
        params={"event": reshaped.event},
        document_id=document_id,
        created_by=user.id,
    )


def split_paragraph(
    session: Session, runtime: Runtime, user: User, document_id: int, index: int, at: int
) -> tuple[list[Paragraph], int]:
    """Split a paragraph at character `at`; the document is then realigned by a job (its id)."""
    done = paragraphs.split_paragraph(
        session=session, user=user, document_id=document_id, index=index, at=at
    )
    return list(done.paragraphs), _realign(runtime, user, done, document_id)


def merge_paragraphs(
    session: Session, runtime: Runtime, user: User, document_id: int, index: int
) -> tuple[Paragraph, int]:
    """Join a paragraph with the next; the document is then realigned by a job (its id)."""
    done = paragraphs.merge_paragraphs(
        session=session, user=user, document_id=document_id, index=index
    )
    return done.paragraphs[0], _realign(runtime, user, done, document_id)


def remove_document(session: Session, user: User, document_id: int) -> int:
    """Remove a document with its links and findings (undoable); the story it was in."""
    return documents.remove_document(session=session, user=user, document_id=document_id)


def check_move(session: Session, document_id: int, story_id: int | None, discard: bool) -> None:
    """The ReviewError a move would meet (404, 422, or 409 listing reviewed links), if any."""
    documents.check_move(
        session=session, document_id=document_id, story_id=story_id, discard_reviewed=discard
    )


def move_job(story_id: int | None, discard: bool) -> tuple[JobKind, dict[str, Any]]:
    """The job that moves a document (and realigns it where it lands)."""
    return JobKind.REALIGN, {"story_id": story_id, "move": True, "discard_reviewed": discard}


def edit_text_job(index: int, text: str) -> tuple[JobKind, dict[str, Any]]:
    """The job that changes a paragraph's text and realigns around it."""
    return JobKind.EDIT_TEXT, {"index": index, "text": text}
