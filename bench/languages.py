"""Language id and paragraph kinds on the per-script fixtures (tests/data/languages/langid.json).

Usage: .venv/bin/python bench/languages.py [--code DIR] [--verbose]

Each fixture is a short document written for this project (Devanagari with English terms,
very short lines, Markdown anchors, Japanese kanji headings, Chinese lines ending in '：',
Thai paragraphs without spaces or final punctuation, RTL scripts, Cyrillic, Greek, Latin).
It is parsed as plain text, without a given language, and scored on the document's language,
each paragraph's language and each paragraph's kind. --code runs another checkout of the app
(e.g. the code before a change, extracted with `git archive`), for a before/after in one run.
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


def main() -> int:
    """Print document-language, paragraph-language and kind accuracy per script family."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose app/ to run")
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    logging.basicConfig(level=logging.WARNING)
    from app.ingest import IngestError, parse_text

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
    for fam, (ok, n) in sorted(families.items()):
        print(f"  {fam:12s} {ok}/{n} = {ok / n:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
