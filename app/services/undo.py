"""Undo and redo, several steps deep, per editor.

An event's `before`/`after` map state keys to what they held:
- `"<link id>"`: a link snapshot, or None when the link did not exist;
- `"mark:<document>:<index>"`: a paragraph mark `{"mark", "target"}` or None;
- `"doc:<id>"`: where a document sits `{"story_id", "story_title"}` or None when removed
  (app/services/documents.py records and restores those, with the document's content);
- `"pair:<source>:<target>"`: a document pair `{"story_id", "kind", "score"}` or None;
- `"para:<document>:<index>"`: a paragraph's text `{"text"}` (edits from the keyboard).

Undoing event E puts every key back to E.before; redoing puts it back to E.after. Either is
refused (409, nothing changed) when someone else changed one of the keys since: a later event
on the key that is neither undone nor itself an undo/redo, or a state that no longer matches
what the last event on the key left (an unrecorded change, such as a realignment).
"""

from typing import Any

from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.models import DocumentPair, Link, LinkEvent, ParagraphMark, SentenceLink, User
from app.services import documents
from app.services.review import (
    Conflict,
    ReviewError,
    fields_of,
    fresh,
    guarded_delete,
    guarded_update,
    mark_row,
    mark_state,
    record,
    snapshot,
)

REVERSALS = ("undo", "redo")


def _mark_parts(key: str) -> tuple[int, int]:
    _, doc, index = key.split(":")
    return int(doc), int(index)


def _pair_parts(key: str) -> tuple[int, int]:
    _, source, target = key.split(":")
    return int(source), int(target)


def _pair_row(session: Session, key: str) -> DocumentPair | None:
    source, target = _pair_parts(key)
    return session.exec(
        select(DocumentPair).where(
            DocumentPair.source_document_id == source, DocumentPair.target_document_id == target
        )
    ).first()


def _normal_mark(state: Any) -> Any:
    # Events written before marks had a target stored the bare mark name.
    return {"mark": state, "target": None} if isinstance(state, str) else state


def current_state(session: Session, key: str) -> Any:
    """What a history key holds in the database now."""
    if key.startswith("mark:"):
        return mark_state(mark_row(session, *_mark_parts(key)))
    if key.startswith("pair:"):
        row = _pair_row(session, key)
        return {"story_id": row.story_id, "kind": row.kind, "score": row.score} if row else None
    if key.startswith("doc:"):
        return documents.doc_state(session, int(key[4:]))
    if key.startswith("para:"):
        return documents.paragraph_state(session, key)
    link = fresh(session, int(key))
    return snapshot(link) if link else None


def _matches(key: str, current: Any, expected: Any) -> bool:
    if key.startswith("mark:"):
        return bool(_normal_mark(current) == _normal_mark(expected))
    if key.startswith("doc:"):
        return documents.same_doc_state(current, expected)
    if key.isdigit():
        if current is None or expected is None:
            return current is None and expected is None
        return bool(current["version"] == expected["version"])
    return bool(current == expected)


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


def describe(key: str) -> str:
    """A history key as words."""
    if key.startswith("mark:"):
        doc, index = _mark_parts(key)
        return f"the mark on document {doc} ¶{index}"
    if key.startswith("doc:"):
        return f"document {key[4:]}"
    if key.startswith("para:"):
        _, doc, index = key.split(":")
        return f"the text of document {doc} ¶{index}"
    if key.startswith("pair:"):
        return "the pair of documents {} and {}".format(*_pair_parts(key))
    return f"link {key}"


def _highest_version(session: Session, event: LinkEvent, key: str) -> int:
    """The highest version a link ever had in the history, so a restored link gets a new one."""
    versions = [0]
    for other in session.exec(select(LinkEvent).where(col(LinkEvent.id) >= event.id)):
        for state in (other.before.get(key), other.after.get(key)):
            if isinstance(state, dict):
                versions.append(int(state.get("version", 0)))
    return max(versions)


def _apply_link(session: Session, event: LinkEvent, key: str, state: dict[str, Any] | None) -> None:
    link = fresh(session, int(key))
    if state is None:
        if link is not None:
            guarded_delete(session, link)
        return
    if link is None:
        values = fields_of(state)
        session.add(Link(id=int(key), version=_highest_version(session, event, key) + 1, **values))
        session.flush()
        session.add_all(
            SentenceLink(link_id=int(key), source_sentences=a, target_sentences=b, score=score)
            for a, b, score in state.get("sentences", [])
        )
        session.flush()
        return
    guarded_update(session, link, **fields_of(state))


def _apply_mark(session: Session, user: User, key: str, state: Any) -> None:
    doc, index = _mark_parts(key)
    row = mark_row(session, doc, index)
    if row is not None:
        session.delete(row)
        session.flush()
    state = _normal_mark(state)
    if state is not None:
        assert user.id is not None
        session.add(
            ParagraphMark(
                document_id=doc,
                index=index,
                mark=state["mark"],
                target_document=state.get("target"),
                user_id=user.id,
            )
        )
        session.flush()


