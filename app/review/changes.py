"""Editorial changes to links, each recorded with who, when, before and after; history.

Every write to an existing link is guarded in the statement itself
(`UPDATE link ... WHERE id = :id AND version = :v`, the same for DELETE): two editors
interleaved cannot both win, whatever the database's isolation level. Undo and redo live in
app/review/undo.py, moving and removing documents in app/library/documents.py.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from app.labels import language_name
from app.library.visibility import may_read
from app.models import (
    Document,
    Link,
    LinkEvent,
    Paragraph,
    ParagraphMark,
    SentenceLink,
    Story,
    User,
    utcnow,
)
from app.models.sides import SIDE_FIELDS, write_sides
from app.models.versions import touch_stories
from app.paranum import para_no
from app.review.pairs import aligning_documents
from app.statuses import RELATIONS, VISIBLE, LinkStatus, Relation

MARKS = ("not_translated", "added")


class ReviewError(Exception):
    """A change that cannot be made; `status` is the HTTP status that says why."""

    def __init__(self, message: str, status: int = 422, data: dict[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.data = data or {}


class Conflict(ReviewError):
    """Someone changed the link since the editor read it."""

    def __init__(self, message: str, data: dict[str, Any] | None = None) -> None:
        super().__init__(message, status=409, data=data)


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


def with_sentences(session: Session, link: Link) -> dict[str, Any]:
    """A snapshot of a link about to be deleted, with its sentence links so undo restores them."""
    rows = session.exec(
        select(SentenceLink).where(SentenceLink.link_id == link.id).order_by(col(SentenceLink.id))
    ).all()
    return {
        **snapshot(link),
        "sentences": [[r.source_sentences, r.target_sentences, r.score] for r in rows],
    }


def fields_of(state: dict[str, Any]) -> dict[str, Any]:
    """A snapshot turned back into column values (without the version and sentence links)."""
    fields = {k: v for k, v in state.items() if k not in ("version", "sentences")}
    at = fields.get("reviewed_at")
    fields["reviewed_at"] = datetime.fromisoformat(at) if isinstance(at, str) else None
    return fields


def fresh(session: Session, link_id: int) -> Link | None:
    """The link as the database holds it now, not as this session last saw it."""
    return session.exec(
        select(Link).where(Link.id == link_id).execution_options(populate_existing=True)
    ).first()


def conflict_for(session: Session, link_id: int, had: int) -> Conflict:
    """The 409 for a write that found the link changed or gone, saying what changed."""
    current = fresh(session, link_id)
    if current is None:
        return Conflict(
            f"link {link_id} was removed since you loaded it (you had version {had}); "
            "reload to see the change",
            {"link": link_id, "your_version": had, "current": None},
        )
    who = session.get(User, current.reviewed_by) if current.reviewed_by else None
    return Conflict(
        f"link {link_id} was changed since you loaded it (you had version {had}, it is now "
        f"version {current.version}, status {current.status}{', by ' + who.name if who else ''}); "
        "reload to see the change, then decide again",
        {"link": link_id, "your_version": had, "current": snapshot(current)},
    )


def refuse_while_aligning(session: Session, story_id: int, docs: tuple[int, ...]) -> None:
    """409 when one of the documents is still being aligned: its links are not final yet."""
    busy = {d: job for d, job in aligning_documents(session, story_id).items() if d in docs}
    if not busy:
        return
    doc_id, job_id = min(busy.items())
    doc = session.get(Document, doc_id)
    name = f"the {language_name(doc.lang)} text" if doc else f"document {doc_id}"
    raise Conflict(
        f"{name} is still being aligned (job {job_id}); its links are not final, "
        "so review them once that is done",
        {"aligning": {"document": doc_id, "job": job_id}},
    )


def load(session: Session, link_id: int, version: int | None) -> Link:
    """The link, refusing early when the editor's version is stale or its pair is aligning."""
    link = fresh(session, link_id)
    if link is None:
        raise ReviewError(f"link {link_id} does not exist", status=404)
    refuse_while_aligning(
        session, link.story_id, (link.source_document_id, link.target_document_id)
    )
    if version is not None and link.version != version:
        raise conflict_for(session, link_id, version)
    return link


