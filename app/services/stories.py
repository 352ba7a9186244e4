"""Read stories, documents and paragraphs for the pages and the JSON API."""

from dataclasses import dataclass

from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.models import Document, Paragraph, Sentence, Story


@dataclass(frozen=True)
class StoryDocuments:
    """A story with its documents in a stable order (by id)."""

    story: Story
    documents: list[Document]


def list_stories(session: Session, *, query: str | None = None) -> list[StoryDocuments]:
    """All stories (newest first), optionally those whose title or documents match `query`."""
    stories = session.exec(select(Story).order_by(col(Story.id).desc())).all()
    docs = session.exec(
        select(Document).order_by(col(Document.id)).options(defer(Document.original))  # type: ignore[arg-type]
    ).all()
    by_story: dict[int, list[Document]] = {}
    for doc in docs:
        by_story.setdefault(doc.story_id, []).append(doc)
    result = [StoryDocuments(s, by_story.get(s.id or 0, [])) for s in stories]
    if query:
        needle = query.casefold()
        result = [
            item
            for item in result
            if needle in item.story.title.casefold()
            or any(
                needle in d.title.casefold() or needle in d.source.casefold()
                for d in item.documents
            )
        ]
    return [item for item in result if item.documents]


def get_story(session: Session, story_id: int) -> StoryDocuments | None:
    """One story and its documents, or None."""
    story = session.get(Story, story_id)
    if story is None:
        return None
    # The original text is only needed for offsets; pages and the API never send it.
    docs = session.exec(
        select(Document)
        .where(Document.story_id == story_id)
        .order_by(col(Document.id))
        .options(defer(Document.original))  # type: ignore[arg-type]
    ).all()
    return StoryDocuments(story, list(docs))


def paragraphs_of(session: Session, document_ids: list[int]) -> dict[int, list[Paragraph]]:
    """Paragraphs of each document, in reading order."""
    rows = session.exec(
        select(Paragraph)
        .where(col(Paragraph.document_id).in_(document_ids))
        .order_by(col(Paragraph.document_id), col(Paragraph.index))
    ).all()
    out: dict[int, list[Paragraph]] = {d: [] for d in document_ids}
    for row in rows:
        out[row.document_id].append(row)
    return out


def sentences_of(session: Session, paragraph_ids: list[int]) -> dict[int, list[Sentence]]:
    """Sentences of each paragraph id, in order."""
    out: dict[int, list[Sentence]] = {}
    for sent in session.exec(
        select(Sentence)
        .where(col(Sentence.paragraph_id).in_(paragraph_ids))
        .order_by(col(Sentence.index))
    ):
        out.setdefault(sent.paragraph_id, []).append(sent)
    return out


def document_summary(doc: Document) -> dict[str, object]:
    """The document fields every API listing shares."""
    return {"id": doc.id, "lang": doc.lang, "source": doc.source, "title": doc.title}
