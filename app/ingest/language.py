"""Language identification with lingua, for documents and for the short pieces inside them.

Two questions, two candidate sets:

* What is the document in? Asked of the whole text, against every language lingua knows, so
  that a Finnish or Swahili upload is named as such and refused, not forced into the nearest
  supported language. On an article this is fast: from 120 letters on, lingua only loads
  and uses its trigram models. A shorter document is scored in full among its likeliest
  languages only (app.ingest.detectors), not among all of them.
* What is this line or sentence in? Short pieces are hard: over all languages, 'JAPAN
  SPENDET' comes out Swedish. So a piece keeps the language of what contains it (the
  document for a line, the line for a sentence) unless lingua, restricted to a bounded set of
  plausible languages, finds another one clearly more likely (see `segment_language`).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable

import regex
from lingua import Language

from app.align.encoder import E5_LANGUAGES, USEM3_LANGUAGES
from app.ingest.detectors import all_codes as _all_codes
from app.ingest.detectors import confidences, document_confidences, language_of
from app.ingest.script import (
    keep_scripts,
    language_scripts,
    letter_count,
    piece_scripts,
    script_fit,
)

log = logging.getLogger(__name__)

_LATIN = frozenset({"Latn"})

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
# Below this many letters a text is short: lingua's guess on 'Hello' is Italian (.31) or
# Sesotho. A short document is judged among the common languages only and a short piece of
# one keeps its container's language, unless lingua is at least this confident.
SHORT_LETTERS = 30
SHORT_MIN_CONFIDENCE = 0.4
# Languages whose scripts hold at least the best share of the words minus this margin are
# the candidates (see app.ingest.script.script_fit).
FIT_MARGIN = 0.1
# A piece with at least this share of its words in its container's script is in that
# language, or another written in the same script: words in another script are borrowings.
MIXED_SHARE = 0.25

# Markup that says nothing about a language: heading attributes ('{ #anchor }',
# '{#id .class}'), link targets and bare URLs, e-mail addresses.
_ATTRIBUTES = regex.compile(r"\{[^{}\n]*[#.][^{}\n]*\}")
_LINK = regex.compile(r"!?\[([^\]\n]*)\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_URL = regex.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")


def id_text(text: str) -> str:
    """The text language id should look at: markup, anchors and URLs removed."""
    text = _LINK.sub(r"\1", text)
    return _URL.sub(" ", _ATTRIBUTES.sub(" ", text))


def language_name(code: str) -> str:
    """English name of a language code, for messages ('fi' -> 'Finnish')."""
    try:
        return language_of(code).name.title()
    except ValueError:
        return code


@functools.cache
def _all_scripts() -> frozenset[str]:
    return frozenset(s for code in _all_codes() for s in language_scripts(code))


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


def _fitting(text: str, codes: frozenset[str]) -> frozenset[str]:
    """The languages among `codes` whose scripts fit the text's words best."""
    fit = script_fit(text, codes)
    top = max(fit.values(), default=0.0)
    if top <= 0.0:
        return codes
    return frozenset(code for code, share in fit.items() if share >= top - FIT_MARGIN)


def _scores(
    text: str, codes: frozenset[str], common: frozenset[str] | None = None
) -> dict[str, float]:
    """lingua's confidences among `codes`, on the words written in their scripts only
    (lingua gives every language 0 when a text has letters none of them uses). With
    `common`, a document's: see app.ingest.detectors.document_confidences."""
    if len(codes) == 1:
        return {next(iter(codes)): 1.0}
    scripts = frozenset(s for code in codes for s in language_scripts(code))
    if scripts and scripts != _LATIN:
        text = keep_scripts(text, scripts)
    if common is None:
        return confidences(text, codes)
    return document_confidences(text, codes, letter_count(text), common)


