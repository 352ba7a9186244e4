"""Related links and paragraph marks that a Parallax TMX keeps as header props, read back.

The writer lists each related link as ``"doc:p+p doc:p+p score status"`` and each mark as
``"doc:paragraph mark [target-doc]"`` (``app/exchange/tmxspec.py``). Only paragraphs that a
translation unit carries are in the file, so a related link or mark on any other paragraph
cannot come back; those are counted and logged, not guessed.
"""

from __future__ import annotations

import logging
import math

from app.exchange import tmxspec as spec
from app.exchange.model import LINK_STATUSES as STATUSES
from app.exchange.model import ImportedLink, ImportedMark

logger = logging.getLogger(__name__)

MARKS = ("not_translated", "added")


def _place(text: str, renumber: dict[int, dict[int, int]]) -> tuple[int, tuple[int, ...]] | None:
    """'12:3+4' → (document 12, its new paragraph numbers), None if not all are in the file."""
    doc_text, _, paras = text.partition(":")
    if not doc_text.isdigit() or not paras:
        return None
    doc = int(doc_text)
    indexes = [int(p) for p in paras.split("+") if p.isdigit()]
    table = renumber.get(doc)
    if table is None or not indexes or any(i not in table for i in indexes):
        return None
    return doc, tuple(table[i] for i in indexes)


def related_links(
    values: list[str], position: dict[int, int], renumber: dict[int, dict[int, int]]
) -> tuple[list[ImportedLink], int]:
    """The related links whose paragraphs are all in the file, and how many were not."""
    out: list[ImportedLink] = []
    for value in values:
        parts = value.split()
        a = _place(parts[0], renumber) if len(parts) == 4 else None
        b = _place(parts[1], renumber) if len(parts) == 4 else None
        try:
            score = float(parts[2]) if len(parts) == 4 else math.nan
        except ValueError:
            score = math.nan
        if a is None or b is None or not 0.0 <= score <= 1.0 or parts[3] not in STATUSES:
            continue
        out.append(
            ImportedLink(
                source_document=position[a[0]],
                source_paragraphs=a[1],
                target_document=position[b[0]],
                target_paragraphs=b[1],
                status=parts[3],
                score=score,
                relation="related",
            )
        )
    return out, len(values) - len(out)


def marks(
    values: list[str], position: dict[int, int], renumber: dict[int, dict[int, int]]
) -> tuple[list[ImportedMark], int]:
    """The marks on paragraphs that are in the file, and how many were not."""
    out: list[ImportedMark] = []
    for value in values:
        parts = value.split()
        where = _place(parts[0], renumber) if len(parts) in (2, 3) else None
        if where is None or len(where[1]) != 1 or parts[1] not in MARKS:
            continue
        target = None
        if len(parts) == 3:
            if not parts[2].isdigit() or int(parts[2]) not in position:
                continue
            target = position[int(parts[2])]
        out.append(ImportedMark(position[where[0]], where[1][0], parts[1], target))
    return out, len(values) - len(out)


def read_extras(
    header_values: list[tuple[str, str]],
    position: dict[int, int],
    renumber: dict[int, dict[int, int]],
    source: str,
) -> tuple[list[ImportedLink], list[ImportedMark]]:
    """Both, from the header's (type, text) props; what cannot come back is logged."""
    links, lost_links = related_links(
        [v for t, v in header_values if t == spec.PROP_RELATED], position, renumber
    )
    found, lost_marks = marks(
        [v for t, v in header_values if t == spec.PROP_MARK], position, renumber
    )
    if lost_links or lost_marks:
        logger.info(
            "%s: %d related link(s) and %d mark(s) name paragraphs the file does not carry",
            source,
            lost_links,
            lost_marks,
        )
    return links, found
