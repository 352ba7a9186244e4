"""Store the engine's paragraph and sentence links for the documents of a story."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlmodel import Session, col, delete, select

from app.align.beads import Bead
from app.align.core import SENTENCE_PARAMS, align_documents, align_sentences, encode_overlaps
from app.align.encoder import Encoder, encoder_for
from app.models import Document, DocumentPair, Link, Paragraph, Sentence, SentenceLink, Story
from app.models.versions import touch_stories
from app.pipeline.embeddings import CachedEncoder
from app.statuses import Relation

log = logging.getLogger(__name__)

# Prose may be linked; code never is (Markdown and EPUB code blocks).
LINKABLE_KINDS = ("text", "heading", "list", "quote", "table")
# Statuses an editor set: re-running the automatic alignment must never touch these.
KEPT_STATUSES = ("confirmed", "manual", "rejected")


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


@dataclass
class PlannedLink:
    """A link the alignment proposes, with the sentence beads inside it."""

    src: list[int]
    tgt: list[int]
    relation: str
    score: float
    # (source [paragraph, sentence] pairs, target pairs, score) per sentence bead.
    sentences: list[tuple[list[list[int]], list[list[int]], float]]


@dataclass
class PairPlan:
    """Everything `apply_pair` writes for one document pair, computed without writing."""

    source_id: int
    target_id: int
    story_id: int
    kind: str
    score: float
    links: list[PlannedLink]
    # The editor-set links the plan respected; if they change before applying, plan again.
    kept: frozenset[tuple[int, int]]


class _SentenceSpans:
    """Every run of up to K sentences of one document, encoded once for all its links.

    A link's sentences are a contiguous run of its document's sentences, so the span
    vectors inside each link are a slice of the document's (computed on first need, in
    one pass; see :func:`app.align.core.encode_overlaps`). Their single-sentence vectors
    go to the encoder's cache too (``remember``), for the findings that compare sentences.
    """

    def __init__(self, encoder: Encoder, sents: dict[int, list[Sentence]]) -> None:
        self.encoder = encoder
        self.order = [(p, s) for p in sorted(sents) for s in sents[p]]
        self.where = {(p, s.index): n for n, (p, s) in enumerate(self.order)}
        self.k = max(SENTENCE_PARAMS.max_align - 1, 1)
        self._vecs: np.ndarray | None = None

    def run(self, units: Sequence[tuple[int, Sentence]]) -> np.ndarray | None:
        """(K, len(units), d) vectors of a contiguous run; None when it is not one."""
        pos = [self.where.get((p, s.index), -1) for p, s in units]
        start, n = pos[0], len(pos)
        if start < 0 or pos != list(range(start, start + n)):
            return None
        if self._vecs is None:
            texts = [s.text for _, s in self.order]
            self._vecs = encode_overlaps(texts, self.encoder, self.k)
            remember = getattr(self.encoder, "remember", None)
            if remember is not None:
                remember(texts, self._vecs[0])
        out = self._vecs[:, start : start + n].copy()
        for k in range(2, self.k + 1):
            out[k - 1, max(n - k + 1, 0) :] = 0.0
        return out


def _sentence_beads(
    encoder: Encoder,
    src_paras: Sequence[int],
    tgt_paras: Sequence[int],
    src_sents: dict[int, list[Sentence]],
    tgt_sents: dict[int, list[Sentence]],
    spans: tuple[_SentenceSpans, _SentenceSpans] | None = None,
) -> list[tuple[list[list[int]], list[list[int]], float]]:
    """Align the sentences inside one paragraph link with the same monotonic engine.

    `spans`: both documents' sentence runs, when the caller aligns several links of a pair.
    """
    src = [(p, s) for p in src_paras for s in src_sents.get(p, [])]
    tgt = [(p, s) for p in tgt_paras for s in tgt_sents.get(p, [])]
    if not src or not tgt:
        return []
    vecs = (spans[0].run(src), spans[1].run(tgt)) if spans is not None else (None, None)
    beads: list[Bead]
    if len(src) == 1 and len(tgt) == 1:
        a, b = (
            (vecs[0][0, 0], vecs[1][0, 0])
            if vecs[0] is not None and vecs[1] is not None
            else encoder.encode([src[0][1].text, tgt[0][1].text])
        )
        beads = [Bead((0,), (0,), float(a @ b))]
    else:
        beads = align_sentences(
            [s.text for _, s in src],
            [s.text for _, s in tgt],
            encoder,
            src_vecs=vecs[0],
            tgt_vecs=vecs[1],
        )
    return [
        (
            [[src[i][0], src[i][1].index] for i in bead.src],
            [[tgt[j][0], tgt[j][1].index] for j in bead.tgt],
            round(float(bead.score), 4),
        )
        for bead in beads
        if bead.is_link
    ]


def _sentence_links(
    encoder: Encoder,
    link: Link,
    src_sents: dict[int, list[Sentence]],
    tgt_sents: dict[int, list[Sentence]],
) -> list[SentenceLink]:
    """Sentence links for a stored paragraph link."""
    assert link.id is not None
    return [
        SentenceLink(link_id=link.id, source_sentences=s, target_sentences=t, score=score)
        for s, t, score in _sentence_beads(
            encoder, link.source_paragraphs, link.target_paragraphs, src_sents, tgt_sents
        )
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


def _kept_links(session: Session, source_id: int, target_id: int) -> list[Link]:
    return list(
        session.exec(
            select(Link).where(
                Link.source_document_id == source_id,
                Link.target_document_id == target_id,
                col(Link.status).in_(KEPT_STATUSES),
            )
        ).all()
    )


def plan_pair(
    *, session: Session, encoder: Encoder, source: Document, target: Document
) -> PairPlan:
    """Align one document pair from what is stored; reads only, writes nothing.

    The pair is aligned by the encoder that covers both languages (see EncoderSet).
    """
    assert source.id is not None and target.id is not None
    encoder = encoder_for(encoder, source.lang, target.lang)
    src_paras, tgt_paras = _paragraphs(session, source.id), _paragraphs(session, target.id)
    src_ok, tgt_ok = _allowed(source, src_paras), _allowed(target, tgt_paras)
    kept = _kept_links(session, source.id, target.id)
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
    src_sents = _sentences_by_paragraph(session, src_paras)
    tgt_sents = _sentences_by_paragraph(session, tgt_paras)
    spans = (_SentenceSpans(encoder, src_sents), _SentenceSpans(encoder, tgt_sents))
    links = [
        PlannedLink(
            list(bead.src),
            list(bead.tgt),
            relation,
            round(float(bead.score), 4),
            _sentence_beads(encoder, bead.src, bead.tgt, src_sents, tgt_sents, spans),
        )
        for relation, beads in (
            ("translation", result.translation_beads),
            ("related", result.related_beads),
        )
        for bead in beads
        if bead.is_link and (bead.src, bead.tgt) not in rejected
    ]
    return PairPlan(
        source.id,
        target.id,
        source.story_id,
        result.kind,
        round(result.mean_score, 4),
        links,
        frozenset((lk.id or 0, lk.version) for lk in kept),
    )


def apply_pair(session: Session, plan: PairPlan) -> PairReport | None:
    """Write a plan: replace the pair's automatic links (no commit).

    Returns None, writing nothing, when an editor changed the pair's reviewed links since the
    plan was made (the caller plans again).
    """
    kept = _kept_links(session, plan.source_id, plan.target_id)
    if frozenset((lk.id or 0, lk.version) for lk in kept) != plan.kept:
        return None
    touch_stories(session, [("story", plan.story_id)])  # the Core delete below bypasses the ORM
    session.exec(
        delete(Link).where(
            col(Link.source_document_id) == plan.source_id,
            col(Link.target_document_id) == plan.target_id,
            col(Link.status) == "auto",
        )
    )
    pair = session.exec(
        select(DocumentPair).where(
            DocumentPair.source_document_id == plan.source_id,
            DocumentPair.target_document_id == plan.target_id,
        )
    ).first() or DocumentPair(
        story_id=plan.story_id,
        source_document_id=plan.source_id,
        target_document_id=plan.target_id,
        kind="",
        score=0,
    )
    pair.story_id, pair.kind, pair.score = plan.story_id, plan.kind, plan.score
    session.add(pair)
    rows = [
        Link(
            story_id=plan.story_id,
            source_document_id=plan.source_id,
            target_document_id=plan.target_id,
            source_paragraphs=planned.src,
            target_paragraphs=planned.tgt,
            relation=planned.relation,
            score=planned.score,
        )
        for planned in plan.links
    ]
    session.add_all(rows)
    session.flush()
    for row, planned in zip(rows, plan.links, strict=True):
        assert row.id is not None
        session.add_all(
            SentenceLink(link_id=row.id, source_sentences=s, target_sentences=t, score=score)
            for s, t, score in planned.sentences
        )
    session.flush()
    return PairReport(
        plan.source_id,
        plan.target_id,
        plan.kind,
        sum(1 for lk in plan.links if lk.relation == Relation.TRANSLATION),
        sum(1 for lk in plan.links if lk.relation == Relation.RELATED),
    )


def _drop_pairs_of(session: Session, doc_id: int) -> None:
    """Forget the pairs and links of a document that leaves its story."""
    for model, left, right in (
        (Link, Link.source_document_id, Link.target_document_id),
        (DocumentPair, DocumentPair.source_document_id, DocumentPair.target_document_id),
    ):
        session.exec(delete(model).where((col(left) == doc_id) | (col(right) == doc_id)))


def move_into_story(session: Session, doc: Document, story_id: int | None) -> int:
    """Put `doc` into `story_id` (a new story when None), in `session`, no commit.

    Its pairs with its former siblings go; a story left empty is deleted. Returns the story.
    """
    assert doc.id is not None
    old_story = doc.story_id
    if story_id is None:
        story = Story(title=doc.title, visibility=doc.visibility, owner_id=doc.owner_id)
        session.add(story)
        session.flush()
        assert story.id is not None
        story_id = story.id
    if story_id != old_story:
        touch_stories(session, [("story", old_story), ("story", story_id)])
        _drop_pairs_of(session, doc.id)
        doc.story_id = story_id
        session.add(doc)
        session.flush()
        remaining = session.exec(select(Document.id).where(Document.story_id == old_story)).first()
        if remaining is None:
            session.exec(delete(Story).where(col(Story.id) == old_story))
    return story_id


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
    # Everything is encoded and aligned before the first write, so the write is short.
    rows = [
        row
        for link in missing
        for row in _sentence_links(
            encoder_for(
                cached, langs.get(link.source_document_id), langs.get(link.target_document_id)
            ),
            link,
            sentences(link.source_document_id),
            sentences(link.target_document_id),
        )
    ]
    session.rollback()
    cached.save(session)
    session.add_all(rows)
    session.commit()
    return len(missing)
