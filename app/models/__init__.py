"""The database tables, by area. Created only by the Alembic migrations in migrations/."""

from app.models.alignment import DocumentPair, Embedding, Link, LinkSide, SentenceLink
from app.models.content import (
    PRIVATE,
    PUBLIC,
    VISIBILITIES,
    Document,
    LibraryVersion,
    Paragraph,
    Sentence,
    Story,
    utcnow,
)
from app.models.grouping import DocumentVector, GroupingDecision
from app.models.jobs import Job, JobKind, JobStatus
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
    "Job",
    "JobKind",
    "JobStatus",
    "Link",
    "LibraryVersion",
    "LinkEvent",
    "LinkSide",
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

# The ORM keeps link sides (and story versions) as it flushes: register those listeners.
from app.models import sides, versions  # noqa: E402, F401
