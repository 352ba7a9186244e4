"""Run the cross-language checks over a story stored in the database."""

from typing import Any

from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.checks import CheckLink, CheckPair, CheckParagraph, Finding, run_checks
from app.models import Document, DocumentPair, Link, ParagraphMark
from app.services.embeddings import CachedEncoder
from app.services.stories import get_story, paragraphs_of, sentences_of


def story_findings(
    session: Session, story_id: int, encoder: Encoder | None
) -> list[Finding] | None:
    """Every finding of a story, riskiest first; None when the story does not exist."""
    item = get_story(session, story_id)
    if item is None:
        return None
    docs: dict[int, Document] = {d.id or 0: d for d in item.documents}
    paras = paragraphs_of(session, list(docs))
    para_ids = {p.id: p for ps in paras.values() for p in ps}
    sentences = sentences_of(session, [i for i in para_ids if i is not None])
    check_paras = [
        CheckParagraph(
            document=p.document_id,
            index=p.index,
            text=p.text,
            kind=p.kind,
            lang=p.lang,
            doc_lang=docs[p.document_id].lang,
            sentences=tuple(s.text for s in sentences.get(p.id or 0, [])),
            sentence_langs=tuple(s.lang for s in sentences.get(p.id or 0, [])),
        )
        for ps in paras.values()
        for p in ps
    ]
    links = [
        CheckLink(
            source_document=lk.source_document_id,
            source_paragraphs=tuple(lk.source_paragraphs),
            target_document=lk.target_document_id,
            target_paragraphs=tuple(lk.target_paragraphs),
            relation=lk.relation,
            status=lk.status,
            score=lk.score,
        )
        for lk in session.exec(select(Link).where(Link.story_id == story_id))
    ]
    pairs = [
        CheckPair(source=pr.source_document_id, target=pr.target_document_id, kind=pr.kind)
        for pr in session.exec(select(DocumentPair).where(DocumentPair.story_id == story_id))
    ]
    marks = {
        (m.document_id, m.index): m.mark
        for m in session.exec(
            select(ParagraphMark).where(col(ParagraphMark.document_id).in_(list(docs)))
        )
    }
    cached = CachedEncoder(encoder, session) if encoder is not None else None
    findings = run_checks(check_paras, links, pairs, encoder=cached, marks=marks)
    # Embeddings computed for the checks are worth keeping for the next request.
    session.commit()
    return findings


def finding_json(f: Finding) -> dict[str, Any]:
    """The API's shape of a finding."""
    return {
        "check": f.check,
        "document": f.document,
        "paragraph": f.paragraph,
        "counterpart": (
            {"document": f.counterpart[0], "paragraphs": list(f.counterpart[1])}
            if f.counterpart
            else None
        ),
        "detail": f.detail,
    }
