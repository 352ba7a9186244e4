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

import numpy as np

from app.align.beads import Bead
from app.align.lexicon import PairLexicon
from app.align.scoring import FIRST_PASS, LEARNED, BeadWeights, link_features
from app.align.similarity import calibrate, random_mean_cos

logger = logging.getLogger(__name__)

_NEG = -np.inf
# bead-type codes stored in the back-pointer table; link types start at _FIRST_LINK
_DEL, _INS, _FIRST_LINK = 0, 1, 2
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


def _span_ok(allowed: np.ndarray, k_max: int) -> np.ndarray:
    """Which spans hold only allowed units.

    Args:
        allowed: (n,) bool.
        k_max: K.

    Returns:
        (K, n) bool, ``[k - 1, s]`` true when units ``s .. s + k - 1`` exist and are allowed.
    """
    n = allowed.shape[0]
    bad = np.concatenate([[0], np.cumsum(~allowed)])
    ok = np.zeros((k_max, n), dtype=bool)
    for k in range(1, k_max + 1):
        if k <= n:
            ok[k - 1, : n - k + 1] = (bad[k:] - bad[:-k]) == 0
    return ok


def _span_lens(lens: np.ndarray, k_max: int) -> np.ndarray:
    """(K, n) total length of each span (0 where it runs past the end)."""
    n = lens.shape[0]
    cum = np.concatenate([[0.0], np.cumsum(lens, dtype=np.float64)])
    out = np.zeros((k_max, n))
    for k in range(1, k_max + 1):
        if k <= n:
            out[k - 1, : n - k + 1] = cum[k:] - cum[:-k]
    return out


@dataclass
class _Side:
    """One document as the DP sees it: span vectors, validity, lengths, skip costs."""

    vecs: np.ndarray  # (K, n + 2 * pad, d), zero-padded on both ends of the unit axis
    pad: int
    n: int
    ok: np.ndarray  # (K, n) span allowed
    lens: np.ndarray | None  # (K, n) span char lengths
    skip: np.ndarray  # (n,) score of skipping each unit

    @property
    def k(self) -> int:
        return self.vecs.shape[0]


def _make_side(
    vecs: np.ndarray, allowed: np.ndarray, lens: np.ndarray | None, skip: float | np.ndarray
) -> _Side:
    k, n, d = vecs.shape
    pad = k + 2
    padded = np.zeros((k, n + 2 * pad, d), dtype=np.float32)
    padded[:, pad : pad + n] = vecs
    # A masked unit must never enter a link, and skipping it costs nothing, so that
    # boilerplate does not pull the path away from the real counterparts.
    skips = np.where(allowed, skip, 0.0)
    return _Side(
        padded,
        pad,
        n,
        _span_ok(allowed, k),
        _span_lens(lens, k) if lens is not None else None,
        skips,
    )


def _weakest_member(sims: np.ndarray, loc: np.ndarray, a: int, b: int, ks: int) -> np.ndarray:
    """Lowest cosine of one unit of a merged bead with the other side's whole span.

    Args:
        sims: the row's (kt, L, 2 * ks + 1) similarity block of :func:`_dp`: target spans
            against the source spans ending at the row, then the units before them.
        loc: (C,) target span starts, as offsets into ``sims``.
        a, b: the bead's units per side.
        ks: source span limit.

    Returns:
        (C,) the minimum over the bead's units (a side with one unit is left out).
    """
    weak = np.full(loc.shape[0], np.inf)
    if a > 1:
        # source units i-1, i-2, ... sit in columns 0, ks, ks + 1, ...
        unit_cols = [0] + [ks + r - 1 for r in range(1, a)]
        weak = np.minimum(weak, sims[b - 1, loc][:, unit_cols].min(axis=1))
    if b > 1:
        member = np.stack([sims[0, loc + r, a - 1] for r in range(b)])
        weak = np.minimum(weak, member.min(axis=0))
    return weak


def _link_types(ks: int, kt: int, max_align: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(1, ks + 1) for b in range(1, kt + 1) if a + b <= max_align]