def guarded_update(session: Session, link: Link, **values: Any) -> None:
    """Write `values` only if the link still has the version read; bump the version."""
    session.flush()
    touch_stories(session, [("story", link.story_id)])
    had = link.version
    result = session.connection().execute(
        update(Link)
        .where(col(Link.id) == link.id, col(Link.version) == had)
        .values(version=had + 1, updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:
        raise conflict_for(session, link.id or 0, had)
    session.refresh(link)
    if SIDE_FIELDS & values.keys():  # a Core UPDATE: the ORM's flush did not see it
        write_sides(session.connection(), [link])


def guarded_delete(session: Session, link: Link) -> None:
    """Delete the link only if it still has the version read."""
    session.flush()
    touch_stories(session, [("story", link.story_id)])
    result = session.connection().execute(
        delete(Link).where(col(Link.id) == link.id, col(Link.version) == link.version)
    )
    if result.rowcount != 1:
        raise conflict_for(session, link.id or 0, link.version)
    session.expunge(link)


def record(
    session: Session,
    user: User,
    story_id: int,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    reverts: int | None = None,
) -> LinkEvent:
    """Add one history event; `before`/`after` map state keys to what undo and redo restore.

    Every editorial change passes here, so this is where a change to someone else's private
    story is refused (404, as for a story that does not exist), whatever ids the request
    named in its body or form.
    """
    assert user.id is not None
    story = session.get(Story, story_id)
    if story is not None and not may_read(story, user):
        raise ReviewError(f"story {story_id} does not exist", status=404)
    ids = sorted({int(k) for k in (*before, *after) if k.isdigit()})
    event = LinkEvent(
        story_id=story_id,
        user_id=user.id,
        action=action,
        link_ids=ids,
        before=before,
        after=after,
        reverts=reverts,
    )
    session.add(event)
    return event


def _reviewed(user: User) -> dict[str, Any]:
    return {"reviewed_by": user.id, "reviewed_at": utcnow()}


@contextmanager
def writing(session: Session) -> Iterator[None]:
    """One review write: what the block did is committed, or all of it rolled back (a refused
    change, a conflict, a database error)."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def _update_one(
    session: Session,
    user: User,
    link_id: int,
    version: int | None,
    action: str,
    values: Callable[[Link], dict[str, Any]],
) -> Link:
    """Change one link's fields to `values(link)`, reviewed by `user`, recorded as `action`."""
    with writing(session):
        link = load(session, link_id, version)
        before = {str(link_id): snapshot(link)}
        guarded_update(session, link, **values(link), **_reviewed(user))
        record(session, user, link.story_id, action, before, {str(link_id): snapshot(link)})
    session.refresh(link)
    return link


def set_status(
    *, session: Session, user: User, link_id: int, version: int | None, status: str, action: str
) -> Link:
    """Confirm, reject or unlink one link.

    Unlinked links stay in the table as rejected, so that realignment does not propose them again.
    """
    return _update_one(session, user, link_id, version, action, lambda _: {"status": status})


def set_relation(
    *, session: Session, user: User, link_id: int, version: int | None, relation: str
) -> Link:
    """Say whether a link is a translation or related facts (links made by hand, mostly)."""
    if relation not in RELATIONS:
        raise ReviewError(f"relation must be 'translation' or 'related', not {relation!r}")

    def values(link: Link) -> dict[str, Any]:
        kept = link.status in (LinkStatus.MANUAL, LinkStatus.REJECTED)
        return {"relation": relation, "status": link.status if kept else LinkStatus.CONFIRMED}

    return _update_one(session, user, link_id, version, "relation", values)


def batch_confirm(
    *,
    session: Session,
    user: User,
    story_id: int,
    min_score: float,
    documents: tuple[int, int] | None = None,
) -> list[Link]:
    """Confirm every automatic translation link of a story scoring at least `min_score`.

    One history event, so one undo takes the whole batch back. `documents` limits it to one
    document pair.
    """
    query = select(Link).where(
        Link.story_id == story_id,
        Link.status == LinkStatus.AUTO,
        Link.relation == Relation.TRANSLATION,
        col(Link.score) >= min_score,
    )
    if documents is not None:
        a, b = sorted(documents)
        query = query.where(Link.source_document_id == a, Link.target_document_id == b)
    links = list(session.exec(query.order_by(col(Link.id))).all())
    if not links:
        raise ReviewError(f"no unreviewed translation link scores {min_score:.2f} or more")
    ends = {d for lk in links for d in (lk.source_document_id, lk.target_document_id)}
    refuse_while_aligning(session, story_id, tuple(sorted(ends)))
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    with writing(session):
        for link in links:
            before[str(link.id)] = snapshot(link)
            guarded_update(session, link, status=LinkStatus.CONFIRMED, **_reviewed(user))
            after[str(link.id)] = snapshot(link)
        record(session, user, story_id, "confirm_batch", before, after)
    return links


def check_side(session: Session, story_id: int, side: Side) -> Document:
    """The side's document, refusing a document of another story or missing paragraphs."""
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
        raise ReviewError(f"document {side.document} has no paragraph {para_no(missing[0])}")
    return doc


def touching(session: Session, source: Side, target: Side, exclude: set[int]) -> list[Link]:
    """Visible links of the same document pair that share a paragraph with the new sides."""
    rows = session.exec(
        select(Link)
        .where(col(Link.status).in_(VISIBLE))
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
        .execution_options(populate_existing=True)
    ).all()
    mine = {(source.document, i) for i in source.paragraphs} | {
        (target.document, j) for j in target.paragraphs
    }
    out = []
    for link in rows:
        if link.id in exclude:
            continue
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
    relation: str = Relation.TRANSLATION,
) -> Link:
    """Link paragraphs by hand; automatic links in the way are retired, reviewed ones conflict."""
    if relation not in RELATIONS:
        raise ReviewError(f"relation must be 'translation' or 'related', not {relation!r}")
    if source.document == target.document:
        raise ReviewError("a link joins two different documents")
    check_side(session, story_id, source)
    check_side(session, story_id, target)
    refuse_while_aligning(session, story_id, (source.document, target.document))
    if source.document > target.document:
        source, target = target, source
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    with writing(session):
        for other in touching(session, source, target, set()):
            if other.status != LinkStatus.AUTO:
                raise Conflict(
                    f"the paragraphs already belong to {other.status} link {other.id}; "
                    "unlink it first",
                    {"link": other.id},
                )
            before[str(other.id)] = snapshot(other)
            guarded_update(session, other, status=LinkStatus.REJECTED, **_reviewed(user))
            after[str(other.id)] = snapshot(other)
        link = Link(
            story_id=story_id,
            source_document_id=source.document,
            target_document_id=target.document,
            source_paragraphs=sorted(source.paragraphs),
            target_paragraphs=sorted(target.paragraphs),
            relation=relation,
            score=1.0,
            status=LinkStatus.MANUAL,
            **_reviewed(user),
        )
        session.add(link)
        session.flush()
        before[str(link.id)] = None
        after[str(link.id)] = snapshot(link)
        record(session, user, story_id, "link", before, after)
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
        status=LinkStatus.MANUAL,
        **_reviewed(user),
    )


