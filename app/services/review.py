"""Editorial changes to links, each recorded with who, when, before and after; undo; history."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, col, select

from app.models import Document, Link, LinkEvent, Paragraph, ParagraphMark, User, utcnow

MARKS = ("not_translated", "added")


class ReviewError(Exception):
    """A change that cannot be made; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class Conflict(ReviewError):
    """Someone changed the link since the editor read it."""

    def __init__(self, message: str) -> None:
        super().__init__(message, status=409)


@dataclass(frozen=True)
class Side:
    """One side of a link: a document and some of its paragraph indexes."""

    document: int
    paragraphs: tuple[int, ...]


def snapshot(link: Link) -> dict[str, Any]:
    """Every field of a link that a change can alter, JSON-ready."""
    return {
        "story_id": link.story_id,
        "source_document_id": link.source_document_id,
        "target_document_id": link.target_document_id,
        "source_paragraphs": list(link.source_paragraphs),
        "target_paragraphs": list(link.target_paragraphs),
        "relation": link.relation,
        "score": link.score,
        "status": link.status,
        "version": link.version,
        "reviewed_by": link.reviewed_by,
        "reviewed_at": link.reviewed_at.isoformat() if link.reviewed_at else None,
    }


def _get(session: Session, link_id: int, version: int | None) -> Link:
    link = session.get(Link, link_id)
    if link is None:
        raise ReviewError(f"link {link_id} does not exist", status=404)
    if version is not None and link.version != version:
        who = session.get(User, link.reviewed_by) if link.reviewed_by else None
        raise Conflict(
            f"link {link_id} was changed since you loaded it (you had version {version}, it is now "
            f"version {link.version}, status {link.status}{', by ' + who.name if who else ''}); "
            "reload to see the change, then decide again"
        )
    return link


