"""Editors move a document to another story or remove it from the library, with history.

Both record every link, pair and mark of the document before and after in one event, so
undo (app/review/undo.py) brings all of it back, and a link's history survives the move.
"""

import base64
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.labels import machine_translation_note
from app.library.visibility import same_library
from app.models import (
    PUBLIC,
    Document,
    DocumentPair,
    DocumentVector,
    Link,
    Paragraph,
    ParagraphMark,
    Sentence,
    SentenceLink,
    Story,
    User,
)
from app.paranum import para_no
from app.review.changes import (
    Conflict,
    ReviewError,
    mark_key,
    mark_state,
    record,
    with_sentences,
    writing,
)
from app.statuses import REVIEWED


def doc_state(session: Session, doc_id: int) -> dict[str, Any] | None:
    """Where a document sits now (its story), None when it is not in the library."""
    doc = session.get(Document, doc_id, populate_existing=True)
    if doc is None:
        return None
    story = session.get(Story, doc.story_id)
    return {
        "story_id": doc.story_id,
        "story_title": story.title if story else "",
        "story_created": story.created_at.isoformat() if story else None,
    }


def same_doc_state(current: Any, expected: Any) -> bool:
    """Same place (story), or both absent."""
    if current is None or expected is None:
        return current is None and expected is None
    return bool(current["story_id"] == expected["story_id"])


def _content(session: Session, doc: Document) -> dict[str, Any]:
    """Everything needed to put a removed document back as it was."""
    paras = session.exec(
        select(Paragraph).where(Paragraph.document_id == doc.id).order_by(col(Paragraph.index))
    ).all()
    sentences: dict[int, list[Sentence]] = {}
    for sent in session.exec(
        select(Sentence)
        .where(col(Sentence.paragraph_id).in_([p.id for p in paras]))
        .order_by(col(Sentence.index))
    ):
        sentences.setdefault(sent.paragraph_id, []).append(sent)
    return {
        "source": doc.source,
        "title": doc.title,
        "lang": doc.lang,
        "content_hash": doc.content_hash,
        "original": doc.original,
        "created_at": doc.created_at.isoformat(),
        "owner_id": doc.owner_id,
        "visibility": doc.visibility,
        "paragraphs": [
            {
                "index": p.index,
                "text": p.text,
                "kind": p.kind,
                "lang": p.lang,
                "start": p.start,
                "end": p.end,
                "sentences": [
                    [s.index, s.text, s.lang, s.start, s.end] for s in sentences.get(p.id or 0, [])
                ],
            }
            for p in paras
        ],
        # its place in the grouping index, which the model is not needed to restore
        "vectors": [
            [v.encoder, v.lang, base64.b64encode(v.vector).decode("ascii")]
            for v in session.exec(
                select(DocumentVector).where(DocumentVector.document_id == doc.id)
            )
        ],
    }


def _story_for(session: Session, state: dict[str, Any]) -> int:
    """The story a restored document goes back to, recreated when it was emptied and dropped."""
    story = session.get(Story, state["story_id"])
    created = state.get("story_created")
    content = state.get("content") or {}
    if story is None:
        when: dict[str, Any] = {"created_at": datetime.fromisoformat(created)} if created else {}
        session.add(
            Story(
                id=state["story_id"],
                title=state.get("story_title") or "",
                visibility=content.get("visibility", PUBLIC),
                owner_id=content.get("owner_id"),
                **when,
            )
        )
        session.flush()
    elif created and story.created_at.isoformat() != created:
        raise Conflict(f"story {state['story_id']} is gone and its number now names another")
    return int(state["story_id"])


def _restore_content(session: Session, doc_id: int, state: dict[str, Any]) -> None:
    content = state.get("content")
    if content is None:
        raise Conflict(f"document {doc_id} was removed and its text is not in the history")
    story_id = _story_for(session, state)
    fields = {k: v for k, v in content.items() if k not in ("paragraphs", "vectors")}
    fields["created_at"] = datetime.fromisoformat(fields["created_at"])
    # history written before migration 0016 has no note: find it as ingest does
    fields["mt_note"] = machine_translation_note([p["text"] for p in content["paragraphs"]])
    session.add(Document(id=doc_id, story_id=story_id, **fields))
    try:
        session.flush()
    except IntegrityError as err:
        raise Conflict(f"document {doc_id} cannot come back: the same text is there again") from err
    for p in content["paragraphs"]:
        row = Paragraph(
            document_id=doc_id,
            **{k: p[k] for k in ("index", "text", "kind", "lang", "start", "end")},
        )
        session.add(row)
        session.flush()
        assert row.id is not None
        session.add_all(
            Sentence(paragraph_id=row.id, index=i, text=t, lang=lang, start=s, end=e)
            for i, t, lang, s, e in p["sentences"]
        )
    # History written before the vectors were kept has none: such a document is found again
    # only once it is grouped again.
    session.add_all(
        DocumentVector(document_id=doc_id, encoder=name, lang=lang, vector=base64.b64decode(blob))
        for name, lang, blob in content.get("vectors", [])
    )
    session.flush()


