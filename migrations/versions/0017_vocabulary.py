"""vocabulary: learners' saved words per account, with their practice schedule

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "vocabulary_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("word", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lemma", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("sentence", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("counterpart", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("counterpart_lang", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column(
            "counterpart_words", sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False
        ),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("paragraph", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("due", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["story.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_vocabulary_item_user_key"),
    )
    with op.batch_alter_table("vocabulary_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vocabulary_item_due"), ["due"], unique=False)
        batch_op.create_index(batch_op.f("ix_vocabulary_item_user_id"), ["user_id"], unique=False)


def downgrade() -> None:

    with op.batch_alter_table("vocabulary_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vocabulary_item_user_id"))
        batch_op.drop_index(batch_op.f("ix_vocabulary_item_due"))

    op.drop_table("vocabulary_item")
