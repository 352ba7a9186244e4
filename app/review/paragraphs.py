"""Editors split a paragraph at the cursor or merge it with the next one, undoably.

Paragraph indexes shift, so everything that names a paragraph of the document by index
moves with them: links (and their sentence links), marks. Findings follow by the refresh job
every recorded change queues. One event records the document's paragraph layout
(`layout:<document>`) with the links and marks around it, so one undo puts all of it back.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from app.library import documents
from app.models import Document, Link, LinkEvent, Paragraph, ParagraphMark, SentenceLink, User
from app.paranum import para_no
from app.review.changes import (
    Conflict,
    ReviewError,
    guarded_delete,
    guarded_update,
    record,
    refuse_while_aligning,
    writing,
)
from app.statuses import VISIBLE


@dataclass(frozen=True)
class Reshaped:
    """What a split or merge left: the paragraphs it made and the event that records it."""

    paragraphs: tuple[Paragraph, ...]
    event: int


def layout_key(document_id: int) -> str:
    """The history key of a document's paragraph layout."""
    return f"layout:{document_id}"


def _rows(session: Session, document_id: int) -> list[Paragraph]:
    return list(
        session.exec(
            select(Paragraph)
            .where(Paragraph.document_id == document_id)
            .order_by(col(Paragraph.index))
            .execution_options(populate_existing=True)
        ).all()
    )


def _fields(p: Paragraph) -> dict[str, Any]:
    return {"text": p.text, "kind": p.kind, "lang": p.lang, "start": p.start, "end": p.end}


def layout_state(
    session: Session, document_id: int, touched: tuple[int, ...] = ()
) -> dict[str, Any] | None:
    """The paragraph ids in reading order, with the fields of the `touched` ones."""
    rows = _rows(session, document_id)
    if not rows:
        return None
    return {
        "ids": [p.id for p in rows],
        "texts": {str(p.id): _fields(p) for p in rows if p.id in touched},
    }


def same_layout(current: Any, expected: Any) -> bool:
    """The same paragraphs in the same order (or both absent)."""
    if current is None or expected is None:
        return current is None and expected is None
    return bool(current["ids"] == expected["ids"])


def apply_layout(session: Session, document_id: int, state: dict[str, Any] | None) -> None:
    """Put a document's paragraphs back in `state`'s order and text (no commit)."""
    if state is None:
        return
    rows = {p.id: p for p in _rows(session, document_id)}
    texts = state.get("texts", {})
    # Out of the way first: indexes are unique per document.
    session.flush()
    session.connection().execute(
        update(Paragraph)
        .where(col(Paragraph.document_id) == document_id)
        .values(index=-col(Paragraph.index) - 1)
    )
    for pid, old in rows.items():
        session.expire(old, ["index"])
        if pid not in state["ids"]:
            session.delete(old)
    session.flush()
    changed = []
    for index, pid in enumerate(state["ids"]):
        fields = texts.get(str(pid))
        row = rows.get(pid)
        if row is None:
            if fields is None:
                raise Conflict(f"a paragraph of document {document_id} is gone from the history")
            row = Paragraph(id=pid, document_id=document_id, index=index, **fields)
            row.text = ""
            changed.append((row, fields["text"]))
        else:
            row.index = index
            if fields is not None:
                row.kind, row.lang = fields["kind"], fields["lang"]
                row.start, row.end = fields["start"], fields["end"]
                if row.text != fields["text"]:
                    changed.append((row, fields["text"]))
        session.add(row)
    session.flush()
    for row, text in changed:
        documents.set_text(session, row, text)


def _shift(indexes: list[int], at: int, delta: int, join: bool) -> list[int]:
    """Paragraph indexes after a split (`delta` +1) or a merge (-1) at index `at`."""
    out = set()
    for i in indexes:
        if delta > 0:
            out.add(i + 1 if i > at else i)
            if join and i == at:
                out.add(at + 1)
        else:
            out.add(i - 1 if i > at else i)
    return sorted(out)


def _remap_sentences(session: Session, link: Link, doc_id: int, at: int, delta: int) -> None:
    """Sentence links keep pointing at the same sentences; those of the edited paragraphs go."""
    edited = {at, at + 1} if delta < 0 else {at}
    for row in session.exec(select(SentenceLink).where(SentenceLink.link_id == link.id)).all():
        mine = row.source_sentences if link.source_document_id == doc_id else row.target_sentences
        if any(p in edited for p, _ in mine):
            session.delete(row)
            continue
        moved = [[p + delta if p > at else p, s] for p, s in mine]
        if link.source_document_id == doc_id:
            row.source_sentences = moved
        else:
            row.target_sentences = moved
        session.add(row)


def _move_links(session: Session, doc_id: int, at: int, delta: int) -> None:
    """Shift (and after a merge, join) every link of the document around index `at`."""
    links = session.exec(
        select(Link)
        .where((Link.source_document_id == doc_id) | (Link.target_document_id == doc_id))
        .order_by(col(Link.id))
        .execution_options(populate_existing=True)
    ).all()
    held: dict[int, Link] = {}  # per other document: the live link holding the merged ¶
    for link in links:
        mine_src = link.source_document_id == doc_id
        mine = link.source_paragraphs if mine_src else link.target_paragraphs
        if not any(i >= at for i in mine):
            continue
        _remap_sentences(session, link, doc_id, at, delta)
        new = _shift(mine, at, delta, join=True)
        other = link.target_document_id if mine_src else link.source_document_id
        if delta < 0 and link.status in VISIBLE and at in new:
            first = held.get(other)
            if first is not None:  # two links now share the merged paragraph: one link
                src = set(first.source_paragraphs) | set(
                    new if mine_src else link.source_paragraphs
                )
                tgt = set(first.target_paragraphs) | set(
                    link.target_paragraphs if mine_src else new
                )
                guarded_delete(session, link)
                guarded_update(
                    session, first, source_paragraphs=sorted(src), target_paragraphs=sorted(tgt)
                )
                continue
            held[other] = link
        side = "source_paragraphs" if mine_src else "target_paragraphs"
        guarded_update(session, link, **{side: new})