def apply_doc_state(session: Session, doc_id: int, state: dict[str, Any] | None) -> None:
    """Move a document back to a story, bring a removed one back, or remove it (no commit)."""
    doc = session.get(Document, doc_id)
    if state is None:
        if doc is not None:
            session.delete(doc)
            session.flush()
        return
    if doc is None:
        _restore_content(session, doc_id, state)
        return
    doc.story_id = _story_for(session, state)
    session.add(doc)
    session.flush()


def _pair_key(pair: DocumentPair) -> str:
    return f"pair:{pair.source_document_id}:{pair.target_document_id}"


def _pair_state(pair: DocumentPair) -> dict[str, Any]:
    return {"story_id": pair.story_id, "kind": pair.kind, "score": pair.score}


def surroundings(session: Session, doc_id: int) -> dict[str, Any]:
    """The links, pairs and marks that depend on a document, as history states."""
    out: dict[str, Any] = {}
    for link in session.exec(
        select(Link)
        .where((Link.source_document_id == doc_id) | (Link.target_document_id == doc_id))
        .execution_options(populate_existing=True)
    ):
        out[str(link.id)] = with_sentences(session, link)
    for pair in session.exec(
        select(DocumentPair).where(
            (DocumentPair.source_document_id == doc_id)
            | (DocumentPair.target_document_id == doc_id)
        )
    ):
        out[_pair_key(pair)] = _pair_state(pair)
    for mark in session.exec(
        select(ParagraphMark).where(
            (ParagraphMark.document_id == doc_id) | (ParagraphMark.target_document == doc_id)
        )
    ):
        out[mark_key(mark.document_id, mark.index)] = mark_state(mark)
    return out


