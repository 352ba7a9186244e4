"""Word translation evidence learned from the document pair itself (IBM Model 1).

Sentence embeddings decide most bead boundaries but are vague about single words: a
merged 2-2 bead and the two 1-1 beads inside it embed almost alike. hunalign's answer,
without a dictionary, is to learn one from the pair: align once, take the confident
beads as a small parallel corpus, estimate word translation probabilities on it, and
align again with that lexicon as evidence. Here the lexicon is IBM Model 1 (Brown et al.
1993), a few EM iterations over the token pairs of the confident beads, in both
directions, in numpy; the bead evidence is IBM-1's own likelihood,

    mean over target tokens t of log P(t | S),  P(t | S) = (p(t|NULL) + sum_s p(t|s)) / (|S| + 1)

for a bead's source span S (and the same from target to source). Dividing by ``|S| + 1``
is what makes it useful at a boundary: an extra source sentence that translates none of
the target words dilutes every token's probability, whereas the right one raises it.
Each direction is centred on its median over the confident beads, so the feature means
"as lexically close as a typical confident bead of this pair" whatever the languages.

Tokens are Unicode letter/digit runs, lower-cased; Han and kana are one token a
character, and Thai, Lao, Khmer and Burmese are split by ICU's word-break dictionary.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import regex

logger = logging.getLogger(__name__)

_TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}]"
    r"|[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{M}]+"
    r"|[\p{L}\p{M}\p{N}]+"
)
_DICTIONARY_SCRIPT = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}]")
#: probability given to a word pair never seen together (keeps logs finite)
FLOOR = 1e-5
#: centred log-probabilities are clipped to this range
CLIP = (-6.0, 3.0)
#: features are returned times this (a wrong 1-1 bead scores about -4 nats a token,
#: x 0.2 = -0.8: the scale of the calibrated cosines the other features live on)
SCALE = 0.2
#: target tokens per block when filling the span tables (memory ~ n * block * 8 bytes)
_BLOCK = 4096
_NONE = np.zeros(0, dtype=np.int64)  # what an empty side concatenates to


def tokenize(text: str) -> list[str]:
    """Lower-cased word tokens; one token per Han/kana character; ICU words for Thai etc."""
    out: list[str] = []
    for m in _TOKEN.finditer(text.lower()):
        tok = m.group()
        if len(tok) > 1 and _DICTIONARY_SCRIPT.match(tok):
            out.extend(_icu_words(tok))
        else:
            out.append(tok)
    return out


def _icu_words(run: str) -> list[str]:
    from icu4py.breakers import WordBreaker

    return [w for w in WordBreaker(run, "root") if w.strip()] or [run]


@dataclass(frozen=True)
class Vocab:
    """Token ids of one document: ``ids[u]`` holds the token ids of unit u."""

    ids: list[np.ndarray]
    size: int

    @classmethod
    def build(cls, units: Sequence[str]) -> Vocab:
        index: dict[str, int] = {}
        ids = [
            np.array([index.setdefault(t, len(index)) for t in tokenize(u)], np.int64)
            for u in units
        ]
        return cls(ids, len(index))


@dataclass(frozen=True)
class Table:
    """Sparse translation table p(t | s) of one direction; source id ``size_s`` is NULL."""

    s: np.ndarray  # (E,) source type ids (NULL = size_s)
    t: np.ndarray  # (E,) target type ids
    p: np.ndarray  # (E,) probabilities
    size_s: int
    size_t: int

    def null(self) -> np.ndarray:
        """(size_t,) p(t | NULL), FLOOR where unseen."""
        out = np.full(self.size_t, FLOOR)
        sel = self.s == self.size_s
        out[self.t[sel]] = np.maximum(self.p[sel], FLOOR)
        return out


def train_ibm1(
    pairs: Sequence[tuple[np.ndarray, np.ndarray]], size_s: int, size_t: int, iterations: int = 5
) -> Table:
    """IBM Model 1 p(t | s) by EM over parallel segments (token id arrays).

    Every target token is explained by one source token of its segment or by NULL; the
    E-step spreads each token's count over those in proportion to the current table.

    Args:
        pairs: (source ids, target ids) per parallel segment.
        size_s: source vocabulary size (NULL gets id ``size_s``).
        size_t: target vocabulary size.
        iterations: EM iterations (the first from a uniform table).

    Returns:
        The table, restricted to pairs that co-occur.
    """
    s_parts, t_parts, occ_parts = [], [], []
    occ = 0
    for s_ids, t_ids in pairs:
        if len(t_ids) == 0:
            continue
        src = np.concatenate([[size_s], s_ids])
        s_parts.append(np.tile(src, len(t_ids)))
        t_parts.append(np.repeat(t_ids, len(src)))
        occ_parts.append(np.repeat(np.arange(occ, occ + len(t_ids)), len(src)))
        occ += len(t_ids)
    if not s_parts:
        empty = np.zeros(0, np.int64)
        return Table(empty, empty, np.zeros(0), size_s, size_t)
    s_all, t_all = np.concatenate(s_parts), np.concatenate(t_parts)
    occ_all = np.concatenate(occ_parts)
    keys, inv = np.unique(s_all * (size_t + 1) + t_all, return_inverse=True)
    key_s, key_t = keys // (size_t + 1), keys % (size_t + 1)
    prob = np.full(keys.shape[0], 1.0 / max(size_t, 1))
    for _ in range(iterations):
        w = prob[inv]
        denom = np.bincount(occ_all, w, minlength=occ)
        counts = np.bincount(inv, w / denom[occ_all], minlength=keys.shape[0])
        totals = np.bincount(key_s, counts, minlength=size_s + 1)
        prob = counts / np.maximum(totals[key_s], 1e-300)
    return Table(key_s, key_t, prob, size_s, size_t)


def _unit_type_sums(src: Vocab, table: Table, n_types: int, best: bool = False) -> np.ndarray:
    """(n, size_t) sum (``best``: maximum) over the tokens s of source unit i of p(t | s)."""
    n = len(src.ids)
    out = np.zeros((n, n_types))
    if table.s.size == 0:
        return out
    order = np.argsort(table.s, kind="stable")
    ts, tt, tp = table.s[order], table.t[order], table.p[order]
    starts = np.searchsorted(ts, np.arange(table.size_s + 1))
    ends = np.searchsorted(ts, np.arange(table.size_s + 1), side="right")
    for i, ids in enumerate(src.ids):
        if ids.size == 0:
            continue
        types, counts = np.unique(ids, return_counts=True)
        for s, c in zip(types.tolist(), counts.tolist(), strict=True):
            a, b = starts[s], ends[s]
            if b > a and best:
                out[i, tt[a:b]] = np.maximum(out[i, tt[a:b]], tp[a:b])
            elif b > a:
                out[i, tt[a:b]] += c * tp[a:b]
    return out


def span_logprob(
    src: Vocab, tgt: Vocab, table: Table, k_max: int, best: bool = False
) -> np.ndarray:
    """Sum over the tokens of each target unit of log P(t | source span), IBM-1.

    With ``best``, P(t | S) is the best single link, max(p(t|NULL), max_s p(t|s)): no
    division by |S| + 1, so a merged bead of two true pairs scores like the two pairs,
    and only a member that translates nothing lowers it. (Measured, not the default:
    bench/README.md.)

    Args:
        src, tgt: the two documents' tokens.
        table: p(t | s) with ``src`` as source side.
        k_max: longest source span K.

    Returns:
        (K, n, m) float64: ``[k - 1, i, j]`` for source units ``i .. i + k - 1`` (0 where
        the span runs past the end) and target unit j.
    """
    n, m = len(src.ids), len(tgt.ids)
    out = np.zeros((k_max, n, m))
    if n == 0 or m == 0:
        return out
    unit_sums = _unit_type_sums(src, table, tgt.size, best)
    cum = np.vstack([np.zeros((1, tgt.size)), np.cumsum(unit_sums, axis=0)])
    lens = np.array([ids.size for ids in src.ids], float)
    cum_len = np.concatenate([[0.0], np.cumsum(lens)])
    null = table.null()
    tok_unit = np.concatenate([np.full(ids.size, j) for j, ids in enumerate(tgt.ids)] or [_NONE])
    tok_type = np.concatenate([ids for ids in tgt.ids] or [_NONE]).astype(np.int64)
    tok_unit = tok_unit.astype(np.int64)
    for start in range(0, tok_type.size, _BLOCK):
        types = tok_type[start : start + _BLOCK]
        units = tok_unit[start : start + _BLOCK]
        cols = cum[:, types]  # (n + 1, T)
        run = np.maximum(unit_sums[:, types], null[types])  # best: running span maximum
        for k in range(1, min(k_max, n) + 1):
            if best:
                if k > 1:
                    run = np.maximum(run[:-1], unit_sums[k - 1 :, types])
                logp = np.log(np.maximum(run, FLOOR))
            else:
                mass = cols[k:] - cols[:-k] + null[types]  # (n - k + 1, T)
                denom = (cum_len[k:] - cum_len[:-k] + 1.0)[:, None]
                logp = np.log(np.maximum(mass / denom, FLOOR))
            # tokens are grouped by unit: sum each unit's run of columns
            first = np.flatnonzero(np.r_[True, units[1:] != units[:-1]])
            out[k - 1][: n - k + 1, units[first]] += np.add.reduceat(logp, first, axis=1)
    return out


@dataclass(frozen=True)
class PairLexicon:
    """IBM-1 evidence of one document pair, for the DP (see :meth:`bead`).

    ``fwd[b - 1, j, i]`` sums, over the tokens of source unit i, log P(s | target units
    j .. j + b - 1) minus the centring offset; ``bwd[a - 1, i, j]`` the same for target
    unit j given source units i .. i + a - 1. ``fwd_pre`` / ``bwd_pre`` are their prefix
    sums along the last axis, ``ntok_*`` the tokens per unit and their prefix sums.
    """

    fwd_pre: np.ndarray  # (Kt, m, n + 1)
    bwd_pre: np.ndarray  # (Ks, n, m + 1)
    fwd: np.ndarray  # (Kt, m, n) centred per-unit sums
    bwd: np.ndarray  # (Ks, n, m)
    ntok_s: np.ndarray  # (n,)
    ntok_t: np.ndarray  # (m,)
    cum_s: np.ndarray  # (n + 1,)
    cum_t: np.ndarray  # (m + 1,)
    unit_s: float  # mean tokens per source unit (>= 1)
    unit_t: float

    def bead(
        self, a: int, b: int, i0: np.ndarray | int, j0: np.ndarray | int
    ) -> tuple[np.ndarray, np.ndarray]:
        """Centred log-likelihood of a-b beads starting at (i0, j0), and the weakest
        member unit's mean (merged beads; else the bead's per-unit value).

        Args:
            a, b: units on each side.
            i0, j0: arrays (broadcast together) of span starts.

        Returns:
            ((L,), (L,)): the mean over both directions of the summed centred token
            log-probabilities, divided by the mean tokens per unit of the scored side
            (so about ``(a + b) / 2`` times a per-token mean), clipped to ``CLIP`` times
            ``(a + b) / 2``; and the lowest per-unit token-mean, clipped to ``CLIP``.
        """
        i0, j0 = np.broadcast_arrays(np.asarray(i0), np.asarray(j0))
        # target side given the source span
        t_sum = self.bwd_pre[a - 1, i0, j0 + b] - self.bwd_pre[a - 1, i0, j0]
        s_sum = self.fwd_pre[b - 1, j0, i0 + a] - self.fwd_pre[b - 1, j0, i0]
        # token sums, on the scale of units (per side: tokens / mean tokens per unit), so
        # that a path's total does not depend on how it cuts the text into beads
        size = (a + b) / 2.0
        total = 0.5 * (t_sum / self.unit_t + s_sum / self.unit_s)
        mean = np.clip(total, CLIP[0] * size, CLIP[1] * size)
        weak = np.full(i0.shape, np.inf)
        if b > 1:
            for r in range(b):
                cnt = self.ntok_t[j0 + r]
                val = np.where(cnt > 0, self.bwd[a - 1, i0, j0 + r] / np.maximum(cnt, 1), 0.0)
                weak = np.minimum(weak, val)
        if a > 1:
            for r in range(a):
                cnt = self.ntok_s[i0 + r]
                val = np.where(cnt > 0, self.fwd[b - 1, j0, i0 + r] / np.maximum(cnt, 1), 0.0)
                weak = np.minimum(weak, val)
        weak = np.where(np.isfinite(weak), weak, mean / size)
        return SCALE * mean, SCALE * np.clip(weak, *CLIP)


def _centre(
    logp: np.ndarray, ntok: np.ndarray, spans: list[tuple[int, int, int, int]], axis_src: bool
) -> float:
    """Median token-mean log-probability of the training beads (the centring offset)."""
    vals = []
    for i0, i1, j0, j1 in spans:
        if axis_src:  # logp is (Kt, m, n): source units given target spans
            tot, cnt = logp[j1 - j0 - 1, j0, i0:i1].sum(), ntok[i0:i1].sum()
        else:
            tot, cnt = logp[i1 - i0 - 1, i0, j0:j1].sum(), ntok[j0:j1].sum()
        if cnt > 0:
            vals.append(tot / cnt)
    return float(np.median(vals)) if vals else 0.0


def pair_lexicon(
    src_units: Sequence[str],
    tgt_units: Sequence[str],
    beads: Sequence[tuple[int, int, int, int]],
    k_src: int,
    k_tgt: int,
    iterations: int = 5,
    best_link: bool = False,
) -> PairLexicon | None:
    """Learn IBM-1 tables from ``beads`` (the confident links of a first pass) and tabulate
    the span evidence for a second pass.

    Args:
        src_units, tgt_units: the documents.
        beads: training links as ``(i0, i1, j0, j1)`` half-open unit ranges.
        k_src, k_tgt: longest span per side.
        iterations: EM iterations per direction.
        best_link: score tokens by their best single link (see :func:`span_logprob`).

    Returns:
        The evidence tables, or None when there is nothing to learn from (no beads, or a
        side without tokens).
    """
    sv, tv = Vocab.build(src_units), Vocab.build(tgt_units)
    if not beads or sv.size == 0 or tv.size == 0:
        return None
    segs = [
        (
            np.concatenate([sv.ids[i] for i in range(i0, i1)]),
            np.concatenate([tv.ids[j] for j in range(j0, j1)]),
        )
        for i0, i1, j0, j1 in beads
    ]
    t_given_s = train_ibm1(segs, sv.size, tv.size, iterations)
    s_given_t = train_ibm1([(t, s) for s, t in segs], tv.size, sv.size, iterations)
    bwd = span_logprob(sv, tv, t_given_s, k_src, best_link)  # (Ks, n, m): tgt unit | src span
    fwd = span_logprob(tv, sv, s_given_t, k_tgt, best_link)  # (Kt, m, n): src unit | tgt span
    ntok_s = np.array([ids.size for ids in sv.ids], float)
    ntok_t = np.array([ids.size for ids in tv.ids], float)
    spans = list(beads)
    off_t = _centre(bwd, ntok_t, spans, axis_src=False)
    off_s = _centre(fwd, ntok_s, spans, axis_src=True)
    bwd = bwd - off_t * ntok_t[None, None, :]
    fwd = fwd - off_s * ntok_s[None, None, :]

    def prefix(x: np.ndarray) -> np.ndarray:
        return np.concatenate([np.zeros(x.shape[:-1] + (1,)), np.cumsum(x, axis=-1)], axis=-1)

    logger.debug(
        "IBM-1 from %d beads: %d / %d pair entries", len(beads), t_given_s.p.size, s_given_t.p.size
    )
    return PairLexicon(
        prefix(fwd),
        prefix(bwd),
        fwd,
        bwd,
        ntok_s,
        ntok_t,
        np.concatenate([[0.0], np.cumsum(ntok_s)]),
        np.concatenate([[0.0], np.cumsum(ntok_t)]),
        max(float(ntok_s.mean()), 1.0),
        max(float(ntok_t.mean()), 1.0),
    )
