"""Who may see what: public stories for everyone, a private story for its owner only.

A private story holds only its owner's private documents and a public story only public
ones, so every read path can ask about either. Admins get no exception: a personal library is
private from the people who run the site too. Everything someone may not see answers 404,
exactly as if it did not exist.
"""

import hashlib
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.models import PRIVATE, PUBLIC, Document, Job, Link, Story, User


def library_hash(content_hash: str, owner_id: int | None, visibility: str) -> str:
    """The `content_hash` a document stores in its library; applied twice, the plain hash.

    Public documents store the text's hash. A private one stores it XOR-masked with a digest
    of its owner: unique per (owner, text), never equal to the public hash or to another
    owner's, and reversible when the text is published. (A hash that is not 64 hex digits,
    which only hand-made rows have, is kept as it is.)
    """
    if visibility != PRIVATE or len(content_hash) != 64:
        return content_hash
    try:
        plain = bytes.fromhex(content_hash)
    except ValueError:
        return content_hash
    mask = hashlib.sha256(f"parallax private library of {owner_id}".encode()).digest()
    return bytes(a ^ b for a, b in zip(plain, mask, strict=True)).hex()


def _uid(user: User | None) -> int | None:
    return user.id if user is not None else None


def story_clause(user: User | None) -> ColumnElement[bool]:
    """WHERE condition on Story: the stories `user` (None: anonymous) may read."""
    uid = _uid(user)
    if uid is None:
        return col(Story.visibility) == PUBLIC
    return or_(col(Story.visibility) == PUBLIC, col(Story.owner_id) == uid)


def document_clause(user: User | None) -> ColumnElement[bool]:
    """WHERE condition on Document: the documents `user` may read."""
    uid = _uid(user)
    if uid is None:
        return col(Document.visibility) == PUBLIC
    return or_(col(Document.visibility) == PUBLIC, col(Document.owner_id) == uid)


def may_read(row: Story | Document | None, user: User | None) -> bool:
    """Whether `user` may read this story or document (False for None)."""
    if row is None:
        return False
    return row.visibility == PUBLIC or (user is not None and row.owner_id == user.id)


def same_library(story: Story, doc: Document) -> bool:
    """Whether `doc` may sit in `story`: both public, or both private to the same owner."""
    if story.visibility != doc.visibility:
        return False
    return story.visibility == PUBLIC or story.owner_id == doc.owner_id


def story_visible(session: Session, story_id: int, user: User | None) -> bool:
    return may_read(session.get(Story, story_id), user)


def document_visible(session: Session, document_id: int, user: User | None) -> bool:
    return may_read(session.get(Document, document_id), user)


def link_visible(session: Session, link_id: int, user: User | None) -> bool:
    link = session.get(Link, link_id)
    return link is not None and story_visible(session, link.story_id, user)


def job_visible(session: Session, job: Job | None, user: User | None) -> bool:
    """A job is seen by whoever submitted it, and by those who may read what it worked on.

    A job with no author (an anonymous open upload, the CLI) is public until its document is
    stored, then as visible as that document.
    """
    if job is None:
        return False
    if user is not None and job.created_by == user.id:
        return True
    if job.document_id is not None and session.get(Document, job.document_id) is not None:
        return document_visible(session, job.document_id, user)
    if job.story_id is not None and session.get(Story, job.story_id) is not None:
        return story_visible(session, job.story_id, user)
    return job.created_by is None and job.params.get("visibility", PUBLIC) == PUBLIC


def hidden_from(session: Session, doc: Document) -> set[int]:
    """Documents `doc` may not be grouped with: those outside its own library.

    A private document groups only with its owner's private documents; a public one only with
    public documents. Used as the grouping's candidate filter.
    """
    if doc.visibility == PRIVATE:
        same: Any = (col(Document.visibility) == PRIVATE) & (col(Document.owner_id) == doc.owner_id)
    else:
        same = col(Document.visibility) == PUBLIC
    rows = session.exec(select(Document.id).where(~same)).all()
    return {r for r in rows if r is not None}
