"""Words of a sentence with their character offsets, as a reader would pick them.

Letters and digits runs, with inner hyphens kept ("sud-ouest"); French and Italian elisions
("l'ambassade") and the English possessive ("Kurogi's") are split off. Han and kana runs,
and Thai, Lao, Khmer and Burmese, are cut by ICU's dictionary word breaks (so 权利 is one
word, not two characters); Chinese ones are then re-cut on the installed dictionary's
headwords (app.words.segment); Japanese ones are cut by Sudachi's morphological analyser,
which also gives each word's dictionary form (app.words.japanese).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from app.words.segment import cut

_RUN = regex.compile(
    r"(?P<cjk>[\p{Han}\p{Hiragana}\p{Katakana}ー]+)"
    r"|(?P<dict>[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}][\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{M}]*)"
    r"|(?P<word>(?:(?!\p{Han}|\p{Hiragana}|\p{Katakana})[\p{L}\p{M}\p{N}])+"
    r"(?:[-'’](?:(?!\p{Han}|\p{Hiragana}|\p{Katakana})[\p{L}\p{M}\p{N}])+)*)"
)
_ELISION = regex.compile(
    r"^(?:[cdjlmnst]|qu|jusqu|lorsqu|puisqu|quoiqu|dell|dall|nell|sull|all|un)['’]", regex.I
)
_ELIDING = {"fr", "it", "ca"}


@dataclass(frozen=True)
class Word:
    """A word of a text and where it is: ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    #: the dictionary form the analyser read in the sentence (Japanese), else ""
    base: str = field(default="", compare=False)

    @property
    def key(self) -> str:
        """The form words are compared by: lower-cased, curly apostrophes straightened."""
        return self.text.lower().replace("’", "'")


@lru_cache(maxsize=4096)
def _icu(run: str, lang: str) -> tuple[str, ...]:
    from icu4py.breakers import WordBreaker

    return tuple(WordBreaker(run, lang or "root"))


def words(text: str, lang: str) -> list[Word]:
    """The words of `text` in language `lang` (a BCP-47 tag; only its base is used)."""
    base = lang.lower().split("-")[0]
    out: list[Word] = []
    for m in _RUN.finditer(text):
        if m.group("word"):
            out.extend(_split_elision(m.group(), m.start(), base))
            continue
        at = m.start()
        if m.group("cjk") and base == "ja":
            out.extend(_japanese(m.group(), at))
            continue
        pieces = _icu(m.group(), base)
        for piece in cut(m.group(), base, pieces) if m.group("cjk") else pieces:
            if piece.strip():
                out.append(Word(piece, at, at + len(piece)))
            at += len(piece)
    return out


def _japanese(run: str, at: int) -> list[Word]:
    from app.words.japanese import morphemes

    out = []
    for piece, form in morphemes(run):
        out.append(Word(piece, at, at + len(piece), form))
        at += len(piece)
    return out


def _split_elision(tok: str, start: int, lang: str) -> list[Word]:
    if lang == "en" and len(tok) > 2 and tok[-2] in "'’" and tok[-1] in "sS":  # Kurogi's
        cut = len(tok) - 2
        return [Word(tok[:cut], start, start + cut), Word(tok[cut:], start + cut, start + len(tok))]
    if lang in _ELIDING:
        m = _ELISION.match(tok)
        if m and m.end() < len(tok):
            cut = m.end()
            return [
                Word(tok[:cut], start, start + cut),
                Word(tok[cut:], start + cut, start + len(tok)),
            ]
    return [Word(tok, start, start + len(tok))]


def word_at(text: str, lang: str, word: str) -> Word | None:
    """Where `word` is in `text`: the first word equal to it (case-insensitive); for a
    selection that is several words ("l'ambassade", "droits de l'homme"), its longest word;
    else the word where the selection starts."""
    wanted = word.strip().lower().replace("’", "'")
    found = words(text, lang)
    for w in found:
        if w.key == wanted:
            return w
    parts = sorted(words(word, lang), key=lambda w: -len(w.text))
    if parts and parts[0].key != wanted:
        return word_at(text, lang, parts[0].text)
    return _around(found, text.lower().replace("’", "'").find(wanted))


def _around(found: list[Word], at: int) -> Word | None:
    """The word at character `at`: a selection cut otherwise than here (Chromium selects
    ICU's 图书 of what app.words.segment keeps as 图书馆)."""
    if at < 0:
        return None
    return next((w for w in found if w.start <= at < w.end), None)
