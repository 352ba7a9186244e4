"""Writing systems and words: which scripts a text uses, which languages write them, and word
boundaries by ICU's rules (dictionary-based for Thai, Lao, Khmer, Chinese and Japanese).

A language's scripts come from CLDR's likely subtags (shipped with Babel): 'hi' -> Deva,
'ja' -> Jpan (Han + Hiragana + Katakana), 'ko' -> Kore (Hangul + Han), 'zh' -> Hans (Han).
A character's script comes from the Unicode Script property (the `regex` module).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable

import regex
from babel.core import get_global

# ISO 15924 codes that stand for several scripts written together.
_COMPOSITE = {
    "Jpan": ("Hani", "Hira", "Kana"),
    "Kore": ("Hang", "Hani"),
    "Hans": ("Hani",),
    "Hant": ("Hani",),
}
# Scripts every text may have a few of (digits, punctuation) are not letters; these are.
_LETTER = regex.compile(r"[\p{L}\p{M}]")
# Unicode's terminal punctuation (., ;, :, ',', '。', '：', '，', '।', '۔', '؟' ...) and the
# ellipsis, which Unicode does not list.
_TERMINAL = regex.compile(r"[\p{Terminal_Punctuation}…]")
_WORDLIKE = regex.compile(r"[\p{L}\p{N}]")


@functools.cache
def language_scripts(code: str) -> frozenset[str]:
    """The scripts a language is usually written in ('ja' -> {Hani, Hira, Kana}); empty when
    CLDR does not know the language."""
    likely = get_global("likely_subtags").get(code)
    if not likely:
        return frozenset()
    parts = likely.split("_")
    script = parts[1] if len(parts) > 1 else ""
    return frozenset(_COMPOSITE.get(script, (script,)))


@functools.cache
def _script_tests() -> tuple[tuple[str, regex.Pattern[str]], ...]:
    from lingua import Language

    scripts: set[str] = set()
    for language in Language.all():
        scripts |= language_scripts(language.iso_code_639_1.name.lower())
    return tuple((s, regex.compile(rf"\p{{Script={s}}}")) for s in sorted(scripts))


@functools.lru_cache(maxsize=65536)
def char_script(ch: str) -> str | None:
    """The script of a letter among those lingua's languages use; None for other characters
    (digits, punctuation, combining marks, which take their base letter's script)."""
    for script, test in _script_tests():
        if test.match(ch):
            return script
    return None


def script_letters(text: str, scripts: Iterable[str]) -> Counter[str]:
    """How many letters of `text` are in each of `scripts`."""
    wanted = set(scripts)
    counts: Counter[str] = Counter()
    for ch in text:
        script = char_script(ch) if ch.isalpha() else None
        if script in wanted:
            counts[script] += 1  # type: ignore[index]
    return counts


_WORD_RUN = regex.compile(r"[\p{L}\p{M}]+")


def keep_scripts(text: str, scripts: frozenset[str]) -> str:
    """`text` with the words that have no letter in `scripts` blanked out."""
    return _WORD_RUN.sub(lambda m: m.group() if script_letters(m.group(), scripts) else " ", text)


def letter_count(text: str) -> int:
    """Letters and combining marks in `text`."""
    return len(_LETTER.findall(text))


# Script fit looks at this much of a long document: enough to see its scripts.
FIT_SAMPLE_CHARS = 20_000


def script_fit(text: str, languages: Iterable[str]) -> dict[str, float]:
    """For each language, the share of the text's words written in that language's scripts.

    Words, not letters: a Hindi page with English terms has long English nouns but more
    Hindi words (its grammar words are Hindi), so it fits Hindi better than English. A
    Japanese page (kanji and kana words) fits Japanese better than Chinese (kanji only).
    """
    languages = tuple(languages)
    scripts = {s for code in languages for s in language_scripts(code)}
    by_script: Counter[str] = Counter()
    for word in words(text[:FIT_SAMPLE_CHARS]):
        counts = script_letters(word, scripts)
        if counts:
            by_script[counts.most_common(1)[0][0]] += 1
    total = sum(by_script.values()) or 1
    return {code: sum(by_script[s] for s in language_scripts(code)) / total for code in languages}


def piece_scripts(text: str, scripts: Iterable[str]) -> frozenset[str]:
    """The scripts among `scripts` that `text` has letters in."""
    return frozenset(script_letters(text, scripts))


def ends_with_terminal(text: str) -> bool:
    """Whether the text ends in sentence or clause punctuation of any script."""
    return bool(text) and bool(_TERMINAL.fullmatch(text[-1]))


def words(text: str, lang: str | None = None) -> list[str]:
    """The words of `text` by ICU's word-break rules for `lang` (root rules when None).

    Unlike a regex, ICU keeps combining marks in their word (Thai vowels and tone marks,
    Arabic harakat) and finds word boundaries in scripts written without spaces.
    """
    from icu4py.breakers import WordBreaker

    if not text:
        return []
    return [w for w in WordBreaker(text, lang or "root") if _WORDLIKE.search(w)]


# Scripts written without spaces between words: ICU finds their words with a dictionary.
_UNSPACED = regex.compile(r"[\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}\p{Han}\p{Hiragana}\p{Katakana}]")
_LETTER_RUN = regex.compile(r"[\p{L}\p{M}]+")


def word_spans(text: str, lang: str | None = None) -> list[tuple[int, int]]:
    """(start, end) of each word: a run of letters with their combining marks (so Thai vowel
    signs and Arabic harakat stay inside their word), split further by ICU's dictionary rules
    where the script writes no spaces (Thai, Lao, Khmer, Burmese, Chinese, Japanese)."""
    from icu4py.breakers import WordBreaker

    spans: list[tuple[int, int]] = []
    for run in _LETTER_RUN.finditer(text):
        start, end = run.span()
        if not _UNSPACED.search(run.group()):
            spans.append((start, end))
            continue
        for a, b in WordBreaker(run.group(), lang or "root").segments():
            if _WORDLIKE.search(run.group()[a:b]):
                spans.append((start + a, start + b))
    return spans


def word_list(text: str, lang: str | None = None) -> list[str]:
    """The words of `text` (see word_spans): letters only, numbers left out."""
    return [text[a:b] for a, b in word_spans(text, lang)]
