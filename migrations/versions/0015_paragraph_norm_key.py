"""paragraph.norm_key: paragraphs the library repeats are counted, and weigh less in grouping

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 13:00:00

A site's recurring headings, notes and footers ("Recap", "/// tip") matched across every
page and outvoted the text. Grouping now weighs each paragraph by the number of stories
holding the same normalised text (`app.ingest.normal.norm_key`), counted through this
indexed key, so the count is right as documents arrive and leave.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.ingest.normal import norm_key

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 5000


def upgrade() -> None:
    op.add_column("paragraph", sa.Column("norm_key", sa.BigInteger(), nullable=True))
    op.create_index("ix_paragraph_norm_key", "paragraph", ["norm_key"])
    bind = op.get_bind()
    paragraph = sa.table(
        "paragraph", sa.column("id", sa.Integer), sa.column("text"), sa.column("norm_key")
    )
    after = 0
    while True:
        rows = bind.execute(
            sa.select(paragraph.c.id, paragraph.c.text)
            .where(paragraph.c.id > after)
            .order_by(paragraph.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            paragraph.update()
            .where(paragraph.c.id == sa.bindparam("pid"))
            .values(norm_key=sa.bindparam("key")),
            [{"pid": pid, "key": norm_key(text)} for pid, text in rows],
        )
        after = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_paragraph_norm_key", table_name="paragraph")
    with op.batch_alter_table("paragraph") as batch_op:
        batch_op.drop_column("norm_key")
