"""Names: a proper name in one version that its translation does not carry.

Capitalisation alone is weak evidence of a name: German capitalises every noun and English
its months, weekdays and titles. So a capitalised word (not first in its sentence, not all
capitals, not a month or weekday) only counts as a name when a version in ANOTHER language
capitalises it too ('Matsuno', 'Tokio'/'Tokyo', 'Kiew'/'Kiev'); nouns and titles, which
translate, rarely pass that test. Acronyms are left out: they translate too (EU/UE, UN/ONU).

A name counts as present in the counterpart when any word there, in any case, matches it
after folding accents and common transliteration variants, by shared stem or by difflib
ratio. Conservative by design: a missed name costs less than an editor's trust.
"""

from __future__ import annotations

import difflib
import functools
import logging
import re

from app.checks.model import Corpus, Finding, Group, label
from app.checks.text import fold

log = logging.getLogger(__name__)

_TOKEN = re.compile(r"[^\W\d_]+")
# Opening punctuation after which a word starts a quoted sentence.
_OPENERS = "\"'«“„‘‹([:—–-"
MIN_LETTERS = 3
MATCH_RATIO = 0.75
SEVERITY = 0.6
SEVERITY_CORROBORATED = 0.75  # a third version carries the name too
SEVERITY_DOUBTFUL = 0.35  # a third version lacks it as well: maybe this version added it

# Spelling variants across languages' transliterations: Kiew/Kiev/Kyiv, Tokio/Tokyo,
# Tschechow/Chekhov.
_VARIANTS = (("tsch", "ch"), ("sch", "sh"), ("kh", "h"), ("ph", "f"), ("w", "v"), ("y", "i"),
             ("j", "i"), ("k", "c"), ("z", "s"))  # fmt: skip


def skeleton(word: str) -> str:
    """A folded, transliteration-tolerant key: 'Kyiv' -> 'civ', 'Kiew' -> 'ciev'."""
    key = fold(word)
    for old, new in _VARIANTS:
        key = key.replace(old, new)
    return key


def similar(a: str, b: str) -> bool:
    """Whether two words are forms of one name (folded skeletons, compared loosely)."""
    x, y = skeleton(a), skeleton(b)
    if x == y:
        return True
    shorter = min(len(x), len(y))
    prefix = len(_common_prefix(x, y))
    # Inflected and derived forms: Kurogi/Kurogis, Japan/Japans, Ukraine/ukrainischen.
    if shorter >= 4 and prefix >= max(4, shorter - 1):
        return True
    return difflib.SequenceMatcher(None, x, y).ratio() >= MATCH_RATIO


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
        for match in _TOKEN.finditer(sentence):
            word = match.group()
            before = sentence[: match.start()].rstrip()
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
    return not stripped or stripped[-1] in ".!?:;,—–-\"«“„"


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
        """Whether a version in another language capitalises the same word."""
        key = (word, lang)
        if key not in self._confirmed:
            self._confirmed[key] = any(
                similar(word, other)
                for other_lang, words in self._by_lang.items()
                if other_lang != lang
                for other in words
            )
        return self._confirmed[key]

    def names(self, corpus: Corpus, doc: int, para: int) -> list[str]:
        lang = corpus.lang(doc)
        words = self.by_para.get((doc, para), [])
        return list(dict.fromkeys(w for w in words if self.is_name(w, lang)))


def _present(name: str, text: str) -> bool:
    return any(similar(name, word) for word in set(_TOKEN.findall(text)) if len(word) >= 2)


def check_names(corpus: Corpus) -> list[Finding]:
    """`names` findings for names of one side of a translation group absent from the other."""
    names = _Names(corpus)
    findings: list[Finding] = []
    for group in corpus.groups:
        for doc in (group.a_doc, group.b_doc):
            other_doc, other_paras = group.other(doc)
            other_text = corpus.text(other_doc, other_paras)
            for para in group.side(doc):
                missing = [n for n in names.names(corpus, doc, para) if not _present(n, other_text)]
                if not missing:
                    continue
                severity, note = _third_opinion(corpus, group, doc, para, missing)
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
) -> tuple[float, str]:
    """Severity and a note from other versions linked to the same paragraph."""
    excluded = group.other(doc)[0]
    having, lacking = [], []
    for third in corpus.groups_of(doc, para):
        other_doc, other_paras = third.other(doc)
        if other_doc == excluded:
            continue
        text = corpus.text(other_doc, other_paras)
        where = label(corpus, other_doc, other_paras)
        (having if all(_present(n, text) for n in missing) else lacking).append(where)
    if having:
        return SEVERITY_CORROBORATED, f" (but {', '.join(having)} has it)"
    if lacking:
        return SEVERITY_DOUBTFUL, f" (nor does {', '.join(lacking)})"
    return SEVERITY, ""
