"""Copy a story out of the database for export, and an imported TMX into it."""

import json
from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.exchange import (
    ExchangeError,
    ExportDocument,
    ExportLink,
    ExportMark,
    ExportSentenceLink,
    ExportStory,
    ImportedDocument,
    ImportedStory,
    read_tmx,
    to_json,
    to_tmx,
    to_tsv,
)
from app.exchange.link_shape import link_shape
from app.ingest import IngestError, parse_text
from app.library.stories import get_story, paragraphs_of, sentences_of
from app.models import (
    PUBLIC,
    Document,
    Link,
    Paragraph,
    ParagraphMark,
    Sentence,
    SentenceLink,
    Story,
    User,
)
from app.pipeline.store import store_document
from app.statuses import LinkStatus

# Imported links keep these statuses; any other arrives as a link made by hand.
KEPT = (LinkStatus.CONFIRMED, LinkStatus.MANUAL)


def export_story(session: Session, story_id: int) -> ExportStory | None:
    """The story with every document's paragraphs and every link, reviewers by name."""
    item = get_story(session, story_id)
    if item is None:
        return None
    ids = [d.id for d in item.documents if d.id is not None]
    paras = paragraphs_of(session, ids)
    names = {u.id: u.name for u in session.exec(select(User))}
    links = session.exec(select(Link).where(Link.story_id == story_id).order_by(col(Link.id))).all()
    sentences = sentences_of(session, [p.id for ps in paras.values() for p in ps if p.id])
    return ExportStory(
        id=story_id,
        title=item.story.title,
        documents=tuple(_export_document(d, paras[d.id or 0], sentences) for d in item.documents),
        links=tuple(_export_link(lk, names) for lk in links),
        sentence_links=_export_sentence_links(session, links),
        marks=_export_marks(session, ids),
    )


def _export_document(
    d: Document, paras: list[Paragraph], sentences: dict[int, list[Sentence]]
) -> ExportDocument:
    return ExportDocument(
        id=d.id or 0,
        lang=d.language_tag,
        source=d.source,
        title=d.title,
        paragraphs=tuple(p.text for p in paras),
        sentences=tuple(
            tuple((s.index, s.text) for s in sentences.get(p.id or 0, [])) for p in paras
        ),
    )


def _export_link(lk: Link, names: dict[int | None, str]) -> ExportLink:
    reviewer = names.get(lk.reviewed_by) if lk.reviewed_by else None
    return ExportLink.of(link_shape(lk), reviewed_by=reviewer, reviewed_at=lk.reviewed_at)


def _export_sentence_links(
    session: Session, links: Sequence[Link]
) -> tuple[ExportSentenceLink, ...]:
    """The sentence links under the story's links, each with its link's status and relation."""
    by_link = {lk.id: lk for lk in links}
    return tuple(
        ExportSentenceLink(
            source_document=by_link[sl.link_id].source_document_id,
            source_sentences=tuple((int(p), int(i)) for p, i in sl.source_sentences),
            target_document=by_link[sl.link_id].target_document_id,
            target_sentences=tuple((int(p), int(i)) for p, i in sl.target_sentences),
            score=sl.score,
            status=by_link[sl.link_id].status,
            relation=by_link[sl.link_id].relation,
        )
        for sl in session.exec(
            select(SentenceLink)
            .where(col(SentenceLink.link_id).in_(list(by_link)))
            .order_by(col(SentenceLink.id))
        )
    )


def _export_marks(session: Session, ids: list[int]) -> tuple[ExportMark, ...]:
    return tuple(
        ExportMark(m.document_id, m.index, m.mark, m.target_document)
        for m in session.exec(
            select(ParagraphMark)
            .where(col(ParagraphMark.document_id).in_(ids))
            .order_by(col(ParagraphMark.document_id), col(ParagraphMark.index))
        )
    )


def import_tmx(*, engine: Engine, data: bytes, source: str, user_id: int | None = None) -> int:
    """Store a TMX file as a new story with its documents, links and, when `user_id` names
    the editor importing it, their marks; returns the story id."""
    imported: ImportedStory = read_tmx(data, source=source)
    with Session(engine) as session:
        try:
            story = Story(title=imported.title or source)
            session.add(story)
            session.flush()
            assert story.id is not None
            doc_ids = [
                _store_imported(session, story.id, source, n, doc)
                for n, doc in enumerate(imported.documents)
            ]
            for link in imported.links:
                a, b = doc_ids[link.source_document], doc_ids[link.target_document]
                src, tgt = list(link.source_paragraphs), list(link.target_paragraphs)
                if a > b:  # links are stored from the older document to the newer one
                    a, b, src, tgt = b, a, tgt, src
                session.add(
                    Link(
                        story_id=story.id,
                        source_document_id=a,
                        target_document_id=b,
                        source_paragraphs=src,
                        target_paragraphs=tgt,
                        relation=link.relation,
                        score=link.score,
                        status=link.status if link.status in KEPT else LinkStatus.MANUAL,
                        reviewed_at=link.reviewed_at,
                    )
                )
            if user_id is not None:
                session.add_all(
                    ParagraphMark(
                        document_id=doc_ids[m.document],
                        index=m.paragraph,
                        mark=m.mark,
                        target_document=(
                            doc_ids[m.target_document] if m.target_document is not None else None
                        ),
                        user_id=user_id,
                    )
                    for m in imported.marks
                )
            session.commit()
        except Exception:
            session.rollback()
            raise
        return story.id


def _store_imported(
    session: Session, story_id: int, source: str, n: int, doc: ImportedDocument
) -> int:
    # One block per segment, line breaks inside a segment flattened, so that the paragraph
    # numbering of the TMX survives the ingest pipeline (kinds, sentences, languages).
    text = "\n\n".join(" ".join(p.split()) for p in doc.paragraphs)
    where = f"document {n + 1} ({doc.lang})"
    try:
        parsed = parse_text(
            text,
            source=doc.source or f"{source}#{doc.lang}",
            lang=doc.lang.split("-")[0],
            title=doc.title or None,
        )
    except IngestError as err:
        raise ExchangeError(source, f"{where}: {err.reason}") from err
    if len(parsed.paragraphs) != len(doc.paragraphs):
        raise ExchangeError(source, f"{where}: its segments did not stay separate paragraphs")
    if session.exec(
        select(Document.id).where(
            Document.content_hash == parsed.content_hash, Document.visibility == PUBLIC
        )
    ).first():
        raise ExchangeError(source, f"{where} is already in the database")
    row = store_document(session, parsed, story_id=story_id)
    assert row.id is not None
    return row.id


def render_export(story: ExportStory, fmt: str, pair: tuple[int, int] | None) -> bytes:
    """The export file's bytes (HTML is rendered by the route, with the page templates)."""
    if fmt == "tmx":
        return to_tmx(story, documents=pair)
    if fmt == "tsv":
        return to_tsv(story, documents=pair).encode("utf-8")
    return json.dumps(to_json(story, documents=pair), ensure_ascii=False, indent=1).encode("utf-8")
