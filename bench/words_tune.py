"""The word aligner's constants chosen on half of the gold, and scored on the other half.

bench/words.py's gold (bench/data/words/) is split by sentence: the even sentences tune, the
odd ones are held out. Every combination of the grid below is scored on the tuning half;
the chosen one is the combination whose lowest recall over the four pairs is highest while
every pair keeps precision at least .85 (mean F1 breaks ties). Then the chosen constants
and the app's own (app/words/align.py, app/words/evidence.py) are scored on the held-out
half, words whose constants were never fitted to. IBM-1 tables are trained on all 24
sentence pairs, as the app trains on a whole document pair (no gold is used there).

    .venv/bin/python bench/words_tune.py [--json out.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.words import align, evidence  # noqa: E402
from bench.words import HALVES, PAIRS, find, half, prepare  # noqa: E402

GRID = {
    "THRESHOLD": (0.08, 0.12, 0.16, 0.2),
    "SPREAD": (0.5, 0.6, 0.75),
    "DIAGONAL": (1.0, 1.5, 2.0),
    "COMMON_SCORE": (0.35, 0.45, 0.55),
    "MATCH": (0.6, 0.8),
}
FLOOR = 0.85


@dataclass(frozen=True)
class Case:
    """One labelled word with what its score does not depend on the constants for."""

    half: str
    i: int
    src: list[str]
    tgt: list[str]
    tgt_keys: list[str]
    matched: np.ndarray  # the dictionary prior as 0/1
    common: np.ndarray
    gold: frozenset[str]


def cases(lang: str) -> tuple[align.Lexicon, list[Case]]:
    p = prepare(lang)
    labels, src_tok, tgt_tok, src_keys, tgt_keys, lex = (
        p.labels, p.src_tok, p.tgt_tok, p.src_keys, p.tgt_keys, p.lex
    )  # fmt: skip
    out = []
    for lab in labels:
        i = find(src_tok[lab.sentence], lab)
        if i is None:
            continue
        mine, tgt = src_tok[lab.sentence], tgt_tok[lab.sentence]
        out.append(
            Case(
                half(lab), i, src_keys[lab.sentence], tgt_keys[lab.sentence],
                [w.key for w in tgt], evidence.prior(mine, lang, tgt, "en") > 0,
                evidence.common(mine, lang), lab.gold,
            )
        )  # fmt: skip
    return lex, out


def measure(lex: align.Lexicon, found: list[Case], which: str) -> tuple[float, float]:
    """(precision, recall) of the aligner with the constants now set, on one half."""
    right = proposed = gold = 0
    for c in found:
        if c.half != which:
            continue
        prior = c.matched * evidence.MATCH
        js = align.counterpart(align.scores(lex, c.src, c.tgt, prior, c.common), c.i)
        pred = {c.tgt_keys[j] for j in js}
        right, proposed, gold = right + len(pred & c.gold), proposed + len(pred), gold + len(c.gold)
    return (right / proposed if proposed else 0.0), (right / gold if gold else 0.0)


def _set(values: dict[str, float]) -> None:
    for name, v in values.items():
        setattr(evidence if name in ("COMMON_SCORE", "MATCH") else align, name, v)


def _rank(figures: dict[str, tuple[float, float]]) -> tuple[bool, float, float]:
    ok = all(p >= FLOOR for p, _ in figures.values())
    f1 = [2 * p * r / (p + r) if p + r else 0.0 for p, r in figures.values()]
    return ok, min(r for _, r in figures.values()), sum(f1) / len(f1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    prepared = {lang: cases(lang) for lang in PAIRS}
    app_values = {name: getattr(evidence if name in ("COMMON_SCORE", "MATCH") else align, name)
                  for name in GRID}  # fmt: skip
    best: tuple[tuple[bool, float, float], dict[str, float]] | None = None
    for combo in itertools.product(*GRID.values()):
        values = dict(zip(GRID, combo, strict=True))
        _set(values)
        figures = {lang: measure(*prepared[lang], HALVES[0]) for lang in PAIRS}
        rank = _rank(figures)
        if best is None or rank > best[0]:
            best = (rank, values)
    assert best is not None
    results: dict[str, object] = {"grid": len(list(itertools.product(*GRID.values())))}
    for name, values in (("chosen_on_tune_half", best[1]), ("app", app_values)):
        _set(values)
        per_half = {
            f"{lang}-en": {h: [round(x, 3) for x in measure(*prepared[lang], h)] for h in HALVES}
            for lang in PAIRS
        }
        results[name] = {"constants": values, **per_half}
    _set(app_values)
    print(json.dumps(results, indent=1))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
