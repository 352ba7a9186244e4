"""Names: a proper name in one version that its translation does not carry.

Capitalisation alone is weak evidence of a name: German capitalises every noun and English
its months, weekdays and titles. So a capitalised word (not first in its sentence, not all
capitals, not a month or weekday) only counts as a name when a version in ANOTHER language
capitalises it too ('Matsuno', 'Tokio'/'Tokyo', 'Kiew'/'Kiev'); nouns and titles, which
translate, rarely pass that test. Acronyms are left out: they translate too (EU/UE, UN/ONU).
Cognate common words capitalised as referents ('this Charter', 'la présente Charte',
'настоящей Хартии') pass it, so a name also needs one language whose dictionary (simplemma)
does not call the word a common noun: a known word with a lower-case lemma is common
('Декларации' → 'декларация'), one whose lemma keeps its capital is a proper noun
('Гамбурге' → 'Гамбург'). German, which capitalises every noun, has no vote.

Arabic and Hebrew write few vowels: a name is matched there by its consonants
('Keller' / 'كيلر' are both k-l-r).

A name counts as present in the counterpart when any word there, in any case, matches it
after folding accents and common transliteration variants, by shared stem or by an edit
ratio (rapidfuzz), after transliterating both into Latin letters with anyascii, so that
'Мацуно' is 'Matsuno'. Conservative by design: a missed name costs less than an editor's trust.
"""

from __future__ import annotations

import functools
import logging

from anyascii import anyascii
from rapidfuzz import fuzz

from app.checks.model import Corpus, Finding, Group, label
from app.checks.text import fold, lemma
from app.ingest.script import language_scripts, word_list, word_spans

log = logging.getLogger(__name__)

# Opening punctuation after which a word starts a quoted sentence.
_OPENERS = "\"'«“„‘‹([:—–-"
MIN_LETTERS = 3
MATCH_RATIO = 0.75
STRICT_RATIO = 0.8
SEVERITY = 0.6
SEVERITY_CORROBORATED = 0.75  # a third version carries the name too

# Spelling variants across languages' transliterations: Kiew/Kiev/Kyiv, Tokio/Tokyo,
# Tschechow/Chekhov.
_VARIANTS = (("tsch", "ch"), ("sch", "sh"), ("kh", "h"), ("ph", "f"), ("w", "v"), ("y", "i"),
             ("j", "i"), ("k", "c"), ("z", "s"))  # fmt: skip


@functools.lru_cache(maxsize=65536)
def skeleton(word: str) -> str:
    """A folded, transliteration-tolerant key in Latin letters: 'Kyiv' -> 'civ', 'Kiew' ->
    'ciev', 'Мацуно' -> 'matsuno' (anyascii transliterates every script)."""
    key = fold(anyascii(word))
    for old, new in _VARIANTS:
        key = key.replace(old, new)
    return key


@functools.lru_cache(maxsize=262144)
def similar(a: str, b: str) -> bool:
    """Whether two words are forms of one name (folded skeletons, compared loosely).

    Loose on purpose: a false match only hides a finding, a missed match raises a false one.
    """
    x, y = skeleton(a), skeleton(b)
    if x == y:
        return True
    short, long_ = sorted((x, y), key=len)
    n = len(short)
    if n >= 5 and short in long_:  # inside a compound: Legion / Fremdenlegion
        return True
    # Inflected and derived forms: Kurogi/Kurogis, Japan/Japans, Ukraine/ukrainischen.
    if n >= 4 and len(_common_prefix(x, y)) >= max(4, n - 1):
        return True
    if n >= 4 and (_ratio(x, y) >= MATCH_RATIO or _ratio(x[:n], y[:n]) >= MATCH_RATIO):
        return True
    # Derivations that change vowels: Japaner / Japonais / Japanese.
    cx, cy = _consonants(x), _consonants(y)
    return n >= 5 and len(cx) >= 3 and cx[:3] == cy[:3]


@functools.lru_cache(maxsize=262144)
def same_name(a: str, b: str) -> bool:
    """Whether two capitalised words are one name: the strict test used to confirm names."""
    x, y = skeleton(a), skeleton(b)
    n = min(len(x), len(y))
    if x == y or (n >= 4 and len(_common_prefix(x, y)) >= max(4, n - 1)):
        return True
    return n >= 4 and _ratio(x, y) >= STRICT_RATIO


