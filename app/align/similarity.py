"""Similarity calibration shared by the monotonic and the related aligners."""

from __future__ import annotations

import numpy as np

# below this many cell pairs, use them all (minus the best matches) instead of sampling
_SMALL = 400
_MIN_PAIRS = 6


def random_mean_cos(
    x: np.ndarray,
    y: np.ndarray,
    seed: int = 0,
    samples: int = 4000,
    prior: float | None = None,
) -> float:
    """Mean cosine of unrelated (x, y) pairs: how similar unrelated units look to this encoder.

    E5 puts unrelated sentences near 0.8 and USE near 0.1, so scores are expressed
    relative to this level (as Vecalign normalises its costs by random pairs). Large
    documents are sampled at random (true pairs are a negligible share of the samples);
    small ones use every pair except each unit's best match, and below a handful of such
    pairs the encoder's ``prior`` level is used instead.

    Args:
        x: (n, d) L2-normalised rows.
        y: (m, d) L2-normalised rows.
        seed: sampling seed (fixed, so alignments are deterministic).
        samples: number of random pairs for large documents.
        prior: the encoder's typical unrelated-pair cosine, if known.

    Returns:
        The mean cosine, at most 0.95 so that ``1 - mu`` stays a safe divisor.
    """
    n, m = len(x), len(y)
    fallback = 0.0 if prior is None else prior
    if n == 0 or m == 0:
        return min(fallback, 0.95)
    if n * m <= _SMALL:
        sims = x @ y.T
        keep = np.ones_like(sims, dtype=bool)
        keep[np.arange(n), sims.argmax(axis=1)] = False
        keep[sims.argmax(axis=0), np.arange(m)] = False
        if keep.sum() < _MIN_PAIRS:
            mu = fallback
        elif prior is not None:
            # few pairs make a noisy mean: lean on the prior in proportion
            w = min(1.0, keep.sum() / _SMALL)
            mu = w * float(sims[keep].mean()) + (1 - w) * prior
        else:
            mu = float(sims[keep].mean())
        return min(mu, 0.95)
    rng = np.random.default_rng(seed)
    ix = rng.integers(0, n, samples)
    iy = rng.integers(0, m, samples)
    mu = float(np.einsum("ij,ij->i", x[ix], y[iy]).mean())
    return min(mu, 0.95)


def calibrate(cos: np.ndarray | float, mu: float) -> np.ndarray | float:
    """Map a cosine to roughly [0, 1]: 0 at the random-pair level ``mu``, 1 for identity.

    Args:
        cos: cosine(s), any shape.
        mu: from :func:`random_mean_cos`.

    Returns:
        ``clip((cos - mu) / (1 - mu), 0, 1)``, same shape as ``cos``.
    """
    return np.clip((np.asarray(cos, dtype=np.float64) - mu) / (1.0 - mu), 0.0, 1.0)
