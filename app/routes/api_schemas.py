"""The answers of the JSON API (`app/routes/api.py`), as pydantic models: /docs shows each
shape, and an answer that drifts from its shape fails instead of passing unnoticed.

Indexes (paragraphs, sentences) are 0-based everywhere; ids are database ids.
"""

from typing import Any

from pydantic import BaseModel, Field

from app.library.stories import DocumentSummary
from app.models import Link
from app.pipeline.jobs.submit import JobRef
from app.review.findings import FindingOut
from app.statuses import LinkStatus, Relation


class NewWordsOut(BaseModel):
    """How many of a story's different words (by lemma) are new to the logged-in learner, in
    the language most of their saved words are in: not saved, or saved and not yet known."""

    lang: str = Field(description="the learner's language, as the story's document tags it")
    new: int = Field(ge=0, description="different words (lemmas) not marked known")
    total: int = Field(ge=0, description="different words (lemmas) of the story's text")
    percent: int = Field(ge=0, le=100, description="100 only if every word is new, 0 if none")


class StoryItem(BaseModel):
    """A story in the list: its languages and documents; for a logged-in learner with saved
    words, the share of its words new to them (`new_words`, null otherwise)."""

    id: int
    title: str
    languages: list[str]
    documents: list[DocumentSummary]
    new_words: NewWordsOut | None = None


class StoryPageOut(BaseModel):
    """A page of stories, newest first; `next` is the cursor of the next page (null: last)."""

    items: list[StoryItem]
    next: str | None
    total: int


class ParagraphOut(BaseModel):
    """A paragraph of a document: its text, kind and language."""

    index: int
    text: str
    kind: str
    lang: str | None


class AlignedDocument(DocumentSummary):
    """A document of a story with all its paragraphs."""

    paragraphs: list[ParagraphOut]


class PairOut(BaseModel):
    """Two documents of a story and how they relate (translation or related)."""

    source: int
    target: int
    kind: str
    score: float


class LinkSideOut(BaseModel):
    """One side of a link: a document and paragraph indexes in it."""

    document: int
    paragraphs: list[int]


class LinkOut(BaseModel):
    """A paragraph link; send `version` back with a change to it."""

    id: int
    source: LinkSideOut
    target: LinkSideOut
    relation: Relation
    score: float
    status: LinkStatus
    version: int


class AlignmentOut(BaseModel):
    """A story's documents with their paragraphs, its document pairs and all its links."""

    id: int
    title: str
    documents: list[AlignedDocument]
    pairs: list[PairOut]
    links: list[LinkOut]


class SentenceSideOut(BaseModel):
    """One side of a sentence link: sentences as [paragraph, sentence] index pairs."""

    document: int
    sentences: list[list[int]]


class SentenceLinkOut(BaseModel):
    """Sentences linked inside a paragraph link."""

    link: int
    source: SentenceSideOut
    target: SentenceSideOut
    score: float


class QueueItem(BaseModel):
    """A row of the review queue: a link, or a paragraph whose findings no link holds."""

    key: str
    state: str = Field(description="open, confirmed, manual, rejected or marked")
    action: str = Field(description="what confirming does: confirm, not_translated, added, open")
    link: LinkOut | None
    document: int
    paragraphs: list[int]
    counterpart: int | None
    findings: list[FindingOut]


class QueueOut(BaseModel):
    """The review queue; `counts` are over the whole story, `shown` after the filters."""

    counts: dict[str, int] = Field(description="rows by state, plus auto links and findings")
    shown: int
    items: list[QueueItem]


class Uploaded(BaseModel):
    """An upload's answer. The document fields are null until the job has stored it;
    `story_id` stays null until grouping has run (or on a 202 without `?wait=true`)."""

    id: int | None
    lang: str | None
    tag: str | None
    source: str
    title: str | None
    paragraphs: int | None
    story_id: int | None
    job: JobRef


class Moved(BaseModel):
    """A moved document and the realignment job; `story_id` is null until the job is over.
    The document fields are absent when the document was removed meanwhile."""

    id: int | None = None
    lang: str | None = None
    tag: str | None = None
    source: str | None = None
    title: str | None = None
    story_id: int | None
    paragraphs: int | None = None
    job: JobRef


def link_json(link: Link) -> LinkOut:
    """One paragraph link as the API speaks it."""
    assert link.id is not None
    return LinkOut(
        id=link.id,
        source=LinkSideOut(document=link.source_document_id, paragraphs=link.source_paragraphs),
        target=LinkSideOut(document=link.target_document_id, paragraphs=link.target_paragraphs),
        relation=Relation(link.relation),
        score=link.score,
        status=LinkStatus(link.status),
        version=link.version,
    )


def moved(fields: dict[str, Any], story_id: int | None, job: JobRef) -> Moved:
    """The answer to a move, with the fields of the document if it still exists."""
    return Moved.model_validate({**fields, "story_id": story_id, "job": job})