def _replace(
    session: Session, user: User, action: str, old: list[Link], new: list[Link]
) -> list[Link]:
    """Delete `old` (each only at the version read), add `new`, record one change, commit."""
    story_id = old[0].story_id
    before: dict[str, Any] = {str(r.id): with_sentences(session, r) for r in old}
    with writing(session):
        for r in old:
            guarded_delete(session, r)
        session.add_all(new)
        session.flush()
        after: dict[str, Any] = {k: None for k in before}
        for r in new:
            after[str(r.id)] = snapshot(r)
            before[str(r.id)] = None
        record(session, user, story_id, action, before, after)
    for r in new:
        session.refresh(r)
    return new


def merge(*, session: Session, user: User, links: list[tuple[int, int | None]]) -> Link:
    """Merge links of one document pair into a single manual link (e.g. two 1-1 into a 2-1)."""
    if len(links) < 2:
        raise ReviewError("merging needs at least two links")
    rows = [load(session, link_id, version) for link_id, version in links]
    ends = {(r.source_document_id, r.target_document_id) for r in rows}
    if len(ends) != 1:
        raise ReviewError("only links between the same two documents can be merged")
    merged = _manual(
        rows[0],
        [i for r in rows for i in r.source_paragraphs],
        [j for r in rows for j in r.target_paragraphs],
        Relation.TRANSLATION
        if all(r.relation == Relation.TRANSLATION for r in rows)
        else Relation.RELATED,
        min(r.score for r in rows),
        user,
    )
    return _replace(session, user, "merge", rows, [merged])[0]


def extend(
    *, session: Session, user: User, link_id: int, version: int | None, document: int, index: int
) -> Link:
    """Add one paragraph to a link (1-1 → 1-2): an automatic link holding it is absorbed."""
    link = load(session, link_id, version)
    if document not in (link.source_document_id, link.target_document_id):
        raise ReviewError("the paragraph must be in one of the link's two documents")
    src = set(link.source_paragraphs) | ({index} if document == link.source_document_id else set())
    tgt = set(link.target_paragraphs) | ({index} if document == link.target_document_id else set())
    return reshape(session=session, user=user, link=link, source=src, target=tgt, action="extend")