def _dp(
    src: _Side,
    tgt: _Side,
    lo: np.ndarray,
    hi: np.ndarray,
    *,
    mu: float,
    max_align: int,
    margin: float,
    char_ratio: float | None,
    weights: BeadWeights | None = None,
    lex: np.ndarray | None = None,
    pair_lex: PairLexicon | None = None,
) -> list[tuple[int, int, int, int]]:
    """Best-scoring bead path through the band ``lo[i] <= j <= hi[i]``.

    Args:
        src, tgt: the two sides.
        lo, hi: (n + 1,) int, inclusive column range of DP row i (prefix coordinates).
        mu: random-pair mean cosine used to normalise similarities.
        max_align: most units per bead.
        margin: weight of the neighbour similarity subtracted from link scores.
        char_ratio: src/tgt length ratio for the length penalty, or None for none.
        weights: learned feature weights (:mod:`app.align.scoring`); None scores links
            Bertalign's way, ``(sim - margin * neighbours) * length_penalty``.
        lex: (n + 1, m + 1) prefix sums of the anchor matrix, or None.
        pair_lex: IBM-1 evidence for the learned scorer's lexicon features, or None.

    Returns:
        Beads as ``(i0, i1, j0, j1)`` half-open unit ranges, in document order.
    """
    n, m = src.n, tgt.n
    w_link = None if weights is None else np.asarray(weights.link, dtype=np.float64)
    types = _link_types(src.k, tgt.k, max_align)
    scale = 1.0 / (1.0 - mu)
    ks, kt = src.k, tgt.k
    d = src.vecs.shape[2]
    cum_ins = np.concatenate([[0.0], np.cumsum(tgt.skip)])
    rows: list[np.ndarray] = []
    ptrs: list[np.ndarray] = []
    for i in range(n + 1):
        l0, h0 = int(lo[i]), int(hi[i])
        js = np.arange(l0, h0 + 1)
        best = np.full(js.shape[0], _NEG)
        ptr = np.full(js.shape[0], -1, dtype=np.int8)
        if i == 0:
            if l0 == 0:
                best[0] = 0.0
        else:
            # 1-0: from (i - 1, j)
            pl, ph = int(lo[i - 1]), int(hi[i - 1])
            sel = (js >= pl) & (js <= ph)
            cand = np.full(js.shape[0], _NEG)
            cand[sel] = rows[i - 1][js[sel] - pl] + src.skip[i - 1]
            upd = cand > best
            best[upd], ptr[upd] = cand[upd], _DEL
            # Similarities of every tgt span near this row against the src spans ending
            # at i and the src units around them, in one matrix product.
            g0 = l0 - kt - 1
            g1 = h0 + 1
            tw = tgt.vecs[:, g0 + tgt.pad : g1 + tgt.pad]  # (kt, L, d)
            q_idx = [(a - 1, i - a) for a in range(1, ks + 1)]  # spans ending at i
            q_idx += [(0, i - a - 1) for a in range(1, ks + 1)]  # unit before each span
            q_idx.append((0, i))  # unit after the spans
            q = np.stack([src.vecs[k, s + src.pad] for k, s in q_idx])  # (2ks + 1, d)
            sims = (tw.reshape(-1, d) @ q.T).reshape(kt, g1 - g0, -1)
            sims = (sims - mu) * scale
            for t, (a, b) in enumerate(types, start=_FIRST_LINK):
                pi = i - a
                if pi < 0 or not src.ok[a - 1, pi]:
                    continue
                pl, ph = int(lo[pi]), int(hi[pi])
                pj = js - b
                sel = (pj >= pl) & (pj <= ph) & (pj >= 0)
                if not sel.any():
                    continue
                jsel = js[sel]
                starts = jsel - b
                sel_ok = tgt.ok[b - 1, starts]
                if not sel_ok.any():
                    continue
                jsel, starts = jsel[sel_ok], starts[sel_ok]
                prev = rows[pi][starts - pl]
                loc = starts - g0
                sim = sims[b - 1, loc, a - 1]
                # units just outside the bead, on each side; a missing one (document
                # edge) is left out of the mean instead of counted as zero
                t_left = np.where(starts > 0, sims[0, loc - 1, a - 1], 0.0)
                t_right = np.where(jsel < m, sims[0, jsel - g0, a - 1], 0.0)
                t_cnt = (starts > 0).astype(float) + (jsel < m)
                t_nb = (t_left + t_right) / np.maximum(t_cnt, 1.0)
                s_cnt = float(pi > 0) + float(i < n)
                s_nb = np.zeros(loc.shape[0])
                if pi > 0:
                    s_nb += sims[b - 1, loc, ks + a - 1]
                if i < n:
                    s_nb += sims[b - 1, loc, 2 * ks]
                s_nb /= max(s_cnt, 1.0)
                nb = 0.5 * (t_nb + s_nb)
                lenpen = np.ones(loc.shape[0])
                alr = np.zeros(loc.shape[0])
                if char_ratio is not None and src.lens is not None and tgt.lens is not None:
                    ls = src.lens[a - 1, pi] * char_ratio
                    lt = tgt.lens[b - 1, starts]
                    short = np.minimum(ls, lt)
                    long_ = np.maximum(np.maximum(ls, lt), 1.0)
                    lenpen = np.log2(1.0 + short / long_)
                    alr = np.abs(np.log((ls + 1.0) / (lt + 1.0)))
                if weights is None:
                    score = (sim - margin * nb) * lenpen
                else:
                    shared = None
                    if lex is not None:
                        shared = lex[i, jsel] - lex[pi, jsel] - lex[i, starts] + lex[pi, starts]
                    weak = _weakest_member(sims, loc, a, b, ks) if a + b > 2 else None
                    ibm = None if pair_lex is None else pair_lex.bead(a, b, pi, starts)
                    feats = link_features(a, b, sim, nb, lenpen, alr, shared, weak, ibm)
                    score = feats @ w_link
                cand = prev + score
                cols = jsel - l0
                upd = cand > best[cols]
                best[cols[upd]] = cand[upd]
                ptr[cols[upd]] = t
        # 0-1 runs inside the row: best[j] = max over j' <= j of best[j'] + skips j'..j-1,
        # i.e. a running maximum after removing the cumulative skip score.
        c = cum_ins[l0 : h0 + 1]
        shifted = best - c
        run = np.maximum.accumulate(shifted)
        finite = np.isfinite(run)
        from_left = finite & (run > shifted)
        best = np.where(finite, run + c, _NEG)
        ptr[from_left] = _INS
        rows.append(best)
        ptrs.append(ptr)

    if not np.isfinite(rows[n][m - int(lo[n])]):
        raise RuntimeError("alignment band does not connect the document ends")
    beads: list[tuple[int, int, int, int]] = []
    i, j = n, m
    while i > 0 or j > 0:
        t = int(ptrs[i][j - int(lo[i])])
        if t == _DEL:
            a, b = 1, 0
        elif t == _INS:
            a, b = 0, 1
        else:
            a, b = types[t - _FIRST_LINK]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads


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
    beads: list[tuple[int, int, int, int]], n: int, m: int, factor: int, radius: int
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


