"""Counterpart words: which word(s) of an aligned sentence translate a given word.

The evidence is the document pair's own IBM Model 1 tables (app.align.lexicon.train_ibm1),
trained here on the pair's aligned sentences over lemmas, in both directions, and combined
as in the "grow" heuristics of statistical MT, with the installed bilingual dictionaries'
word pairs (app.words.evidence) as a prior:

    score(i, j) = max(sqrt(p(t_j | s_i) * p(s_i | t_j)), same_form(i, j), dict(i, j))
                  * diagonal(i, j)

and a score under ``evidence.COMMON_SCORE`` dropped for a source word among its language's
commonest (particles and articles, which small tables pair with anything).

``same_form`` is 1 for identical forms (names, numbers) and a string-similarity value for
close cognates of the same script; ``diagonal`` is a mild prior for words at the same
relative place. A word's counterpart is its best target word when that scores at least
``THRESHOLD``, plus the neighbours of it that are nearly as good and whose own best source
word is this one (a German compound's "human rights"). Baseline: :func:`proportional`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import Levenshtein

from app.align.lexicon import train_ibm1

# The constants here and evidence.COMMON_SCORE were chosen on the even sentences of
# bench/words.py's gold (bench/words_tune.py); its odd sentences are held out to score them.
#: lowest score for a counterpart
THRESHOLD = 0.12
#: a further word is part of the counterpart at this share of the best word's score
SPREAD = 0.5
#: strength of the diagonal prior: exp(-DIAGONAL * |i/n - j/m|)
DIAGONAL = 2.0


@dataclass(frozen=True)
class Lexicon:
    """p(t | s) and p(s | t) of one language pair, keyed by (source key, target key)."""

    fwd: dict[tuple[str, str], float]
    bwd: dict[tuple[str, str], float]

    def prob(self, s: str, t: str) -> float:
        return math.sqrt(self.fwd.get((s, t), 0.0) * self.bwd.get((t, s), 0.0))


def train(pairs: Sequence[tuple[Sequence[str], Sequence[str]]], iterations: int = 6) -> Lexicon:
    """IBM-1 in both directions over parallel segments of keys (lemmas)."""
    src_ids: dict[str, int] = {}
    tgt_ids: dict[str, int] = {}
    segs = [
        (
            np.array([src_ids.setdefault(k, len(src_ids)) for k in s], np.int64),
            np.array([tgt_ids.setdefault(k, len(tgt_ids)) for k in t], np.int64),
        )
        for s, t in pairs
    ]
    src_of = list(src_ids)
    tgt_of = list(tgt_ids)
    fwd = train_ibm1(segs, len(src_of), len(tgt_of), iterations)
    bwd = train_ibm1([(t, s) for s, t in segs], len(tgt_of), len(src_of), iterations)
    return Lexicon(
        _as_dict(fwd.s, fwd.t, fwd.p, src_of, tgt_of),
        _as_dict(bwd.s, bwd.t, bwd.p, tgt_of, src_of),
    )


def _as_dict(
    s: np.ndarray, t: np.ndarray, p: np.ndarray, s_of: list[str], t_of: list[str]
) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    n = len(s_of)
    for a, b, v in zip(s.tolist(), t.tolist(), p.tolist(), strict=True):
        if a < n and v > 1e-4:  # NULL rows (a == n) are not word pairs
            out[(s_of[a], t_of[b])] = v
    return out


def same_form(a: str, b: str) -> float:
    """1 for the same form (of two letters or more); a cognate's similarity from .8; else 0."""
    if len(a) < 2 or len(b) < 2:
        return 0.0
    if a == b:
        return 1.0
    if min(len(a), len(b)) < 5 or not (a.isascii() and b.isascii()):
        return 0.0
    sim = Levenshtein.normalized_similarity(a, b)
    return sim if sim >= 0.8 else 0.0


def scores(
    lex: Lexicon,
    src: Sequence[str],
    tgt: Sequence[str],
    prior: np.ndarray | None = None,
    common: np.ndarray | None = None,
) -> np.ndarray:
    """(len(src), len(tgt)) alignment scores of two sentences' keys.

    `prior`: dictionary evidence of the same shape (app.words.evidence.prior), taken where it
    beats the tables; `common`: which source words are among their language's commonest,
    whose scores under ``evidence.COMMON_SCORE`` are dropped.
    """
    n, m = len(src), len(tgt)
    out = np.zeros((n, m))
    for i, s in enumerate(src):
        for j, t in enumerate(tgt):
            base = max(lex.prob(s, t), same_form(s, t))
            if prior is not None:
                base = max(base, float(prior[i, j]))
            if base > 0:
                gap = abs((i + 0.5) / n - (j + 0.5) / m)
                out[i, j] = base * math.exp(-DIAGONAL * gap)
    if common is not None and out.size:
        from app.words.evidence import COMMON_SCORE

        weak = common[:, None] & (out < COMMON_SCORE)
        out[weak] = 0.0
    return out


def links(matrix: np.ndarray) -> dict[int, int]:
    """Competitive linking (Melamed 2000): the best-scoring pair of the sentence is linked
    first, then the best among the words still free, and so on while pairs score at least
    ``THRESHOLD``. Each word is linked once, so a frequent word cannot take every link."""
    out: dict[int, int] = {}
    if matrix.size == 0:
        return out
    order = np.argsort(-matrix, axis=None, kind="stable")
    used_t: set[int] = set()
    for flat in order.tolist():
        i, j = divmod(flat, matrix.shape[1])
        if matrix[i, j] < THRESHOLD:
            break
        if i in out or j in used_t:
            continue
        out[i] = j
        used_t.add(j)
    return out


def counterpart(matrix: np.ndarray, i: int) -> list[int]:
    """Target positions that translate source position `i` (empty when nothing is sure)."""
    if matrix.size == 0 or matrix.shape[1] == 0:
        return []
    best = links(matrix).get(i)
    if best is None:
        return []
    row = matrix[i]
    picked = {best}
    for step in (-1, 1):  # grow along the sentence while the words stay good
        j = best + step
        while (
            0 <= j < len(row) and row[j] >= SPREAD * row[best] and int(matrix[:, j].argmax()) == i
        ):
            picked.add(j)
            j += step
    return sorted(picked)


def _best_source(matrix: np.ndarray, j: int) -> int:
    return int(matrix[:, j].argmax())


def proportional(n: int, m: int, i: int) -> list[int]:
    """The baseline: the target word at the same relative place."""
    if n == 0 or m == 0:
        return []
    return [min(m - 1, int((i + 0.5) * m / n))]
