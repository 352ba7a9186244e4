"""Numbers: a number in one version with no equal in its translation.

Numbers are read per the document's locale (Babel's decimal and group symbols), so `60 000`
(fr, with any kind of space), `60.000` (de) and `60,000` (en) are all 60000, `17,4` (de) and
`17.4` (en) are 17.4; a scale word after the number multiplies it (`17 millions`, `17
Millionen`, `$17 million`, `1,5 Mrd.`). Dates and ages are numbers too: `28.`, `28 février`
and `February 28` are all 28; `23-jähriger` is 23.

Only translation links are compared: comparable texts (related links) legitimately round,
convert and date their figures differently (`2 billion yen ($17.4 million)` against `17
millions de dollars`).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import regex

from app.checks.model import Corpus, Finding, Group, label
from app.checks.text import fold

log = logging.getLogger(__name__)

SPACES = " \u00a0\u202f\u2009"
# A number does not start inside a word ("v24", "A4"), but scripts written without spaces run
# words into numbers ("这是1108", "第3章"): a letter of those may come right before one.
_UNSPACED_LETTERS = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_NOT_IN_WORD = rf"(?<!(?![{_UNSPACED_LETTERS}])[\w.,])"
# A digit run with its separators. A space only groups when exactly three digits follow and
# the number starts with one to three digits, so that '1995 200' stays two numbers.
_TOKEN = re.compile(
    rf"{_NOT_IN_WORD}(?:\d{{1,3}}(?:[{SPACES}]\d{{3}}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,'’]\d+)*)"
)
# Clock times: '10:30', '10h30', '10.30 Uhr', read as two numbers, hour and minutes.
_TIME = re.compile(_NOT_IN_WORD + r"([01]?\d|2[0-4])(?:[:hH]|\.(?=\d\d\s*(?:Uhr|h)\b))([0-5]\d)\b")

# Scale words after a number come from CLDR's compact decimal formats for every locale
# (Babel): '0 млн' (ru) is 10^6, '0万' (zh, ja) 10^4, '0 लाख' (hi) 10^5. These are
# abbreviations and forms CLDR does not list, per language; folded. 'billion' is 10^9 in
# English but 10^12 in French and German, so the document's own language decides.
_SCALES: dict[str, dict[str, int]] = {
    "en": {"thousand": 10**3, "k": 10**3, "million": 10**6, "millions": 10**6, "m": 10**6,
           "mn": 10**6, "mln": 10**6, "billion": 10**9, "billions": 10**9, "bn": 10**9,
           "trillion": 10**12, "tn": 10**12},
    "fr": {"mille": 10**3, "million": 10**6, "millions": 10**6, "milliard": 10**9,
           "milliards": 10**9, "md": 10**9, "mds": 10**9, "mrd": 10**9, "billion": 10**12,
           "billions": 10**12},
    "de": {"tausend": 10**3, "mio": 10**6, "million": 10**6, "millionen": 10**6,
           "mrd": 10**9, "milliarde": 10**9, "milliarden": 10**9, "billion": 10**12,
           "billionen": 10**12},
    "es": {"mil": 10**3, "millon": 10**6, "millones": 10**6, "millardo": 10**9,
           "millardos": 10**9, "billon": 10**12, "billones": 10**12},
    "it": {"mila": 10**3, "milione": 10**6, "milioni": 10**6, "mln": 10**6,
           "miliardo": 10**9, "miliardi": 10**9, "mld": 10**9, "mrd": 10**9},
    "pt": {"mil": 10**3, "milhao": 10**6, "milhoes": 10**6, "milhar": 10**3,
           "bilhao": 10**9, "bilhoes": 10**9, "mil milhoes": 10**9},
    "nl": {"duizend": 10**3, "miljoen": 10**6, "mln": 10**6, "miljard": 10**9,
           "mld": 10**9, "biljoen": 10**12},
}  # fmt: skip
# 'mil millones' (es) and 'mil milhões' (pt) are 10^9: checked before the single words.
_COMPOUND_SCALES = {"es": {"mil millones": 10**9}, "pt": {"mil milhoes": 10**9}}
_SCALE_AFTER = regex.compile(r"[\s\u00a0\u202f]*(?:de\s+)?([\p{L}\p{M}]+(?:\s+[\p{L}\p{M}]+)?)\.?")
_UNSPACED = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}]")
# Bidi marks and other format characters CLDR puts into patterns (Hebrew's U+200F).
_FORMAT_CHARS = regex.compile(r"\p{Cf}")

# Small numbers written as words, used only to accept a digit on the other side ('two
# veterans' against '2 vétérans'): a word never raises a finding itself.
_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
           "ten", "eleven", "twelve"),
    "fr": ("zero", "un", "deux", "trois", "quatre", "cinq", "six", "sept", "huit", "neuf",
           "dix", "onze", "douze"),
    "de": ("null", "eins", "zwei", "drei", "vier", "funf", "sechs", "sieben", "acht", "neun",
           "zehn", "elf", "zwolf"),
    "es": ("cero", "uno", "dos", "tres", "cuatro", "cinco", "seis", "siete", "ocho", "nueve",
           "diez", "once", "doce"),
    "it": ("zero", "uno", "due", "tre", "quattro", "cinque", "sei", "sette", "otto", "nove",
           "dieci", "undici", "dodici"),
    "pt": ("zero", "um", "dois", "tres", "quatro", "cinco", "seis", "sete", "oito", "nove",
           "dez", "onze", "doze"),
    "nl": ("nul", "een", "twee", "drie", "vier", "vijf", "zes", "zeven", "acht", "negen",
           "tien", "elf", "twaalf"),
}  # fmt: skip
_EXTRA_WORDS: dict[str, dict[str, int]] = {
    "en": {"a dozen": 12, "hundred": 100, "a hundred": 100, "a thousand": 1000, "twenty": 20},
    "fr": {"une": 1, "douzaine": 12, "cent": 100, "vingt": 20, "trente": 30},
    "de": {"ein": 1, "eine": 1, "einen": 1, "zwanzig": 20, "hundert": 100, "dutzend": 12},
}
SEVERITY_CHANGED = 0.8  # both sides have a number the other lacks: most likely a changed figure
SEVERITY_ONE_SIDED = 0.6
SEVERITY_CORROBORATED = 0.35  # a third version has the same figure: the fault is elsewhere


@dataclass(frozen=True)
class Number:
    """A number as written and the values it may stand for (the first is the reading)."""

    text: str
    values: tuple[Decimal, ...]
    base: tuple[Decimal, ...]  # the readings before the scale word
    scaled: bool
    start: int


@functools.cache
def _symbols(lang: str) -> tuple[str, str]:
    """(decimal symbol, group symbol) of a locale, English's when Babel does not know it."""
    from babel.numbers import get_decimal_symbol, get_group_symbol

    try:
        return get_decimal_symbol(lang), get_group_symbol(lang)
    except (ValueError, TypeError, LookupError):
        return ".", ","


