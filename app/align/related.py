"""Non-monotonic "related" links by margin-based mutual nearest neighbours.

Comparable articles (same story, written separately) share paragraphs in any order.
Following Artetxe & Schwenk (2019), a candidate pair is scored with the ratio margin

    margin(x, y) = sim(x, y) / ((knn_x + knn_y) / 2)

where ``knn_x`` is the mean similarity of x to its k nearest target units (and ``knn_y``
likewise). ``sim`` is the cosine calibrated against random pairs (0 = unrelated), since a
ratio of raw cosines means nothing for an encoder like E5 whose cosines all sit in
0.75-0.95. It discounts "hub" units that are close to everything. A pair is linked when
each is the other's best match by margin and the margin clears a threshold.

Everything is computed in row blocks, so memory stays O(block * m) for long documents.
"""

from __future__ import annotations

import logging

import numpy as np

from app.align.beads import Bead
from app.align.similarity import calibrate, random_mean_cos

logger = logging.getLogger(__name__)

_BLOCK = 1024
_MIN_DENOM = 0.2


def _sims(x: np.ndarray, y: np.ndarray, mu: float) -> np.ndarray:
    """(b, m) calibrated similarities ``(cos - mu) / (1 - mu)`` of a row block."""
    return (x @ y.T - mu) / (1.0 - mu)


def knn_mean(x: np.ndarray, y: np.ndarray, k: int, mu: float = 0.0) -> np.ndarray:
    """Mean calibrated similarity of each x row to its k nearest y rows.

    Args:
        x: (n, d) L2-normalised.
        y: (m, d) L2-normalised, m >= 1.
        k: neighbours (capped at m).
        mu: random-pair cosine level (see :func:`random_mean_cos`).

    Returns:
        (n,) float64.
    """
    k = max(1, min(k, y.shape[0]))
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _BLOCK):
        sims = _sims(x[start : start + _BLOCK], y, mu)
        top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        out[start : start + _BLOCK] = top.mean(axis=1)
    return out


def _best_by_margin(
    x: np.ndarray, y: np.ndarray, knn_x: np.ndarray, knn_y: np.ndarray, mu: float
) -> tuple[np.ndarray, np.ndarray]:
    """For each x row, the y row with the highest ratio margin.

    Returns:
        ((n,) int index into y, (n,) float margin).
    """
    idx = np.empty(x.shape[0], dtype=np.int64)
    val = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _BLOCK):
        stop = start + _BLOCK
        sims = _sims(x[start:stop], y, mu)
        # a neighbourhood near the random level would make any pair look special
        denom = np.maximum((knn_x[start:stop, None] + knn_y[None, :]) / 2.0, _MIN_DENOM)
        margins = sims / denom
        idx[start:stop] = margins.argmax(axis=1)
        val[start:stop] = margins[np.arange(margins.shape[0]), idx[start:stop]]
    return idx, val


def align_related(
    src: np.ndarray,
    tgt: np.ndarray,
    *,
    threshold: float = 1.3,
    min_score: float = 0.3,
    k: int = 4,
    src_allowed: np.ndarray | None = None,
    tgt_allowed: np.ndarray | None = None,
    mutual: bool = True,
    baseline: float | None = None,
) -> list[Bead]:
    """Order-free 1-1 links between units that are each other's best match.

    Args:
        src: (n, d) L2-normalised unit embeddings.
        tgt: (m, d) L2-normalised unit embeddings.
        threshold: minimum ratio margin of a link.
        min_score: minimum calibrated similarity of a link (guards tiny documents, where
            the margin says little).
        k: neighbours in the margin's denominators.
        src_allowed: (n,) bool, units that may be linked (None: all).
        tgt_allowed: (m,) bool.
        mutual: True links mutual best matches only (each unit at most one link);
            False also keeps one-sided best matches, so a unit may get several links.
        baseline: the encoder's typical cosine for unrelated units (for tiny documents).

    Returns:
        Beads with one unit per side, sorted by source then target index; score is the
        calibrated cosine.
    """
    n, m = src.shape[0], tgt.shape[0]
    s_ok = np.ones(n, bool) if src_allowed is None else np.asarray(src_allowed, bool)
    t_ok = np.ones(m, bool) if tgt_allowed is None else np.asarray(tgt_allowed, bool)
    s_idx, t_idx = np.flatnonzero(s_ok), np.flatnonzero(t_ok)
    if s_idx.size == 0 or t_idx.size == 0:
        return []
    x = np.asarray(src, np.float32)[s_idx]
    y = np.asarray(tgt, np.float32)[t_idx]
    mu = random_mean_cos(x, y, prior=baseline)
    knn_x = knn_mean(x, y, k, mu)
    knn_y = knn_mean(y, x, k, mu)
    fwd, fwd_m = _best_by_margin(x, y, knn_x, knn_y, mu)
    bwd, bwd_m = _best_by_margin(y, x, knn_y, knn_x, mu)

    # with one or two units a side there is no neighbourhood to compare against: mutual
    # best matches (and min_score) must do
    if min(len(s_idx), len(t_idx)) <= 2:
        threshold = min(threshold, 1.0)
    pairs: set[tuple[int, int]] = set()
    for a, b in enumerate(fwd):
        if fwd_m[a] >= threshold and (not mutual or bwd[b] == a):
            pairs.add((a, int(b)))
    if not mutual:
        for b, a in enumerate(bwd):
            if bwd_m[b] >= threshold:
                pairs.add((int(a), b))
    beads = []
    for a, b in sorted(pairs):
        score = float(calibrate(float(x[a] @ y[b]), mu))
        if score >= min_score:
            beads.append(Bead((int(s_idx[a]),), (int(t_idx[b]),), score))
    logger.debug("related: %d links among %dx%d units", len(beads), len(s_idx), len(t_idx))
    return beads