def _move_marks(session: Session, doc_id: int, at: int, delta: int) -> None:
    marks = session.exec(
        select(ParagraphMark)
        .where(ParagraphMark.document_id == doc_id, col(ParagraphMark.index) > at)
        .order_by(col(ParagraphMark.index).desc() if delta > 0 else col(ParagraphMark.index))
    ).all()
    kept_at = any(
        m.index == at
        for m in session.exec(
            select(ParagraphMark).where(
                ParagraphMark.document_id == doc_id, ParagraphMark.index == at
            )
        )
    )
    for mark in marks:
        if delta < 0 and mark.index == at + 1 and kept_at:
            session.delete(mark)  # the merged paragraph keeps the first paragraph's mark
        else:
            mark.index += delta
            session.add(mark)
        session.flush()


def _start(session: Session, document_id: int, index: int) -> tuple[Document, Paragraph]:
    doc = session.get(Document, document_id)
    para = session.exec(
        select(Paragraph).where(Paragraph.document_id == document_id, Paragraph.index == index)
    ).first()
    if doc is None or para is None:
        raise ReviewError(f"document {document_id} has no paragraph {para_no(index)}", status=404)
    # A realignment under way plans from the paragraphs it read: they must not move meanwhile.
    refuse_while_aligning(session, doc.story_id, (document_id,))
    return doc, para


def _record(
    session: Session, user: User, doc: Document, action: str, before: dict[str, Any], touched: tuple
) -> LinkEvent:
    assert doc.id is not None
    after = {
        layout_key(doc.id): layout_state(session, doc.id, touched),
        **documents.surroundings(session, doc.id),
    }
    before, after = documents.both(before, after)
    return record(session, user, doc.story_id, action, before, after)


def _before(session: Session, doc_id: int, touched: tuple) -> dict[str, Any]:
    return {
        layout_key(doc_id): layout_state(session, doc_id, touched),
        **documents.surroundings(session, doc_id),
    }


def split_paragraph(
    *, session: Session, user: User, document_id: int, index: int, at: int
) -> Reshaped:
    """Split a paragraph at character `at` of its text; links holding it hold both halves."""
    doc, para = _start(session, document_id, index)
    head, tail = para.text[:at].rstrip(), para.text[at:].lstrip()
    if not 0 < at < len(para.text) or not head or not tail:
        raise ReviewError(
            f"split {para_no(index)} inside its text: both parts need some text "
            f"(the cursor was at {at} of {len(para.text)} characters)"
        )
    touched = (para.id or 0,)
    before = _before(session, document_id, touched)
    with writing(session):
        _move_marks(session, document_id, index, +1)
        _move_links(session, document_id, index, +1)
        end = para.end
        para.end = min(end, para.start + len(head))
        new = Paragraph(
            document_id=document_id,
            index=index + 1,
            text="",
            kind=para.kind,
            lang=para.lang,
            start=max(para.end, end - len(tail)),
            end=end,
        )
        _insert_after(session, document_id, index, new)
        documents.set_text(session, para, head)
        documents.set_text(session, new, tail)
        event = _record(session, user, doc, "split_text", before, (para.id or 0, new.id or 0))
    return Reshaped((para, new), event.id or 0)


def _insert_after(session: Session, document_id: int, index: int, new: Paragraph) -> None:
    """Make room after `index` (the later paragraphs move down one) and add `new` there."""
    later = session.exec(
        select(Paragraph)
        .where(Paragraph.document_id == document_id, col(Paragraph.index) > index)
        .order_by(col(Paragraph.index).desc())
    ).all()
    for row in later:
        row.index += 1
        session.add(row)
        session.flush()
    session.add(new)
    session.flush()


def merge_paragraphs(*, session: Session, user: User, document_id: int, index: int) -> Reshaped:
    """Join a paragraph with the next one; links of either hold the joined paragraph."""
    doc, para = _start(session, document_id, index)
    nxt = session.exec(
        select(Paragraph).where(Paragraph.document_id == document_id, Paragraph.index == index + 1)
    ).first()
    if nxt is None:
        raise ReviewError(f"{para_no(index)} is the last paragraph: there is none to merge with")
    touched = (para.id or 0, nxt.id or 0)
    before = _before(session, document_id, touched)
    with writing(session):
        _move_marks(session, document_id, index, -1)
        _move_links(session, document_id, index, -1)
        text = f"{para.text} {nxt.text}"
        para.end = max(para.end, nxt.end)
        ids = [p.id for p in _rows(session, document_id) if p.id != nxt.id]
        apply_layout(session, document_id, {"ids": ids})
        documents.set_text(session, para, text)
        event = _record(session, user, doc, "merge_text", before, touched)
    session.refresh(para)
    return Reshaped((para,), event.id or 0)
