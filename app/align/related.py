"""Non-monotonic "related" links by margin-based mutual nearest neighbours.

Comparable articles (same story, written separately) share paragraphs in any order.
Following Artetxe & Schwenk (2019), a candidate pair is scored with the ratio margin

    margin(x, y) = cos(x, y) / ((knn_x + knn_y) / 2)

where ``knn_x`` is the mean cosine of x to its k nearest target units (and ``knn_y``
likewise). It discounts "hub" units that are close to everything. A pair is linked when
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


def knn_mean(x: np.ndarray, y: np.ndarray, k: int) -> np.ndarray:
    """Mean cosine of each x row to its k nearest y rows.

    Args:
        x: (n, d) L2-normalised.
        y: (m, d) L2-normalised, m >= 1.
        k: neighbours (capped at m).

    Returns:
        (n,) float64.
    """
    k = max(1, min(k, y.shape[0]))
    out = np.empty(x.shape[0])
    for start in range(0, x.shape[0], _BLOCK):
        sims = x[start : start + _BLOCK] @ y.T
        top = np.partition(sims, sims.shape[1] - k, axis=1)[:, -k:]
        out[start : start + _BLOCK] = top.mean(axis=1)
    return out


def _best_by_margin(
    x: np.ndarray, y: np.ndarray, knn_x: np.ndarray, knn_y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For each x row, the y row with the highest ratio margin.

    Returns:
        ((n,) int index into y, (n,) float margin).
    """
    idx = np.empty(x.shape[0], dtype=np.int64)
    val = np.empty(x.shape[0])
    # margins only make sense for positive neighbourhoods; guard the divisor
    for start in range(0, x.shape[0], _BLOCK):
        stop = start + _BLOCK
        sims = x[start:stop] @ y.T
        denom = np.maximum((knn_x[start:stop, None] + knn_y[None, :]) / 2.0, 1e-6)
        margins = sims / denom
        idx[start:stop] = margins.argmax(axis=1)
        val[start:stop] = margins[np.arange(margins.shape[0]), idx[start:stop]]
    return idx, val


def align_related(
    src: np.ndarray,
    tgt: np.ndarray,
    *,
    threshold: float = 1.1,
    min_score: float = 0.3,
    k: int = 4,
    src_allowed: np.ndarray | None = None,
    tgt_allowed: np.ndarray | None = None,
    mutual: bool = True,
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
    knn_x = knn_mean(x, y, k)
    knn_y = knn_mean(y, x, k)
    fwd, fwd_m = _best_by_margin(x, y, knn_x, knn_y)
    bwd, bwd_m = _best_by_margin(y, x, knn_y, knn_x)
    mu = random_mean_cos(x, y)

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
