"""Similarity calibration shared by the monotonic and the related aligners."""

from __future__ import annotations

import numpy as np


def random_mean_cos(x: np.ndarray, y: np.ndarray, seed: int = 0, samples: int = 4000) -> float:
    """Mean cosine of random (x, y) pairs: how similar unrelated units look to this encoder.

    E5 puts unrelated sentences near 0.8 and USE near 0.1, so scores are expressed
    relative to this level (as Vecalign normalises its costs by random pairs).

    Args:
        x: (n, d) L2-normalised rows.
        y: (m, d) L2-normalised rows.
        seed: sampling seed (fixed, so alignments are deterministic).
        samples: number of random pairs.

    Returns:
        The mean cosine, at most 0.95 so that ``1 - mu`` stays a safe divisor.
    """
    if len(x) == 0 or len(y) == 0:
        return 0.0
    rng = np.random.default_rng(seed)
    ix = rng.integers(0, len(x), samples)
    iy = rng.integers(0, len(y), samples)
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
