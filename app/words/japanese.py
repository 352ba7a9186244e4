"""Japanese words and their dictionary forms, by Sudachi's morphological analyser.

ICU's dictionary word breaks (what Chromium's double-click selects) cut a conjugated verb
into stem and ending well but know no dictionary forms, and cut compounds where a reader
would not (放課 + 後). Sudachi (sudachipy, with the core dictionary shipped as a package)
analyses a run in context: its long units (split mode C: 図書館, 町議会, 子どもたち) are the
words the reader looks up, and each comes with its dictionary form (立っ → 立つ,
集め → 集める), which the aligner compares and the dictionaries are searched by.

A tokenizer is not safe to share between threads (FastAPI runs lookups in a pool): one per
thread, over one dictionary loaded once per process.
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

_LOCAL = threading.local()
_LOAD = threading.Lock()
_DICTIONARY: list[Any] = []


def _tokenizer() -> Any:
    tok = getattr(_LOCAL, "tokenizer", None)
    if tok is None:
        from sudachipy import Dictionary, SplitMode

        with _LOAD:
            if not _DICTIONARY:
                _DICTIONARY.append(Dictionary(dict="core"))
        tok = _DICTIONARY[0].tokenizer(SplitMode.C)
        _LOCAL.tokenizer = tok
    return tok


@lru_cache(maxsize=8192)
def morphemes(run: str) -> tuple[tuple[str, str], ...]:
    """(surface, dictionary form) of each word of `run`, in order; the surfaces join to `run`."""
    tok = _tokenizer()
    return tuple(
        (m.surface(), m.dictionary_form()) for part in _parts(run) for m in tok.tokenize(part)
    )


#: Sudachi refuses an input over 49,149 bytes; a run of Han and kana this long (characters,
#: up to 4 bytes each) is analysed in parts cut between two of ICU's words
LONGEST_PART = 4000


def _parts(run: str) -> list[str]:
    if len(run) <= LONGEST_PART:
        return [run]
    from icu4py.breakers import WordBreaker

    parts, now = [], ""
    for piece in WordBreaker(run, "ja"):
        while len(piece) > LONGEST_PART:  # one "word" that long: cut it anywhere
            parts.append(now + piece[: LONGEST_PART - len(now)])
            piece, now = piece[LONGEST_PART - len(now) :], ""
        if len(now) + len(piece) > LONGEST_PART:
            parts.append(now)
            now = ""
        now += piece
    return [p for p in [*parts, now] if p]


@lru_cache(maxsize=65536)
def base_form(word: str) -> str:
    """The dictionary form of a word seen alone (the word itself unless it is one word).

    Out of its sentence a form can be read otherwise (読み alone is the noun "reading"):
    where the sentence is at hand, the form :func:`morphemes` gives in it is the better one.
    """
    found = morphemes(word)
    return found[0][1] if len(found) == 1 else word
