"""Monotonic (order-preserving) alignment of two sequences of unit embeddings.

The design follows the two published embedding aligners, re-implemented here:

* Bertalign (Liu & Zhu 2022): beads of up to ``max_align`` units scored by the cosine of
  the embeddings of the *concatenated* units, minus the similarity to the units just
  outside the bead (a local margin), times a length-ratio penalty; skips score a
  constant penalty.
* Vecalign (Thompson & Koehn 2019): the dynamic programme runs in a band around a path
  found recursively on documents averaged down to half resolution, so time and memory
  grow linearly with the document length instead of quadratically.

Similarities are normalised per document pair, ``(cos - mu) / (1 - mu)`` with ``mu`` the
mean cosine of random unit pairs, so the same skip penalty works for encoders whose
cosines live on different scales (E5's unrelated pairs sit near 0.8, USE's near 0.1).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from app.align.beads import Bead
from app.align.dp import BeadPath, LinkScoring, best_path, make_side
from app.align.lexicon import PairLexicon
from app.align.scoring import FIRST_PASS, LEARNED, BeadWeights
from app.align.similarity import calibrate, random_mean_cos

logger = logging.getLogger(__name__)

# largest DP grid that gets lexical evidence (its prefix sums are dense: 8 bytes a cell)
LEX_CELLS = 4_000_000


@dataclass(frozen=True)
class MonotonicParams:
    """Hyper-parameters of :func:`align_monotonic` (defaults tuned on the Text+Berg dev set).

    Attributes:
        max_align: most units in one bead, both sides together (5 allows 1-4, 2-3, ...).
        skip: score of leaving one unit unaligned (1-0 or 0-1), on the normalised scale.
        margin: weight of the similarity to the neighbouring units subtracted from a bead.
        len_penalty: multiply link scores by ``log2(1 + short/long)`` of their char lengths.
        trim_gain: split an edge unit off a merged bead when the bead without it is more
            similar by at least this cosine (None: never); see :func:`_trim_merges`.
        band_radius: half-width, in units, of the band around the coarse path.
        full_cells: documents with at most this many DP cells are aligned without a band.
        scorer: "bertalign" (Bertalign's score with ``skip`` and ``margin``; used for
            paragraphs) or "learned" (the weights of :data:`app.align.scoring.LEARNED`,
            fitted on sentence gold sets; ``skip``, ``margin`` and ``len_penalty`` then
            only shape the coarse band search). See ``SENTENCE_PARAMS`` in core.
    """

    max_align: int = 5
    skip: float = -0.1
    margin: float = 1.0
    len_penalty: bool = True
    trim_gain: float | None = None
    band_radius: int = 10
    full_cells: int = 300_000
    scorer: str = "bertalign"


def overlap_texts(units: Sequence[str], max_overlap: int) -> list[str]:
    """Concatenations of up to ``max_overlap`` consecutive units, for the caller to encode.

    Args:
        units: the n units (sentences or paragraphs) of one document.
        max_overlap: K, the longest run of units that one side of a bead may hold.

    Returns:
        K * n strings in row-major (k, i) order: entry ``(k - 1) * n + i`` joins units
        ``i .. i + k - 1`` with a space; spans running past the end are ``""``.
    """
    n = len(units)
    out: list[str] = []
    for k in range(1, max_overlap + 1):
        for i in range(n):
            out.append(" ".join(units[i : i + k]) if i + k <= n else "")
    return out


def length_ratio(
    x: np.ndarray,
    y: np.ndarray,
    x_ok: np.ndarray,
    y_ok: np.ndarray,
    x_len: np.ndarray,
    y_len: np.ndarray,
    block: int = 1024,
) -> float:
    """Typical target/source length ratio of translated units (the language pair's expansion).

    The ratio of the documents' total lengths is only right when the whole of each is
    translated; a short text translating three paragraphs of a long one would make
    every long source span look as long as one target paragraph. So the ratio is the
    median over mutual nearest neighbours (cosine), falling back to the totals when
    there are fewer than three.

    Args:
        x: (n, d) unit vectors; y: (m, d).
        x_ok, y_ok: (n,), (m,) bool allowed units.
        x_len, y_len: (n,), (m,) lengths in characters.
        block: rows per similarity block (memory O(block * m)).

    Returns:
        The ratio (> 0).
    """
    xi, yi = np.flatnonzero(x_ok & (x_len > 0)), np.flatnonzero(y_ok & (y_len > 0))
    total_s, total_t = x_len[x_ok].sum(), y_len[y_ok].sum()
    fallback = float(total_t / total_s) if total_s > 0 and total_t > 0 else 1.0
    if len(xi) < 3 or len(yi) < 3:
        return fallback
    xs, ys = x[xi], y[yi]
    fwd = np.empty(len(xi), dtype=np.int64)
    bwd_val = np.full(len(yi), -np.inf)
    bwd = np.zeros(len(yi), dtype=np.int64)
    for start in range(0, len(xi), block):
        sims = xs[start : start + block] @ ys.T
        fwd[start : start + block] = sims.argmax(axis=1)
        col_best = sims.max(axis=0)
        better = col_best > bwd_val
        bwd_val[better] = col_best[better]
        bwd[better] = sims.argmax(axis=0)[better] + start
    mutual = np.flatnonzero(bwd[fwd] == np.arange(len(xi)))
    if len(mutual) < 3:
        return fallback
    return float(np.median(y_len[yi[fwd[mutual]]] / x_len[xi[mutual]]))


def best_match(
    x: np.ndarray, y: np.ndarray, x_ok: np.ndarray, y_ok: np.ndarray, mu: float, block: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """Each unit's best calibrated cosine with an allowed unit of the other document.

    Args:
        x: (n, d), y: (m, d) unit vectors.
        x_ok, y_ok: (n,), (m,) bool allowed units.
        mu: random-pair cosine level.
        block: rows per similarity block (memory O(block * m)).

    Returns:
        ((n,), (m,)) float64, clipped to [0, 1]; 0 where nothing is allowed.
    """
    bx = np.zeros(x.shape[0])
    by = np.full(y.shape[0], -np.inf)
    yi = np.flatnonzero(y_ok)
    if yi.size == 0 or not x_ok.any():
        return bx, np.zeros(y.shape[0])
    ys = y[yi]
    for start in range(0, x.shape[0], block):
        sims = x[start : start + block] @ ys.T
        bx[start : start + block] = sims.max(axis=1)
        rows = x_ok[start : start + block]
        if rows.any():
            by[yi] = np.maximum(by[yi], sims[rows].max(axis=0))
    by[~np.isfinite(by)] = mu
    return (
        np.clip((bx - mu) / (1.0 - mu), 0.0, 1.0),
        np.clip((by - mu) / (1.0 - mu), 0.0, 1.0),
    )


def _halve(
    vecs: np.ndarray, allowed: np.ndarray, lens: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Average consecutive pairs of units (masked units count as zero).

    Args:
        vecs: (n, d) unit embeddings.
        allowed: (n,) bool.
        lens: (n,) char lengths or None.

    Returns:
        ((ceil(n/2), d) renormalised vectors, (ceil(n/2),) allowed, lengths or None).
    """
    n = vecs.shape[0]
    v = np.where(allowed[:, None], vecs, 0.0).astype(np.float32)
    if n % 2:
        v = np.concatenate([v, np.zeros((1, v.shape[1]), np.float32)])
        allowed = np.concatenate([allowed, [False]])
        lens = None if lens is None else np.concatenate([lens, [0.0]])
    out = v[0::2] + v[1::2]
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    out /= np.maximum(norms, 1e-9)
    ok = allowed[0::2] | allowed[1::2]
    lc = None if lens is None else lens[0::2] + lens[1::2]
    return out, ok, lc


def _pair_spans(vecs: np.ndarray) -> np.ndarray:
    """(2, n, d) single units and normalised sums of two consecutive units."""
    n, d = vecs.shape
    out = np.zeros((2, n, d), dtype=np.float32)
    out[0] = vecs
    if n > 1:
        s = vecs[:-1] + vecs[1:]
        out[1, :-1] = s / np.maximum(np.linalg.norm(s, axis=1, keepdims=True), 1e-9)
    return out


def _band_from_path(
    beads: BeadPath, n: int, m: int, factor: int, radius: int
) -> tuple[np.ndarray, np.ndarray]:
    """Project a coarse bead path to full resolution and widen it into a band.

    Returns:
        (lo, hi), each (n + 1,) int: the inclusive columns allowed in each DP row.
    """
    jmin = np.full(n + 1, m, dtype=np.int64)
    jmax = np.zeros(n + 1, dtype=np.int64)
    for i0, i1, j0, j1 in beads:
        a0, a1 = min(i0 * factor, n), min(i1 * factor, n)
        b0, b1 = min(j0 * factor, m), min(j1 * factor, m)
        jmin[a0 : a1 + 1] = np.minimum(jmin[a0 : a1 + 1], b0)
        jmax[a0 : a1 + 1] = np.maximum(jmax[a0 : a1 + 1], b1)
    jmin[-1] = min(jmin[-1], m)
    jmax[-1] = m
    w = 2 * radius + 1
    win_min = np.lib.stride_tricks.sliding_window_view(
        np.pad(jmin, radius, constant_values=m), w
    ).min(axis=1)
    win_max = np.lib.stride_tricks.sliding_window_view(
        np.pad(jmax, radius, constant_values=0), w
    ).max(axis=1)
    lo = np.clip(win_min - radius, 0, m)
    hi = np.clip(win_max + radius, 0, m)
    # keep the band monotone and connected so that a path from (0, 0) to (n, m) exists
    lo = np.minimum.accumulate(lo[::-1])[::-1]
    hi = np.maximum.accumulate(hi)
    lo[0], hi[-1] = 0, m
    lo[1:] = np.minimum(lo[1:], hi[:-1])
    return lo, hi


class _Units(NamedTuple):
    """One document at one resolution, as :func:`_band` reads it."""

    vecs: np.ndarray  # (n, d) unit vectors
    ok: np.ndarray  # (n,) bool allowed units
    lens: np.ndarray | None  # (n,) char lengths, or None


def _band(
    x: _Units,
    y: _Units,
    params: MonotonicParams,
    mu: float,
    char_ratio: float | None,
    radius: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Band for aligning x to y: everything if small, else around a half-resolution path."""
    n, m = x.vecs.shape[0], y.vecs.shape[0]
    if (n + 1) * (m + 1) <= params.full_cells or min(n, m) < 8:
        return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    xc = _Units(*_halve(*x))
    yc = _Units(*_halve(*y))
    # the coarse levels are cheap (1-1, 1-2, 2-1 and skips only) and need a wider band:
    # an error of one coarse unit is two fine ones
    lo_c, hi_c = _band(xc, yc, params, mu, char_ratio, radius)
    side_x = make_side(_pair_spans(xc.vecs), xc.ok, xc.lens, params.skip)
    side_y = make_side(_pair_spans(yc.vecs), yc.ok, yc.lens, params.skip)
    scoring = LinkScoring(mu=mu, max_align=3, margin=params.margin, char_ratio=char_ratio)
    path = best_path(side_x, side_y, lo_c, hi_c, scoring)
    logger.debug("coarse path %dx%d: %d beads", xc.vecs.shape[0], yc.vecs.shape[0], len(path))
    return _band_from_path(path, n, m, 2, radius)


def _prefix_sums(lexical: np.ndarray | None, n: int, m: int) -> np.ndarray | None:
    """(n + 1, m + 1) 2-D prefix sums of the lexical matrix, so a block sum costs four reads."""
    if lexical is None or (n + 1) * (m + 1) > LEX_CELLS:
        return None
    if lexical.shape != (n, m):
        raise ValueError("lexical must have shape (n, m)")
    out = np.zeros((n + 1, m + 1), np.float64)
    out[1:, 1:] = np.cumsum(np.cumsum(lexical, axis=0, dtype=np.float64), axis=1)
    return out


# 11 parameters (past the limit of 9): the engine's public entry takes one keyword-only
# array per input and side, like vecalign(); core, bench and tests call it that way.
def align_monotonic(  # noqa: PLR0913
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    *,
    src_allowed: np.ndarray | None = None,
    tgt_allowed: np.ndarray | None = None,
    src_lens: np.ndarray | None = None,
    tgt_lens: np.ndarray | None = None,
    params: MonotonicParams | None = None,
    baseline: float | None = None,
    lexical: np.ndarray | None = None,
    weights: BeadWeights | None = None,
    pair_lex: PairLexicon | None = None,
) -> list[Bead]:
    """Align two documents monotonically, covering every unit exactly once.

    Args:
        src_vecs: (Ks, n, d) float32; row k-1 holds the L2-normalised embedding of units
            ``i .. i + k - 1`` (zeros where the span runs past the end). Ks = 1 is fine
            (then only 1-1 links and skips are possible on that side).
        tgt_vecs: (Kt, m, d), the same for the target.
        src_allowed: (n,) bool; a False unit only ever appears in a 1-0 bead.
        tgt_allowed: (m,) bool; a False unit only ever appears in a 0-1 bead.
        src_lens: (n,) unit lengths in characters for the length penalty (None: no penalty).
        tgt_lens: (m,) the same for the target.
        params: hyper-parameters, see :class:`MonotonicParams`.
        baseline: the encoder's typical cosine for unrelated units; used for documents too
            small to measure it (see :func:`random_mean_cos`).
        lexical: (n, m) evidence that unit pairs correspond besides their embeddings
            (:func:`app.align.anchors.anchor_matrix`), the "lex" feature of the learned
            scorer. Ignored past ``LEX_CELLS`` cells.
        weights: scorer weights; when ``params.scorer`` is "learned", default
            :data:`app.align.scoring.LEARNED` with ``pair_lex``, else ``FIRST_PASS``.
        pair_lex: IBM-1 evidence learned from this pair (:func:`app.align.lexicon.pair_lexicon`)
            for the lexicon features; None leaves them at 0.

    Returns:
        Beads in document order; together they cover 0..n-1 and 0..m-1. A link's score is
        the normalised cosine clipped to [0, 1]; skips score 0.
    """
    p = params or MonotonicParams()
    s_ok, t_ok = _masks(src_vecs, tgt_vecs, src_allowed, tgt_allowed)
    n, m = s_ok.shape[0], t_ok.shape[0]
    if n == 0 or m == 0:
        return [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
    src_vecs = src_vecs.astype(np.float32, copy=False)
    tgt_vecs = tgt_vecs.astype(np.float32, copy=False)
    mu = random_mean_cos(src_vecs[0][s_ok], tgt_vecs[0][t_ok], prior=baseline)
    x, y, char_ratio = _with_lengths(p, src_vecs, tgt_vecs, s_ok, t_ok, src_lens, tgt_lens)
    lo, hi = _band(x, y, p, mu, char_ratio, p.band_radius)
    logger.debug("band: %d cells for %dx%d", int((hi - lo + 1).sum()), n, m)
    weights = _scorer_weights(p, weights, pair_lex)
    skip_s, skip_t = _skip_scores(p, weights, x, y, mu)
    scoring = LinkScoring(
        mu=mu,
        max_align=p.max_align,
        margin=p.margin,
        char_ratio=char_ratio,
        weights=weights,
        lex=_prefix_sums(lexical, n, m) if weights is not None else None,
        pair_lex=pair_lex if weights is not None else None,
    )
    src = make_side(src_vecs, s_ok, x.lens, skip_s)
    tgt = make_side(tgt_vecs, t_ok, y.lens, skip_t)
    path = best_path(src, tgt, lo, hi, scoring)
    if p.trim_gain is not None:
        path = _trim_merges(path, src_vecs, tgt_vecs, p.trim_gain)
    return _to_beads(path, src_vecs, tgt_vecs, mu)


def _masks(
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    src_allowed: np.ndarray | None,
    tgt_allowed: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """The allowed masks as bool arrays (all True by default), shapes checked."""
    if src_vecs.ndim != 3 or tgt_vecs.ndim != 3:
        raise ValueError("src_vecs and tgt_vecs must have shape (K, n, d)")
    n, m = src_vecs.shape[1], tgt_vecs.shape[1]
    s_ok = np.ones(n, bool) if src_allowed is None else np.asarray(src_allowed, bool)
    t_ok = np.ones(m, bool) if tgt_allowed is None else np.asarray(tgt_allowed, bool)
    if s_ok.shape != (n,) or t_ok.shape != (m,):
        raise ValueError("allowed masks must match the number of units")
    return s_ok, t_ok


def _with_lengths(
    p: MonotonicParams,
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    s_ok: np.ndarray,
    t_ok: np.ndarray,
    src_lens: np.ndarray | None,
    tgt_lens: np.ndarray | None,
) -> tuple[_Units, _Units, float | None]:
    """Both documents' single units, with their lengths and the length ratio when the
    length penalty is on and both lengths are given (else no lengths and no ratio)."""
    char_ratio = None
    if p.len_penalty and src_lens is not None and tgt_lens is not None:
        src_lens = np.asarray(src_lens, float)
        tgt_lens = np.asarray(tgt_lens, float)
        char_ratio = length_ratio(src_vecs[0], tgt_vecs[0], s_ok, t_ok, src_lens, tgt_lens)
    else:
        src_lens = tgt_lens = None
    return _Units(src_vecs[0], s_ok, src_lens), _Units(tgt_vecs[0], t_ok, tgt_lens), char_ratio


def _scorer_weights(
    p: MonotonicParams, weights: BeadWeights | None, pair_lex: PairLexicon | None
) -> BeadWeights | None:
    """The learned scorer's weights, or None for Bertalign's scorer."""
    if p.scorer not in ("learned", "bertalign"):
        raise ValueError(f"unknown scorer {p.scorer!r}")
    if p.scorer == "bertalign":
        return None
    if weights is None:
        # the shipped weights expect the lexicon features; without a lexicon, the first pass's
        return LEARNED if pair_lex is not None else FIRST_PASS
    return weights


def _skip_scores(
    p: MonotonicParams, weights: BeadWeights | None, x: _Units, y: _Units, mu: float
) -> tuple[float | np.ndarray, float | np.ndarray]:
    """Score of skipping each unit: a constant, or the learned one, which grows with how
    similar the unit's best match on the other side is."""
    if weights is None:
        return p.skip, p.skip
    best_s, best_t = best_match(x.vecs, y.vecs, x.ok, y.ok, mu)
    return weights.skip + weights.skip_sim * best_s, weights.skip + weights.skip_sim * best_t


def _to_beads(path: BeadPath, src_vecs: np.ndarray, tgt_vecs: np.ndarray, mu: float) -> list[Bead]:
    """Beads of a path; a link's score is its calibrated cosine, a skip's 0."""
    beads: list[Bead] = []
    for i0, i1, j0, j1 in path:
        score = 0.0
        if i1 > i0 and j1 > j0:
            cos = float(src_vecs[i1 - i0 - 1, i0] @ tgt_vecs[j1 - j0 - 1, j0])
            score = float(calibrate(cos, mu))
        beads.append(Bead(tuple(range(i0, i1)), tuple(range(j0, j1)), score))
    return beads


def _bead_cos(
    src_vecs: np.ndarray, tgt_vecs: np.ndarray, i0: int, i1: int, j0: int, j1: int
) -> float:
    return float(src_vecs[i1 - i0 - 1, i0] @ tgt_vecs[j1 - j0 - 1, j0])


def _trim_merges(
    path: BeadPath,
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    gain: float,
) -> BeadPath:
    """Split off the edge units of merged beads that make them less similar.

    The bead-sum objective lets the DP absorb an unrelated neighbour into a good bead
    whenever that costs less than a skip penalty. A translated unit raises the cosine of
    the bead it belongs to; so a first or last unit is moved out (as a 1-0 or 0-1 bead)
    while the bead without it is more similar by at least ``gain``.

    Args:
        path: beads as (i0, i1, j0, j1) half-open unit ranges, in order.
        src_vecs: (Ks, n, d) span vectors.
        tgt_vecs: (Kt, m, d).
        gain: cosine gain required to split a unit off.

    Returns:
        The path with trimmed beads, still covering every unit once, in order.
    """
    out: BeadPath = []
    for i0, i1, j0, j1 in path:
        before: BeadPath = []
        after: BeadPath = []
        while i1 > i0 and j1 > j0 and (i1 - i0) + (j1 - j0) > 2:
            cur = _bead_cos(src_vecs, tgt_vecs, i0, i1, j0, j1)
            options: list[tuple[float, str]] = []
            if i1 - i0 > 1:
                options.append((_bead_cos(src_vecs, tgt_vecs, i0 + 1, i1, j0, j1), "src_first"))
                options.append((_bead_cos(src_vecs, tgt_vecs, i0, i1 - 1, j0, j1), "src_last"))
            if j1 - j0 > 1:
                options.append((_bead_cos(src_vecs, tgt_vecs, i0, i1, j0 + 1, j1), "tgt_first"))
                options.append((_bead_cos(src_vecs, tgt_vecs, i0, i1, j0, j1 - 1), "tgt_last"))
            best, which = max(options)
            if best < cur + gain:
                break
            if which == "src_first":
                before.append((i0, i0 + 1, j0, j0))
                i0 += 1
            elif which == "src_last":
                after.append((i1 - 1, i1, j1, j1))
                i1 -= 1
            elif which == "tgt_first":
                before.append((i0, i0, j0, j0 + 1))
                j0 += 1
            else:
                after.append((i1, i1, j1 - 1, j1))
                j1 -= 1
        out.extend(before)
        out.append((i0, i1, j0, j1))
        out.extend(reversed(after))
    return out
