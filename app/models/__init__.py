"""The database tables, by area. Created only by the Alembic migrations in migrations/."""

from app.models.alignment import DocumentPair, Embedding, Link, SentenceLink
from app.models.content import Document, Paragraph, Sentence, Story, utcnow
from app.models.review import ROLES, LinkEvent, LoginSession, ParagraphMark, User

__all__ = [
    "Document",
    "DocumentPair",
    "Embedding",
    "Link",
    "LinkEvent",
    "LoginSession",
    "ParagraphMark",
    "ROLES",
    "Paragraph",
    "Sentence",
    "SentenceLink",
    "Story",
    "User",
    "utcnow",
]
