"""The printable story: every paragraph of every document, in rows that line up by the links."""

from dataclasses import dataclass

from app.exchange.model import ExportLink, ExportStory


@dataclass(frozen=True)
class PrintRow:
    """One row of the printed table: for each document, the paragraph indexes in it."""

    cells: dict[int, list[int]]
    linked: bool


def print_rows(story: ExportStory, links: list[ExportLink], doc_ids: list[int]) -> list[PrintRow]:
    """Rows following the first document; every other paragraph goes level with its link.

    Paragraphs with no link to the first document (or whose links would run backwards) get a
    row of their own after the last row their document reached, so nothing is left out.
    """
    if not doc_ids:
        return []
    docs = {d.id: d for d in story.documents}
    spine = doc_ids[0]
    rows: dict[tuple[int, int], dict[int, list[int]]] = {
        (i, 0): {spine: [i]} for i in range(len(docs[spine].paragraphs))
    }
    for other in doc_ids[1:]:
        anchor: dict[int, int] = {}
        for lk in sorted(links, key=lambda k: k.relation != "translation"):
            if (lk.source_document, lk.target_document) == (spine, other):
                mine, theirs = lk.source_paragraphs, lk.target_paragraphs
            elif (lk.source_document, lk.target_document) == (other, spine):
                mine, theirs = lk.target_paragraphs, lk.source_paragraphs
            else:
                continue
            for j in theirs:
                anchor.setdefault(j, min(mine))
        last = -1
        for j in range(len(docs[other].paragraphs)):
            a = anchor.get(j)
            if a is not None and a >= last:
                key, last = (a, 0), a
            else:
                key = (last, 1)
            rows.setdefault(key, {}).setdefault(other, []).append(j)
    return [PrintRow(cells, key[1] == 0 and len(cells) > 1) for key, cells in sorted(rows.items())]
