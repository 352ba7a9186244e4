"""A word's dictionary form, by simplemma (rules and word lists for about 50 languages)."""

from __future__ import annotations

import logging
from functools import lru_cache

import simplemma

logger = logging.getLogger(__name__)


@lru_cache(maxsize=65536)
def lemma(word: str, lang: str) -> str:
    """The lemma of `word` in `lang`; the word itself where simplemma has no data for it."""
    base = lang.lower().split("-")[0]
    try:
        return str(simplemma.lemmatize(word, lang=base))
    except ValueError:  # a language simplemma does not cover (zh, ja, ...)
        return word
