"""personal library: owners and visibility of stories and documents, invitations

Every existing story and document becomes public with no owner (what everyone could read
before). The one-per-database uniqueness of a text's hash becomes one per public library and
one per owner's private library, so a private copy never reveals that someone else has it.

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

# 0001 created the constraint without a name: SQLite reflects it nameless, PostgreSQL names
# it <table>_<column>_key. The batch's naming convention gives SQLite's a name to drop it by.
_UQ = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
_PUBLIC = sa.text("visibility = 'public'")
_PRIVATE = sa.text("visibility = 'private'")


def _owner_column() -> sa.Column:  # type: ignore[type-arg]
    return sa.Column("owner_id", sa.Integer(), nullable=True)


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "visibility",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                server_default="public",
                nullable=False,
            )
        )
        batch_op.add_column(_owner_column())
        batch_op.create_index(batch_op.f("ix_story_visibility"), ["visibility"], unique=False)
        batch_op.create_index(batch_op.f("ix_story_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_story_owner_id_user", "user", ["owner_id"], ["id"], ondelete="SET NULL"
        )
    with op.batch_alter_table("document", schema=None, naming_convention=_UQ) as batch_op:
        batch_op.drop_constraint(
            "document_content_hash_key" if postgres else "uq_document_content_hash",
            type_="unique",
        )
        batch_op.add_column(_owner_column())
        batch_op.add_column(
            sa.Column(
                "visibility",
                sqlmodel.sql.sqltypes.AutoString(length=8),
                server_default="public",
                nullable=False,
            )
        )
        batch_op.create_index(batch_op.f("ix_document_content_hash"), ["content_hash"])
        batch_op.create_index(batch_op.f("ix_document_owner_id"), ["owner_id"], unique=False)
        batch_op.create_foreign_key(
            "fk_document_owner_id_user", "user", ["owner_id"], ["id"], ondelete="SET NULL"
        )
        batch_op.create_index(
            "uq_document_public_hash",
            ["content_hash"],
            unique=True,
            sqlite_where=_PUBLIC,
            postgresql_where=_PUBLIC,
        )
        batch_op.create_index(
            "uq_document_private_hash",
            ["owner_id", "content_hash"],
            unique=True,
            sqlite_where=_PRIVATE,
            postgresql_where=_PRIVATE,
        )
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
    # Private copies of a public text would break the old one-per-database uniqueness.
    op.execute("DELETE FROM document WHERE visibility = 'private'")
    op.execute(
        "DELETE FROM story WHERE visibility = 'private' AND NOT EXISTS "
        "(SELECT 1 FROM document WHERE document.story_id = story.id)"
    )
    with op.batch_alter_table("document", schema=None) as batch_op:
        batch_op.drop_index("uq_document_private_hash")
        batch_op.drop_index("uq_document_public_hash")
        batch_op.drop_constraint("fk_document_owner_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_document_owner_id"))
        batch_op.drop_index(batch_op.f("ix_document_content_hash"))
        batch_op.drop_column("visibility")
        batch_op.drop_column("owner_id")
        batch_op.create_unique_constraint("document_content_hash_key", ["content_hash"])
    with op.batch_alter_table("story", schema=None) as batch_op:
        batch_op.drop_constraint("fk_story_owner_id_user", type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_story_owner_id"))
        batch_op.drop_index(batch_op.f("ix_story_visibility"))
        batch_op.drop_column("owner_id")
        batch_op.drop_column("visibility")
