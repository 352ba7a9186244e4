"""Grouping: one stored vector per document, and why each document is in its story."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.content import utcnow


class DocumentVector(SQLModel, table=True):
    """A document's mean paragraph embedding for one encoder: what the candidate index holds."""

    __table_args__ = (
        UniqueConstraint("document_id", "encoder", name="uq_documentvector_document_encoder"),
        # the index's catch-up reads one encoder's rows past a watermark
        Index("ix_documentvector_encoder_id", "encoder", "id"),
        # ids never reused (migration 0013): a running index skips rows below its watermark
        {"sqlite_autoincrement": True},
    )

    # Increasing ids let a process's in-memory index catch up with rows added by others.
    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    encoder: str = Field(max_length=32)
    lang: str = Field(max_length=8)
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class GroupingDecision(SQLModel, table=True):
    """The latest grouping decision for a document, with the evidence it was taken on."""

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(
            Integer,
            ForeignKey("document.id", ondelete="CASCADE"),
            nullable=False,
            unique=True,
        )
    )
    # "joined" (evidence found), "own" (no evidence: a story of its own), "moved" (an editor)
    decision: str = Field(max_length=16)
    story_id: int | None = Field(default=None)
    encoder: str = Field(max_length=32)
    evidence: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    decided_at: datetime = Field(default_factory=utcnow)
