"""grouping: document vectors, grouping decisions, paragraph full-text search

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 19:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# SQLite: an external-content FTS5 table over paragraph.text. The trigram tokenizer matches
# any 3+ character substring, so Chinese, Japanese and Thai (no spaces between words) are
# found as well as inflected European words; triggers keep it in step with the paragraphs.
_SQLITE_UP = [
    "CREATE VIRTUAL TABLE paragraph_fts USING fts5("
    "text, content='paragraph', content_rowid='id', tokenize='trigram case_sensitive 0')",
    "INSERT INTO paragraph_fts(rowid, text) SELECT id, text FROM paragraph",
    "CREATE TRIGGER paragraph_fts_ai AFTER INSERT ON paragraph BEGIN "
    "INSERT INTO paragraph_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER paragraph_fts_ad AFTER DELETE ON paragraph BEGIN "
    "INSERT INTO paragraph_fts(paragraph_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER paragraph_fts_au AFTER UPDATE OF text ON paragraph BEGIN "
    "INSERT INTO paragraph_fts(paragraph_fts, rowid, text) "
    "VALUES ('delete', old.id, old.text); "
    "INSERT INTO paragraph_fts(rowid, text) VALUES (new.id, new.text); END",
]
# SQLite: which links hold a paragraph, for the reader's click (a link keeps its paragraphs
# as JSON arrays, which no index reaches). Filled from the existing links, then by triggers.
_LINK_SIDES = (
    "SELECT {row}.id, {row}.source_document_id, value FROM json_each({row}.source_paragraphs) "
    "UNION ALL SELECT {row}.id, {row}.target_document_id, value "
    "FROM json_each({row}.target_paragraphs)"
)
_SQLITE_UP += [
    "CREATE TABLE paragraph_fts_links (link_id INTEGER NOT NULL REFERENCES link(id) "
    'ON DELETE CASCADE, document_id INTEGER NOT NULL, "index" INTEGER NOT NULL)',
    'CREATE INDEX paragraph_fts_links_para ON paragraph_fts_links (document_id, "index")',
    "CREATE INDEX paragraph_fts_links_link ON paragraph_fts_links (link_id)",
    "INSERT INTO paragraph_fts_links "
    + " UNION ALL ".join(
        f"SELECT link.id, link.{side}_document_id, value FROM link, "
        f"json_each(link.{side}_paragraphs)"
        for side in ("source", "target")
    ),
    "CREATE TRIGGER paragraph_fts_links_ai AFTER INSERT ON link BEGIN "
    "INSERT INTO paragraph_fts_links " + _LINK_SIDES.format(row="new") + "; END",
    "CREATE TRIGGER paragraph_fts_links_au AFTER UPDATE OF source_paragraphs, "
    "target_paragraphs, source_document_id, target_document_id ON link BEGIN "
    "DELETE FROM paragraph_fts_links WHERE link_id = old.id; "
    "INSERT INTO paragraph_fts_links " + _LINK_SIDES.format(row="new") + "; END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS paragraph_fts_links_au",
    "DROP TRIGGER IF EXISTS paragraph_fts_links_ai",
    "DROP TABLE IF EXISTS paragraph_fts_links",
    "DROP TRIGGER IF EXISTS paragraph_fts_au",
    "DROP TRIGGER IF EXISTS paragraph_fts_ad",
    "DROP TRIGGER IF EXISTS paragraph_fts_ai",
    "DROP TABLE IF EXISTS paragraph_fts",
]
# PostgreSQL: a trigram GIN index answers ILIKE '%word%' in any script.
# Without the right to create the extension, search still works (a sequential ILIKE).
_PG_UP = [
    "DO $$ BEGIN CREATE EXTENSION IF NOT EXISTS pg_trgm; "
    "EXCEPTION WHEN insufficient_privilege THEN RAISE NOTICE 'pg_trgm unavailable'; END $$",
    "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN "
    "CREATE INDEX IF NOT EXISTS paragraph_fts_trgm ON paragraph USING gin (text gin_trgm_ops); "
    "END IF; END $$",
]
_PG_DOWN = ["DROP INDEX IF EXISTS paragraph_fts_trgm"]


def upgrade() -> None:
    op.create_table(
        "documentvector",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("encoder", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("lang", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id", "encoder", name="uq_documentvector_document_encoder"),
    )
    with op.batch_alter_table("documentvector", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_documentvector_document_id"), ["document_id"], unique=False
        )
    op.create_table(
        "groupingdecision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("decision", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=True),
        sa.Column("encoder", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("decided_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["document_id"], ["document.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("document_id"),
    )
    dialect = op.get_bind().dialect.name
    for statement in (
        _SQLITE_UP if dialect == "sqlite" else _PG_UP if dialect == "postgresql" else []
    ):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in (
        _SQLITE_DOWN if dialect == "sqlite" else _PG_DOWN if dialect == "postgresql" else []
    ):
        op.execute(statement)
    op.drop_table("groupingdecision")
    with op.batch_alter_table("documentvector", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_documentvector_document_id"))
    op.drop_table("documentvector")
