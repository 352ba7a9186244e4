"""The banded dynamic programme behind :func:`app.align.monotonic.align_monotonic`.

Split the way vecalign splits its DP: the link costs of one row (a similarity block and
the bead scores built from it), the fill (row by row: deletions, links, then the runs of
insertions inside the row) and the backtrace. Rows are filled inside a band
``lo[i] <= j <= hi[i]``, so memory grows with the band, not with ``n * m``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from app.align.lexicon import PairLexicon
from app.align.scoring import BeadWeights, link_features

_NEG = -np.inf
# bead-type codes stored in the back-pointer table; link types start at _FIRST_LINK
_DEL, _INS, _FIRST_LINK = 0, 1, 2

BeadPath = list[tuple[int, int, int, int]]


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
class Side:
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


def make_side(
    vecs: np.ndarray, allowed: np.ndarray, lens: np.ndarray | None, skip: float | np.ndarray
) -> Side:
    """Pad a document's (K, n, d) span vectors and precompute what the DP reads of it."""
    k, n, d = vecs.shape
    pad = k + 2
    padded = np.zeros((k, n + 2 * pad, d), dtype=np.float32)
    padded[:, pad : pad + n] = vecs
    # A masked unit must never enter a link, and skipping it costs nothing, so that
    # boilerplate does not pull the path away from the real counterparts.
    skips = np.where(allowed, skip, 0.0)
    return Side(
        padded,
        pad,
        n,
        _span_ok(allowed, k),
        _span_lens(lens, k) if lens is not None else None,
        skips,
    )


@dataclass(frozen=True)
class LinkScoring:
    """What a link bead's score depends on besides the two sides.

    Attributes:
        mu: random-pair mean cosine used to normalise similarities.
        max_align: most units per bead.
        margin: weight of the neighbour similarity subtracted from link scores.
        char_ratio: src/tgt length ratio for the length penalty, or None for none.
        weights: learned feature weights (:mod:`app.align.scoring`); None scores links
            Bertalign's way, ``(sim - margin * neighbours) * length_penalty``.
        lex: (n + 1, m + 1) prefix sums of the anchor matrix, or None.
        pair_lex: IBM-1 evidence for the learned scorer's lexicon features, or None.
    """

    mu: float
    max_align: int
    margin: float
    char_ratio: float | None
    weights: BeadWeights | None = None
    lex: np.ndarray | None = None
    pair_lex: PairLexicon | None = None


@dataclass
class _Table:
    """The DP table as it is filled: one (best score, back-pointer) row per source prefix."""

    src: Side
    tgt: Side
    lo: np.ndarray
    hi: np.ndarray
    scoring: LinkScoring
    types: list[tuple[int, int]]
    w_link: np.ndarray | None
    rows: list[np.ndarray] = field(default_factory=list)
    ptrs: list[np.ndarray] = field(default_factory=list)


@dataclass
class _Row:
    """Row i being filled: its columns ``js`` (``l0 .. h0``), best scores and back-pointers.

    ``sims`` is the row's (kt, L, 2 * ks + 1) similarity block (:func:`_row_sims`) and
    ``g0`` the target unit its second axis starts at.
    """

    i: int
    l0: int
    h0: int
    js: np.ndarray
    best: np.ndarray
    ptr: np.ndarray
    sims: np.ndarray | None = None
    g0: int = 0


@dataclass
class _Links:
    """The a-b link beads that may end in the row, one per column ``jsel``.

    ``pi`` is the row they start from, ``starts`` their first target units and ``loc``
    those starts as offsets into the row's similarity block.
    """

    a: int
    b: int
    pi: int
    jsel: np.ndarray
    starts: np.ndarray
    loc: np.ndarray


def _link_types(ks: int, kt: int, max_align: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(1, ks + 1) for b in range(1, kt + 1) if a + b <= max_align]