def _ratio(x: str, y: str) -> float:
    return float(fuzz.ratio(x, y)) / 100.0


def _consonants(key: str) -> str:
    return key[:1] + "".join(ch for ch in key[1:] if ch not in "aeiou")


def _common_prefix(x: str, y: str) -> str:
    n = 0
    while n < min(len(x), len(y)) and x[n] == y[n]:
        n += 1
    return x[:n]


@functools.cache
def _calendar_words(lang: str) -> frozenset[str]:
    """Folded month and weekday names of a locale, which several languages capitalise."""
    from babel.dates import get_day_names, get_month_names

    words: set[str] = set()
    try:
        for width in ("wide", "abbreviated"):
            words.update(fold(n).rstrip(".") for n in get_month_names(width, locale=lang).values())
            words.update(fold(n).rstrip(".") for n in get_day_names(width, locale=lang).values())
    except (ValueError, TypeError, LookupError):
        pass
    return frozenset(words)


def candidates(sentences: tuple[str, ...], lang: str) -> list[str]:
    """Capitalised words that are not first in their sentence, all capitals, or calendar words."""
    calendar = _calendar_words(lang)
    out: list[str] = []
    for sentence in sentences:
        first = True
        for start, end in word_spans(sentence, lang):
            word = sentence[start:end]
            before = sentence[:start].rstrip()
            initial = first or (bool(before) and before[-1] in _OPENERS and _starts_clause(before))
            first = False
            if initial or len(word) < MIN_LETTERS or not word[0].isupper():
                continue
            if word.isupper() or fold(word) in calendar:
                continue
            out.append(word)
    return out


def _starts_clause(before: str) -> bool:
    """Whether text ending in an opener starts a new clause ('said: "We', '« Nous')."""
    stripped = before.rstrip(_OPENERS).rstrip()
    return not stripped or stripped[-1] in '.!?:;,—–-"«“„'


# Languages that capitalise every noun: their capitals say nothing about names.
NOUN_CAPITALISING = frozenset({"de", "lb"})
# Scripts that leave most vowels out: names are compared by their consonants.
ABJADS = frozenset({"Arab", "Hebr", "Syrc", "Thaa"})


@functools.lru_cache(maxsize=65536)
def common_word(word: str, lang: str) -> bool | None:
    """Whether a dictionary of `lang` calls the word a common word (True), a proper noun
    (False), or has no say (None: an unknown word, or a language without a vote)."""
    if lang in NOUN_CAPITALISING:
        return None
    import simplemma

    lower = word.lower()
    try:
        known = simplemma.is_known(lower, lang=lang, low_memory=True)
    except ValueError:  # simplemma knows no such language
        return None
    if not known:
        return None
    found = lemma(lower, lang)
    return not found[:1].isupper()


@functools.lru_cache(maxsize=65536)
def consonants(word: str) -> str:
    """A name's consonants in Latin letters, for scripts without vowels: 'Keller' -> 'klr',
    'كيلر' -> 'klr', 'الراين' -> 'rn' (article and h/g dropped: transliterations differ)."""
    if word.startswith("ال") and len(word) > 4:  # the Arabic article
        word = word[2:]
    key = "".join(ch for ch in fold(anyascii(word)) if ch.isalpha())
    if word.isascii() and key.endswith("w"):  # German -ew, -ow: Kiew, Tschechow
        key = key[:-1] + "f"
    for old, new in (("kh", "k"), ("gh", ""), ("ph", "f"), ("p", "b"), ("v", "f"), ("c", "k"),
                     ("q", "k"), ("ts", "s"), ("z", "s"), ("g", ""), ("h", "")):  # fmt: skip
        key = key.replace(old, new)
    out = ""
    for ch in key:
        if ch not in "aeiouyw" and not out.endswith(ch):
            out += ch
    return out


