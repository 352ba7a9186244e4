"""Background jobs as the users see them: kind, status, progress, error and result.

The queue itself (delivery to workers) is huey's; this row is the job's state of record, so the
API can answer from any web process and a job whose worker died can be found and retried.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from app.models.content import utcnow


class JobKind(StrEnum):
    """Every write that needs the worker is one of these (stored in `Job.kind`)."""

    INGEST = "ingest"  # parse and store an upload, then place, align and check it
    REALIGN = "realign"  # an editor's move of a document, realigned where it lands
    EDIT_TEXT = "edit_text"  # an editor's text edit, realigned around the paragraph
    SENTENCE_LINKS = "sentence_links"  # after review: sentence links, then the findings
    IMPORT_TMX = "import_tmx"  # a TMX file as a new story with its links


class JobStatus(StrEnum):
    """Where a job stands (stored in `Job.status`; the API shows the same strings)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


# Not finished yet, and finished: what the queries and the waits look for.
ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED = (JobStatus.DONE, JobStatus.FAILED)


class Job(SQLModel, table=True):
    """One unit of background work and what became of it."""

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=24, index=True)
    status: str = Field(default=JobStatus.QUEUED.value, max_length=16, index=True)
    # What the job works on: small parameters, and the raw upload for ingest/import jobs.
    params: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    payload: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    # Set once an ingest job has stored its document, so a retry does not parse again.
    document_id: int | None = Field(default=None, index=True)
    story_id: int | None = Field(default=None, index=True)
    # The import (many files sent at once) the job belongs to, if any: GET /api/imports/{id}.
    batch: str | None = Field(default=None, max_length=32, index=True)
    progress_done: int = 0
    progress_total: int = 0
    error: str | None = None
    result: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    attempts: int = 0
    worker: str | None = Field(default=None, max_length=128)
    heartbeat_at: datetime | None = None
    created_by: int | None = None
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
