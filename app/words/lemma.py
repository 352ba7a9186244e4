"""A word's dictionary form, by simplemma (rules and word lists for about 50 languages).

Japanese, which simplemma has no data for, by Sudachi (app.words.japanese): a word's
dictionary form as read in its sentence (``Word.base``, :func:`lemma_of`), or alone.

simplemma's low-memory dictionaries, here and in app.checks: the same word lists read from
their compressed stream (about 8 MB a language in memory) rather than unpacked into a dict of
every form (about 60 MB a language, 230 MB for de, fr, en and uk); the same lemmas
(bench/memory.py).
"""

from __future__ import annotations

import logging
from functools import lru_cache

import simplemma

from app.words.japanese import base_form
from app.words.tokens import Word

logger = logging.getLogger(__name__)


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str) -> str:
    """The lemma of `word` in `lang`; the word itself where simplemma has no data for it."""
    base = lang.lower().split("-")[0]
    if base == "ja":
        return base_form(word)
    try:
        return str(simplemma.lemmatize(word, lang=base, low_memory=True))
    except ValueError:  # a language simplemma does not cover (zh, ja, ...)
        return word


def lemma_of(word: Word, lang: str) -> str:
    """The lemma of a word of a sentence, lower-cased: the analyser's reading in the
    sentence where there is one (Japanese), else :func:`lemma` of its form."""
    return (word.base or lemma(word.key, lang)).lower()