def both(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Give both sides the same keys: what is missing on one side did not exist there."""
    keys = set(before) | set(after)
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def reviewed_links(session: Session, doc_id: int) -> list[dict[str, Any]]:
    """The links of a document an editor has decided on."""
    return [
        {"id": int(k), **{f: x for f, x in v.items() if f != "sentences"}}
        for k, v in surroundings(session, doc_id).items()
        if k.isdigit() and v["status"] in REVIEWED
    ]


def check_move(
    *, session: Session, document_id: int, story_id: int | None, discard_reviewed: bool
) -> Document:
    """The document, if it may move to `story_id`; else ReviewError (404, 422, or 409 listing
    the reviewed links the move would discard)."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise ReviewError(f"document {document_id} does not exist", status=404)
    target = session.get(Story, story_id) if story_id is not None else None
    # Documents move within one library only: someone else's private story is as missing.
    if story_id is not None and (target is None or not same_library(target, doc)):
        if target is not None and target.visibility == PUBLIC:
            raise ReviewError("a private text cannot join a public story; publish it first")
        raise ReviewError(f"story {story_id} does not exist")
    # Realigning in place keeps reviewed links; only leaving the story discards them.
    reviewed = reviewed_links(session, document_id) if story_id != doc.story_id else []
    if reviewed and not discard_reviewed:
        raise Conflict(
            f"document {document_id} has {len(reviewed)} reviewed link(s) that the move would "
            'discard (they stay in the history); send {"discard_reviewed": true} to move anyway',
            {"reviewed_links": reviewed},
        )
    return doc


def move_document(
    *,
    session: Session,
    encoder: Encoder,
    user: User,
    document_id: int,
    story_id: int | None,
    discard_reviewed: bool = False,
) -> Document:
    """Move a document to another story (None: a story of its own) and realign it there.

    Links an editor reviewed cannot follow the document; unless `discard_reviewed`, the move
    is refused with a 409 that lists them. Either way they stay in the history, and undo puts
    the document, its links and pairs back.
    """
    from app.pipeline.alignment import move_into_story
    from app.pipeline.steps import align_in

    doc = check_move(
        session=session,
        document_id=document_id,
        story_id=story_id,
        discard_reviewed=discard_reviewed,
    )
    key = f"doc:{document_id}"
    before = {key: doc_state(session, document_id), **surroundings(session, document_id)}
    with writing(session):
        move_into_story(session, doc, story_id)
        align_in(session, encoder, doc)
        after = {key: doc_state(session, document_id), **surroundings(session, document_id)}
        before, after = both(before, after)
        record(session, user, doc.story_id, "move", before, after)
    session.refresh(doc)
    return doc


def remove_document(*, session: Session, user: User, document_id: int) -> int:
    """Remove a document and what depends on it (links, pairs, marks, findings); undoable.

    Returns the story it was in, which is kept (with its history) even when left empty.
    """
    doc = session.get(Document, document_id)
    if doc is None:
        raise ReviewError(f"document {document_id} does not exist", status=404)
    story_id = doc.story_id
    key = f"doc:{document_id}"
    state = doc_state(session, document_id)
    assert state is not None
    before = {
        key: {**state, "content": _content(session, doc)},
        **surroundings(session, document_id),
    }
    after = {k: None for k in before}
    with writing(session):
        session.connection().execute(
            delete(ParagraphMark).where(col(ParagraphMark.target_document) == document_id)
        )
        session.delete(doc)
        session.flush()
        record(session, user, story_id, "remove", before, after)
    return story_id


def paragraph_key(document_id: int, index: int) -> str:
    """The history key of a paragraph's text."""
    return f"para:{document_id}:{index}"


def _paragraph(session: Session, key: str) -> Paragraph | None:
    _, doc, index = key.split(":")
    return session.exec(
        select(Paragraph).where(Paragraph.document_id == int(doc), Paragraph.index == int(index))
    ).first()


def paragraph_state(session: Session, key: str) -> dict[str, Any] | None:
    """A paragraph's text, as the history keeps it."""
    para = _paragraph(session, key)
    return {"text": para.text} if para else None


def apply_paragraph_state(session: Session, key: str, state: dict[str, Any] | None) -> None:
    """Give a paragraph its text back, with its sentences split again (no commit)."""
    para = _paragraph(session, key)
    if para is None or state is None:
        raise Conflict(f"{key.replace('para:', 'paragraph ')} is gone")
    set_text(session, para, state["text"])


def set_text(session: Session, para: Paragraph, text: str) -> None:
    """Replace a paragraph's text and sentences; sentence links through it are dropped."""
    from app.ingest.paragraphs import Span
    from app.ingest.sentences import split_sentences

    doc = session.get(Document, para.document_id)
    assert doc is not None and para.id is not None
    # Sentences are numbered through the document; the edited paragraph keeps its first number.
    first = session.exec(
        select(Sentence.index).where(Sentence.paragraph_id == para.id).order_by(col(Sentence.index))
    ).first()
    session.connection().execute(delete(Sentence).where(col(Sentence.paragraph_id) == para.id))
    holders = [
        link.id
        for link in session.exec(
            select(Link).where(
                (Link.source_document_id == doc.id) | (Link.target_document_id == doc.id)
            )
        )
        if para.index
        in (link.source_paragraphs if link.source_document_id == doc.id else link.target_paragraphs)
    ]
    session.connection().execute(
        delete(SentenceLink).where(col(SentenceLink.link_id).in_(list(holders)))
    )
    para.text = text
    session.add(para)
    start = 0
    index = first or 0
    for line in text.split("\n"):
        line_span = Span(start, start + len(line))
        for span in split_sentences(text, line_span, para.lang or doc.lang):
            session.add(
                Sentence(
                    paragraph_id=para.id,
                    index=index,
                    text=text[span.start : span.end],
                    lang=para.lang,
                    start=para.start + span.start,
                    end=para.start + span.end,
                )
            )
            index += 1
        start += len(line) + 1
    session.flush()
    texts = session.exec(
        select(Paragraph.text).where(Paragraph.document_id == doc.id).order_by(col(Paragraph.index))
    ).all()
    doc.mt_note = machine_translation_note(list(texts))  # the edit may add or remove it
    session.add(doc)
    session.flush()


def edit_text(
    *,
    session: Session,
    encoder: Encoder | None,
    user: User,
    document_id: int,
    index: int,
    text: str,
) -> Paragraph:
    """Change a paragraph's text; with a model, realign the document (reviewed links stay).

    Recorded with the links around it, so one undo restores the text and the alignment.
    """
    from app.pipeline.alignment import fill_sentence_links
    from app.pipeline.steps import align_in

    text = text.strip()
    if not text:
        raise ReviewError("a paragraph cannot be empty; remove the document or mark it instead")
    key = paragraph_key(document_id, index)
    para = _paragraph(session, key)
    doc = session.get(Document, document_id)
    if para is None or doc is None:
        raise ReviewError(f"document {document_id} has no paragraph {para_no(index)}", status=404)
    if para.text == text:
        raise ReviewError("the text is unchanged")
    before = {key: {"text": para.text}, **surroundings(session, document_id)}
    with writing(session):
        set_text(session, para, text)
        if encoder is not None:
            align_in(session, encoder, doc)
        after = {key: {"text": text}, **surroundings(session, document_id)}
        before, after = both(before, after)
        record(session, user, doc.story_id, "text", before, after)
    if encoder is not None:
        fill_sentence_links(session=session, encoder=encoder, story_id=doc.story_id)
    session.refresh(para)
    return para
