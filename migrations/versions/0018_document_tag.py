"""document.tag: the BCP 47 tag of a document whose text says more than its language

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 16:30:00

`document.lang` stays the ISO 639-1 language every lookup keys on (encoders, checks, word
lists); `document.tag` holds the variant readers see and exports carry ("zh-Hant",
"pt-BR"), NULL where it says no more than `lang`. Existing documents get what their source's
path says and, for Chinese, what their characters say (app.ingest.tags).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.ingest.tags import document_tag

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 500

_document = sa.table(
    "document",
    sa.column("id", sa.Integer),
    sa.column("lang", sa.String),
    sa.column("source", sa.String),
    sa.column("original", sa.String),
    sa.column("tag", sa.String),
)


def _fill_tags(conn: sa.engine.Connection) -> None:
    """Tag the stored documents; only Chinese ones are read whole (their characters decide)."""
    last = 0
    while True:
        rows = conn.execute(
            sa.select(_document.c.id, _document.c.lang, _document.c.source)
            .where(_document.c.id > last)
            .order_by(_document.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        for doc_id, lang, source in rows:
            text = ""
            if lang == "zh":
                text = conn.execute(
                    sa.select(_document.c.original).where(_document.c.id == doc_id)
                ).scalar_one()
            tag = document_tag(lang, text, source=source or "")
            if tag != lang:
                conn.execute(_document.update().where(_document.c.id == doc_id).values(tag=tag))
        last = rows[-1][0]


def upgrade() -> None:
    op.add_column("document", sa.Column("tag", sa.String(length=35), nullable=True))
    _fill_tags(op.get_bind())


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): a batch rebuild of `document` would
    # cascade to its paragraphs.
    op.drop_column("document", "tag")
