"""Undo and redo, several steps deep, per editor.

An event's `before`/`after` map state keys to what they held (the kinds of key are listed,
read, applied and compared in app/review/states.py). Undoing event E puts every key back to
E.before; redoing puts it back to E.after. Either is refused (409, nothing changed) when
someone else changed one of the keys since: a later event on the key that is neither undone
nor itself an undo/redo, or a state that no longer matches what the last event on the key
left (an unrecorded change, such as a realignment).

An editor's undo in a story takes back their last change *in* that story: a document moved
out of it (recorded in the story it went to) counts in both.
"""

from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, select

from app.models import LinkEvent, User
from app.paranum import para_no
from app.review import states
from app.review.changes import Conflict, ReviewError, record

REVERSALS = ("undo", "redo")


def _expected_now(session: Session, event: LinkEvent, names: dict[int, str]) -> dict[str, Any]:
    """For each key of `event`, the state the last event on it left; refuse foreign changes."""
    expected = {k: event.after.get(k) for k in event.before}
    if event.undone:
        expected = {k: event.before.get(k) for k in event.before}
    # Not limited to the event's story: a move is recorded in the story the document went to.
    later = session.exec(
        select(LinkEvent).where(col(LinkEvent.id) > event.id).order_by(col(LinkEvent.id))
    ).all()
    for other in later:
        keys = set(other.before) & set(expected)
        if not keys:
            continue
        if other.action not in REVERSALS and not other.undone:
            what = next(iter(sorted(keys)))
            raise Conflict(
                f"{describe(what)} was changed since ({other.action} by "
                f"{names.get(other.user_id, 'someone')}); nothing was undone or redone",
                {"key": what, "event": other.id},
            )
        for k in keys:
            expected[k] = other.after.get(k)
    return expected


describe = states.describe


def _revert(session: Session, user: User, event: LinkEvent, action: str) -> LinkEvent:
    names = {u.id or 0: u.name for u in session.exec(select(User))}
    try:
        expected = _expected_now(session, event, names)
        for key, state in expected.items():
            if not states.same(key, states.read(session, key), state):
                raise Conflict(
                    f"{describe(key)} was changed since (not through the review desk, e.g. by a "
                    "realignment); nothing was undone or redone",
                    {"key": key},
                )
        target = event.before if action == "undo" else event.after
        states.apply_all(
            states.Applying(session, user, event),
            {k: target.get(k) for k in event.before},
            expected,
        )
        event.undone = action == "undo"
        session.add(event)
        done = record(
            session,
            user,
            event.story_id,
            action,
            expected,
            {k: states.read(session, k) for k in event.before},
            reverts=event.id,
        )
        session.commit()
    except ReviewError:
        session.rollback()
        raise
    session.refresh(done)
    return done


def _scope(query: Any, user: User, story_id: int | None) -> Any:
    """The editor's events, in a story if given (moves are filtered further by `_in_story`)."""
    query = query.where(LinkEvent.user_id == user.id)
    if story_id is None:
        return query
    moved = col(LinkEvent.action).in_(("move", "undo", "redo"))
    return query.where(or_(col(LinkEvent.story_id) == story_id, moved))


def _in_story(event: LinkEvent, story_id: int | None) -> bool:
    """Whether a change happened in the story: recorded there, or a document moved out of it."""
    if story_id is None or event.story_id == story_id:
        return True
    return any(
        isinstance(state, dict) and state.get("story_id") == story_id
        for side in (event.before, event.after)
        for key, state in side.items()
        if key.startswith("doc:")
    )


def _newest(session: Session, query: Any, story_id: int | None) -> LinkEvent | None:
    events = session.exec(query.order_by(col(LinkEvent.id).desc()))
    return next((e for e in events if _in_story(e, story_id)), None)


def last_change(session: Session, user: User, story_id: int | None) -> LinkEvent | None:
    """The change an undo would take back, so the button can say what it undoes."""
    query = _scope(select(LinkEvent), user, story_id).where(
        col(LinkEvent.undone).is_(False), col(LinkEvent.action).not_in(REVERSALS)
    )
    return _newest(session, query, story_id)


def undo_last(*, session: Session, user: User, story_id: int | None = None) -> LinkEvent:
    """Undo this editor's most recent change that is not undone yet (in a story, if given)."""
    event = last_change(session, user, story_id)
    if event is None:
        raise ReviewError("you have no change to undo", status=404)
    return _revert(session, user, event, "undo")


def redo_target(session: Session, user: User, story_id: int | None) -> LinkEvent | None:
    """The change the editor undid most recently since their last new change, if any."""
    last_new = _newest(
        session,
        _scope(select(LinkEvent), user, story_id).where(col(LinkEvent.action).not_in(REVERSALS)),
        story_id,
    )
    undos = session.exec(
        _scope(select(LinkEvent), user, story_id)
        .where(LinkEvent.action == "undo", col(LinkEvent.id) > (last_new.id if last_new else 0))
        .order_by(col(LinkEvent.id).desc())
    ).all()
    for undo in undos:
        if not _in_story(undo, story_id):
            continue
        target = session.get(LinkEvent, undo.reverts) if undo.reverts else None
        if target is not None and target.undone:
            return target
    return None


def redo_last(*, session: Session, user: User, story_id: int | None = None) -> LinkEvent:
    """Redo the change this editor undid last (only until they make a new change)."""
    event = redo_target(session, user, story_id)
    if event is None:
        raise ReviewError("you have nothing to redo", status=404)
    return _revert(session, user, event, "redo")


_VERBS = {
    "confirm": "confirming",
    "reject": "rejecting",
    "unlink": "unlinking",
    "relation": "changing the relation of",
    "link": "linking by hand",
    "extend": "extending",
    "merge": "merging",
    "split": "splitting",
    "mark": "marking",
    "confirm_batch": "confirming",
    "move": "moving",
    "remove": "removing",
    "text": "editing",
    "split_text": "splitting",
    "merge_text": "merging",
}


def event_label(event: LinkEvent) -> str:
    """What a change did, in a few words: 'confirming link 12', 'confirming 19 links'."""
    verb = _VERBS.get(event.action, event.action)
    keys = list(event.before)
    docs = [k[4:] for k in keys if k.startswith("doc:")]
    if docs:
        return f"{verb} document {docs[0]}"
    layouts = [k for k in keys if k.startswith("layout:")]
    if layouts:
        return f"{verb} {_layout_place(event, layouts[0])}"
    paras = [k.split(":") for k in keys if k.startswith("para:")]
    if paras:
        return f"{verb} the text of {para_no(int(paras[0][2]))}"
    marks = [k.split(":") for k in keys if k.startswith("mark:")]
    if marks:
        return f"{verb} {para_no(int(marks[0][2]))}"
    touched = [k for k in keys if event.before.get(k) is not None] or keys
    if event.action == "link":
        return verb
    if len(touched) == 1:
        return f"{verb} link {touched[0]}"
    return f"{verb} {len(touched)} links"


def _layout_place(event: LinkEvent, key: str) -> str:
    """'¶4' for a split or merge: where the first paragraph it changed stood before."""
    before = event.before.get(key) or {}
    ids, touched = before.get("ids", []), before.get("texts", {})
    index = next((i for i, pid in enumerate(ids) if str(pid) in touched), None)
    return para_no(index) if index is not None else f"paragraphs of document {key[7:]}"
