"""The database tables, by area. Created only by the Alembic migrations in migrations/."""

from app.models.alignment import DocumentPair, Embedding, Link, SentenceLink
from app.models.content import (
    PRIVATE,
    PUBLIC,
    VISIBILITIES,
    Document,
    Paragraph,
    Sentence,
    Story,
    utcnow,
)
from app.models.grouping import DocumentVector, GroupingDecision
from app.models.jobs import JOB_KINDS, JOB_STATUSES, Job
from app.models.review import (
    ROLES,
    Invite,
    LinkEvent,
    LoginSession,
    ParagraphMark,
    StoredFinding,
    User,
)
from app.models.words import WORD_STATUSES, VocabularyItem

__all__ = [
    "Document",
    "DocumentPair",
    "DocumentVector",
    "GroupingDecision",
    "Invite",
    "PRIVATE",
    "PUBLIC",
    "VISIBILITIES",
    "Embedding",
    "JOB_KINDS",
    "JOB_STATUSES",
    "Job",
    "Link",
    "LinkEvent",
    "LoginSession",
    "ParagraphMark",
    "ROLES",
    "Paragraph",
    "Sentence",
    "SentenceLink",
    "Story",
    "StoredFinding",
    "User",
    "VocabularyItem",
    "WORD_STATUSES",
    "utcnow",
]
