"""Chinese words cut with the help of the installed dictionary's headwords.

ICU's dictionary word breaks (what Chromium's double-click selects) cut 图书馆 "library" into
图书 + 馆 and keep 新的 or 存放在 whole; a word aligned that way lights "book" for "library".
A run of Han characters is re-cut here at the least cost, where a piece is a headword of
CC-CEDICT (cost 1), one of ICU's pieces (2.5 unless a headword), or a single character
(3 unless a headword). Without a dictionary, ICU's pieces are kept. On bench/words.py's
gold this gave Chinese the largest gain (docs/performance.md). Japanese is cut by a
morphological analyser instead (app.words.japanese).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from app.words.dictionary import Book, dictionary

#: longest headword tried (characters)
LONGEST = 8
#: cost of an ICU piece that is no headword; of a character that is none
ICU_COST = 2.5
CHAR_COST = 3.0
_SEGMENTED = {"zh"}


@lru_cache(maxsize=8)
def _book(lang: str) -> Book | None:
    return dictionary(lang, "en")


def cut(run: str, lang: str, icu: Sequence[str]) -> list[str]:
    """The pieces of a Han `run` (ICU's pieces: `icu`), re-cut on the dictionary: the
    cheapest cut by dynamic programming over the run's characters."""
    if lang not in _SEGMENTED or len(run) < 2 or _book(lang) is None:
        return list(icu)
    n = len(run)
    pieces, start = set(), 0
    for piece in icu:
        pieces.add((start, start + len(piece)))
        start += len(piece)
    best: list[float] = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for a in range(n):
        for b in range(a + 1, min(n, a + LONGEST) + 1):
            cost = _cost(run[a:b], lang, (a, b) in pieces)
            if cost is not None and best[a] + cost < best[b]:
                best[b], back[b] = best[a] + cost, a
    out: list[str] = []
    while n > 0:
        out.append(run[back[n] : n])
        n = back[n]
    return out[::-1]


def _cost(piece: str, lang: str, is_icu: bool) -> float | None:
    """What taking `piece` as a word costs, or None when it may not be one."""
    if _is_headword(lang, piece):
        return 1.0
    if is_icu:
        return ICU_COST
    return CHAR_COST if len(piece) == 1 else None


@lru_cache(maxsize=65536)
def _is_headword(lang: str, piece: str) -> bool:
    book = _book(lang)
    if book is None:
        return False
    has = getattr(book, "has", None)
    return bool(has(piece)) if has is not None else bool(book.entries(piece))