def _apply_pair(session: Session, key: str, state: dict[str, Any] | None) -> None:
    source, target = _pair_parts(key)
    session.connection().execute(
        delete(DocumentPair).where(
            col(DocumentPair.source_document_id) == source,
            col(DocumentPair.target_document_id) == target,
        )
    )
    if state is not None:
        session.add(DocumentPair(source_document_id=source, target_document_id=target, **state))
    session.flush()


def _order(key: str, state: Any) -> tuple[int, int]:
    """Documents come back first and go last; deletions before insertions (ids, uniques)."""
    if key.startswith("doc:"):
        return (0, 0) if state is not None else (3, 0)
    if key.startswith("para:"):
        return (0, 1)
    return (1 if state is None else 2, 0)


def apply_states(session: Session, user: User, event: LinkEvent, states: dict[str, Any]) -> None:
    """Put every key back to `states` (no commit)."""
    for key in sorted(states, key=lambda k: _order(k, states[k])):
        state = states[key]
        if key.startswith("mark:"):
            _apply_mark(session, user, key, state)
        elif key.startswith("pair:"):
            _apply_pair(session, key, state)
        elif key.startswith("doc:"):
            documents.apply_doc_state(session, int(key[4:]), state)
        elif key.startswith("para:"):
            documents.apply_paragraph_state(session, key, state)
        else:
            _apply_link(session, event, key, state)


def _revert(session: Session, user: User, event: LinkEvent, action: str) -> LinkEvent:
    names = {u.id or 0: u.name for u in session.exec(select(User))}
    try:
        expected = _expected_now(session, event, names)
        for key, state in expected.items():
            if not _matches(key, current_state(session, key), state):
                raise Conflict(
                    f"{describe(key)} was changed since (not through the review desk, e.g. by a "
                    "realignment); nothing was undone or redone",
                    {"key": key},
                )
        target = event.before if action == "undo" else event.after
        apply_states(session, user, event, {k: target.get(k) for k in event.before})
        event.undone = action == "undo"
        session.add(event)
        done = record(
            session,
            user,
            event.story_id,
            action,
            expected,
            {k: current_state(session, k) for k in event.before},
            reverts=event.id,
        )
        session.commit()
    except ReviewError:
        session.rollback()
        raise
    session.refresh(done)
    return done


def _scope(query: Any, user: User, story_id: int | None) -> Any:
    query = query.where(LinkEvent.user_id == user.id)
    return query.where(LinkEvent.story_id == story_id) if story_id is not None else query


def undo_last(*, session: Session, user: User, story_id: int | None = None) -> LinkEvent:
    """Undo this editor's most recent change that is not undone yet (in a story, if given)."""
    query = _scope(select(LinkEvent), user, story_id).where(
        col(LinkEvent.undone).is_(False), col(LinkEvent.action).not_in(REVERSALS)
    )
    event = session.exec(query.order_by(col(LinkEvent.id).desc())).first()
    if event is None:
        raise ReviewError("you have no change to undo", status=404)
    return _revert(session, user, event, "undo")


def redo_target(session: Session, user: User, story_id: int | None) -> LinkEvent | None:
    """The change the editor undid most recently since their last new change, if any."""
    last_new = session.exec(
        _scope(select(LinkEvent.id), user, story_id)
        .where(col(LinkEvent.action).not_in(REVERSALS))
        .order_by(col(LinkEvent.id).desc())
    ).first()
    undos = session.exec(
        _scope(select(LinkEvent), user, story_id)
        .where(LinkEvent.action == "undo", col(LinkEvent.id) > (last_new or 0))
        .order_by(col(LinkEvent.id).desc())
    ).all()
    for undo in undos:
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


def last_change(session: Session, user: User, story_id: int | None) -> LinkEvent | None:
    """The change an undo would take back, so the button can say what it undoes."""
    query = _scope(select(LinkEvent), user, story_id).where(
        col(LinkEvent.undone).is_(False), col(LinkEvent.action).not_in(REVERSALS)
    )
    return session.exec(query.order_by(col(LinkEvent.id).desc())).first()


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
}


def event_label(event: LinkEvent) -> str:
    """What a change did, in a few words: 'confirming link 12', 'confirming 19 links'."""
    verb = _VERBS.get(event.action, event.action)
    keys = list(event.before)
    docs = [k[4:] for k in keys if k.startswith("doc:")]
    if docs:
        return f"{verb} document {docs[0]}"
    paras = [k.split(":") for k in keys if k.startswith("para:")]
    if paras:
        return f"{verb} the text of ¶{paras[0][2]}"
    marks = [k.split(":") for k in keys if k.startswith("mark:")]
    if marks:
        return f"{verb} ¶{marks[0][2]}"
    touched = [k for k in keys if event.before.get(k) is not None] or keys
    if event.action == "link":
        return verb
    if len(touched) == 1:
        return f"{verb} link {touched[0]}"
    return f"{verb} {len(touched)} links"
