"""library_version: one counter row for the pages that list stories

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08 01:10:00

The home page, `/api/stories` and search are cached by the library's version. It was an
aggregate over every story row (count, sum of versions, top id): O(stories) on every read.
Now it is one row, bumped in the same transaction as every write a story list shows
(app.models.versions). It starts at a random number, so a database made again from scratch
never repeats a version a running process may have kept pages under.
"""

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "library_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.bulk_insert(table, [{"id": 1, "version": secrets.randbelow(2**30)}])


def downgrade() -> None:
    op.drop_table("library_version")
