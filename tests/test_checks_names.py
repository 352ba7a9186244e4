"""Names findings worth reading: measured on a labelled five-language story
(tests/data/names/charter.json) where capitalised common words abound."""

import json
from itertools import combinations
from pathlib import Path
from typing import Any

from app.checks.model import CheckLink, CheckPair, CheckParagraph, Corpus, Finding
from app.checks.names import check_names

DATA = Path(__file__).parent / "data" / "names" / "charter.json"
LANGS = ("en", "de", "ru", "fr", "ar")


def load() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


def corpus_of(data: dict[str, Any]) -> Corpus:
    """The story as the checks see it: each language a document, every pair linked 1-1."""
    paragraphs = [
        CheckParagraph(doc, i, text, "text", lang, lang, (text,), (lang,))
        for doc, lang in enumerate(LANGS)
        for i, text in enumerate(data["texts"][lang])
    ]
    n = len(data["texts"]["en"])
    links = [
        CheckLink(a, (i,), b, (i,), "translation", "auto", 0.9)
        for a, b in combinations(range(len(LANGS)), 2)
        for i in range(n)
    ]
    pairs = [CheckPair(a, b, "translation") for a, b in combinations(range(len(LANGS)), 2)]
    return Corpus(paragraphs, links, pairs)


def _names_in(text: str, spellings: dict[str, list[str]]) -> set[str]:
    return {name for name, forms in spellings.items() if any(f in text for f in forms)}


def judge(finding: Finding, data: dict[str, Any]) -> bool:
    """Right when every reported word is a name that the counterpart paragraph lacks."""
    spellings: dict[str, list[str]] = data["names"]
    words = finding.detail.split(" in ", 1)[0].split(", ")
    assert finding.counterpart is not None
    other_doc, other_paras = finding.counterpart
    other = " ".join(data["texts"][LANGS[other_doc]][i] for i in other_paras)
    present = _names_in(other, spellings)
    for word in words:
        name = next((n for n, forms in spellings.items() if word in forms), None)
        if name is None or name in present:
            return False
    return True


def precision(findings: list[Finding], data: dict[str, Any]) -> float:
    if not findings:
        return 1.0
    return sum(judge(f, data) for f in findings) / len(findings)


def test_names_findings_are_names_precision_at_least_090() -> None:
    data = load()
    findings = check_names(corpus_of(data))
    wrong = [f.detail for f in findings if not judge(f, data)]
    assert precision(findings, data) >= 0.90, wrong
    # The name the German version really drops is still found (from every other language).
    nakamura = [f for f in findings if f.detail.startswith(("Nakamura", "Накамура"))]
    assert {f.counterpart[0] for f in nakamura if f.counterpart} == {LANGS.index("de")}


def test_capitalised_common_words_are_not_names() -> None:
    data = load()
    reported = {
        word
        for f in check_names(corpus_of(data))
        for word in f.detail.split(" in ", 1)[0].split(", ")
    }
    # German nouns, Russian and English referents ('настоящей Хартии', 'this Charter').
    for common in ("Rates", "Charta", "Хартии", "Декларации", "Совета", "Council", "Charter"):
        assert common not in reported