def reshape(
    *, session: Session, user: User, link: Link, source: set[int], target: set[int], action: str
) -> Link:
    """Give a link new paragraph groups; automatic links holding an added paragraph are absorbed.

    Paragraphs that leave the link are simply unlinked (the keyboard's boundary moves).
    """
    if not source or not target:
        raise ReviewError("a link keeps at least one paragraph on each side")
    src_side = Side(link.source_document_id, tuple(sorted(source)))
    tgt_side = Side(link.target_document_id, tuple(sorted(target)))
    check_side(session, link.story_id, src_side)
    check_side(session, link.story_id, tgt_side)
    added = Side(src_side.document, tuple(sorted(source - set(link.source_paragraphs))))
    added_t = Side(tgt_side.document, tuple(sorted(target - set(link.target_paragraphs))))
    absorbed = touching(session, added, added_t, {link.id or 0})
    for other in absorbed:
        if other.status != LinkStatus.AUTO:
            raise Conflict(
                f"that paragraph already belongs to {other.status} link {other.id}",
                {"link": other.id},
            )
    new = _manual(
        link, list(src_side.paragraphs), list(tgt_side.paragraphs), link.relation, link.score, user
    )
    return _replace(session, user, action, [link, *absorbed], [new])[0]


def split(
    *,
    session: Session,
    user: User,
    link_id: int,
    version: int | None,
    parts: list[tuple[list[int], list[int]]],
) -> list[Link]:
    """Split a group link into parts (each part a source and a target paragraph list)."""
    link = load(session, link_id, version)
    for used, have, side in (
        ([i for s, _ in parts for i in s], link.source_paragraphs, "source"),
        ([j for _, t in parts for j in t], link.target_paragraphs, "target"),
    ):
        if len(used) != len(set(used)) or not set(used) <= set(have):
            raise ReviewError(
                f"the parts must use each {side} paragraph of link {link_id} at most once"
            )
    kept = [(s, t) for s, t in parts if s and t]
    if len(kept) < 2 and len(kept) == len(parts):
        raise ReviewError("a split needs at least two parts")
    new = [_manual(link, src, tgt, link.relation, link.score, user) for src, tgt in kept]
    return _replace(session, user, "split", [link], new)


def mark_key(document_id: int, index: int) -> str:
    """The history key of a paragraph's mark."""
    return f"mark:{document_id}:{index}"


def mark_state(row: ParagraphMark | None) -> dict[str, Any] | None:
    """What the history keeps of a mark."""
    return {"mark": row.mark, "target": row.target_document} if row else None


def mark_row(session: Session, document_id: int, index: int) -> ParagraphMark | None:
    """The mark on a paragraph, if any."""
    return session.exec(
        select(ParagraphMark).where(
            ParagraphMark.document_id == document_id, ParagraphMark.index == index
        )
    ).first()


def mark_paragraph(
    *,
    session: Session,
    user: User,
    document_id: int,
    index: int,
    mark: str | None,
    target_document: int | None = None,
) -> None:
    """Mark a paragraph 'not_translated' (from `target_document`, or any) or 'added'.

    None clears the mark.
    """
    if mark is not None and mark not in MARKS:
        raise ReviewError(f"mark must be one of {', '.join(MARKS)} or null, not {mark!r}")
    doc = session.get(Document, document_id)
    if doc is None:
        raise ReviewError(f"document {document_id} does not exist", status=404)
    exists = session.exec(
        select(Paragraph.id).where(Paragraph.document_id == document_id, Paragraph.index == index)
    ).first()
    if exists is None:
        raise ReviewError(f"document {document_id} has no paragraph {para_no(index)}", status=404)
    if target_document is not None:
        target = session.get(Document, target_document)
        if target is None or target.story_id != doc.story_id or target.id == document_id:
            raise ReviewError(f"document {target_document} is not another version of this story")
    with writing(session):
        row = mark_row(session, document_id, index)
        key = mark_key(document_id, index)
        before = {key: mark_state(row)}
        if row is not None:
            session.delete(row)
            session.flush()
        new = None
        if mark is not None:
            assert user.id is not None
            new = ParagraphMark(
                document_id=document_id,
                index=index,
                mark=mark,
                user_id=user.id,
                target_document=target_document if mark == "not_translated" else None,
            )
            session.add(new)
        record(session, user, doc.story_id, "mark", before, {key: mark_state(new)})


def history(session: Session, link_id: int, viewer: User | None) -> list[dict[str, Any]]:
    """Every recorded change that touched a link, oldest first, with who made it.

    Only events of stories `viewer` may read count: the history of a link that was in
    someone's private story is as absent as the story.
    """
    link = session.get(Link, link_id)
    readable: dict[int, bool] = {}
    # All stories: a move is recorded in the story the document went to.
    query = select(LinkEvent).order_by(col(LinkEvent.id))
    names = {u.id: u.name for u in session.exec(select(User))}
    out = []
    for event in session.exec(query):
        if link_id not in event.link_ids:
            continue
        if event.story_id not in readable:
            readable[event.story_id] = may_read(session.get(Story, event.story_id), viewer)
        if not readable[event.story_id]:
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