def _weakest_member(sims: np.ndarray, loc: np.ndarray, a: int, b: int, ks: int) -> np.ndarray:
    """Lowest cosine of one unit of a merged bead with the other side's whole span.

    Args:
        sims: the row's (kt, L, 2 * ks + 1) similarity block (:func:`_row_sims`): target
            spans against the source spans ending at the row, then the units before them.
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


# --- costs -----------------------------------------------------------------------------


def _row_sims(tab: _Table, row: _Row) -> None:
    """Similarities of every target span near row i against the source spans ending at i
    and the source units around them, in one matrix product (normalised by ``mu``)."""
    src, tgt, mu = tab.src, tab.tgt, tab.scoring.mu
    ks, kt, i = src.k, tgt.k, row.i
    d = src.vecs.shape[2]
    scale = 1.0 / (1.0 - mu)
    g0 = row.l0 - kt - 1
    g1 = row.h0 + 1
    tw = tgt.vecs[:, g0 + tgt.pad : g1 + tgt.pad]  # (kt, L, d)
    q_idx = [(a - 1, i - a) for a in range(1, ks + 1)]  # spans ending at i
    q_idx += [(0, i - a - 1) for a in range(1, ks + 1)]  # unit before each span
    q_idx.append((0, i))  # unit after the spans
    q = np.stack([src.vecs[k, s + src.pad] for k, s in q_idx])  # (2ks + 1, d)
    sims = (tw.reshape(-1, d) @ q.T).reshape(kt, g1 - g0, -1)
    row.sims = (sims - mu) * scale
    row.g0 = g0


def _links(tab: _Table, row: _Row, a: int, b: int) -> _Links | None:
    """The a-b beads ending in this row whose start lies in the band and whose spans
    are allowed on both sides (None when there is none)."""
    pi = row.i - a
    if pi < 0 or not tab.src.ok[a - 1, pi]:
        return None
    pl, ph = int(tab.lo[pi]), int(tab.hi[pi])
    pj = row.js - b
    sel = (pj >= pl) & (pj <= ph) & (pj >= 0)
    if not sel.any():
        return None
    jsel = row.js[sel]
    starts = jsel - b
    sel_ok = tab.tgt.ok[b - 1, starts]
    if not sel_ok.any():
        return None
    jsel, starts = jsel[sel_ok], starts[sel_ok]
    return _Links(a, b, pi, jsel, starts, starts - row.g0)


def _neighbours(tab: _Table, row: _Row, c: _Links) -> np.ndarray:
    """Mean similarity of the bead with the units just outside it, on each side; a
    missing one (document edge) is left out of the mean instead of counted as zero."""
    assert row.sims is not None
    sims, a, b, loc = row.sims, c.a, c.b, c.loc
    ks, n, m = tab.src.k, tab.src.n, tab.tgt.n
    t_left = np.where(c.starts > 0, sims[0, loc - 1, a - 1], 0.0)
    t_right = np.where(c.jsel < m, sims[0, c.jsel - row.g0, a - 1], 0.0)
    t_cnt = (c.starts > 0).astype(float) + (c.jsel < m)
    t_nb = (t_left + t_right) / np.maximum(t_cnt, 1.0)
    s_cnt = float(c.pi > 0) + float(row.i < n)
    s_nb = np.zeros(loc.shape[0])
    if c.pi > 0:
        s_nb += sims[b - 1, loc, ks + a - 1]
    if row.i < n:
        s_nb += sims[b - 1, loc, 2 * ks]
    s_nb /= max(s_cnt, 1.0)
    return 0.5 * (t_nb + s_nb)


def _length_terms(tab: _Table, c: _Links) -> tuple[np.ndarray, np.ndarray]:
    """(length penalty, |log length ratio|) of the beads; (1, 0) without lengths."""
    lenpen = np.ones(c.loc.shape[0])
    alr = np.zeros(c.loc.shape[0])
    src, tgt, char_ratio = tab.src, tab.tgt, tab.scoring.char_ratio
    if char_ratio is not None and src.lens is not None and tgt.lens is not None:
        ls = src.lens[c.a - 1, c.pi] * char_ratio
        lt = tgt.lens[c.b - 1, c.starts]
        short = np.minimum(ls, lt)
        long_ = np.maximum(np.maximum(ls, lt), 1.0)
        lenpen = np.log2(1.0 + short / long_)
        alr = np.abs(np.log((ls + 1.0) / (lt + 1.0)))
    return lenpen, alr


def _link_scores(tab: _Table, row: _Row, c: _Links) -> np.ndarray:
    """Score of each candidate bead: Bertalign's formula, or the learned weights."""
    assert row.sims is not None
    sc = tab.scoring
    sim = row.sims[c.b - 1, c.loc, c.a - 1]
    nb = _neighbours(tab, row, c)
    lenpen, alr = _length_terms(tab, c)
    if tab.w_link is None:
        return (sim - sc.margin * nb) * lenpen
    i, pi, jsel, starts = row.i, c.pi, c.jsel, c.starts
    shared = None
    if sc.lex is not None:
        lex = sc.lex
        shared = lex[i, jsel] - lex[pi, jsel] - lex[i, starts] + lex[pi, starts]
    weak = _weakest_member(row.sims, c.loc, c.a, c.b, tab.src.k) if c.a + c.b > 2 else None
    ibm = None if sc.pair_lex is None else sc.pair_lex.bead(c.a, c.b, pi, starts)
    feats = link_features(c.a, c.b, sim, nb, lenpen, alr, shared, weak, ibm)
    return np.asarray(feats @ tab.w_link)


