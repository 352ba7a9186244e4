"""Stories, documents, paragraphs and sentences: what ingestion stores."""

import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from app.ingest.normal import norm_key

# Who may read a story or document: everyone, or only its owner (a personal library).
PUBLIC = "public"
PRIVATE = "private"
VISIBILITIES = (PUBLIC, PRIVATE)


def utcnow() -> datetime:
    """Timestamps are aware and stored in UTC."""
    return datetime.now(UTC)


def _first_version() -> int:
    return secrets.randbelow(2**30)


class Story(SQLModel, table=True):
    """A group of documents that tell the same story, in one or more languages."""

    id: int | None = Field(default=None, primary_key=True)
    title: str
    created_at: datetime = Field(default_factory=utcnow)
    # A private story holds only its owner's private documents; a public one only public ones.
    visibility: str = Field(
        default=PUBLIC, max_length=8, index=True, sa_column_kwargs={"server_default": PUBLIC}
    )
    owner_id: int | None = Field(default=None, index=True)
    # Bumped by every write that changes what the story shows (app.models.versions): a
    # rendered page is cached and revalidated by it. It starts at a random number, so a story
    # deleted and re-created under its old id (an undone removal) never repeats a version.
    version: int = Field(default_factory=_first_version, sa_column_kwargs={"server_default": "0"})


class LibraryVersion(SQLModel, table=True):
    """One row: a counter bumped by every commit that changes what a list of stories shows.

    Pages that list stories (home, `/api/stories`, search) are cached by it: reading it is
    one primary-key lookup however large the library (app.models.versions bumps it).
    """

    __tablename__ = "library_version"

    id: int = Field(default=1, primary_key=True)
    version: int = Field(sa_column=Column(BigInteger, nullable=False))


class Document(SQLModel, table=True):
    """One ingested article, kept with its original text.

    `content_hash` is unique: for a private document it is the text's hash masked with its
    owner (`app.library.visibility.library_hash`), so the same text is kept once among the
    public documents and once per private library, and a private copy never reveals that
    someone else has it.
    """

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("story.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    source: str
    title: str
    lang: str = Field(max_length=8)
    # The BCP 47 tag where the text says more than its language ("zh-Hant", "pt-BR"; see
    # app.ingest.tags); processing keys on `lang`, readers and exports see `language_tag`.
    tag: str | None = Field(default=None, max_length=35)
    content_hash: str = Field(max_length=64, unique=True)
    original: str
    created_at: datetime = Field(default_factory=utcnow)
    # Who added it (None: the CLI or an anonymous open upload) and who may read it.
    # (No foreign key: SQLite could add one only by rebuilding the table; accounts are
    # disabled, never deleted.)
    owner_id: int | None = Field(default=None, index=True)
    visibility: str = Field(
        default=PUBLIC, max_length=8, sa_column_kwargs={"server_default": PUBLIC}
    )
    # The sentence in which the text says it was machine translated (found at ingest).
    mt_note: str | None = Field(default=None)

    # the home page's story count (migration 0011)
    __table_args__ = (Index("ix_document_visibility_story", "visibility", "story_id"),)

    @property
    def language_tag(self) -> str:
        """The tag readers see and exports carry: the variant if known, else the language."""
        return self.tag or self.lang


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
    # The normalised text's key (app.ingest.normal): how many stories repeat a paragraph
    # (its document frequency in the library) is counted by it (migration 0015).
    norm_key: int | None = Field(default=None, sa_column=Column(BigInteger, index=True))


@event.listens_for(Paragraph, "before_insert")
@event.listens_for(Paragraph, "before_update")
def _set_norm_key(mapper: Any, connection: Any, target: Paragraph) -> None:
    """Every paragraph written through the ORM keeps its key in step with its text."""
    target.norm_key = norm_key(target.text)


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
