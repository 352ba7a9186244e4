"""Accounts and the editorial record: who changed which link, and paragraph marks."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.content import utcnow

ROLES = ("reader", "editor", "admin")


class User(SQLModel, table=True):
    """An account; anonymous visitors are readers without one."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    password_hash: str
    role: str = Field(default="editor", max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    # A disabled account cannot log in, and its sessions are revoked when it is disabled.
    disabled: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})


class LoginSession(SQLModel, table=True):
    """A server-side session: the cookie holds a random token, this row its SHA-256.

    Deleting the row revokes the session at once (logout, password change, account disabled),
    which a signed cookie alone cannot do.
    """

    __tablename__ = "login_session"

    id: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


class Invite(SQLModel, table=True):
    """An invitation to create an account: the link holds a random token, this row its SHA-256.

    Made by an admin (`parallax user invite`); used once, before it expires.
    """

    id: str = Field(primary_key=True, max_length=64)
    role: str = Field(default="reader", max_length=16)
    created_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    used_by: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="SET NULL"), nullable=True),
    )
    used_at: datetime | None = None


class LinkEvent(SQLModel, table=True):
    """One editorial change, with the state of the links before and after it.

    `link_ids` lists every link the change touched (a merge touches several); `before` and
    `after` map each id to its fields or null (created/deleted), which is what undo restores.
    """

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("story.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=False, index=True
        )
    )
    action: str = Field(max_length=24)
    link_ids: list[int] = Field(sa_column=Column(JSON, nullable=False))
    before: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    undone: bool = Field(default=False)
    # For "undo" and "redo" events: the event they revert or re-apply.
    reverts: int | None = Field(default=None)
    created_at: datetime = Field(default_factory=utcnow)


class ParagraphMark(SQLModel, table=True):
    """An editor's verdict on an unlinked paragraph: 'not_translated' or 'added'.

    `target_document` names the version the paragraph is missing from (not translated) when
    the editor said which one; null means every other version.
    """

    __table_args__ = (UniqueConstraint("document_id", "index", name="uq_mark_document_index"),)

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    index: int
    mark: str = Field(max_length=16)
    target_document: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=True),
    )
    user_id: int = Field(
        sa_column=Column(Integer, ForeignKey("user.id", ondelete="RESTRICT"), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow)


class StoredFinding(SQLModel, table=True):
    """A cross-language check's finding, computed after alignment or review changes.

    Attached to the paragraph it is about and, when there is one, the link joining that
    paragraph to the counterpart the finding compares against.
    """

    __tablename__ = "finding"

    id: int | None = Field(default=None, primary_key=True)
    story_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("story.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    check: str = Field(max_length=24)
    severity: float
    document_id: int = Field(
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=False)
    )
    paragraph: int
    counterpart_document_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("document.id", ondelete="CASCADE"), nullable=True),
    )
    counterpart_paragraphs: list[int] | None = Field(default=None, sa_column=Column(JSON))
    link_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("link.id", ondelete="SET NULL"), nullable=True),
    )
    summary: str
    detail: str
    created_at: datetime = Field(default_factory=utcnow)
