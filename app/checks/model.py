"""The data the checks read and write, and the view of it that every check shares.

Pure: plain frozen dataclasses, so the caller (a service reading the database, a test reading
the seeds) builds them however it likes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from app.exchange.link_shape import LinkShape
from app.paranum import para_nos
from app.statuses import PairKind, Relation

CHECKS = ("numbers", "omission", "addition", "wrong_language", "divergence", "names")
RELATIONS = tuple(Relation)
STATUSES = ("auto", "confirmed", "manual", "rejected")
PAIR_KINDS = tuple(PairKind)
MARKS = ("not_translated", "added")
# Kinds whose absence from a counterpart is a defect; captions and boilerplate are page
# furniture that a translation may legitimately drop or replace.
TEXT_KINDS = ("text", "heading", "list", "quote", "table")


@dataclass(frozen=True)
class CheckParagraph:
    """One ingested paragraph with its document's language and its sentences' languages."""

    document: int
    index: int
    text: str
    kind: str
    lang: str | None
    doc_lang: str
    sentences: tuple[str, ...]
    sentence_langs: tuple[str | None, ...]


# A link between paragraph groups of two documents (a bead of the alignment): the shape the
# exchange formats and the reader share.
CheckLink = LinkShape


@dataclass(frozen=True)
class CheckPair:
    """Two documents of a story and how they relate: translation, partial or comparable."""

    source: int
    target: int
    kind: str


@dataclass(frozen=True)
class Finding:
    """Something an editor should look at.

    `counterpart` is the other document and its paragraphs the finding compares against;
    `(doc, ())` when that document has no counterpart paragraph (an omission), None when the
    finding is about the paragraph alone. `severity` in [0, 1] orders the review queue.
    """

    check: str
    document: int
    paragraph: int
    counterpart: tuple[int, tuple[int, ...]] | None
    detail: str
    severity: float = 0.5


@dataclass(frozen=True)
class Group:
    """Translation-linked paragraphs of two documents, merged into one connected bead.

    `a` is the pair's source side when a CheckPair names the two documents.
    """

    a_doc: int
    a_paras: tuple[int, ...]
    b_doc: int
    b_paras: tuple[int, ...]

    def side(self, doc: int) -> tuple[int, ...]:
        """The paragraphs of `doc` in this group."""
        return self.a_paras if doc == self.a_doc else self.b_paras

    def other(self, doc: int) -> tuple[int, tuple[int, ...]]:
        """The other document and its paragraphs, seen from `doc`."""
        if doc == self.a_doc:
            return self.b_doc, self.b_paras
        return self.a_doc, self.a_paras


class Corpus:
    """Paragraphs by (document, index), document languages, and the translation groups."""

    def __init__(
        self,
        paragraphs: Sequence[CheckParagraph],
        links: Sequence[CheckLink],
        pairs: Sequence[CheckPair],
    ) -> None:
        self.paragraphs: dict[tuple[int, int], CheckParagraph] = {
            (p.document, p.index): p for p in paragraphs
        }
        self.doc_lang: dict[int, str] = {p.document: p.doc_lang for p in paragraphs}
        self.pairs = tuple(pairs)
        self.links = tuple(link for link in links if link.status != "rejected")
        self.groups = translation_groups(self.links, self.pairs)

    def text(self, doc: int, paras: Sequence[int]) -> str:
        """The paragraphs' texts joined by blank lines (missing indexes are skipped)."""
        return "\n\n".join(
            self.paragraphs[(doc, i)].text for i in paras if (doc, i) in self.paragraphs
        )

    def lang(self, doc: int) -> str:
        """The document's language ('und' when no paragraph of it was given)."""
        return self.doc_lang.get(doc, "und")

    def groups_of(self, doc: int, para: int) -> Iterator[Group]:
        """The translation groups holding paragraph `para` of `doc`."""
        for group in self.groups:
            if (group.a_doc == doc or group.b_doc == doc) and para in group.side(doc):
                yield group


def label(corpus: Corpus, doc: int, paras: Sequence[int] = ()) -> str:
    """'fr doc 0 ¶3+4', the way details name a place."""
    where = f"{corpus.lang(doc)} doc {doc}"
    if paras:
        where += " " + para_nos(paras)
    return where


def shorten(text: str, limit: int = 90) -> str:
    """Text on one line, cut on a word boundary with an ellipsis past `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:") + "…"


def translation_groups(links: Sequence[CheckLink], pairs: Sequence[CheckPair]) -> list[Group]:
    """Merge the translation links of each document pair into connected groups.

    An aligner may emit a 2-1 bead as two 1-1 links sharing a paragraph; comparing each link
    alone would report half of the merged paragraph as missing.
    """
    oriented: dict[tuple[int, int], list[tuple[tuple[int, ...], tuple[int, ...]]]] = defaultdict(
        list
    )
    named = {(p.source, p.target) for p in pairs}
    for link in links:
        if link.relation != "translation" or link.status == "rejected":
            continue
        a, b = link.source_document, link.target_document
        a_paras, b_paras = link.source_paragraphs, link.target_paragraphs
        if (b, a) in named and (a, b) not in named:
            a, b, a_paras, b_paras = b, a, b_paras, a_paras
        oriented[(a, b)].append((a_paras, b_paras))
    groups: list[Group] = []
    for (a, b), beads in oriented.items():
        for a_set, b_set in _components(beads):
            groups.append(Group(a, tuple(sorted(a_set)), b, tuple(sorted(b_set))))
    groups.sort(key=lambda g: (g.a_doc, g.b_doc, g.a_paras, g.b_paras))
    return groups


def _components(
    beads: Sequence[tuple[tuple[int, ...], tuple[int, ...]]],
) -> list[tuple[set[int], set[int]]]:
    """Connected components of a bipartite graph given as (left nodes, right nodes) beads."""
    parent = list(range(len(beads)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[tuple[int, int], int] = {}
    for i, (left, right) in enumerate(beads):
        for node in [(0, n) for n in left] + [(1, n) for n in right]:
            if node in owner:
                parent[find(i)] = find(owner[node])
            else:
                owner[node] = i
    merged: dict[int, tuple[set[int], set[int]]] = {}
    for i, (left, right) in enumerate(beads):
        a_set, b_set = merged.setdefault(find(i), (set(), set()))
        a_set.update(left)
        b_set.update(right)
    return list(merged.values())


def marked(marks: Mapping[tuple[int, int], str], doc: int, para: int) -> str | None:
    """The editor's mark on a paragraph, if it is one the checks know."""
    mark = marks.get((doc, para))
    return mark if mark in MARKS else None
