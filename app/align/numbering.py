"""Numbering written with letters, read as the number it is, before a heading is encoded.

"סעיף א." (Hebrew letters as numerals), "Άρθρο βʹ" (Greek) and "Article IV." are what
"Article 1.", "Άρθρο 2" and "Article 4." say, but a sentence encoder sees letters: e5 puts
"Article 3." nearer "סעיף ט." than "סעיף ג.", so a run of article headings is aligned at
random and left unlinked. Only short units (headings, list labels) are rewritten, and only a
token that is written as a numeral there: a letter numeral followed by "." or ")" or marked by
a geresh/keraia, or ending the unit.
"""

import re

MAX_WORDS = 4

_HEBREW = {
    **dict(zip("אבגדהוזחט", range(1, 10), strict=True)),
    **dict(zip("יכלמנסעפצ", range(10, 100, 10), strict=True)),
    **dict(zip("קרשת", range(100, 500, 100), strict=True)),
    **{"ך": 20, "ם": 40, "ן": 50, "ף": 80, "ץ": 90},
}
_GREEK = {
    **dict(zip("αβγδεϛζηθ", range(1, 10), strict=True)),
    "ς": 6,
    "ϝ": 6,
    **dict(zip("ικλμνξοπϟ", range(10, 100, 10), strict=True)),
    "ϙ": 90,
    **dict(zip("ρστυφχψωϡ", range(100, 1000, 100), strict=True)),
}
# up to 399: chapters and articles; "MIX" or "DC" are more likely words or names
_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}
_GERESH = "׳״'\"ʹ΄'"
_TOKEN = re.compile(
    r"(?<![^\s(\[])([\u05d0-\u05ea]{1,2}[״\"][\u05d0-\u05ea]|[\u05d0-\u05ea]{1,3}|[α-ωϛϝϟϙϡ]{1,3}|[IVXLC]{1,8})"
    r"([" + _GERESH + r"]?)(?=([.):]|\s|$))"
)


def _letters(token: str, values: dict[str, int]) -> int | None:
    """The value of letters written largest first (יא = 11, טו = 15), else None."""
    numbers = [values.get(c.lower() if values is _GREEK else c) for c in token]
    if any(v is None for v in numbers):
        return None
    if any(a < b for a, b in zip(numbers, numbers[1:], strict=False)):  # type: ignore[operator]
        return None
    return sum(numbers)  # type: ignore[arg-type]


def _roman(token: str) -> int | None:
    values = [_ROMAN[c] for c in token]
    total = sum(
        -v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values)
    )
    canonical = re.fullmatch(r"C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})", token)
    return total if canonical and total > 0 else None


def _value(token: str, marked: bool, last: bool, follow: str) -> int | None:
    punctuated = bool(follow) and follow in ".):"
    if not (marked or last or punctuated):
        return None  # a short word, not a numeral
    if token[0] in _HEBREW:  # short Hebrew words abound: only "א." or "א׳" is a numeral
        return _letters(token, _HEBREW) if marked or punctuated else None
    if token[0].isupper():
        return _roman(token) if token[0] in _ROMAN else None
    return _letters(token, _GREEK) if marked or len(token) == 1 else None


def read_numbering(text: str) -> str:
    """`text` with a numbering letter token replaced by its digits, when `text` is short."""
    words = text.split()
    if not words or len(words) > MAX_WORDS:
        return text

    def replace(m: re.Match[str]) -> str:
        token, mark, follow = m.group(1), m.group(2), m.group(3) or ""
        if token[-2:-1] in ("״", '"'):  # gershayim before the last letter: י״א
            token, mark = token.replace("״", "").replace('"', ""), "״"
        last = not text[m.end() :].strip(" .):")
        value = _value(token, bool(mark), last, follow)
        return str(value) if value is not None else m.group(0)

    return _TOKEN.sub(replace, text)
