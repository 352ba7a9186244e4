"""Geometry of the alignment overview: for every pair of documents, two rows of paragraph bars
and a line per link between them (small multiples, so no pair is hidden behind another)."""

from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations

from markupsafe import Markup, escape

from app.exchange.link_shape import LinkShape
from app.models import Document
from app.reading.view import Highlight, StoryView

LABEL = 34  # room for the language codes on the left
STEP = 10  # one paragraph
BAR_WIDTH = 7
BAR_HEIGHT = 10
STRIP = 50  # one pair: two rows and the links between them


@dataclass(frozen=True)
class Bar:
    """One paragraph in a pair's strip."""

    x: int
    y: int
    document: int
    index: int
    kind: str
    linked: bool


@dataclass(frozen=True)
class Edge:
    """A link between two paragraphs of a pair."""

    x1: int
    y1: int
    x2: int
    y2: int
    relation: str


@dataclass(frozen=True)
class Strip:
    """One pair: its documents, where it starts, its bars and links."""

    y: int
    top: tuple[int, str]
    bottom: tuple[int, str]
    bars: list[Bar]
    edges: list[Edge]

    # The strips are most of a story page's elements: written here with one escape per
    # distinct word rather than one per attribute in Jinja (the markup is the same).
    def edges_markup(self) -> Markup:
        """The strip's link lines."""
        return Markup(
            "".join(
                f'<line x1="{int(e.x1)}" y1="{int(e.y1)}" x2="{int(e.x2)}" y2="{int(e.y2)}" '
                f'class="ov-{_word(e.relation)}"/>'
                for e in self.edges
            )
        )

    def bars_markup(self, story_id: int, hl: Highlight | None) -> Markup:
        """The strip's paragraph bars, each a link to its paragraph; the highlighted marked."""
        lit = hl.relation if hl else {}
        return Markup(
            "".join(
                f'<a href="/stories/{int(story_id)}?p={int(b.document)}-{int(b.index)}" '
                f'tabindex="-1" class="ov-jump" data-target="p-{int(b.document)}-{int(b.index)}">'
                f'<rect x="{int(b.x)}" y="{int(b.y)}" width="7" height="10" '
                f'class="ov-{_word(b.kind)}'
                f"{'' if b.linked else ' ov-unlinked'}"
                f'{" ov-sel" if (b.document, b.index) in lit else ""}"/></a>'
                for b in self.bars
            )
        )


@lru_cache(maxsize=256)
def _word(value: str) -> str:
    """A kind or relation, escaped once (they come from a handful of words)."""
    return str(escape(value))


@dataclass(frozen=True)
class Overview:
    """The whole picture, with its size."""

    width: int
    height: int
    strips: list[Strip]
    pivot: Document | None = None  # the column drawn against every other (past ALL_PAIRS)


# Up to this many documents the overview shows every pair; past it, the pairs of one column
# (the clicked one, else the first) with each other, so it grows with the documents, not
# with their pairs (28 strips and 520 KB for 8 documents before).
ALL_PAIRS = 4


def pivot(view: StoryView) -> Document | None:
    """The column drawn against each other one past `ALL_PAIRS` documents (the clicked one,
    else the first); None when every pair is drawn."""
    docs = view.documents
    if len(docs) <= ALL_PAIRS:
        return None
    active = view.highlight.active[0] if view.highlight else docs[0].id
    return next((d for d in docs if d.id == active), docs[0])


def pairs(view: StoryView, centre: Document | None) -> list[tuple[Document, Document]]:
    """The pairs of documents the overview draws, in column order: every pair, or `centre`
    with each other document."""
    docs = view.documents
    if centre is None:
        return list(combinations(docs, 2))
    at = docs.index(centre)
    return [(centre, d) if at < n else (d, centre) for n, d in enumerate(docs) if d is not centre]


def _x(view: StoryView, doc_id: int, index: int) -> int | None:
    """Where paragraph `index` of a document sits in its strip; None outside the window."""
    start, stop, _ = view.windows.get(doc_id, (0, 1 << 30, 0))
    if not start <= index < stop:
        return None
    return LABEL + (index - start) * STEP


def _by_pair(view: StoryView) -> dict[frozenset[int], list[LinkShape]]:
    out: dict[frozenset[int], list[LinkShape]] = {}
    for link in view.links:
        out.setdefault(frozenset((link.source_document_id, link.target_document_id)), []).append(
            link
        )
    return out


def _edges(
    view: StoryView, a: int, b: int, rows: dict[int, int], links: list[LinkShape]
) -> list[Edge]:
    """A line per pair of linked paragraphs of documents a (top) and b, both in the window;
    `links` are those between a and b."""
    edges: list[Edge] = []
    for link in links:
        top_paras, bottom_paras = (
            (link.source_paragraphs, link.target_paragraphs)
            if link.source_document_id == a
            else (link.target_paragraphs, link.source_paragraphs)
        )
        for i in top_paras:
            for j in bottom_paras:
                x1, x2 = _x(view, a, i), _x(view, b, j)
                if x1 is None or x2 is None:
                    continue
                mid = BAR_WIDTH // 2
                edges.append(Edge(x1 + mid, rows[a] + BAR_HEIGHT, x2 + mid, rows[b], link.relation))
    return edges


def overview(view: StoryView) -> Overview:
    """One strip per pair of documents (see `pairs`); each column's window only."""
    strips: list[Strip] = []
    widest = max((len(ps) for ps in view.paragraphs.values()), default=0)
    centre = pivot(view)
    by_pair = _by_pair(view)
    for n, (a, b) in enumerate(pairs(view, centre)):
        y = 4 + n * STRIP
        ida, idb = a.id or 0, b.id or 0
        rows = {ida: y, idb: y + STRIP - 14 - BAR_HEIGHT}
        bars = [
            Bar(
                LABEL + k * STEP,
                rows[doc_id],
                doc_id,
                p.index,
                p.kind,
                (doc_id, p.index) not in view.unlinked,
            )
            for doc_id in rows
            for k, p in enumerate(view.paragraphs[doc_id])
        ]
        between = by_pair.get(frozenset((ida, idb)), [])
        edges = _edges(view, ida, idb, rows, between)
        strips.append(Strip(y, (ida, a.lang), (idb, b.lang), bars, edges))
    width = LABEL + widest * STEP + 6
    return Overview(width, 8 + len(strips) * STRIP, strips, centre)
