"""documentvector ids never reused: a running process's index sees every row stored

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 18:30:00

Each process's in-memory vector index loads the rows past the highest id it has seen. On
SQLite a plain INTEGER PRIMARY KEY hands the id of a deleted last row to the next insert,
so a document uploaded after a removal got a vector no running index would ever load, and
the removed document's vector stood in for it. AUTOINCREMENT (a table rebuild on SQLite)
never reuses an id; PostgreSQL's sequence never did.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Nothing references documentvector, so the rebuild cascades into nothing.
    with op.batch_alter_table(
        "documentvector", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer(), autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table("documentvector", recreate="always") as batch_op:
        batch_op.alter_column("id", existing_type=sa.Integer(), autoincrement=False)
