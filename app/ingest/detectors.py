"""lingua's detectors, and which of its full language models a process keeps in memory.

lingua scores a text of 120 letters or more on trigrams alone (a few MB a language); a
shorter one on 1- to 5-grams, whose models take 30-55 MB a language once loaded and stay
loaded. Lines and sentences are scored among a bounded set of common languages
(app.ingest.language.segment_candidates), so their full models are loaded once and kept.
A short document, though, is judged among every language lingua knows: scored in full, it
loaded the full models of every language written in its script (900 MB for a Latin-script
one; bench/memory.py). So it is first scored on trigrams among all of them, then in full
among the SHORTLIST best and the common languages only, and the full models of the
shortlisted rare languages are unloaded again (bench/langid_real.py measures the effect).
"""

from __future__ import annotations

import functools
import logging
import threading

from lingua import ConfidenceValue, IsoCode639_1, Language, LanguageDetector
from lingua import LanguageDetectorBuilder as Builder

log = logging.getLogger(__name__)

# lingua uses trigrams only from 120 letters on; the margin keeps a text our letter count
# puts just above lingua's from being scored in full among every language.
TRIGRAM_LETTERS = 130
# A short document is scored in full among its best few languages by trigrams (and the
# common ones).
SHORTLIST = 3

# lingua's calls, one at a time: unloading a language's models must not happen while
# another thread scores with them (parsing has one thread in a worker anyway).
_lock = threading.Lock()


def language_of(code: str) -> Language:
    """lingua's Language for an ISO 639-1 code.

    Raises:
        ValueError: when lingua does not know the code.
    """
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except AttributeError:
        raise ValueError(f"unknown language code {code!r}") from None


def code_of(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


@functools.cache
def all_codes() -> frozenset[str]:
    return frozenset(code_of(language) for language in Language.all())


@functools.lru_cache(maxsize=64)
def _detector(codes: frozenset[str], low_accuracy: bool = False) -> LanguageDetector:
    builder = (
        Builder.from_all_languages()
        if codes >= all_codes()
        else Builder.from_languages(*(language_of(c) for c in sorted(codes)))
    )
    log.debug("building a lingua detector for %d languages", len(codes))
    return (builder.with_low_accuracy_mode() if low_accuracy else builder).build()


def _values(values: list[ConfidenceValue]) -> dict[str, float]:
    return {code_of(value.language): value.value for value in values}


def confidences(text: str, codes: frozenset[str]) -> dict[str, float]:
    """lingua's confidence per language of `codes` (at least two)."""
    with _lock:  # never while another thread unloads models (document_confidences)
        return _values(_detector(codes).compute_language_confidence_values(text))


def document_confidences(
    text: str, codes: frozenset[str], letters: int, common: frozenset[str]
) -> dict[str, float]:
    """lingua's confidences of a document among `codes`, without keeping the full models of
    rare languages: a short text (under TRIGRAM_LETTERS letters) is scored in full among its
    SHORTLIST best languages by trigrams and the `common` ones only; others get 0.0."""
    if letters >= TRIGRAM_LETTERS or codes <= common:
        return confidences(text, codes)
    with _lock:
        rough = _values(_detector(codes, True).compute_language_confidence_values(text))
    ranked = sorted(codes, key=lambda code: (-rough.get(code, 0.0), code))
    rare = frozenset(ranked[:SHORTLIST]) - common
    shortlist = (common & codes) | rare
    if len(shortlist) == 1:
        return {code: 1.0 if code in shortlist else 0.0 for code in codes}
    found = confidences(text, shortlist)
    if rare:
        with _lock:
            log.debug("unloading lingua's full models of %s", ", ".join(sorted(rare)))
            _detector(rare).unload_language_models()
    return {code: found.get(code, 0.0) for code in codes}
