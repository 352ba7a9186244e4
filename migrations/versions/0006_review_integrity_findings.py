"""review integrity: link ids never reused, undo/redo chain, mark targets, stored findings

Revision ID: 0006
Revises: 0003
Create Date: 2026-11-25 18:40:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _link_autoincrement() -> None:
    """Rebuild `link` with AUTOINCREMENT on SQLite so that deleted ids are never handed out.

    The rebuild drops the old table, and with foreign keys on that cascades into the sentence
    links: they are copied aside and back. The sequence starts past every id the history names,
    so a link deleted before this migration cannot come back under a new identity either.
    """
    bind = op.get_bind()
    op.execute("CREATE TABLE _sentencelink_keep AS SELECT * FROM sentencelink")
    with op.batch_alter_table(
        "link", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer(), autoincrement=True)
    op.execute("DELETE FROM sentencelink")
    op.execute("INSERT INTO sentencelink SELECT * FROM _sentencelink_keep")
    op.execute("DROP TABLE _sentencelink_keep")
    highest = bind.execute(sa.text("SELECT COALESCE(MAX(id), 0) FROM link")).scalar() or 0
    for (ids,) in bind.execute(sa.text("SELECT link_ids FROM linkevent")):
        named = json.loads(ids) if isinstance(ids, str) else ids
        highest = max([highest, *(int(i) for i in named)])
    bind.execute(sa.text("DELETE FROM sqlite_sequence WHERE name = 'link'"))
    bind.execute(
        sa.text("INSERT INTO sqlite_sequence (name, seq) VALUES ('link', :seq)"), {"seq": highest}
    )


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _link_autoincrement()
    with op.batch_alter_table("linkevent", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reverts", sa.Integer(), nullable=True))
    with op.batch_alter_table("paragraphmark", schema=None) as batch_op:
        batch_op.add_column(sa.Column("target_document", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_paragraphmark_target_document",
            "document",
            ["target_document"],
            ["id"],
            ondelete="CASCADE",
        )
    op.create_table(
        "finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("check", sqlmodel.sql.sqltypes.AutoString(length=24), nullable=False),
        sa.Column("severity", sa.Float(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("paragraph", sa.Integer(), nullable=False),
        sa.Column("counterpart_document_id", sa.Integer(), nullable=True),
        sa.Column("counterpart_paragraphs", sa.JSON(), nullable=True),
        sa.Column("link_id", sa.Integer(), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["counterpart_document_id"], ["document.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["link_id"], ["link.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_finding_story_id"), ["story_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_finding_story_id"))
    op.drop_table("finding")
    with op.batch_alter_table("paragraphmark", schema=None) as batch_op:
        batch_op.drop_constraint("fk_paragraphmark_target_document", type_="foreignkey")
        batch_op.drop_column("target_document")
    with op.batch_alter_table("linkevent", schema=None) as batch_op:
        batch_op.drop_column("reverts")
