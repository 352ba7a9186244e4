"""One numbering for people: a paragraph is ¶1, ¶2, … wherever a person reads it.

Paragraph `index` values count from 0: in the database, in every JSON `index`/`paragraphs`
field of the API and in structured export fields (that is the API contract). Only text meant
for reading (pages, the review panel and queue, findings, the review report and its CSV,
messages) adds one, and it does so here.
"""

from collections.abc import Iterable


def para_no(index: int) -> str:
    """'¶1' for index 0."""
    return f"¶{index + 1}"


def para_nos(indexes: Iterable[int]) -> str:
    """'¶3+4' for indexes 2 and 3."""
    return "¶" + "+".join(str(i + 1) for i in indexes)


def numbers(indexes: Iterable[int]) -> str:
    """'3+4' for indexes 2 and 3 (a column that already says ¶)."""
    return "+".join(str(i + 1) for i in indexes)