@functools.cache
def _month_numbers(lang: str) -> dict[str, int]:
    """Folded month names of a locale -> 1..12, so '2' can match 'février' in a date."""
    from babel.dates import get_month_names

    out: dict[str, int] = {}
    try:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, locale=lang).items():
                out[fold(name).rstrip(".")] = int(number)
    except (ValueError, TypeError, LookupError):
        pass
    return out


def read_digits(token: str, lang: str) -> list[tuple[Decimal, ...]]:
    """Read one digit token per the locale; several numbers when it is a list ('1,2,3').

    Returns:
        One tuple of readings per number; the first reading is the locale's, the others are
        what the token would mean in the other convention (a machine translation often keeps
        its source's formatting).
    """
    decimal, group = _symbols(lang)
    parts = re.split(r"([.,'’\s\u00a0\u202f\u2009])", token)
    digits, seps = parts[0::2], parts[1::2]
    if not seps:
        return [(Decimal(token),)]
    kinds = {" " if s.isspace() else s for s in seps}
    whole = Decimal("".join(digits))
    if len(kinds) == 1:
        return _one_separator(digits, seps, next(iter(kinds)), whole, (decimal, group))
    return _mixed_separators(digits, seps)


def _one_separator(
    digits: list[str], seps: list[str], sep: str, whole: Decimal, symbols: tuple[str, str]
) -> list[tuple[Decimal, ...]]:
    """A token with one kind of separator: grouped thousands, a decimal, or a list."""
    decimal, group = symbols
    grouped = _in_thousands(digits)
    if grouped and (sep == " " or sep in "'’" or (sep == group and sep != decimal)):
        alt = _as_decimal(digits) if len(seps) == 1 and sep in ".," else None
        return [(whole,) + ((alt,) if alt is not None else ())]
    if len(seps) == 1 and sep in ".,":
        fraction = _as_decimal(digits)
        # '60.000' in an English text: a decimal by the locale, but most likely thousands.
        return [(fraction, whole) if grouped else (fraction,)]
    if grouped:
        return [(whole,)]
    return [(Decimal(d),) for d in digits]


