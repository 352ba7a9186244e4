"""The kinds of state the review history records, each read, applied, compared and described
in one place (undo and redo in app/review/undo.py only look them up here).

An event's `before`/`after` map state keys to what they held:
- `"<link id>"`: a link snapshot (with its sentence links when it was deleted or moved), or
  None when the link did not exist;
- `"mark:<document>:<index>"`: a paragraph mark `{"mark", "target"}` or None;
- `"doc:<id>"`: where a document sits `{"story_id", "story_title"}` or None when removed
  (with the document's content when it was removed);
- `"pair:<source>:<target>"`: a document pair `{"story_id", "kind", "score"}` or None;
- `"para:<document>:<index>"`: a paragraph's text `{"text"}`;
- `"layout:<document>"`: a document's paragraph ids in order, with the text of those a split
  or merge changed.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.library import documents
from app.models import DocumentPair, Link, LinkEvent, ParagraphMark, SentenceLink, User
from app.paranum import para_no
from app.review import paragraphs
from app.review.changes import (
    Conflict,
    conflict_for,
    fields_of,
    fresh,
    guarded_delete,
    guarded_update,
    mark_row,
    mark_state,
    snapshot,
)


@dataclass(frozen=True)
class Applying:
    """What applying a state may need besides the key: who undoes, which event."""

    session: Session
    user: User
    event: LinkEvent


@dataclass(frozen=True)
class StateKind:
    """How one kind of history key is read, written back, compared, ordered and named."""

    read: Callable[[Session, str], Any]
    apply: Callable[[Applying, str, Any, Any], None]  # (how, key, state, expected)
    same: Callable[[Any, Any], bool]
    describe: Callable[[str], str]
    # Where a key goes in an undo: documents come back first and go last; deletions before
    # insertions (ids, unique constraints).
    order: Callable[[Any], tuple[int, int]]


def _parts(key: str) -> tuple[int, int]:
    _, a, b = key.split(":")
    return int(a), int(b)


def _default_order(state: Any) -> tuple[int, int]:
    return (1 if state is None else 2, 0)


# Links ---------------------------------------------------------------------------------


def _read_link(session: Session, key: str) -> Any:
    link = fresh(session, int(key))
    return snapshot(link) if link else None


def _same_link(current: Any, expected: Any) -> bool:
    if current is None or expected is None:
        return current is None and expected is None
    return bool(current["version"] == expected["version"])


def _highest_version(session: Session, event: LinkEvent, key: str) -> int:
    """The highest version a link ever had in the history, so a restored link gets a new one."""
    versions = [0]
    for other in session.exec(select(LinkEvent).where(col(LinkEvent.id) >= event.id)):
        for state in (other.before.get(key), other.after.get(key)):
            if isinstance(state, dict):
                versions.append(int(state.get("version", 0)))
    return max(versions)


def _sentences(session: Session, link_id: int, state: dict[str, Any]) -> None:
    """Give a link back the sentence links the history kept for it."""
    session.connection().execute(delete(SentenceLink).where(col(SentenceLink.link_id) == link_id))
    session.add_all(
        SentenceLink(link_id=link_id, source_sentences=a, target_sentences=b, score=score)
        for a, b, score in state.get("sentences", [])
    )
    session.flush()


def _apply_link(how: Applying, key: str, state: Any, expected: Any) -> None:
    """Write a link back, guarded by the version the undo checked (not one read later)."""
    session = how.session
    link = fresh(session, int(key))
    want = expected.get("version") if isinstance(expected, dict) else None
    if (link is None) != (want is None) or (link is not None and link.version != want):
        raise conflict_for(session, int(key), want or 0)
    if state is None:
        if link is not None:
            guarded_delete(session, link)
        return
    if link is None:
        version = _highest_version(session, how.event, key) + 1
        session.add(Link(id=int(key), version=version, **fields_of(state)))
        try:
            session.flush()
        except IntegrityError as err:  # someone made that link meanwhile
            raise Conflict(f"link {key} was made again since; nothing was undone") from err
        _sentences(session, int(key), state)
        return
    guarded_update(session, link, **fields_of(state))
    if "sentences" in state:
        _sentences(session, int(key), state)


# Marks ---------------------------------------------------------------------------------


def _normal_mark(state: Any) -> Any:
    # Events written before marks had a target stored the bare mark name.
    return {"mark": state, "target": None} if isinstance(state, str) else state


def _describe_mark(key: str) -> str:
    doc, index = _parts(key)
    return f"the mark on document {doc} {para_no(index)}"


def _apply_mark(how: Applying, key: str, state: Any, expected: Any) -> None:
    """Write a mark back; the delete names the mark checked, so a change since conflicts."""
    session, user = how.session, how.user
    doc, index = _parts(key)
    expected = _normal_mark(expected)
    if expected is not None:
        gone = session.connection().execute(
            delete(ParagraphMark).where(
                col(ParagraphMark.document_id) == doc,
                col(ParagraphMark.index) == index,
                col(ParagraphMark.mark) == expected["mark"],
            )
        )
        if gone.rowcount != 1:
            raise Conflict(f"{_describe_mark(key)} was changed since; nothing was undone or redone")
    state = _normal_mark(state)
    if state is None:
        return
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
    try:
        session.flush()
    except IntegrityError as err:
        raise Conflict(f"{_describe_mark(key)} was set since; nothing was undone") from err


# Document pairs ------------------------------------------------------------------------


def _read_pair(session: Session, key: str) -> Any:
    source, target = _parts(key)
    row = session.exec(
        select(DocumentPair).where(
            DocumentPair.source_document_id == source, DocumentPair.target_document_id == target
        )
    ).first()
    return {"story_id": row.story_id, "kind": row.kind, "score": row.score} if row else None


def _apply_pair(how: Applying, key: str, state: Any, expected: Any) -> None:
    source, target = _parts(key)
    how.session.connection().execute(
        delete(DocumentPair).where(
            col(DocumentPair.source_document_id) == source,
            col(DocumentPair.target_document_id) == target,
        )
    )
    if state is not None:
        how.session.add(DocumentPair(source_document_id=source, target_document_id=target, **state))
    how.session.flush()


def _equal(current: Any, expected: Any) -> bool:
    return bool(current == expected)


KINDS: dict[str, StateKind] = {
    "link": StateKind(
        read=_read_link,
        apply=_apply_link,
        same=_same_link,
        describe=lambda key: f"link {key}",
        order=_default_order,
    ),
    "mark": StateKind(
        read=lambda session, key: mark_state(mark_row(session, *_parts(key))),
        apply=_apply_mark,
        same=lambda current, expected: bool(_normal_mark(current) == _normal_mark(expected)),
        describe=_describe_mark,
        order=_default_order,
    ),
    "pair": StateKind(
        read=_read_pair,
        apply=_apply_pair,
        same=_equal,
        describe=lambda key: "the pair of documents {} and {}".format(*_parts(key)),
        order=_default_order,
    ),
    "doc": StateKind(
        read=lambda session, key: documents.doc_state(session, int(key[4:])),
        apply=lambda how, key, state, _: documents.apply_doc_state(
            how.session, int(key[4:]), state
        ),
        same=documents.same_doc_state,
        describe=lambda key: f"document {key[4:]}",
        order=lambda state: (0, 0) if state is not None else (3, 0),
    ),
    "para": StateKind(
        read=documents.paragraph_state,
        apply=lambda how, key, state, _: documents.apply_paragraph_state(how.session, key, state),
        same=_equal,
        describe=lambda key: f"the text of document {_parts(key)[0]} {para_no(_parts(key)[1])}",
        order=lambda state: (0, 1),
    ),
    "layout": StateKind(
        read=lambda session, key: paragraphs.layout_state(session, int(key[7:])),
        apply=lambda how, key, state, _: paragraphs.apply_layout(how.session, int(key[7:]), state),
        same=paragraphs.same_layout,
        describe=lambda key: f"the paragraphs of document {key[7:]}",
        order=lambda state: (0, 1),
    ),
}


def kind_of(key: str) -> StateKind:
    """The kind of a history key: its prefix, or a link for a bare id."""
    return KINDS["link" if key.isdigit() else key.split(":", 1)[0]]


def read(session: Session, key: str) -> Any:
    """What a history key holds in the database now."""
    return kind_of(key).read(session, key)


def same(key: str, current: Any, expected: Any) -> bool:
    """Whether `current` is the state `expected` (as far as undo can tell)."""
    return kind_of(key).same(current, expected)


def describe(key: str) -> str:
    """A history key as words."""
    return kind_of(key).describe(key)


def apply_all(how: Applying, states: dict[str, Any], expected: dict[str, Any]) -> None:
    """Put every key back to `states`, each guarded by its `expected` state (no commit)."""
    for key in sorted(states, key=lambda k: kind_of(k).order(states[k])):
        kind_of(key).apply(how, key, states[key], expected.get(key))
