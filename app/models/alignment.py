"""What the alignment engine produces: pair kinds, paragraph links, sentence links, embeddings."""

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from app.models.content import utcnow


class Embedding(SQLModel, table=True):
    """A cached sentence embedding, keyed by encoder and the SHA-256 of the text."""

    __table_args__ = (UniqueConstraint("encoder", "text_hash", name="uq_embedding_encoder_text"),)

    id: int | None = Field(default=None, primary_key=True)
    encoder: str = Field(max_length=32)
    text_hash: str = Field(max_length=64)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class DocumentPair(SQLModel, table=True):
    """What two documents of a story are to each other: translation, partial or comparable."""

    __table_args__ = (
        UniqueConstraint("source_document_id", "target_document_id", name="uq_pair_documents"),
    )

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("story.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    source_document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False)
    )
    target_document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False)
    )
    kind: str = Field(max_length=16)
    score: float


class Link(SQLModel, table=True):
    """A group of paragraphs in one document linked to a group in another."""

    # The history names links by id: a deleted link's id must never be handed to a new one
    # (SQLite reuses the largest rowid without AUTOINCREMENT; PostgreSQL sequences never do).
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("story.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    source_document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    target_document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # Paragraph indexes (not ids): they are stable, readable, and what the API speaks.
    source_paragraphs: list[int] = Field(sa_column=Column(JSON, nullable=False))
    target_paragraphs: list[int] = Field(sa_column=Column(JSON, nullable=False))
    relation: str = Field(max_length=16)
    score: float
    status: str = Field(default="auto", max_length=16)
    # Optimistic concurrency for review edits: a write must name the version it read.
    version: int = Field(default=1)
    reviewed_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    reviewed_at: datetime | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class LinkSide(SQLModel, table=True):
    """One paragraph a link holds, as a row: how a paragraph's links are found (by index).

    Kept by the ORM from `Link.source_paragraphs`/`target_paragraphs` (see
    `app.models.sides`); a deleted link takes its rows with it (foreign key cascade).
    """

    __tablename__ = "link_side"
    __table_args__ = (
        PrimaryKeyConstraint("link_id", "side", "index", name="pk_link_side"),
        Index("ix_link_side_paragraph", "document_id", "index"),
    )

    link_id: int = Field(
        sa_column=Column(Integer, ForeignKey("link.id", ondelete="CASCADE"), nullable=False)
    )
    side: str = Field(max_length=6)  # "source" or "target"
    document_id: int
    index: int


class SentenceLink(SQLModel, table=True):
    """Sentences linked inside a paragraph link; each side lists [paragraph, sentence] indexes."""

    id: int | None = Field(default=None, primary_key=True)
    link_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("link.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    source_sentences: list[list[int]] = Field(sa_column=Column(JSON, nullable=False))
    target_sentences: list[list[int]] = Field(sa_column=Column(JSON, nullable=False))
    score: float