def _record(
    session: Session,
    user: User,
    story_id: int,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> LinkEvent:
    assert user.id is not None
    ids = sorted({int(k) for k in (*before, *after) if k.isdigit()})
    event = LinkEvent(
        story_id=story_id, user_id=user.id, action=action, link_ids=ids, before=before, after=after
    )
    session.add(event)
    return event


def _bump(link: Link, user: User, status: str) -> None:
    link.status = status
    link.version += 1
    link.reviewed_by = user.id
    link.reviewed_at = utcnow()
    link.updated_at = utcnow()


def set_status(
    *, session: Session, user: User, link_id: int, version: int | None, status: str, action: str
) -> Link:
    """Confirm, reject or unlink one link.

    Unlinked links stay in the table as rejected, so that realignment does not propose them again.
    """
    link = _get(session, link_id, version)
    before = {str(link_id): snapshot(link)}
    _bump(link, user, status)
    session.add(link)
    session.flush()
    _record(session, user, link.story_id, action, before, {str(link_id): snapshot(link)})
    session.commit()
    session.refresh(link)
    return link


def _check_side(session: Session, story_id: int, side: Side) -> Document:
    doc = session.get(Document, side.document)
    if doc is None or doc.story_id != story_id:
        raise ReviewError(f"document {side.document} is not in story {story_id}")
    if not side.paragraphs:
        raise ReviewError(f"no paragraphs given for document {side.document}")
    found = set(
        session.exec(
            select(Paragraph.index).where(
                Paragraph.document_id == side.document, col(Paragraph.index).in_(side.paragraphs)
            )
        ).all()
    )
    missing = sorted(set(side.paragraphs) - found)
    if missing:
        raise ReviewError(f"document {side.document} has no paragraph {missing[0]}")
    return doc


def _touching(session: Session, source: Side, target: Side, exclude: set[int]) -> list[Link]:
    """Visible links of the same document pair that share a paragraph with the new sides."""
    rows = session.exec(
        select(Link)
        .where(col(Link.status).in_(("auto", "confirmed", "manual")))
        .where(
            (
                (Link.source_document_id == source.document)
                & (Link.target_document_id == target.document)
            )
            | (
                (Link.source_document_id == target.document)
                & (Link.target_document_id == source.document)
            )
        )
    ).all()
    out = []
    for link in rows:
        if link.id in exclude:
            continue
        mine = {(source.document, i) for i in source.paragraphs} | {
            (target.document, j) for j in target.paragraphs
        }
        theirs = {(link.source_document_id, i) for i in link.source_paragraphs} | {
            (link.target_document_id, j) for j in link.target_paragraphs
        }
        if mine & theirs:
            out.append(link)
    return out


def create_link(
    *,
    session: Session,
    user: User,
    story_id: int,
    source: Side,
    target: Side,
    relation: str = "translation",
    replaces: set[int] | None = None,
    action: str = "link",
) -> Link:
    """Link paragraphs by hand; automatic links in the way are retired, reviewed ones conflict."""
    if relation not in ("translation", "related"):
        raise ReviewError(f"relation must be 'translation' or 'related', not {relation!r}")
    if source.document == target.document:
        raise ReviewError("a link joins two different documents")
    _check_side(session, story_id, source)
    _check_side(session, story_id, target)
    if source.document > target.document:
        source, target = target, source
    before: dict[str, Any] = {}
    for other in _touching(session, source, target, replaces or set()):
        if other.status != "auto":
            raise Conflict(
                f"paragraphs already belong to {other.status} link {other.id}; unlink it first"
            )
        before[str(other.id)] = snapshot(other)
        _bump(other, user, "rejected")
        session.add(other)
    link = Link(
        story_id=story_id,
        source_document_id=source.document,
        target_document_id=target.document,
        source_paragraphs=sorted(source.paragraphs),
        target_paragraphs=sorted(target.paragraphs),
        relation=relation,
        score=1.0,
        status="manual",
        reviewed_by=user.id,
        reviewed_at=utcnow(),
    )
    session.add(link)
    session.flush()
    after = {k: snapshot(session.get(Link, int(k))) for k in before}  # type: ignore[arg-type]
    after[str(link.id)] = snapshot(link)
    before[str(link.id)] = None
    _record(session, user, story_id, action, before, after)
    session.commit()
    session.refresh(link)
    return link


def _manual(
    like: Link, src: list[int], tgt: list[int], relation: str, score: float, user: User
) -> Link:
    """A manual link between the same two documents as `like`."""
    return Link(
        story_id=like.story_id,
        source_document_id=like.source_document_id,
        target_document_id=like.target_document_id,
        source_paragraphs=sorted(set(src)),
        target_paragraphs=sorted(set(tgt)),
        relation=relation,
        score=score,
        status="manual",
        reviewed_by=user.id,
        reviewed_at=utcnow(),
    )


def _replace(
    session: Session, user: User, action: str, old: list[Link], new: list[Link]
) -> list[Link]:
    """Delete `old`, add `new`, record it as one change, commit."""
    before: dict[str, Any] = {str(r.id): snapshot(r) for r in old}
    for r in old:
        session.delete(r)
    session.flush()
    session.add_all(new)
    session.flush()
    after: dict[str, Any] = {k: None for k in before}
    for r in new:
        after[str(r.id)] = snapshot(r)
        before[str(r.id)] = None
    _record(session, user, old[0].story_id, action, before, after)
    session.commit()
    for r in new:
        session.refresh(r)
    return new


def merge(*, session: Session, user: User, links: list[tuple[int, int | None]]) -> Link:
    """Merge links of one document pair into a single manual link (e.g. two 1-1 into a 2-1)."""
    if len(links) < 2:
        raise ReviewError("merging needs at least two links")
    rows = [_get(session, link_id, version) for link_id, version in links]
    ends = {(r.source_document_id, r.target_document_id) for r in rows}
    if len(ends) != 1:
        raise ReviewError("only links between the same two documents can be merged")
    merged = _manual(
        rows[0],
        [i for r in rows for i in r.source_paragraphs],
        [j for r in rows for j in r.target_paragraphs],
        "translation" if all(r.relation == "translation" for r in rows) else "related",
        min(r.score for r in rows),
        user,
    )
    return _replace(session, user, "merge", rows, [merged])[0]


def extend(
    *, session: Session, user: User, link_id: int, version: int | None, document: int, index: int
) -> Link:
    """Add one paragraph to a link (1-1 → 1-2): an automatic link holding it is absorbed."""
    link = _get(session, link_id, version)
    if document not in (link.source_document_id, link.target_document_id):
        raise ReviewError("the paragraph must be in one of the link's two documents")
    src = set(link.source_paragraphs) | ({index} if document == link.source_document_id else set())
    tgt = set(link.target_paragraphs) | ({index} if document == link.target_document_id else set())
    source = Side(link.source_document_id, tuple(sorted(src)))
    target = Side(link.target_document_id, tuple(sorted(tgt)))
    _check_side(session, link.story_id, source)
    _check_side(session, link.story_id, target)
    absorbed = _touching(session, source, target, {link_id})
    for other in absorbed:
        if other.status != "auto":
            raise Conflict(
                f"paragraph {document}-{index} already belongs to {other.status} link {other.id}"
            )
    new = _manual(
        link, list(source.paragraphs), list(target.paragraphs), link.relation, link.score, user
    )
    return _replace(session, user, "extend", [link, *absorbed], [new])[0]


def split(
    *,
    session: Session,
    user: User,
    link_id: int,
    version: int | None,
    parts: list[tuple[list[int], list[int]]],
) -> list[Link]:
    """Split a group link into parts (each part a source and a target paragraph list)."""
    link = _get(session, link_id, version)
    used_src = [i for s, _ in parts for i in s]
    used_tgt = [j for _, t in parts for j in t]
    if sorted(used_src) != sorted(set(used_src)) or not set(used_src) <= set(
        link.source_paragraphs
    ):
        raise ReviewError(
            f"the parts must use each source paragraph of link {link_id} at most once"
        )
    if sorted(used_tgt) != sorted(set(used_tgt)) or not set(used_tgt) <= set(
        link.target_paragraphs
    ):
        raise ReviewError(
            f"the parts must use each target paragraph of link {link_id} at most once"
        )
    kept = [(s, t) for s, t in parts if s and t]
    if len(kept) < 2 and len(kept) == len(parts):
        raise ReviewError("a split needs at least two parts")
    new = [_manual(link, src, tgt, link.relation, link.score, user) for src, tgt in kept]
    return _replace(session, user, "split", [link], new)


def mark_paragraph(
    *, session: Session, user: User, document_id: int, index: int, mark: str | None
) -> None:
    """Mark a paragraph 'not_translated' or 'added' (None clears the mark)."""
    if mark is not None and mark not in MARKS:
        raise ReviewError(f"mark must be one of {', '.join(MARKS)} or null, not {mark!r}")
    doc = session.get(Document, document_id)
    if doc is None:
        raise ReviewError(f"document {document_id} does not exist", status=404)
    exists = session.exec(
        select(Paragraph.id).where(Paragraph.document_id == document_id, Paragraph.index == index)
    ).first()
    if exists is None:
        raise ReviewError(f"document {document_id} has no paragraph {index}", status=404)
    row = session.exec(
        select(ParagraphMark).where(
            ParagraphMark.document_id == document_id, ParagraphMark.index == index
        )
    ).first()
    key = f"mark:{document_id}:{index}"
    before = {key: row.mark if row else None}
    if mark is None:
        if row is not None:
            session.delete(row)
    elif row is None:
        assert user.id is not None
        session.add(ParagraphMark(document_id=document_id, index=index, mark=mark, user_id=user.id))
    else:
        row.mark, row.user_id = mark, user.id or row.user_id
        session.add(row)
    _record(session, user, doc.story_id, "mark", before, {key: mark})
    session.commit()


def _mark_row(session: Session, key: str) -> ParagraphMark | None:
    _, doc, index = key.split(":")
    return session.exec(
        select(ParagraphMark).where(
            ParagraphMark.document_id == int(doc), ParagraphMark.index == int(index)
        )
    ).first()


def _state(session: Session, key: str) -> Any:
    """The current state of a history key: a link snapshot, a mark value, or None."""
    if key.startswith("mark:"):
        row = _mark_row(session, key)
        return row.mark if row else None
    link = session.get(Link, int(key))
    return snapshot(link) if link else None


def _same(current: Any, expected: Any) -> bool:
    if isinstance(current, dict) or isinstance(expected, dict):
        return (current or {}).get("version") == (expected or {}).get("version") and (
            current is None
        ) == (expected is None)
    return bool(current == expected)


def _restore(session: Session, user: User, key: str, state: Any, expected: Any) -> None:
    """Put one link (or paragraph mark) back to `state`, if it is still as `expected` left it."""
    if not _same(_state(session, key), expected):
        raise Conflict(
            f"{key.replace('mark:', 'the mark on paragraph ')} was changed by someone since; "
            "nothing was undone"
        )
    if key.startswith("mark:"):
        row = _mark_row(session, key)
        if row is not None:
            session.delete(row)
            session.flush()
        if state is not None:
            _, doc, index = key.split(":")
            assert user.id is not None
            session.add(
                ParagraphMark(document_id=int(doc), index=int(index), mark=state, user_id=user.id)
            )
        return
    link = session.get(Link, int(key))
    if state is None:
        if link is not None:
            session.delete(link)
        return
    fields = dict(state)
    reviewed_at = fields.pop("reviewed_at")
    link = link or Link(id=int(key), **fields)
    for name, value in fields.items():
        setattr(link, name, value)
    link.reviewed_at = datetime.fromisoformat(reviewed_at) if reviewed_at else None
    # The restored state is a new version: editors holding the undone version must reload.
    link.version = max(fields["version"], (expected or {}).get("version", 0)) + 1
    link.updated_at = utcnow()
    session.add(link)


def undo_last(*, session: Session, user: User, story_id: int | None = None) -> LinkEvent:
    """Undo this editor's most recent change that is not undone yet (in a story, if given)."""
    query = select(LinkEvent).where(
        LinkEvent.user_id == user.id, col(LinkEvent.undone).is_(False), LinkEvent.action != "undo"
    )
    if story_id is not None:
        query = query.where(LinkEvent.story_id == story_id)
    event = session.exec(query.order_by(col(LinkEvent.id).desc())).first()
    if event is None:
        raise ReviewError("you have no change to undo", status=404)
    try:
        # Deletions first so that a restored link can take its old id back.
        for key in sorted(event.before, key=lambda k: event.before[k] is not None):
            _restore(session, user, key, event.before[key], event.after.get(key))
        session.flush()
    except Conflict:
        session.rollback()
        raise
    event.undone = True
    session.add(event)
    undo = _record(
        session,
        user,
        event.story_id,
        "undo",
        dict(event.after),
        {k: _state(session, k) for k in event.before},
    )
    session.commit()
    session.refresh(undo)
    return undo


def history(session: Session, link_id: int) -> list[dict[str, Any]]:
    """Every recorded change that touched a link, oldest first, with who made it."""
    link = session.get(Link, link_id)
    story_id = link.story_id if link else None
    query = select(LinkEvent).order_by(col(LinkEvent.id))
    if story_id is not None:
        query = query.where(LinkEvent.story_id == story_id)
    names = {u.id: u.name for u in session.exec(select(User))}
    out = []
    for event in session.exec(query):
        if link_id not in event.link_ids:
            continue
        out.append(
            {
                "id": event.id,
                "action": event.action,
                "user": names.get(event.user_id),
                "at": event.created_at.isoformat(),
                "before": event.before.get(str(link_id)),
                "after": event.after.get(str(link_id)),
                "undone": event.undone,
            }
        )
    if link is None and not out:
        raise ReviewError(f"link {link_id} does not exist and has no history", status=404)
    return out
