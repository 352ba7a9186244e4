"""Story versions: every flush that changes what a story shows bumps its `version`.

A story page is a function of the story's rows (documents, paragraphs, sentences, links,
sentence links, pairs, marks, grouping decisions, review events) plus who looks and where.
Each flush names the stories it touches (directly, or through a document, paragraph or
link id) and raises their `version` once per transaction, in the same transaction: a cached
page keyed on the version is never served after a commit that changed the story.

Writes that bypass the ORM (Core UPDATE/DELETE) call `touch_stories` themselves, before
writing, so that the story row is always the first lock a write takes.

The library's version (one `library_version` row) sums up what the pages listing stories
show: stories, their documents and the documents' paragraphs (search shows their text). A
flush that writes any of those marks the session, and its commit bumps the row once, last:
the row is locked only for the commit's own moment, and always after any story row, so
writers of different stories queue there briefly and never deadlock. A Core write to those
tables not preceded by an ORM one calls `touch_library`.
"""

from collections.abc import Iterable

from sqlalchemy import event, inspect, or_, select, update
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.sql import ColumnElement

from app.models.alignment import DocumentPair, Link, SentenceLink
from app.models.content import Document, LibraryVersion, Paragraph, Sentence, Story
from app.models.grouping import GroupingDecision
from app.models.review import LinkEvent, ParagraphMark, StoredFinding

Key = tuple[str, int]  # ("story" | "doc" | "para" | "link", id)
_DONE = "parallax_story_keys_done"
_LIBRARY = "parallax_library_touched"
# what the pages listing stories show (home and /api/stories: stories and documents; search:
# paragraphs, with their document's and story's titles)
_LISTED = (Story, Document, Paragraph)

_BY_STORY = (Link, DocumentPair, LinkEvent, StoredFinding)
# a grouping decision shows on its document's story page
_BY_DOCUMENT = (Paragraph, ParagraphMark, GroupingDecision)


def _keys(obj: object) -> list[Key]:
    """The stories an object's change shows in, named the cheapest way the object can."""
    if isinstance(obj, Story):
        return [("story", obj.id)] if obj.id is not None else []
    if isinstance(obj, Document):
        olds = inspect(obj).attrs.story_id.history.deleted or ()
        return [("story", s) for s in {obj.story_id, *olds} if s is not None]
    if isinstance(obj, _BY_STORY):
        story = getattr(obj, "story_id", None)
        return [("story", story)] if story is not None else []
    if isinstance(obj, _BY_DOCUMENT):
        return [("doc", obj.document_id)]
    if isinstance(obj, Sentence):
        return [("para", obj.paragraph_id)]
    if isinstance(obj, SentenceLink):
        return [("link", obj.link_id)]
    return []


def _where(keys: Iterable[Key]) -> ColumnElement[bool] | None:
    ids: dict[str, set[int]] = {}
    for kind, value in keys:
        if value is not None:  # e.g. a new sentence of a paragraph new in the same flush
            ids.setdefault(kind, set()).add(value)
    doc_story = select(Document.story_id)  # type: ignore[call-overload]
    clauses: list[ColumnElement[bool]] = []
    if ids.get("story"):
        clauses.append(Story.id.in_(ids["story"]))  # type: ignore[union-attr]
    if ids.get("doc"):
        clauses.append(Story.id.in_(doc_story.where(Document.id.in_(ids["doc"]))))  # type: ignore[union-attr]
    if ids.get("para"):
        by_para = doc_story.join(Paragraph, Paragraph.document_id == Document.id)
        clauses.append(Story.id.in_(by_para.where(Paragraph.id.in_(ids["para"]))))  # type: ignore[union-attr]
    if ids.get("link"):
        by_link = select(Link.story_id).where(Link.id.in_(ids["link"]))  # type: ignore[call-overload, union-attr]
        clauses.append(Story.id.in_(by_link))  # type: ignore[union-attr]
    return or_(*clauses) if clauses else None


def touch_stories(session: Session, keys: Iterable[Key]) -> None:
    """Bump the version of the stories `keys` name, once per transaction each."""
    done: set[Key] = session.info.setdefault(_DONE, set())
    fresh = set(keys) - done
    where = _where(fresh)
    if where is None:
        return
    session.connection().execute(
        update(Story).where(where).values(version=Story.version + 1)  # type: ignore[arg-type]
    )
    done |= fresh


@event.listens_for(Session, "before_flush")
def _bump(session: Session, _context: object, _instances: object) -> None:
    """Bump before the flush writes anything: the story row is locked first in every write
    transaction (PostgreSQL), so two writers to one story queue instead of deadlocking; and
    the rows a deleted object names still exist for the subqueries."""
    keys: set[Key] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if obj in session.dirty and not session.is_modified(obj):
            continue
        keys.update(_keys(obj))
        if isinstance(obj, _LISTED):
            session.info[_LIBRARY] = True
    if keys:
        touch_stories(session, keys)


def library_touched(session: Session) -> bool:
    """Whether this transaction wrote something its commit will bump the library's version for."""
    return bool(session.info.get(_LIBRARY))


def touch_library(session: Session) -> None:
    """Have this transaction's commit bump the library's version (for Core writes)."""
    session.info[_LIBRARY] = True


@event.listens_for(Session, "before_commit")
def _bump_library(session: Session) -> None:
    """Bump the library's version last in a transaction that changed what a list shows."""
    if session.in_nested_transaction():
        return
    session.flush()  # what the commit would flush next may mark the session
    if session.info.pop(_LIBRARY, False):
        session.connection().execute(
            update(LibraryVersion)
            .where(LibraryVersion.id == 1)  # type: ignore[arg-type]
            .values(version=LibraryVersion.version + 1)  # type: ignore[arg-type]
        )


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_DONE, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_library(session: Session, transaction: SessionTransaction) -> None:
    # Only the root transaction: a savepoint's end (committed or not) leaves what the
    # transaction around it wrote before it still to be bumped.
    if transaction.parent is None:
        session.info.pop(_LIBRARY, None)
