"""The personal library: who adds texts where, the quota, publishing and deleting.

- Anonymous visitors add nothing, unless `open_uploads` is on: then their texts are public at
  once (with no owner), as before the library existed.
- A reader account adds texts to its own library, private until it publishes them, within the
  quota (`user_quota_documents`, `user_quota_bytes`; every text it added counts, published or
  not).
- Editors and admins add public texts (curation, no quota); they may ask for a private one.

Publishing works on a whole private story (all its texts are the owner's): the story becomes
public where it is, and later public uploads may join it. It does not move into an existing
public story by itself; an editor can move its documents there. Unpublishing is allowed while
every text of the story is still the owner's.
"""

from dataclasses import dataclass
from typing import Literal

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, delete, select

from app.config import Settings
from app.ingest import IngestError
from app.library.credentials import is_editor
from app.library.visibility import library_hash
from app.models import PRIVATE, PUBLIC, Document, Paragraph, Story, User
from app.review.changes import Conflict, ReviewError

Visibility = Literal["public", "private"]


@dataclass(frozen=True)
class Scope:
    """Where an upload goes: its owner, its visibility, and the quota it counts against."""

    owner_id: int | None
    visibility: str
    quota_documents: int = 0
    quota_bytes: int = 0

    def params(self) -> dict[str, object]:
        """The job parameters that carry the scope to the worker that stores the text."""
        return {
            "owner_id": self.owner_id,
            "visibility": self.visibility,
            "quota_documents": self.quota_documents,
            "quota_bytes": self.quota_bytes,
        }

    @classmethod
    def from_params(cls, params: dict[str, object]) -> "Scope":
        owner = params.get("owner_id")
        return cls(
            owner_id=owner if isinstance(owner, int) else None,
            visibility=PRIVATE if params.get("visibility") == PRIVATE else PUBLIC,
            quota_documents=int(params.get("quota_documents") or 0),  # type: ignore[call-overload]
            quota_bytes=int(params.get("quota_bytes") or 0),  # type: ignore[call-overload]
        )


class UploadRefused(ReviewError):
    """An upload the library does not take from this person (there or at all); `status` is
    the HTTP answer (401/403/422), given by the app's one ReviewError handler."""


def upload_scope(user: User | None, settings: Settings, requested: str | None) -> Scope:
    """Where `user`'s upload goes; 401/403/422 when they may not add it (there or at all)."""
    if requested not in (None, "", PUBLIC, PRIVATE):
        raise UploadRefused("visibility must be 'public' or 'private'", 422)
    if user is None:
        if not settings.open_uploads:
            raise UploadRefused("log in to add texts", 401)
        if requested == PRIVATE:
            raise UploadRefused("log in to keep private texts", 401)
        return Scope(None, PUBLIC)
    if is_editor(user):
        return Scope(user.id, requested or PUBLIC)
    if requested == PUBLIC and not settings.open_uploads:
        raise UploadRefused(
            "your texts go to your private library first; publish them from My library", 403
        )
    return Scope(
        user.id,
        requested or PRIVATE,
        settings.user_quota_documents,
        settings.user_quota_bytes,
    )


@dataclass(frozen=True)
class Usage:
    documents: int
    bytes: int


def usage(session: Session, owner_id: int) -> Usage:
    """How many texts an account added, and their size in bytes (UTF-8 originals)."""
    count, size = session.exec(
        select(func.count(), func.coalesce(func.sum(func.length(Document.original)), 0)).where(
            Document.owner_id == owner_id
        )
    ).one()
    return Usage(int(count), int(size))


def check_quota(session: Session, scope: Scope, source: str, adding: int) -> None:
    """IngestError (403) when `adding` more bytes would take the owner past the quota.

    Characters stand in for bytes in the stored total (SQL's length counts characters): the
    check is never stricter than the setting says.
    """
    if scope.owner_id is None or not (scope.quota_documents or scope.quota_bytes):
        return
    used = usage(session, scope.owner_id)
    if scope.quota_documents and used.documents + 1 > scope.quota_documents:
        raise IngestError(
            source,
            f"your library is full: {used.documents} of {scope.quota_documents} texts "
            "(delete one to add another)",
            status=403,
        )
    if scope.quota_bytes and used.bytes + adding > scope.quota_bytes:
        raise IngestError(
            source,
            f"would take your library past its {scope.quota_bytes:,} byte quota "
            f"({used.bytes:,} used)",
            status=403,
        )


