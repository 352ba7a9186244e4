"""Lexical anchors a document pair shares: numbers, names and sentence punctuation.

Sentence encoders are weak exactly where a translation is easiest to check by eye: a
number, a name, a question. A bead that keeps "Bao-yu" with the sentence that says 宝玉,
or "1989" with "1989", is more likely right than its neighbour that splits them. Anchors
are compared in a common Latin transliteration (anyascii: 宝玉 -> "baoyu",
Мацуно -> "matsuno"), so names match across scripts; Han text has no word boundaries,
so every run of one to three syllables is a candidate and only those that the other side
also holds count. Each shared anchor is weighted by how rare it is in the pair (a name on
every line of a chapter says little about which line).

Words count as names when the document writes them capitalised in mid-sentence and
never in lower case (German capitalises every noun; those rarely match the other
language and so cost nothing).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np
from anyascii import anyascii

_WORD = re.compile(r"[^\W_](?:[^\W_]|['’\-][^\W_])*")
_DIGITS = re.compile(r"\d(?:[\d.,'’ ]*\d)?")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_QUOTES = "\"'“”„‟«»‹›「」『』‘’‚"
# punctuation classes that survive translation well; CJK full-width forms fold to these
_PUNCT = {"?": "?", "？": "?", "!": "!", "！": "!", ":": ":", "：": ":", "…": "…"}
_MAX_SYLLABLES = 3


def _fold(word: str) -> str:
    """Lower-case Latin transliteration without hyphens or apostrophes."""
    return re.sub(r"[^a-z0-9]", "", anyascii(word).lower())


def _numbers(text: str) -> set[str]:
    """Digit groups with their separators removed ("60 000" = "60.000" = "60000")."""
    out = set()
    for m in _DIGITS.finditer(unicodedata.normalize("NFKC", text)):
        digits = re.sub(r"\D", "", m.group())
        if digits:
            out.add("#" + digits)
    return out


def _punct(text: str) -> set[str]:
    out = {"p" + _PUNCT[c] for c in text if c in _PUNCT}
    if any(c in _QUOTES for c in text):
        out.add('p"')
    return out


def _han_syllables(text: str) -> set[str]:
    """Every run of 1..3 transliterated Han characters, joined (宝玉 -> bao, yu, baoyu)."""
    out = set()
    for run in _HAN.findall(text):
        syl = [_fold(c) for c in run]
        for k in range(1, _MAX_SYLLABLES + 1):
            for s in range(len(syl) - k + 1):
                out.add("".join(syl[s : s + k]))
    return out


def _name_forms(units: Sequence[str]) -> set[str]:
    """Folded forms of the words a document only ever writes capitalised, and mid-sentence."""
    mid_caps: set[str] = set()
    lower: set[str] = set()
    for text in units:
        for pos, m in enumerate(_WORD.finditer(text)):
            w = m.group()
            if not w[0].isalpha() or not w[0].isupper() and not w[0].islower():
                continue  # scripts without case (Han, Thai, Arabic) are handled elsewhere
            if w[0].islower():
                lower.add(_fold(w))
            elif pos > 0:
                mid_caps.add(_fold(w))
    return {w for w in mid_caps - lower if len(w) >= 2}


def unit_anchors(units: Sequence[str]) -> list[set[str]]:
    """The anchors of each unit of one document.

    Args:
        units: n unit texts.

    Returns:
        n sets of anchor keys: ``#digits``, ``p?``-style punctuation classes, folded
        names, and (for Han text) transliterated syllable runs.
    """
    names = _name_forms(units)
    out = []
    for text in units:
        keys = _numbers(text) | _punct(text)
        for m in _WORD.finditer(text):
            f = _fold(m.group())
            if f in names:
                keys.add(f)
        keys |= _han_syllables(text)
        out.append(keys)
    return out


def anchor_matrix(src_units: Sequence[str], tgt_units: Sequence[str]) -> np.ndarray:
    """Weighted count of the anchors each source unit shares with each target unit.

    An anchor held by ``a`` source and ``b`` target units weighs ``1 / max(a, b)``, so a
    name on every line of both sides adds little while a number found once on each side
    adds 1. Only anchors present on both sides count.

    Args:
        src_units: n texts.
        tgt_units: m texts.

    Returns:
        (n, m) float32.
    """
    sa, ta = unit_anchors(src_units), unit_anchors(tgt_units)
    n, m = len(sa), len(ta)
    out = np.zeros((n, m), np.float32)
    if n == 0 or m == 0:
        return out
    where_s: dict[str, list[int]] = {}
    for i, keys in enumerate(sa):
        for k in keys:
            where_s.setdefault(k, []).append(i)
    where_t: dict[str, list[int]] = {}
    for j, keys in enumerate(ta):
        for k in keys:
            if k in where_s:
                where_t.setdefault(k, []).append(j)
    for k, js in where_t.items():
        is_ = where_s[k]
        out[np.ix_(is_, js)] += 1.0 / max(len(is_), len(js))
    return out


def _surface_forms(units: Sequence[str]) -> list[dict[str, str]]:
    """Per unit, its name and number anchors mapped to how the text writes them."""
    names = _name_forms(units)
    out = []
    for text in units:
        forms: dict[str, str] = {}
        for m in _DIGITS.finditer(unicodedata.normalize("NFKC", text)):
            digits = re.sub(r"\D", "", m.group())
            if digits:
                forms.setdefault("#" + digits, m.group())
        for m in _WORD.finditer(text):
            f = _fold(m.group())
            if f in names:
                forms.setdefault(f, m.group())
        for run in _HAN.findall(text):
            for k in range(1, _MAX_SYLLABLES + 1):
                for s in range(len(run) - k + 1):
                    forms.setdefault("".join(_fold(c) for c in run[s : s + k]), run[s : s + k])
        out.append(forms)
    return out


def shared_evidence(
    src_units: Sequence[str],
    tgt_units: Sequence[str],
    pairs: Sequence[tuple[int, int]],
    max_units: int = 2,
) -> list[tuple[str, ...]]:
    """The distinctive names and numbers two units share, as the source writes them.

    A name or number counts when it is in at most ``max_units`` units of each document:
    "Ukraine" in every paragraph of two reports on Ukraine explains nothing, "Matsuno" in
    one paragraph of each does. Punctuation is never evidence.

    Args:
        src_units: n texts; tgt_units: m texts.
        pairs: (i, j) unit pairs to explain.

    Returns:
        One tuple of surface forms per pair (empty when nothing distinctive is shared).
    """
    sf, tf = _surface_forms(src_units), _surface_forms(tgt_units)
    df_s: dict[str, int] = {}
    df_t: dict[str, int] = {}
    for side, df in ((sf, df_s), (tf, df_t)):
        for unit in side:
            for key in unit:
                df[key] = df.get(key, 0) + 1
    out: list[tuple[str, ...]] = []
    for i, j in pairs:
        keys = sorted(
            k for k in sf[i].keys() & tf[j].keys() if df_s[k] <= max_units and df_t[k] <= max_units
        )
        # a Han run shared with a Latin name also matches its own sub-runs: keep the longest
        found = [sf[i][k] for k in keys]
        found = [f for f in found if not any(f != g and f in g for g in found)]
        out.append(tuple(dict.fromkeys(found)))
    return out