def _band(
    x: np.ndarray,
    y: np.ndarray,
    x_ok: np.ndarray,
    y_ok: np.ndarray,
    x_len: np.ndarray | None,
    y_len: np.ndarray | None,
    params: MonotonicParams,
    mu: float,
    char_ratio: float | None,
    radius: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Band for aligning x to y: everything if small, else around a half-resolution path."""
    n, m = x.shape[0], y.shape[0]
    if (n + 1) * (m + 1) <= params.full_cells or min(n, m) < 8:
        return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    xc, xc_ok, xc_len = _halve(x, x_ok, x_len)
    yc, yc_ok, yc_len = _halve(y, y_ok, y_len)
    # the coarse levels are cheap (1-1, 1-2, 2-1 and skips only) and need a wider band:
    # an error of one coarse unit is two fine ones
    lo_c, hi_c = _band(xc, yc, xc_ok, yc_ok, xc_len, yc_len, params, mu, char_ratio, radius)
    side_x = _make_side(_pair_spans(xc), xc_ok, xc_len, params.skip)
    side_y = _make_side(_pair_spans(yc), yc_ok, yc_len, params.skip)
    path = _dp(
        side_x, side_y, lo_c, hi_c, mu=mu, max_align=3, margin=params.margin, char_ratio=char_ratio
    )
    logger.debug("coarse path %dx%d: %d beads", xc.shape[0], yc.shape[0], len(path))
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


def align_monotonic(
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
    if src_vecs.ndim != 3 or tgt_vecs.ndim != 3:
        raise ValueError("src_vecs and tgt_vecs must have shape (K, n, d)")
    n, m = src_vecs.shape[1], tgt_vecs.shape[1]
    s_ok = np.ones(n, bool) if src_allowed is None else np.asarray(src_allowed, bool)
    t_ok = np.ones(m, bool) if tgt_allowed is None else np.asarray(tgt_allowed, bool)
    if s_ok.shape != (n,) or t_ok.shape != (m,):
        raise ValueError("allowed masks must match the number of units")
    if n == 0 or m == 0:
        return [Bead((i,), (), 0.0) for i in range(n)] + [Bead((), (j,), 0.0) for j in range(m)]
    src_vecs = src_vecs.astype(np.float32, copy=False)
    tgt_vecs = tgt_vecs.astype(np.float32, copy=False)
    mu = random_mean_cos(src_vecs[0][s_ok], tgt_vecs[0][t_ok], prior=baseline)
    char_ratio = None
    if p.len_penalty and src_lens is not None and tgt_lens is not None:
        src_lens = np.asarray(src_lens, float)
        tgt_lens = np.asarray(tgt_lens, float)
        char_ratio = length_ratio(src_vecs[0], tgt_vecs[0], s_ok, t_ok, src_lens, tgt_lens)
    else:
        src_lens = tgt_lens = None
    lo, hi = _band(
        src_vecs[0], tgt_vecs[0], s_ok, t_ok, src_lens, tgt_lens, p, mu, char_ratio, p.band_radius
    )
    logger.debug("band: %d cells for %dx%d", int((hi - lo + 1).sum()), n, m)
    if p.scorer not in ("learned", "bertalign"):
        raise ValueError(f"unknown scorer {p.scorer!r}")
    if p.scorer == "bertalign":
        weights = None
    elif weights is None:
        # the shipped weights expect the lexicon features; without a lexicon, the first pass's
        weights = LEARNED if pair_lex is not None else FIRST_PASS
    skip_s: float | np.ndarray = p.skip
    skip_t: float | np.ndarray = p.skip
    if weights is not None:
        best_s, best_t = best_match(src_vecs[0], tgt_vecs[0], s_ok, t_ok, mu)
        skip_s = weights.skip + weights.skip_sim * best_s
        skip_t = weights.skip + weights.skip_sim * best_t
    src = _make_side(src_vecs, s_ok, src_lens, skip_s)
    tgt = _make_side(tgt_vecs, t_ok, tgt_lens, skip_t)
    path = _dp(
        src,
        tgt,
        lo,
        hi,
        mu=mu,
        max_align=p.max_align,
        margin=p.margin,
        char_ratio=char_ratio,
        weights=weights,
        lex=_prefix_sums(lexical, n, m) if weights is not None else None,
        pair_lex=pair_lex if weights is not None else None,
    )
    if p.trim_gain is not None:
        path = _trim_merges(path, src_vecs, tgt_vecs, p.trim_gain)
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
    path: list[tuple[int, int, int, int]],
    src_vecs: np.ndarray,
    tgt_vecs: np.ndarray,
    gain: float,
) -> list[tuple[int, int, int, int]]:
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
    out: list[tuple[int, int, int, int]] = []
    for i0, i1, j0, j1 in path:
        before: list[tuple[int, int, int, int]] = []
        after: list[tuple[int, int, int, int]] = []
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
