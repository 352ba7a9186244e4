"""Language id on real multilingual texts, and how it changes between two checkouts (issue 22).

Usage:
    .venv/bin/python bench/langid_real.py --code /tmp/before --out /tmp/langid-before.json
    .venv/bin/python bench/langid_real.py --out /tmp/after.json --against /tmp/langid-before.json

Every text goes through `parse_bytes` as an upload would, without a given language:

* `collection`: the nodejs-site collection (/work/shared/collections, 270 Markdown pages in
  16 languages, code, English terms and untranslated passages inside translated pages: real
  mixed-language documents), gold document language from its manifest;
* `gold`: Text+Berg (de, fr) and MAC-Dev (zh, en) chunks of 10 paragraphs of 3 sentences,
  and of 10 one-sentence paragraphs (short paragraphs);
* `sentence`: the first sentence of each such chunk as a document of its own (short
  documents, where lingua needs more than trigrams);
* `written`: tests/data texts (grouping, languages) and the four seeds.

Printed per set: document language right (against the gold) and, with --against, how many
documents, paragraphs and sentences got another language than in the other run, with the
differing pieces listed (up to --show). `--out` saves this run's languages as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared")
COLLECTION = SHARED / "collections" / "nodejs-site"
# The manifest's folder names that are not ISO 639-1 codes.
LANG_DIRS = {"zh-cn": "zh", "zh-tw": "zh", "pt-br": "pt", "pt": "pt"}


def texts() -> dict[str, list[tuple[str, str, str]]]:
    """(name, gold document language or '', text) per set."""
    from bench.library_data import chunked_stories, written_stories

    sets: dict[str, list[tuple[str, str, str]]] = {"collection": [], "gold": [], "sentence": []}
    for row in (COLLECTION / "manifest.tsv").read_text("utf-8").splitlines()[1:]:
        name, _story, lang_dir = row.split("\t")[:3]
        text = (COLLECTION / "files" / name).read_text("utf-8")
        sets["collection"].append((name, LANG_DIRS.get(lang_dir, lang_dir), text))
    for per_para in (3, 1):
        arts = chunked_stories(sentences_per_paragraph=per_para, paragraphs=10)
        for art in arts[:: max(len(arts) // 60, 1)][:60]:
            name = f"{art.story}-{per_para}.{art.lang}.txt"
            sets["gold"].append((name, art.lang, art.text))
            first = art.text.split("\n\n")[0]
            sets["sentence"].append((name, art.lang, first))
    seeds = {"000": "fr", "001": "de", "002": "en", "003": "en"}
    sets["written"] = [
        (f"{a.story}-{a.title}-{i}.txt", a.lang or seeds.get(a.title[:3], ""), a.text)
        for i, a in enumerate(written_stories(REPO))
    ]
    return sets


def identify(
    items: list[tuple[str, str, str]],
) -> dict[str, dict[str, Any]]:
    from app.ingest import IngestError, parse_bytes

    out: dict[str, dict[str, Any]] = {}
    for name, _gold, text in items:
        try:
            doc = parse_bytes(text.encode("utf-8"), source=name)
        except IngestError as err:
            out[name] = {"doc": f"error: {err.reason[:50]}", "paragraphs": [], "sentences": []}
            continue
        out[name] = {
            "doc": doc.lang,
            "paragraphs": [[p.lang, p.text[:80]] for p in doc.paragraphs],
            "sentences": [[s.lang, s.text[:80]] for p in doc.paragraphs for s in p.sentences],
        }
    return out


def compare(name: str, now: dict, before: dict, show: int) -> None:  # type: ignore[type-arg]
    counts = {"doc": [0, 0], "paragraphs": [0, 0], "sentences": [0, 0]}
    shown = 0
    for key, got in now.items():
        old = before.get(key)
        if old is None:
            continue
        counts["doc"][0] += got["doc"] != old["doc"]
        counts["doc"][1] += 1
        for level in ("paragraphs", "sentences"):
            pairs = list(zip(got[level], old[level], strict=False))
            for (lang, text), (old_lang, _t) in pairs:
                counts[level][1] += 1
                if lang != old_lang:
                    counts[level][0] += 1
                    if shown < show:
                        print(f"    {key} {level[:-1]}: {old_lang} -> {lang}: {text!r}")
                        shown += 1
    summary = ", ".join(f"{lvl} {d}/{n}" for lvl, (d, n) in counts.items())
    print(f"  {name}: changed against the other run: {summary}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose app/ to run")
    parser.add_argument("--out", type=Path, help="save this run's languages here (JSON)")
    parser.add_argument("--against", type=Path, help="another run's JSON to compare with")
    parser.add_argument("--show", type=int, default=15, help="differences listed per set")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    sys.path.insert(1, str(REPO))
    logging.basicConfig(level=logging.WARNING)
    print("command: python", " ".join(sys.argv))
    before = json.loads(args.against.read_text("utf-8")) if args.against else {}
    results = {}
    started = time.process_time()
    for name, items in texts().items():
        found = identify(items)
        results[name] = found
        right = sum(found[n]["doc"] == gold for n, gold, _t in items if gold)
        graded = sum(1 for _n, gold, _t in items if gold)
        pieces = sum(len(v["sentences"]) for v in found.values())
        print(
            f"{name}: {len(items)} documents, {pieces} sentences; "
            f"document language right {right}/{graded}"
        )
        misses = [
            (n, gold, found[n]["doc"]) for n, gold, _t in items if gold and found[n]["doc"] != gold
        ]
        for miss in misses[: args.show]:
            print(f"    miss {miss[0]}: gold {miss[1]}, found {miss[2]}")
        if name in before:
            compare(name, found, before[name], args.show)
    print(f"process time {time.process_time() - started:.1f} s")
    if args.out:
        args.out.write_text(json.dumps(results, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
