"""Word-level helpers shared by the checks: folding, stop words, lemma stems, language names."""

from __future__ import annotations

import functools
import logging
import re
import unicodedata

log = logging.getLogger(__name__)

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
LETTERS = re.compile(r"[^\W\d_]+")
# Stems are cut to this many letters: enough to keep 'volontaire' and 'volontariat' together,
# and 'Spende', 'spenden', 'spendete' (after lemmatising), without a real dictionary.
STEM_LETTERS = 5


def fold(text: str) -> str:
    """Lower case without accents: 'Légion' -> 'legion'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@functools.cache
def language_name(code: str) -> str:
    """English name of an ISO 639-1 code ('id' -> 'Indonesian'), the code if unknown."""
    from babel import Locale

    try:
        return str(Locale("en").languages.get(code, code))
    except (ValueError, TypeError):  # a code Babel's CLDR data does not know
        return code


@functools.cache
def stopwords(lang: str) -> frozenset[str]:
    """Frequent words of a language (jusText's lists, built from Wikipedia), folded.

    jusText comes with trafilatura, which ingest already depends on. Empty when the
    language has no list: then every word counts as a content word.
    """
    import justext  # type: ignore[import-untyped]

    name = language_name(lang).replace(" ", "_")
    if name not in justext.get_stoplists():
        return frozenset()
    return frozenset(fold(w) for w in justext.get_stoplist(name))


@functools.cache
def lemma(word: str, lang: str) -> str:
    """simplemma's lemma of a word, or the word itself for a language it lacks."""
    import simplemma

    try:
        return str(simplemma.lemmatize(word, lang=lang, low_memory=True))
    except ValueError:  # simplemma knows no such language
        return word
