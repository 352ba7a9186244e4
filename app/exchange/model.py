"""The plain data the exchange formats are written from and read into.

Nothing here knows about the database: the services layer copies a story into an
``ExportStory`` and turns an ``ImportedStory`` into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from app.exchange.link_shape import LinkShape

LINK_STATUSES = frozenset({"auto", "confirmed", "manual", "rejected"})
LINK_RELATIONS = frozenset({"translation", "related"})


class ExchangeError(ValueError):
    """A story cannot be exported, or a file cannot be imported, and why.

    ``source`` names what was being read or written (a file name, or ``story 7``), so the
    message can be shown to the person who uploaded the file as it is.
    """

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


@dataclass(frozen=True)
class ExportDocument:
    """One language version of a story; ``paragraphs[i]`` is the text of paragraph ``i``."""

    id: int
    lang: str
    source: str
    title: str
    paragraphs: tuple[str, ...]
    # sentences[i] are paragraph i's sentences as (sentence index, text): the index is the
    # one sentence links use (numbered through the document); empty when none are given.
    sentences: tuple[tuple[tuple[int, str], ...], ...] = ()


@dataclass(frozen=True, slots=True)
class ExportLink(LinkShape):
    """A link as exported: its shape, and who reviewed it and when (a name, not an id)."""

    reviewed_by: str | None = None
    reviewed_at: datetime | None = None

    @classmethod
    def of(
        cls, shape: LinkShape, reviewed_by: str | None, reviewed_at: datetime | None
    ) -> ExportLink:
        """`shape` with its review."""
        kept = {f.name: getattr(shape, f.name) for f in fields(LinkShape)}
        return cls(**kept, reviewed_by=reviewed_by, reviewed_at=reviewed_at)


@dataclass(frozen=True)
class ExportSentenceLink:
    """Sentences linked inside a paragraph link; each sentence is (paragraph, sentence)."""

    source_document: int
    source_sentences: tuple[tuple[int, int], ...]
    target_document: int
    target_sentences: tuple[tuple[int, int], ...]
    score: float
    status: str
    relation: str


@dataclass(frozen=True)
class ExportMark:
    """An editor's mark on a paragraph: not_translated (from `target_document`) or added."""

    document: int
    paragraph: int
    mark: str
    target_document: int | None = None


@dataclass(frozen=True)
class ExportStory:
    """A story, its documents, the links between their paragraphs and sentences, marks."""

    id: int
    title: str
    documents: tuple[ExportDocument, ...]
    links: tuple[ExportLink, ...]
    sentence_links: tuple[ExportSentenceLink, ...] = ()
    marks: tuple[ExportMark, ...] = ()


@dataclass(frozen=True)
class ImportedDocument:
    """A document read from a file; its paragraphs are numbered from 0 in reading order."""

    lang: str
    title: str
    paragraphs: tuple[str, ...]
    source: str = ""


@dataclass(frozen=True, slots=True)
class ImportedLink(LinkShape):
    """A link read from a file; documents are positions in ``ImportedStory.documents``.

    What the file does not say makes it a translation linked by hand.
    """

    relation: str = "translation"
    status: str = "manual"
    score: float = 1.0
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None


@dataclass(frozen=True)
class ImportedMark:
    """An editor's mark read from a file; documents are positions, paragraphs renumbered."""

    document: int
    paragraph: int
    mark: str
    target_document: int | None = None


@dataclass(frozen=True)
class ImportedStory:
    """What a file holds, ready for the services layer to store as a new story."""

    title: str
    documents: tuple[ImportedDocument, ...]
    links: tuple[ImportedLink, ...]
    marks: tuple[ImportedMark, ...] = ()
