"""link paragraph index: restore the triggers that 0006's rebuild of `link` dropped

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-03 15:00:00

Migration 0005 keeps `paragraph_fts_links` (which links hold a paragraph) in step with
`link` through triggers on `link`. Migration 0006 rebuilt `link` on SQLite (batch mode,
for AUTOINCREMENT), and dropping a table drops its triggers, so since then the index went
stale and the reader fell back to reading the JSON arrays. This migration refills the
index from the links and creates the triggers again, plus one for deletions so that the
index stays right even on a connection without foreign keys (the cascade handles it
otherwise). PostgreSQL has no such index: nothing to do there.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SIDES = (
    "SELECT {row}.id, {row}.source_document_id, value FROM json_each({row}.source_paragraphs) "
    "UNION ALL SELECT {row}.id, {row}.target_document_id, value "
    "FROM json_each({row}.target_paragraphs)"
)
_TRIGGERS = ("paragraph_fts_links_ai", "paragraph_fts_links_au", "paragraph_fts_links_ad")
_UP = [
    *(f"DROP TRIGGER IF EXISTS {name}" for name in _TRIGGERS),
    "DELETE FROM paragraph_fts_links",
    "INSERT INTO paragraph_fts_links "
    + " UNION ALL ".join(
        f"SELECT link.id, link.{side}_document_id, value FROM link, "
        f"json_each(link.{side}_paragraphs)"
        for side in ("source", "target")
    ),
    "CREATE TRIGGER paragraph_fts_links_ai AFTER INSERT ON link BEGIN "
    "INSERT INTO paragraph_fts_links " + _SIDES.format(row="new") + "; END",
    "CREATE TRIGGER paragraph_fts_links_au AFTER UPDATE OF source_paragraphs, "
    "target_paragraphs, source_document_id, target_document_id ON link BEGIN "
    "DELETE FROM paragraph_fts_links WHERE link_id = old.id; "
    "INSERT INTO paragraph_fts_links " + _SIDES.format(row="new") + "; END",
    "CREATE TRIGGER paragraph_fts_links_ad AFTER DELETE ON link BEGIN "
    "DELETE FROM paragraph_fts_links WHERE link_id = old.id; END",
]


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for statement in _UP:
        op.execute(statement)


def downgrade() -> None:
    # Back to 0008's state: no triggers (the reader then reads the JSON arrays).
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