# --- fill ------------------------------------------------------------------------------


def _offer_deletion(tab: _Table, row: _Row) -> None:
    """1-0 beads: from (i - 1, j)."""
    i, js = row.i, row.js
    pl, ph = int(tab.lo[i - 1]), int(tab.hi[i - 1])
    sel = (js >= pl) & (js <= ph)
    cand = np.full(js.shape[0], _NEG)
    cand[sel] = tab.rows[i - 1][js[sel] - pl] + tab.src.skip[i - 1]
    upd = cand > row.best
    row.best[upd], row.ptr[upd] = cand[upd], _DEL


def _offer_links(tab: _Table, row: _Row) -> None:
    """Every link type ending in this row, each bead from the best path to its start."""
    _row_sims(tab, row)
    for t, (a, b) in enumerate(tab.types, start=_FIRST_LINK):
        c = _links(tab, row, a, b)
        if c is None:
            continue
        prev = tab.rows[c.pi][c.starts - int(tab.lo[c.pi])]
        cand = prev + _link_scores(tab, row, c)
        cols = c.jsel - row.l0
        upd = cand > row.best[cols]
        row.best[cols[upd]] = cand[upd]
        row.ptr[cols[upd]] = t


def _insertion_runs(row: _Row, cum_ins: np.ndarray) -> None:
    """0-1 runs inside the row: best[j] = max over j' <= j of best[j'] + skips j'..j-1,
    i.e. a running maximum after removing the cumulative skip score."""
    c = cum_ins[row.l0 : row.h0 + 1]
    shifted = row.best - c
    run = np.maximum.accumulate(shifted)
    finite = np.isfinite(run)
    from_left = finite & (run > shifted)
    row.best = np.where(finite, run + c, _NEG)
    row.ptr[from_left] = _INS


def _fill(tab: _Table) -> None:
    """Fill the table row by row inside the band."""
    cum_ins = np.concatenate([[0.0], np.cumsum(tab.tgt.skip)])
    for i in range(tab.src.n + 1):
        l0, h0 = int(tab.lo[i]), int(tab.hi[i])
        js = np.arange(l0, h0 + 1)
        row = _Row(i, l0, h0, js, np.full(js.shape[0], _NEG), np.full(js.shape[0], -1, np.int8))
        if i == 0:
            if l0 == 0:
                row.best[0] = 0.0
        else:
            _offer_deletion(tab, row)
            _offer_links(tab, row)
        _insertion_runs(row, cum_ins)
        tab.rows.append(row.best)
        tab.ptrs.append(row.ptr)


# --- backtrace -------------------------------------------------------------------------


def _backtrace(tab: _Table) -> BeadPath:
    """Follow the back-pointers from (n, m) to (0, 0)."""
    beads: BeadPath = []
    i, j = tab.src.n, tab.tgt.n
    while i > 0 or j > 0:
        t = int(tab.ptrs[i][j - int(tab.lo[i])])
        if t == _DEL:
            a, b = 1, 0
        elif t == _INS:
            a, b = 0, 1
        else:
            a, b = tab.types[t - _FIRST_LINK]
        beads.append((i - a, i, j - b, j))
        i, j = i - a, j - b
    beads.reverse()
    return beads


def best_path(
    src: Side, tgt: Side, lo: np.ndarray, hi: np.ndarray, scoring: LinkScoring
) -> BeadPath:
    """Best-scoring bead path through the band ``lo[i] <= j <= hi[i]``.

    Args:
        src, tgt: the two sides.
        lo, hi: (n + 1,) int, inclusive column range of DP row i (prefix coordinates).
        scoring: how link beads are scored.

    Returns:
        Beads as ``(i0, i1, j0, j1)`` half-open unit ranges, in document order.
    """
    weights = scoring.weights
    tab = _Table(
        src,
        tgt,
        lo,
        hi,
        scoring,
        _link_types(src.k, tgt.k, scoring.max_align),
        None if weights is None else np.asarray(weights.link, dtype=np.float64),
    )
    _fill(tab)
    if not np.isfinite(tab.rows[src.n][tgt.n - int(lo[src.n])]):
        raise RuntimeError("alignment band does not connect the document ends")
    return _backtrace(tab)
