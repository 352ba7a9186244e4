"""The answers of the editors' JSON API (`app/routes/review.py`), as pydantic models.

Links are answered as `LinkOut` (app/routes/api_schemas.py); indexes are 0-based.
"""

from typing import Any

from pydantic import BaseModel, Field

from app.pipeline.jobs.submit import JobRef


class MarkOut(BaseModel):
    """A paragraph's mark after the change (null: cleared)."""

    document: int
    paragraph: int
    mark: str | None
    target_document: int | None = Field(description="for not_translated: the version it lacks")


class TextOut(BaseModel):
    """A paragraph's text after an edit or a merge."""

    document: int
    paragraph: int
    text: str
    realign: JobRef | None = Field(
        default=None, description="after a merge: the job realigning the document"
    )


class PartOut(BaseModel):
    """One part of a split paragraph."""

    index: int
    text: str


class SplitOut(BaseModel):
    """The two paragraphs a split made."""

    document: int
    paragraphs: list[PartOut]
    realign: JobRef | None = Field(description="the job realigning the document after the split")


States = dict[str, Any]


class UndoneOut(BaseModel):
    """What an undo changed: each state by its key (a link id, a mark, ...) before and after."""

    undone: States = Field(description="the states the undone change had made")
    now: States = Field(description="the states as they are again")
    event: int | None = Field(description="the recorded change that was undone")


class RedoneOut(BaseModel):
    """What a redo changed: each state by its key, as re-applied and as it was."""

    redone: States
    before: States
    event: int | None = Field(description="the undo that was redone")


class BatchOut(BaseModel):
    """The links a batch confirmed."""

    confirmed: list[int]
    count: int


class RemovedOut(BaseModel):
    """A removed document and the story it was in."""

    removed: int
    story_id: int


class HistoryEvent(BaseModel):
    """A recorded change of a link: who (a name for editors, "editor" for others), when,
    and the link's state before and after (null: it did not exist)."""

    id: int
    action: str
    user: str | None
    at: str = Field(description="ISO 8601, UTC")
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    undone: bool
