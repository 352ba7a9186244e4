"""jobs carry the import they belong to: a collection imported whole is one batch

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 13:00:00

`POST /api/imports` queues one ingest job per file of a folder or zip; `GET /api/imports/{id}`
reads their progress together by this column.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.add_column(sa.Column("batch", sa.String(length=32), nullable=True))
        batch_op.create_index(batch_op.f("ix_job_batch"), ["batch"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("job") as batch_op:
        batch_op.drop_index(batch_op.f("ix_job_batch"))
        batch_op.drop_column("batch")
