"""paragraph kinds: 'body' is now 'text' (beside list, code, quote, table from Markdown/EPUB)

Revision ID: 0008
Revises: 0003
Create Date: 2026-11-25 19:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE paragraph SET kind = 'text' WHERE kind = 'body'")


def downgrade() -> None:
    # list, quote and table paragraphs were prose before they had kinds of their own;
    # code blocks have no older kind and stay as they are.
    op.execute(
        "UPDATE paragraph SET kind = 'body' WHERE kind IN ('text', 'list', 'quote', 'table')"
    )
