"""Geometry of the alignment overview: for every pair of documents, two rows of paragraph bars
and a line per link between them (small multiples, so no pair is hidden behind another)."""

from dataclasses import dataclass
from itertools import combinations

from app.services.reading import StoryView

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


@dataclass(frozen=True)
class Overview:
    """The whole picture, with its size."""

    width: int
    height: int
    strips: list[Strip]


def overview(view: StoryView) -> Overview:
    """One strip per pair of documents, in column order."""
    strips: list[Strip] = []
    widest = max((len(ps) for ps in view.paragraphs.values()), default=0)
    for n, (a, b) in enumerate(combinations(view.documents, 2)):
        y = 4 + n * STRIP
        rows = {a.id or 0: y, b.id or 0: y + STRIP - 14 - BAR_HEIGHT}
        bars = [
            Bar(
                LABEL + p.index * STEP,
                rows[doc_id],
                doc_id,
                p.index,
                p.kind,
                (doc_id, p.index) not in view.unlinked,
            )
            for doc_id in rows
            for p in view.paragraphs[doc_id]
        ]
        edges: list[Edge] = []
        for link in view.links:
            ends = {link.source_document_id, link.target_document_id}
            if ends != set(rows):
                continue
            top_paras, bottom_paras = (
                (link.source_paragraphs, link.target_paragraphs)
                if link.source_document_id == (a.id or 0)
                else (link.target_paragraphs, link.source_paragraphs)
            )
            for i in top_paras:
                for j in bottom_paras:
                    edges.append(
                        Edge(
                            LABEL + i * STEP + BAR_WIDTH // 2,
                            rows[a.id or 0] + BAR_HEIGHT,
                            LABEL + j * STEP + BAR_WIDTH // 2,
                            rows[b.id or 0],
                            link.relation,
                        )
                    )
        strips.append(Strip(y, (a.id or 0, a.lang), (b.id or 0, b.lang), bars, edges))
    width = LABEL + widest * STEP + 6
    return Overview(width, 8 + len(strips) * STRIP, strips)
