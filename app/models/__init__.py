"""The database tables, by area. Created only by the Alembic migrations in migrations/."""

from app.models.alignment import DocumentPair, Embedding, Link, SentenceLink
from app.models.content import Document, Paragraph, Sentence, Story, utcnow

__all__ = [
    "Document",
    "DocumentPair",
    "Embedding",
    "Link",
    "Paragraph",
    "Sentence",
    "SentenceLink",
    "Story",
    "utcnow",
]
