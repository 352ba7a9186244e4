"""documentvector (encoder, id) index: each encoder's index catches up without a table scan

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 21:45:00

A process's in-memory vector index of one encoder reads that encoder's rows past its
watermark before each grouping decision. Once a library holds vectors of two encoders (a
language the default encoder does not cover bridges the two, `app/services/bridge.py`), and
for the encoder with no rows at all, that read walked every row of the table.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_documentvector_encoder_id", "documentvector", ["encoder", "id"])


def downgrade() -> None:
    op.drop_index("ix_documentvector_encoder_id", table_name="documentvector")