class _Names:
    """Name candidates per paragraph, and which of them other languages confirm as names."""

    def __init__(self, corpus: Corpus) -> None:
        self.by_para: dict[tuple[int, int], list[str]] = {}
        by_lang: dict[str, set[str]] = {}
        for key, para in corpus.paragraphs.items():
            words = candidates(para.sentences, para.doc_lang)
            self.by_para[key] = words
            by_lang.setdefault(para.doc_lang, set()).update(words)
        self._by_lang = by_lang
        self._confirmed: dict[tuple[str, str], bool] = {}

    def is_name(self, word: str, lang: str) -> bool:
        """Whether a version in another language capitalises the same word, and some
        dictionary calls the word (or its cognate) a proper noun or does not know it."""
        key = (word, lang)
        if key not in self._confirmed:
            cognates = [
                (other, other_lang)
                for other_lang, words in self._by_lang.items()
                if other_lang != lang
                for other in words
                if same_name(word, other)
            ]
            self._confirmed[key] = bool(cognates) and _proper(word, lang, cognates)
        return self._confirmed[key]

    def names(self, corpus: Corpus, doc: int, para: int) -> list[str]:
        lang = corpus.lang(doc)
        words = self.by_para.get((doc, para), [])
        return list(dict.fromkeys(w for w in words if self.is_name(w, lang)))


def _proper(word: str, lang: str, cognates: list[tuple[str, str]]) -> bool:
    """The dictionaries' verdict: a name unless every dictionary with a say knows the word
    (or its cognate) as a common word; a word a dictionary does not know counts as a name."""
    votes = [
        common_word(w, lg)
        for w, lg in [(word, lang), *cognates]
        if lg not in NOUN_CAPITALISING and _has_dictionary(lg)
    ]
    return not votes or not all(v is True for v in votes)


@functools.cache
def _has_dictionary(lang: str) -> bool:
    import simplemma

    try:
        simplemma.is_known("a", lang=lang, low_memory=True)
    except ValueError:  # simplemma knows no such language
        return False
    return True


def _present(name: str, text: str, lang: str = "") -> bool:
    words = {word for word in word_list(text) if len(word) >= 2}
    if any(similar(name, word) for word in words):
        return True
    if not (language_scripts(lang) & ABJADS) if lang else True:
        return False
    key = consonants(name)
    return len(key) >= 2 and any(consonants(word) == key for word in words)


def _transliterable(lang: str) -> bool:
    """Whether names written in this language can be matched by transliteration: not in
    Chinese characters (kanji names read differently in Japanese; anyascii gives Mandarin)."""
    return "Hani" not in language_scripts(lang)


def check_names(corpus: Corpus) -> list[Finding]:
    """`names` findings for names of one side of a translation group absent from the other."""
    names = _Names(corpus)
    findings: list[Finding] = []
    for group in corpus.groups:
        for doc in (group.a_doc, group.b_doc):
            other_doc, other_paras = group.other(doc)
            if not _transliterable(corpus.lang(other_doc)):
                continue
            other_text = corpus.text(other_doc, other_paras)
            for para in group.side(doc):
                other_lang = corpus.lang(other_doc)
                missing = [
                    n
                    for n in names.names(corpus, doc, para)
                    if not _present(n, other_text, other_lang)
                ]
                if not missing:
                    continue
                opinion = _third_opinion(corpus, group, doc, para, missing)
                if opinion is None:
                    continue
                severity, note = opinion
                detail = (
                    f"{', '.join(missing)} in {label(corpus, doc, (para,))} not found in "
                    f"{label(corpus, other_doc, other_paras)}{note}"
                )
                findings.append(
                    Finding("names", doc, para, (other_doc, other_paras), detail, severity)
                )
    log.debug("names: %d findings over %d groups", len(findings), len(corpus.groups))
    return findings


def _third_opinion(
    corpus: Corpus, group: Group, doc: int, para: int, missing: list[str]
) -> tuple[float, str] | None:
    """Severity and a note from other versions linked to the same paragraph.

    None when other versions lack the names too: then this version most likely spelt out
    what the others leave implicit (a title, a full name), which is no defect.
    """
    excluded = group.other(doc)[0]
    having: list[str] = []
    lacking: list[str] = []
    for third in corpus.groups_of(doc, para):
        other_doc, other_paras = third.other(doc)
        if other_doc == excluded:
            continue
        text = corpus.text(other_doc, other_paras)
        where = label(corpus, other_doc, other_paras)
        lang = corpus.lang(other_doc)
        (having if all(_present(n, text, lang) for n in missing) else lacking).append(where)
    if having:
        return SEVERITY_CORROBORATED, f" (but {', '.join(having)} has it)"
    if lacking:
        return None
    return SEVERITY, ""