def _in_thousands(digits: list[str]) -> bool:
    """'1', '12' or '123' then groups of three digits."""
    return 1 <= len(digits[0]) <= 3 and all(len(d) == 3 for d in digits[1:])


def _mixed_separators(digits: list[str], seps: list[str]) -> list[tuple[Decimal, ...]]:
    """Grouped thousands with a decimal part ('1,234.5'), else a list of numbers."""
    last = seps[-1]
    if last in ".," and len(digits) >= 2 and all(len(d) == 3 for d in digits[1:-1]):
        if 1 <= len(digits[0]) <= 3 and last not in seps[:-1]:
            try:
                return [(Decimal("".join(digits[:-1]) + "." + digits[-1]),)]
            except InvalidOperation:
                pass
    return [(Decimal(d),) for d in digits]


def _as_decimal(digits: list[str]) -> Decimal:
    return Decimal(digits[0] + "." + digits[1])


@functools.cache
def cldr_scales(lang: str) -> dict[str, int]:
    """Folded scale words of a locale's compact decimal formats -> multiplier.

    A pattern '00万' for the type 100000 means a number of two digits followed by 万, so 万 is
    100000 / 10 = 10^4.
    """
    from babel import Locale, UnknownLocaleError

    try:
        formats = Locale.parse(lang).compact_decimal_formats
    except (ValueError, UnknownLocaleError):
        return {}
    out: dict[str, int] = {}
    for width in formats:
        for patterns in formats[width].values():
            for kind, pattern in dict(patterns).items():
                text = str(getattr(pattern, "pattern", pattern))
                zeros = text.count("0")
                if not zeros or not str(kind).isdigit():
                    continue
                word = fold(_FORMAT_CHARS.sub("", text.replace("0", "")).strip().rstrip("."))
                if word and word not in out:
                    out[word] = int(kind) // 10 ** (zeros - 1)
    return out


@functools.cache
def _scale_table(lang: str) -> dict[str, int]:
    manual = _SCALES.get(lang, _SCALES["en"] if not cldr_scales(lang) else {})
    return {**cldr_scales(lang), **manual, **_COMPOUND_SCALES.get(lang, {})}


def _unit_letter(text: str, end: int, words: str) -> bool:
    """Whether the word after a number is one lower-case letter set apart by a space: a unit
    ("8611 m", a height in metres), not the compact "m"/"M" of a million, which is written
    against the number ("£5m") or capitalised ("5 M€", CLDR's French form)."""
    first = words.split()[0]
    return len(first) == 1 and first.islower() and text[end : end + 1].isspace()


def _scale(text: str, end: int, lang: str) -> tuple[int, int]:
    """The scale word right after a number ending at `end`: (multiplier, end of the word)."""
    match = _SCALE_AFTER.match(text, end)
    if not match:
        return 1, end
    words = fold(match.group(1))
    table = _scale_table(lang)
    if _unit_letter(text, end, match.group(1)):
        return 1, end
    if words in table:
        return table[words], match.end()
    raw = match.group(1).split()[0]
    first = fold(raw)
    if first in table:
        return table[first], match.start(1) + len(raw)
    # Scripts without spaces run the scale word into what follows ('100万人').
    if _UNSPACED.match(raw):
        for size in range(min(len(raw), 3), 0, -1):
            if fold(raw[:size]) in table:
                return table[fold(raw[:size])], match.start(1) + size
    # An abbreviation with a full stop that begins one scale word ('500 εκατ.' for
    # εκατομμύρια, 'тыс.' for тысяча).
    after = match.start(1) + len(raw)
    if len(first) >= 3 and text[after : after + 1] == ".":
        values = {value for word, value in table.items() if word.startswith(first)}
        if len(values) == 1:
            return values.pop(), after + 1
    return 1, end


def extract(text: str, lang: str) -> list[Number]:
    """The numbers written in digits in a text, with scale words applied."""
    out: list[Number] = []
    taken: list[tuple[int, int]] = []
    for match in _TIME.finditer(text):
        taken.append(match.span())
        for group in (1, 2):
            value = Decimal(match.group(group))
            out.append(Number(match.group(), (value,), (value,), False, match.start()))
    for match in _TOKEN.finditer(text):
        if any(s <= match.start() < e for s, e in taken):
            continue
        token = match.group()
        multiplier, end = _scale(text, match.end(), lang)
        shown = text[match.start() : end] if multiplier != 1 else token
        for readings in read_digits(token, lang):
            values = tuple(v * multiplier for v in readings)
            out.append(Number(shown, values, readings, multiplier != 1, match.start()))
    out.sort(key=lambda n: n.start)
    return out


