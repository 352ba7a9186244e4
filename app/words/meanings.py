"""A few short senses of a word, for the word card, from the dictionaries of app.words.dictionary.

An entry's text in FreeDict is a headword line, then sense lines ("1. man, human being",
"house <n>", " [adm.] establishment <n>"), with examples, notes, synonyms and "see:" lines
indented under them. Only sense lines are kept, without part-of-speech tags, labels and
cross-references; they are ordered: senses holding a counterpart word the aligner found
first, then those of the word's own form before its lemma's, unlabelled before labelled
("[adm.]", "[ugs.]"), the headword's exact case first, then the commoner rendering first
(wordfreq, in the sense's language: dictionaries list senses in no useful order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from app.words.dictionary import Book, Entry, dictionary
from app.words.frequency import frequency

LIMIT = 3
SENSE_CHARS = 70
NUMBER = re.compile(r"^\d+\.(\s+|$)")
TAG = re.compile(r"<[^>]*>")
XREF = re.compile(r"\{[^}]*\}")
LABEL = re.compile(r"\[[^\]]*\]")
SKIP = ("see:", "Synonym", "Note:", '"')


@dataclass(frozen=True)
class Meaning:
    lang: str  # the language of the sense (the dictionary's target)
    headword: str  # the entry it comes from: the word's form or its lemma
    text: str


def _clean(line: str) -> str:
    text = XREF.sub("", TAG.sub("", LABEL.sub("", line)))
    text = re.sub(r"\s+\d+\.$", "", text)  # "ambassade 2.": a reference to a sense number
    text = re.sub(r"\s+,", ",", re.sub(r"\s+", " ", text)).strip(" ,;")
    if text.startswith("(") and text.endswith(")"):
        return ""  # a grammar note: "(noun (common))", "(suffix)"
    if len(text) > SENSE_CHARS:
        text = text[: SENSE_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;") + "…"
    return text


def senses(entry: Entry) -> list[tuple[bool, str]]:
    """(labelled, text) of each sense of an entry: the first line of text of each numbered
    sense (or of the entry, when it is not numbered). Lines after it are definitions in the
    headword's language (FreeDict's German–French has them), examples or notes."""
    out, taken = [], False
    for line in entry.text.split("\n"):
        if line.startswith("  ") or line.strip().startswith(SKIP):
            continue
        numbered = NUMBER.match(line.strip())
        if numbered:  # a number alone has no translation (what follows defines it)
            taken = not NUMBER.sub("", line.strip())
        if taken:
            continue
        text = _clean(NUMBER.sub("", line.strip()))
        if text:
            out.append((bool(LABEL.search(line)), text))
            taken = True
    return out


def _mentions(text: str, words: list[str]) -> bool:
    low = text.lower()
    return any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", low) for w in words if w)


def _common(text: str, lang: str) -> float:
    """How common the sense's first rendering is in its language (Zipf; a phrase counts as
    its rarest word, less half a point a word more): "go" before "turn out" for "gehen"."""
    first = re.split(r"[,;]", re.sub(r"\([^)]*\)", "", text), maxsplit=1)[0]
    words = [w for w in re.findall(r"\w+", first.lower()) if w]
    if not words:
        return 0.0
    return min(frequency(w, lang).zipf for w in words) - 0.5 * (len(words) - 1)


def _ranked(book: Book, forms: list[str], hints: list[str], into: str) -> list[tuple[str, str]]:
    """(headword, sense) in the order of the module's docstring, without a sense whose first
    rendering an earlier one has."""
    scored: list[tuple[tuple[bool, int, bool, int, float, int], str, str]] = []
    for rank, form in enumerate(forms):
        for entry in book.entries(form):
            if entry.headword.endswith("…"):
                continue  # a prefix ("Haus…"), not the word
            case = 0 if entry.headword == form else 1
            for labelled, text in senses(entry):
                common = -_common(text, into)
                key = (not _mentions(text, hints), rank, labelled, case, common, len(scored))
                scored.append((key, form, text))
    seen: set[str] = set()
    out = []
    for _key, form, text in sorted(scored):
        first = re.split(r"[,;]", re.sub(r"\([^)]*\)", "", text), maxsplit=1)[0].strip().lower()
        if first not in seen:  # "message, embassage" adds little after "message"
            seen.add(first)
            out.append((form, text))
    return out


def meanings(
    word: str,
    lemma: str,
    lang: str,
    into: str,
    hints: tuple[str, ...] = (),
    *,
    limit: int = LIMIT,
    folder: Path | None = None,
) -> list[Meaning]:
    """Up to `limit` senses of `word` (or of its lemma) in language `into`; [] without a
    dictionary for the pair. `hints`: counterpart words the aligner found, ranked first."""
    book = dictionary(lang, into, folder)
    if book is None:
        return []
    forms = list(dict.fromkeys(f for f in (word.strip(), lemma.strip()) if f))
    ranked = _ranked(book, forms, [h.lower() for h in hints], into)
    return [Meaning(into, form, text) for form, text in ranked[:limit]]
