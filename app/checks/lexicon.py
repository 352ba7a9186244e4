"""A word-correspondence table learnt from the translation links of one document pair.

Two content-word stems correspond when they keep turning up in the same linked paragraph
groups (at least MIN_TOGETHER times, Dice coefficient at least MIN_DICE): 'volontaire' and
'Freiwillige', 'don' and 'Spende'. No dictionary, any language pair simplemma and jusText
know (the others fall back to raw words and no stop words).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.checks.model import Corpus, Group
from app.checks.text import STEM_LETTERS, fold, lemma, stopwords
from app.ingest.script import word_list

MIN_TOGETHER = 3
MIN_DICE = 0.7
# Below this many linked groups there is no statistics to speak of.
MIN_GROUPS = 5


@dataclass
class Bag:
    """The content-word stems of one side of a group, with a surface form for each."""

    stems: set[str] = field(default_factory=set)
    surface: dict[str, str] = field(default_factory=dict)


def bag(text: str, lang: str) -> Bag:
    """Stems of the content words of a text (folded lemma prefixes)."""
    stops = stopwords(lang)
    out = Bag()
    for word in word_list(text, lang):
        if len(word) < 3 or fold(word) in stops:
            continue
        stem = fold(lemma(word, lang))[:STEM_LETTERS]
        out.stems.add(stem)
        out.surface.setdefault(stem, word)
    return out


@dataclass
class Lexicon:
    """Corresponding stems between documents a and b, and each group's bags."""

    a_doc: int
    b_doc: int
    groups: list[Group]
    bags: list[tuple[Bag, Bag]]
    partners_a: dict[str, set[str]]  # stem of a -> stems of b
    partners_b: dict[str, set[str]]

    def misses(self, k: int) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
        """For group k: a's stems whose partners b lacks there, and the reverse.

        Returns:
            ({a stem: its b partners}, {b stem: its a partners}), only for stems whose every
            partner is absent from the other side.
        """
        a, b = self.bags[k]
        miss_a = {s: p for s in a.stems if (p := self.partners_a.get(s, set())) and not p & b.stems}
        miss_b = {s: p for s in b.stems if (p := self.partners_b.get(s, set())) and not p & a.stems}
        return miss_a, miss_b


def learn(corpus: Corpus, groups: Sequence[Group]) -> Lexicon | None:
    """The lexicon of one document pair from its translation groups; None if too few."""
    if len(groups) < MIN_GROUPS:
        return None
    a_doc, b_doc = groups[0].a_doc, groups[0].b_doc
    a_lang, b_lang = corpus.lang(a_doc), corpus.lang(b_doc)
    bags = [
        (bag(corpus.text(a_doc, g.a_paras), a_lang), bag(corpus.text(b_doc, g.b_paras), b_lang))
        for g in groups
    ]
    freq_a = Counter(s for a, _ in bags for s in a.stems)
    freq_b = Counter(s for _, b in bags for s in b.stems)
    together = Counter((x, y) for a, b in bags for x in a.stems for y in b.stems)
    partners_a: dict[str, set[str]] = {}
    partners_b: dict[str, set[str]] = {}
    for (x, y), count in together.items():
        if count < MIN_TOGETHER or 2 * count / (freq_a[x] + freq_b[y]) < MIN_DICE:
            continue
        partners_a.setdefault(x, set()).add(y)
        partners_b.setdefault(y, set()).add(x)
    return Lexicon(a_doc, b_doc, list(groups), bags, partners_a, partners_b)
