"""The shape of a paragraph link, shared by the checks, the exchange formats and the reader.

Pure: no database import, so the checks and the formats use it as they are. It lives in the
exchange package because the formats may import nothing else from app (tests/test_exchange.py
holds them to that); the checks and the reader import it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


class LinkRow(Protocol):
    """What `link_shape` reads: a `Link` row, or a row of those columns."""

    @property
    def id(self) -> int | None: ...
    @property
    def source_document_id(self) -> int: ...
    @property
    def target_document_id(self) -> int: ...
    @property
    def source_paragraphs(self) -> list[int]: ...
    @property
    def target_paragraphs(self) -> list[int]: ...
    @property
    def relation(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def score(self) -> float: ...


@dataclass(frozen=True, slots=True)
class LinkShape:
    """Paragraphs of one document linked to paragraphs of another.

    `relation` is translation or related, `status` auto, confirmed, manual or rejected.
    `id` is the row's, when the shape was read from one; two shapes that link the same
    paragraphs the same way are equal whatever their ids.
    """

    source_document: int
    source_paragraphs: tuple[int, ...]
    target_document: int
    target_paragraphs: tuple[int, ...]
    relation: str
    status: str
    score: float
    id: int | None = field(default=None, kw_only=True, compare=False)

    # Read under a Link row's names too, so that code walking rows and shapes alike (the
    # reader's highlight) takes either.
    @property
    def source_document_id(self) -> int:
        """The source document, as a Link row names it."""
        return self.source_document

    @property
    def target_document_id(self) -> int:
        """The target document, as a Link row names it."""
        return self.target_document


def link_shape(row: LinkRow) -> LinkShape:
    """The shape of a stored link."""
    return LinkShape(
        source_document=row.source_document_id,
        source_paragraphs=tuple(row.source_paragraphs),
        target_document=row.target_document_id,
        target_paragraphs=tuple(row.target_paragraphs),
        relation=row.relation,
        status=row.status,
        score=row.score,
        id=row.id,
    )