def document_language(
    text: str, supported: Iterable[str], common: Iterable[str] = ()
) -> str | None:
    """The language of a whole text: a code in `supported` or, if not, the best guess.

    Only languages written in the scripts most of its words are in are considered. A short
    text is judged among `common` languages (default: the web's and the default encoder's)
    and must be identified with some confidence.

    Returns None when the text has no letters or is too short to tell.
    """
    supported = tuple(supported)
    text = id_text(text)
    letters = letter_count(text)
    if letters < 2:
        return None
    short = letters < SHORT_LETTERS
    usual = frozenset(common) or segment_candidates(supported)
    pool = usual if short else _all_codes()
    scores = _scores(text, _fitting(text, pool), usual)
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] <= 0.0:
        return None
    if short and scores[best] < SHORT_MIN_CONFIDENCE:
        log.debug("document: too short to tell (%s at %.2f)", best, scores[best])
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
    """The language of a line or sentence, keeping `prior` unless the evidence is clear.

    Clear evidence is a script the prior language is not written in, or, in its script,
    lingua finding another language SWITCH_RATIO times more likely (and, for a short piece,
    at least SHORT_MIN_CONFIDENCE). A piece written only in scripts its prior language uses
    alongside another one (kanji in Japanese, hanja in Korean) keeps the prior language.
    """
    text = id_text(text)
    words = [word for word in text.split() if any(ch.isalpha() for ch in word)]
    letters = letter_count(text)
    if letters < 2 or len(words) < min_words:
        return prior
    prior_scripts = language_scripts(prior) if prior else frozenset()
    used = piece_scripts(text, _all_scripts())
    if _plainly_prior(words, prior, prior_scripts, used):
        return prior
    codes = candidates | {prior} if prior else candidates
    if prior and prior_scripts and not (used & prior_scripts):
        return _in_other_script(text, codes, prior)
    fitting = _fitting(text, codes)
    if prior and prior_scripts and used & prior_scripts:
        fitting = _prior_script_rivals(text, codes, prior, fitting)
    return _switch_or_keep(text, fitting, prior, letters)


def _plainly_prior(
    words: list[str], prior: str | None, prior_scripts: frozenset[str], used: frozenset[str]
) -> bool:
    """A run of capitalised words (names, a title) says nothing against the prior language,
    nor does a piece only in scripts the prior uses alongside another (kanji in Japanese)."""
    if prior and len(words) > 1 and all(_is_capitalized(word) for word in words):
        return True
    return len(prior_scripts) > 1 and bool(used) and used <= prior_scripts


def _prior_script_rivals(
    text: str, codes: frozenset[str], prior: str, fitting: frozenset[str]
) -> frozenset[str]:
    """Mixed scripts ('... Ministry of Electronics के अनुसार ...'): the words in the
    prior's script carry the grammar; only languages of that script compete."""
    fit = script_fit(text, codes)
    if fit[prior] >= MIXED_SHARE:
        return frozenset(c for c in codes if abs(fit[c] - fit[prior]) <= FIT_MARGIN)
    return fitting


def _in_other_script(text: str, codes: frozenset[str], prior: str) -> str:
    """Another script than the prior's altogether: the best language written in it, even
    a rare one."""
    fitting = _fitting(text, _all_codes())
    pick = fitting & codes or fitting
    scores = _scores(text, frozenset(pick))
    return max(scores, key=scores.__getitem__, default=prior)


def _switch_or_keep(
    text: str, fitting: frozenset[str], prior: str | None, letters: int
) -> str | None:
    """The best of `fitting` when it beats `prior` clearly (see :func:`segment_language`)."""
    scores = _scores(text, fitting | ({prior} if prior else frozenset()))
    best = max(scores, key=scores.__getitem__, default=None)
    if best is None or scores[best] <= 0.0:
        return prior
    if prior is None or best == prior:
        return best
    floor = SHORT_MIN_CONFIDENCE if letters < SHORT_LETTERS else MIN_CONFIDENCE
    if scores[best] >= floor and scores[best] >= SWITCH_RATIO * scores.get(prior, 0.0):
        return best
    return prior


def warm_up(languages: Iterable[str] = SUPPORTED_LANGUAGES) -> None:
    """Build the detectors and load their models now (a few seconds) rather than on the first
    upload; an app can call this once at startup."""
    document_language("Warm-up text long enough for trigrams. " * 5, tuple(languages))
    segment_language("Warm up", None, segment_candidates(languages))
