"""Dictionary evidence for the word aligner: which word pairs of two sentences a bilingual
dictionary gives as translations, in either direction.

A pair's IBM-1 tables are trained on one document pair, often a few dozen sentences: too
few to learn most words (on bench/words.py's gold they found 60 % of German counterparts and
23 % of Chinese ones). The installed dictionaries (app.words.dictionary) know most content
words. A source word's translations are the words of every sense of its form's and its
lemma's entries (lemmatised, without the target language's commonest words, which senses
use as glue: "to", "the", "of"); a Japanese word's lemma is its dictionary form as Sudachi
read it in the sentence (立っ → 立つ). A target word matches when its form or lemma is one of
them, or when the reverse dictionary's senses of the target word hold the source word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from app.words.dictionary import dictionary
from app.words.frequency import frequency
from app.words.lemma import lemma, lemma_of
from app.words.meanings import senses
from app.words.tokens import Word

#: what a dictionary match scores (the IBM-1 score is a geometric mean of probabilities)
MATCH = 0.8
#: words of a sense at least this common (Zipf) are glue, not a translation
GLUE_ZIPF = 6.2
#: a word this common (Zipf, in its language: は, の, der, the) ...
COMMON_ZIPF = 6.8
#: ... is linked only on this much evidence (its IBM-1 score is often high by chance)
COMMON_SCORE = 0.55


@lru_cache(maxsize=65536)
def translations(
    word: str, lang: str, into: str, folder: str | None = None, base: str = ""
) -> frozenset[str]:
    """Lower-cased lemmas (in `into`) of the senses of `word`, of its lemma and of `base`
    (its dictionary form as read in its sentence, where the analyser gave one)."""
    book = dictionary(lang, into, Path(folder) if folder else None)
    if book is None:
        return frozenset()
    out: set[str] = set()
    forms = (word, *([base] if base else []), lemma(word, lang))
    for form in dict.fromkeys(forms):
        for entry in book.entries(form):
            if entry.headword.endswith("…"):
                continue
            for _labelled, text in senses(entry):
                for w in re.findall(r"\w+", re.sub(r"\([^)]*\)", "", text).lower()):
                    if frequency(w, into).zipf < GLUE_ZIPF:
                        out.add(lemma(w, into).lower())
    return frozenset(out)


def prior(
    src: Sequence[Word],
    src_lang: str,
    tgt: Sequence[Word],
    tgt_lang: str,
    folder: Path | None = None,
) -> np.ndarray:
    """(len(src), len(tgt)): MATCH where a dictionary pairs the two words, else 0."""
    where = str(folder) if folder else None
    out = np.zeros((len(src), len(tgt)))
    s_forms = [{w.key, lemma_of(w, src_lang)} for w in src]
    t_forms = [{w.key, lemma_of(w, tgt_lang)} for w in tgt]
    for i, w in enumerate(src):
        fwd = translations(w.key, src_lang, tgt_lang, where, w.base)
        for j, forms in enumerate(t_forms):
            if forms & fwd:
                out[i, j] = MATCH
    for j, w in enumerate(tgt):
        bwd = translations(w.key, tgt_lang, src_lang, where, w.base)
        for i, forms in enumerate(s_forms):
            if forms & bwd:
                out[i, j] = MATCH
    return out


def common(ws: Sequence[Word], lang: str) -> np.ndarray:
    """Which words are among the language's commonest (bool, one per word)."""
    return np.array([frequency(w.key, lang).zipf >= COMMON_ZIPF for w in ws], dtype=bool)