# --- what the owner does with their texts ---


def owned_story(session: Session, user: User, story_id: int) -> Story:
    """The story, if `user` owns it; 404 otherwise (as if it did not exist)."""
    story = session.get(Story, story_id)
    if story is None or story.owner_id != user.id:
        raise ReviewError(f"story {story_id} does not exist", status=404)
    return story


def _set_visibility(session: Session, story: Story, visibility: str) -> None:
    """Move a story and its texts to the public library or back to the owner's (no commit).

    Each text's stored hash follows (see `library_hash`): publishing a text that is public
    already, or making private a text the owner has privately already, breaks the hash's
    uniqueness and is refused with 409, nothing changed.
    """
    docs = session.exec(select(Document).where(Document.story_id == story.id)).all()
    for doc in docs:
        plain = library_hash(doc.content_hash, doc.owner_id, doc.visibility)
        doc.content_hash = library_hash(plain, doc.owner_id, visibility)
        doc.visibility = visibility
        session.add(doc)
    story.visibility = visibility
    session.add(story)
    try:
        session.commit()
    except IntegrityError as err:
        session.rollback()
        where = "public already" if visibility == PUBLIC else "in your library already"
        raise Conflict(f"the same text is {where}; delete one copy first") from err
    session.refresh(story)


def publish(session: Session, user: User, story_id: int) -> Story:
    """Make the owner's private story and its texts public (409 if a text is public already)."""
    story = owned_story(session, user, story_id)
    if story.visibility == PRIVATE:
        _set_visibility(session, story, PUBLIC)
    return story


def unpublish(session: Session, user: User, story_id: int) -> Story:
    """Make the owner's public story private again, while every text in it is theirs."""
    story = owned_story(session, user, story_id)
    if story.visibility == PRIVATE:
        return story
    others = session.exec(
        select(Document.id).where(
            Document.story_id == story_id,
            (col(Document.owner_id).is_(None)) | (col(Document.owner_id) != user.id),
        )
    ).first()
    if others is not None:
        raise Conflict("other people's texts have joined this story; it stays public")
    _set_visibility(session, story, PRIVATE)
    return story


def delete_own(session: Session, user: User, document_id: int) -> int:
    """Delete one of the owner's texts for good (404 for anyone else's); returns its story.

    A public text goes the editors' way (recorded, so an editor can bring it back); a private
    one just goes, and its story with it when it was the last text there.
    """
    from app.library.documents import remove_document

    doc = session.get(Document, document_id)
    if doc is None or doc.owner_id != user.id:
        raise ReviewError(f"document {document_id} does not exist", status=404)
    story_id = doc.story_id
    if doc.visibility == PUBLIC:
        return remove_document(session=session, user=user, document_id=document_id)
    session.delete(doc)
    session.flush()
    if session.exec(select(Document.id).where(Document.story_id == story_id)).first() is None:
        session.exec(delete(Story).where(col(Story.id) == story_id))
    session.commit()
    return story_id


@dataclass
class LibraryText:
    id: int
    title: str
    lang: str
    source: str
    paragraphs: int
    bytes: int


@dataclass
class LibraryStory:
    id: int
    title: str
    visibility: str
    texts: list[LibraryText]
    others: int  # texts in the story that someone else added


def library(session: Session, user: User) -> list[LibraryStory]:
    """Every story holding a text `user` added, newest first, with those texts."""
    docs = session.exec(
        select(Document).where(Document.owner_id == user.id).order_by(col(Document.id).desc())
    ).all()
    counts = dict(
        session.exec(
            select(Paragraph.document_id, func.count())
            .where(col(Paragraph.document_id).in_([d.id for d in docs]))
            .group_by(col(Paragraph.document_id))
        ).all()
    )
    stories: dict[int, LibraryStory] = {}
    for doc in docs:
        assert doc.id is not None
        if doc.story_id not in stories:
            story = session.get(Story, doc.story_id)
            assert story is not None
            total = session.exec(
                select(func.count()).select_from(Document).where(Document.story_id == story.id)
            ).one()
            stories[doc.story_id] = LibraryStory(
                doc.story_id, story.title, story.visibility, [], int(total)
            )
        stories[doc.story_id].texts.append(
            LibraryText(
                doc.id, doc.title, doc.lang, doc.source, counts.get(doc.id, 0), len(doc.original)
            )
        )
    for entry in stories.values():
        entry.others -= len(entry.texts)
    return list(stories.values())
