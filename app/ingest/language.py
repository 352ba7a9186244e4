"""Language identification with lingua, for documents and for the short pieces inside them.

Two questions, two candidate sets:

* What is the document in? Asked of the whole text, against every language lingua knows, so
  that a Finnish or Swahili upload is named as such and refused, not forced into the nearest
  supported language. On an article this is fast: from 120 characters on, lingua only loads
  and uses its trigram models. Only a very short document makes it load every model (a few
  seconds, once per process).
* What is this line or sentence in? Short pieces are hard: over all languages, 'JAPAN
  SPENDET' comes out Swedish. So a piece keeps the language of what contains it (the
  document for a line, the line for a sentence) unless lingua, restricted to a bounded set of
  plausible languages, finds another one clearly more likely (see `segment_language`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

from lingua import (
    ConfidenceValue,
    IsoCode639_1,
    Language,
    LanguageDetector,
    LanguageDetectorBuilder,
)

from app.align.encoder import E5_LANGUAGES, USEM3_LANGUAGES

log = logging.getLogger(__name__)

# The languages a document may be in: those lingua can identify and a packaged sentence
# encoder covers (usem3's 15 codes, e5's ~100; app.align.encoder picks the encoder per pair).
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(
    sorted(
        code
        for code in (lang.iso_code_639_1.name.lower() for lang in Language.all())
        if code in USEM3_LANGUAGES | E5_LANGUAGES
    )
)

# Languages a line inside a document may be in, besides the supported ones: roughly the
# twenty most common content languages of websites (W3Techs, 2024), i.e. what a news page
# plausibly quotes or leaves untranslated. Keeping out the many rarer languages lingua knows
# is what stops short lines from drifting into Swedish, Finnish or Tagalog.
WEB_LANGUAGES: tuple[str, ...] = (
    "en", "es", "de", "ja", "fr", "ru", "pt", "it", "nl", "pl",
    "tr", "fa", "zh", "vi", "id", "cs", "ko", "uk", "ar", "hu",
)  # fmt: skip

# A piece switches away from its container's language only if lingua finds the other
# language at least this many times more likely: a prior of 3:1 for the container's language
# against any single rival. On the seeds, genuine foreign lines score 4 to 15, and misreadings
# of names and credits inside a line of the document's language score below 2.
SWITCH_RATIO = 3.0
# ... and only if that language has this share of lingua's confidence on its own.
MIN_CONFIDENCE = 0.3
# A piece of two or more words that are all capitalized ('Hirokazu Matsuno', 'By Kiyoshi
# Takenaka', '(Wikimedia Commons/Vasyatka1)', a Title Case headline) is names, and names are no
# evidence of a language: lingua reads Japanese names as Czech or Indonesian. It keeps its
# container's language. A single word still counts: 'Partager', 'Teilen' are words.
#
# Sentences shorter than this keep their line's language: a name or an agency tag after a
# full stop ('(Kyodo) ==Kyodo') is no evidence of a language.
MIN_SENTENCE_WORDS = 3
# When the document's best guess is unsupported but a supported language is within this
# factor of it, take the supported one: on a very short text the two are a toss-up.
DOCUMENT_TIE_RATIO = 2.0


def language_of(code: str) -> Language:
    """lingua's Language for an ISO 639-1 code.

    Raises:
        ValueError: when lingua does not know the code.
    """
    try:
        return Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper()))
    except AttributeError:
        raise ValueError(f"unknown language code {code!r}") from None


def language_name(code: str) -> str:
    """English name of a language code, for messages ('fi' -> 'Finnish')."""
    try:
        return language_of(code).name.title()
    except ValueError:
        return code


def _code(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


@functools.lru_cache(maxsize=1)
def _all_languages_detector() -> LanguageDetector:
    log.info("building the lingua detector for all languages")
    return LanguageDetectorBuilder.from_all_languages().build()


@functools.lru_cache(maxsize=8)
def _segment_detector(codes: frozenset[str]) -> LanguageDetector:
    log.info("building the lingua detector for %d languages", len(codes))
    return LanguageDetectorBuilder.from_languages(*(language_of(c) for c in codes)).build()


def _is_capitalized(word: str) -> bool:
    """'Matsuno', 'Commons/Vasyatka1)': a capital then small letters, unlike 'JAPAN' or 'de'."""
    letters = [ch for ch in word if ch.isalpha()]
    return letters[0].isupper() and any(ch.islower() for ch in letters[1:])


def segment_candidates(supported: Iterable[str], doc_lang: str | None = None) -> frozenset[str]:
    """The languages a line may be in: the web's main languages and the default encoder's,
    if supported, and the document's own. Not every supported language: with seventy
    candidates short lines drift into rare ones."""
    common = (frozenset(WEB_LANGUAGES) | USEM3_LANGUAGES) & frozenset(supported)
    return common | ({doc_lang} if doc_lang else frozenset())


def _confidences(values: list[ConfidenceValue]) -> dict[str, float]:
    return {_code(value.language): value.value for value in values}


def document_language(text: str, supported: Iterable[str]) -> str | None:
    """The language of a whole text: a code in `supported` or, if not, the best guess.

    Returns None when the text has nothing lingua can judge (no letters).
    """
    supported = tuple(supported)
    scores = _confidences(_all_languages_detector().compute_language_confidence_values(text))
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] <= 0.0:
        return None
    if best in supported:
        return best
    rival = max(supported, key=lambda code: scores.get(code, 0.0))
    if scores.get(rival, 0.0) * DOCUMENT_TIE_RATIO >= scores[best]:
        log.debug("document: %s preferred over unsupported %s on a near tie", rival, best)
        return rival
    return best


def segment_language(
    text: str, prior: str | None, candidates: frozenset[str], *, min_words: int = 1
) -> str | None:
    """The language of a line or sentence, keeping `prior` unless the evidence is clear."""
    words = [word for word in text.split() if any(ch.isalpha() for ch in word)]
    if sum(ch.isalpha() for ch in text) < 2 or len(words) < min_words:
        return prior
    if prior and len(words) > 1 and all(_is_capitalized(word) for word in words):
        return prior
    codes = candidates | {prior} if prior else candidates
    values = _segment_detector(codes).compute_language_confidence_values(text)
    scores = _confidences(values)
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] <= 0.0:
        return prior
    if prior is None or best == prior:
        return best
    if scores[best] >= MIN_CONFIDENCE and scores[best] >= SWITCH_RATIO * scores.get(prior, 0.0):
        return best
    return prior


def warm_up(languages: Iterable[str] = SUPPORTED_LANGUAGES) -> None:
    """Build the detectors and load their models now (a few seconds) rather than on the first
    upload; an app can call this once at startup."""
    document_language("Warm-up text long enough for trigrams. " * 4, tuple(languages))
    segment_language("Warm up", None, segment_candidates(languages))