def word_values(text: str, lang: str) -> set[Decimal]:
    """Values of small number words and month names in a text (to accept digits only)."""
    words = [fold(w) for w in re.findall(r"[^\W\d_]+", text)]
    table = {w: i for i, w in enumerate(_WORDS.get(lang, ()))}
    table.update(_EXTRA_WORDS.get(lang, {}))
    table.update(_month_numbers(lang))
    found = {Decimal(table[w]) for w in words if w in table}
    folded = " ".join(words)
    found.update(Decimal(v) for phrase, v in table.items() if " " in phrase and phrase in folded)
    return found


def _matches(number: Number, others: Iterable[Number], extra: set[Decimal]) -> bool:
    """Whether any reading of `number` equals a reading of another number or a word.

    Two scaled numbers match only by their scaled values, so that '17 millions' never
    matches '17 milliards'; a scaled and a plain number may also match by the digits alone
    ('17 Mio.' where the other side's scale word was not recognised).
    """
    for other in others:
        if set(number.values) & set(other.values):
            return True
        if number.scaled != other.scaled and set(number.base) & set(other.base):
            return True
    return bool(set(number.values) & extra)


class _Side:
    """One side of a group: its numbers per paragraph and the values of its words."""

    def __init__(self, corpus: Corpus, doc: int, paras: tuple[int, ...]) -> None:
        lang = corpus.lang(doc)
        self.doc, self.paras = doc, paras
        self.numbers: dict[int, list[Number]] = {}
        self.words: set[Decimal] = set()
        for i in paras:
            para = corpus.paragraphs.get((doc, i))
            if para is None:
                continue
            self.numbers[i] = extract(para.text, lang)
            self.words |= word_values(para.text, lang)

    def all(self) -> list[Number]:
        return [n for ns in self.numbers.values() for n in ns]


def check_numbers(corpus: Corpus) -> list[Finding]:
    """Findings for numbers that have no equal on the other side of a translation group."""
    findings: list[Finding] = []
    for group in corpus.groups:
        a = _Side(corpus, group.a_doc, group.a_paras)
        b = _Side(corpus, group.b_doc, group.b_paras)
        missing_a = _unmatched(a, b)
        missing_b = _unmatched(b, a)
        changed = bool(missing_a) and bool(missing_b)
        for side, other, missing, others_missing in (
            (a, b, missing_a, missing_b),
            (b, a, missing_b, missing_a),
        ):
            for para, numbers in missing.items():
                shown = ", ".join(dict.fromkeys(n.text for n in numbers))
                detail = (
                    f"{shown} in {label(corpus, side.doc, (para,))} has no equal in "
                    f"{label(corpus, other.doc, other.paras)}"
                )
                if others_missing:
                    theirs = ", ".join(
                        dict.fromkeys(n.text for ns in others_missing.values() for n in ns)
                    )
                    detail += f", which has {theirs}"
                severity = SEVERITY_CHANGED if changed else SEVERITY_ONE_SIDED
                backers = _corroborated(corpus, group, side.doc, para, numbers)
                if backers:
                    detail += f"; the same figure is in {', '.join(backers)}"
                    severity = SEVERITY_CORROBORATED
                findings.append(
                    Finding("numbers", side.doc, para, (other.doc, other.paras), detail, severity)
                )
    log.debug("numbers: %d findings over %d groups", len(findings), len(corpus.groups))
    return findings


def _unmatched(side: _Side, other: _Side) -> dict[int, list[Number]]:
    theirs = other.all()
    out: dict[int, list[Number]] = {}
    for para, numbers in side.numbers.items():
        lost = [n for n in numbers if not _matches(n, theirs, other.words)]
        if lost:
            out[para] = lost
    return out


def _corroborated(
    corpus: Corpus, group: Group, doc: int, para: int, numbers: list[Number]
) -> list[str]:
    """Third versions whose linked paragraphs carry all of these numbers too."""
    excluded = group.other(doc)[0]
    backers: list[str] = []
    for third in corpus.groups_of(doc, para):
        other_doc, other_paras = third.other(doc)
        if other_doc == excluded:
            continue
        side = _Side(corpus, other_doc, other_paras)
        if all(_matches(n, side.all(), side.words) for n in numbers):
            backers.append(label(corpus, other_doc, other_paras))
    return backers
