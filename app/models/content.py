"""Stories, documents, paragraphs and sentences: what ingestion stores."""

from datetime import UTC, datetime

from sqlalchemy import Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timestamps are aware and stored in UTC."""
    return datetime.now(UTC)


class Story(SQLModel, table=True):
    """A group of documents that tell the same story, in one or more languages."""

    id: int | None = Field(default=None, primary_key=True)
    title: str
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One ingested article, kept with its original text."""

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("story.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    source: str
    title: str
    lang: str = Field(max_length=8)
    content_hash: str = Field(max_length=64, unique=True)
    original: str
    created_at: datetime = Field(default_factory=utcnow)


class Paragraph(SQLModel, table=True):
    """A paragraph of a document, with its kind, language and offsets into the original."""

    __table_args__ = (UniqueConstraint("document_id", "index", name="uq_paragraph_document_index"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    index: int
    text: str
    kind: str = Field(max_length=16)
    lang: str | None = Field(default=None, max_length=8)
    start: int
    end: int


class Sentence(SQLModel, table=True):
    """A sentence of a paragraph, with offsets into the document's original text."""

    __table_args__ = (
        UniqueConstraint("paragraph_id", "index", name="uq_sentence_paragraph_index"),
    )

    id: int | None = Field(default=None, primary_key=True)
    paragraph_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("paragraph.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    index: int
    text: str
    lang: str | None = Field(default=None, max_length=8)
    start: int
    end: int
