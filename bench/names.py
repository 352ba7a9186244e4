"""Names-finding precision on a labelled multi-language story.

Usage: PYTHONPATH=<tree> /work/main/.venv/bin/python bench/names.py [--data PATH]

Runs the names check of the tree on PYTHONPATH over `tests/data/names/charter.json` (five
languages, every pair linked 1-1) and prints each finding, judged: right when every word it
reports is a labelled name that the counterpart paragraph lacks. Pure computation, no model.
"""

import argparse
import json
from itertools import combinations
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "names" / "charter.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    from app.checks.model import CheckLink, CheckPair, CheckParagraph, Corpus
    from app.checks.names import check_names

    data: dict[str, Any] = json.loads(args.data.read_text(encoding="utf-8"))
    langs = list(data["texts"])
    paragraphs = [
        CheckParagraph(doc, i, text, "text", lang, lang, (text,), (lang,))
        for doc, lang in enumerate(langs)
        for i, text in enumerate(data["texts"][lang])
    ]
    n = len(data["texts"][langs[0]])
    ends = list(combinations(range(len(langs)), 2))
    links = [
        CheckLink(a, (i,), b, (i,), "translation", "auto", 0.9) for a, b in ends for i in range(n)
    ]
    findings = check_names(
        Corpus(paragraphs, links, [CheckPair(a, b, "translation") for a, b in ends])
    )
    spellings: dict[str, list[str]] = data["names"]
    right = 0
    for f in findings:
        words = f.detail.split(" in ", 1)[0].split(", ")
        # a name finding always says which paragraphs of the other text lack the name
        assert f.counterpart is not None
        other_doc, other_paras = f.counterpart
        other = " ".join(data["texts"][langs[other_doc]][i] for i in other_paras)
        present = {k for k, forms in spellings.items() if any(s in other for s in forms)}
        names = [next((k for k, forms in spellings.items() if w in forms), None) for w in words]
        ok = all(k is not None and k not in present for k in names)
        right += ok
        print(("right " if ok else "WRONG ") + f.detail)
    precision = right / len(findings) if findings else 1.0
    print(f"names findings: {len(findings)}, right: {right}, precision: {precision:.2f}")


if __name__ == "__main__":
    main()
