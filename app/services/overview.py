"""Geometry of the alignment overview: one bar per paragraph, a line per link between columns."""

from dataclasses import dataclass

from app.services.reading import StoryView

COLUMN_GAP = 90
BAR_WIDTH = 14
ROW = 7


@dataclass(frozen=True)
class Bar:
    """One paragraph in the overview."""

    x: int
    y: int
    document: int
    index: int
    kind: str
    linked: bool


@dataclass(frozen=True)
class Edge:
    """A link between two paragraphs of neighbouring columns."""

    x1: int
    y1: int
    x2: int
    y2: int
    relation: str


@dataclass(frozen=True)
class Overview:
    """The whole picture, with its size."""

    width: int
    height: int
    bars: list[Bar]
    edges: list[Edge]
    labels: list[tuple[int, str]]


def overview(view: StoryView) -> Overview:
    """Lay out every column and the links between each column and the next one shown."""
    position: dict[tuple[int, int], tuple[int, int]] = {}
    bars: list[Bar] = []
    labels: list[tuple[int, str]] = []
    height = 0
    for col_index, doc in enumerate(view.documents):
        x = 10 + col_index * COLUMN_GAP
        labels.append((x, doc.lang))
        # a long story shows a window of each column: the picture starts at its first row
        first = view.windows.get(doc.id or 0, (0, 0, 0))[0]
        for p in view.paragraphs[doc.id or 0]:
            y = 22 + (p.index - first) * ROW
            position[(doc.id or 0, p.index)] = (x, y)
            bars.append(
                Bar(x, y, doc.id or 0, p.index, p.kind, (doc.id, p.index) not in view.unlinked)
            )
            height = max(height, y + ROW)
    column_of = {d.id: i for i, d in enumerate(view.documents)}
    edges: list[Edge] = []
    for link in view.links:
        a, b = column_of.get(link.source_document_id), column_of.get(link.target_document_id)
        # Only neighbouring columns: lines across the whole picture would hide everything else.
        if a is None or b is None or abs(a - b) != 1:
            continue
        # a link may reach past a column's window: the picture shows the window only
        if any((link.source_document_id, i) not in position for i in link.source_paragraphs) or any(
            (link.target_document_id, j) not in position for j in link.target_paragraphs
        ):
            continue
        for i in link.source_paragraphs:
            for j in link.target_paragraphs:
                (x1, y1), (x2, y2) = (
                    position[(link.source_document_id, i)],
                    position[(link.target_document_id, j)],
                )
                if x1 > x2:
                    x1, y1, x2, y2 = x2, y2, x1, y1
                edges.append(Edge(x1 + BAR_WIDTH, y1 + ROW // 2, x2, y2 + ROW // 2, link.relation))
    width = 20 + max(len(view.documents) - 1, 0) * COLUMN_GAP + BAR_WIDTH
    return Overview(width, height + 4, bars, edges, labels)
