"""lingua's detectors, and which of its full language models a process keeps in memory.

lingua scores a text of 120 letters or more on trigrams alone (a few MB a language); a
shorter one on 1- to 5-grams, whose models take 25-40 MB a language once loaded. A short
text is therefore scored in two passes: on trigrams among all its candidates, then in full
among its SHORTLIST best and the languages it must be weighed against (a document's common
languages, a line's or sentence's container language) only; the others get 0.0.

A short document was judged among every language of its script in full (900 MB for a
Latin-script one); a short line among the thirteen common Latin-script languages (+320 MB,
kept for good). Now, at each document's end (`settle`), the full models of the languages
the last KEEP_DOCUMENTS documents did not use are unloaded: memory follows what the recent
documents need (bench/memory.py; bench/langid_real.py measures the languages found).
"""

from __future__ import annotations

import ctypes
import functools
import logging
import threading

from lingua import ConfidenceValue, IsoCode639_1, Language, LanguageDetector
from lingua import LanguageDetectorBuilder as Builder

log = logging.getLogger(__name__)

# lingua uses trigrams only from 120 letters on; the margin keeps a text our letter count
# puts just above lingua's from being scored in full among every language.
TRIGRAM_LETTERS = 130
# A short text is scored in full among its best few languages by trigrams (and the ones it
# must be weighed against).
SHORTLIST = 3
# Full models stay loaded while one of the last KEEP_DOCUMENTS documents used them: a
# story's source and translation alternate, and reloading a language costs 0.2-0.4 CPU-s
# (unloading all but the six most recent after every document reloaded 5-10 languages per
# page of a mixed-language collection).
KEEP_DOCUMENTS = 2

# lingua's calls, one at a time: unloading a language's models must not happen while
# another thread scores with them (parsing has one thread in a worker anyway).
_lock = threading.Lock()
# Languages whose full models were used: the number of the document that last did, and
# the number of documents settled so far (under _lock).
_loaded: dict[str, int] = {}
_documents = [0]


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
    with _lock:  # never while another thread unloads models (settle, unload)
        found = _values(_detector(codes).compute_language_confidence_values(text))
        _keep_recent(codes)
        return found


def _keep_recent(used: frozenset[str]) -> None:
    """Note that `used`'s full models may be loaded now. Called under _lock."""
    for code in used:
        _loaded[code] = _documents[0]


def loaded_languages() -> list[str]:
    """Languages whose full models may be loaded, the least recently used first."""
    with _lock:
        return sorted(_loaded, key=lambda code: (_loaded[code], code))


def settle(keep: int = KEEP_DOCUMENTS) -> None:
    """A document's end: unload the full models of the languages that the last `keep`
    documents did not use, and hand the heap's free pages back (a few ms)."""
    with _lock:
        _documents[0] += 1
        stale = frozenset(code for code, last in _loaded.items() if _documents[0] - last > keep)
        if stale:
            unload(stale)
        else:
            trim_heap()


def unload(codes: frozenset[str]) -> None:
    """Unload the full models of `codes` and hand the freed memory back to the system.
    Called under _lock."""
    log.debug("unloading lingua's full models of %s", ", ".join(sorted(codes)))
    _detector(codes).unload_language_models()
    for code in codes:
        _loaded.pop(code, None)
    trim_heap()


def trim_heap() -> None:
    """Return the C heap's free pages to the system (glibc; a no-op elsewhere): lingua's
    models are many small blocks, and what they leave behind stays resident otherwise."""
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _shortlist(text: str, codes: frozenset[str], weighed: frozenset[str]) -> frozenset[str]:
    """The `weighed` ones among `codes` and the SHORTLIST best of them by trigrams."""
    with _lock:
        rough = _values(_detector(codes, True).compute_language_confidence_values(text))
    ranked = sorted(codes, key=lambda code: (-rough.get(code, 0.0), code))
    return (weighed & codes) | frozenset(ranked[:SHORTLIST])


def _among(text: str, codes: frozenset[str], shortlist: frozenset[str]) -> dict[str, float]:
    if len(shortlist) == 1:
        return {code: 1.0 if code in shortlist else 0.0 for code in codes}
    found = confidences(text, shortlist)
    return {code: found.get(code, 0.0) for code in codes}


def shortlisted_confidences(
    text: str, codes: frozenset[str], letters: int, weighed: frozenset[str]
) -> dict[str, float]:
    """lingua's confidences of `text` among `codes`; a short text (under TRIGRAM_LETTERS
    letters) is scored in full among its SHORTLIST best languages by trigrams and the
    `weighed` ones only, and the others get 0.0."""
    if letters >= TRIGRAM_LETTERS or len(codes) <= SHORTLIST:
        return confidences(text, codes)
    return _among(text, codes, _shortlist(text, codes, weighed))


def document_confidences(
    text: str, codes: frozenset[str], letters: int, common: frozenset[str]
) -> dict[str, float]:
    """lingua's confidences of a document among `codes`, without keeping the full models of
    rare languages: a short text is scored as by shortlisted_confidences, with the `common`
    languages weighed, and the full models of the rare ones shortlisted are unloaded after."""
    if letters >= TRIGRAM_LETTERS or codes <= common:
        return confidences(text, codes)
    shortlist = _shortlist(text, codes, common)
    found = _among(text, codes, shortlist)
    if rare := shortlist - common:
        with _lock:
            unload(rare)
    return found
