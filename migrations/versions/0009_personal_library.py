"""personal library: owners and visibility of stories and documents, invitations

Every existing story and document becomes public with no owner (what everyone could read
before). Only columns are added: on SQLite any change to the constraints of `story` or
`document` means rebuilding the table, and inside the migration's one transaction (foreign
keys on) dropping the old table would cascade into every paragraph. So `owner_id` has no
foreign key, and `content_hash` stays unique: a private document stores its hash masked with
its owner (see app/services/visibility.py), which keeps one copy per library.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _columns(table: str) -> None:
    op.add_column(
        table,
        sa.Column(
            "visibility",
            sqlmodel.sql.sqltypes.AutoString(length=8),
            server_default="public",
            nullable=False,
        ),
    )
    op.add_column(table, sa.Column("owner_id", sa.Integer(), nullable=True))
    op.create_index(f"ix_{table}_owner_id", table, ["owner_id"], unique=False)


def upgrade() -> None:
    _columns("story")
    op.create_index("ix_story_visibility", "story", ["visibility"], unique=False)
    _columns("document")
    op.create_table(
        "invite",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_by", sa.Integer(), nullable=True),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["created_by"], ["user.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["used_by"], ["user.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    op.drop_table("invite")
    # Private texts did not exist before: they go (with their paragraphs), then their stories.
    op.execute("DELETE FROM document WHERE visibility = 'private'")
    op.execute(
        "DELETE FROM story WHERE visibility = 'private' AND NOT EXISTS "
        "(SELECT 1 FROM document WHERE document.story_id = story.id)"
    )
    for table in ("document", "story"):
        op.drop_index(f"ix_{table}_owner_id", table_name=table)
    op.drop_index("ix_story_visibility", table_name="story")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+, PostgreSQL): no table rebuild.
    for table in ("document", "story"):
        for column in ("owner_id", "visibility"):
            op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
