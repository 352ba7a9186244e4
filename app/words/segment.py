"""Chinese and Japanese words cut with the help of the installed dictionary's headwords.

ICU's dictionary word breaks (what Chromium's double-click selects) cut 图书馆 "library" into
图书 + 馆 and keep 新的 or 存放在 whole; a word aligned that way lights "book" for "library".
A run of Han and kana is re-cut here at the least cost, where a piece is a headword of the
installed dictionary from the language into English (CC-CEDICT for Chinese, FreeDict's
Japanese–English: cost 1), one of ICU's pieces (2.5 unless a headword), or a single
character (3 unless a headword). Japanese keeps ICU's pieces (its dictionary cuts
conjugations well) and only merges whole ones into a headword, never across a one-kana
particle (絵 + を + 描く is a headword). Without a dictionary, ICU's pieces are kept.
On bench/words.py's gold this gave Chinese the largest gain (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import regex

from app.words.dictionary import Book, dictionary

#: longest headword tried (characters)
LONGEST = 8
#: cost of an ICU piece that is no headword; of a character that is none
ICU_COST = 2.5
CHAR_COST = 3.0
_KANA = regex.compile(r"^[\p{Hiragana}\p{Katakana}ー]+$")
_SEGMENTED = {"zh", "ja"}


@lru_cache(maxsize=8)
def _book(lang: str) -> Book | None:
    return dictionary(lang, "en")


def cut(run: str, lang: str, icu: Sequence[str]) -> list[str]:
    """The pieces of a Han/kana `run` (ICU's pieces: `icu`), re-cut on the dictionary: the
    cheapest cut by dynamic programming over the run's characters."""
    if lang not in _SEGMENTED or len(run) < 2 or _book(lang) is None:
        return list(icu)
    n = len(run)
    bounds, pieces, particles = {0}, set(), set()
    for piece in icu:
        start = max(bounds)
        pieces.add((start, start + len(piece)))
        bounds.add(start + len(piece))
        if len(piece) == 1 and _KANA.match(piece):
            particles.add(start)
    best: list[float] = [0.0] + [float("inf")] * n
    back = [0] * (n + 1)
    for a in range(n):
        for b in range(a + 1, min(n, a + LONGEST) + 1):
            on_icu = (a, b) in pieces
            whole = a in bounds and b in bounds and not particles.intersection(range(a, b))
            if lang == "ja" and not (on_icu or whole):
                continue  # Japanese: ICU's pieces, or whole ones merged into a headword
            cost = _cost(run[a:b], lang, on_icu)
            if cost is not None and best[a] + cost < best[b]:
                best[b], back[b] = best[a] + cost, a
    out: list[str] = []
    while n > 0:
        out.append(run[back[n] : n])
        n = back[n]
    return out[::-1]


def _cost(piece: str, lang: str, is_icu: bool) -> float | None:
    """What taking `piece` as a word costs, or None when it may not be one."""
    kana_merge = lang == "ja" and not is_icu and _KANA.match(piece)
    if not kana_merge and _is_headword(lang, piece):
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
