"""link sides as rows, story versions, stored machine-translation notes

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 13:00:00

- `link_side(link_id, side, document_id, index)`: the paragraphs a link holds, as rows with
  an index on (document_id, index), on both databases. The ORM keeps it (app.models.sides);
  filled here from the JSON arrays. SQLite's trigger-kept `paragraph_fts_links` (0005,
  re-created by 0010 after 0006's rebuild dropped its triggers) goes, triggers included.
- `story.version`: bumped by every write that changes what a story shows (app.models.sides),
  so a rendered story page can be cached and revalidated by it.
- `document.mt_note`: the sentence in which a document says it was machine translated,
  found once at ingest instead of on every view.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.labels import machine_translation_note

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OLD_TRIGGERS = ("paragraph_fts_links_ai", "paragraph_fts_links_au", "paragraph_fts_links_ad")
_BATCH = 5000

_link = sa.table(
    "link",
    sa.column("id", sa.Integer),
    sa.column("source_document_id", sa.Integer),
    sa.column("target_document_id", sa.Integer),
    sa.column("source_paragraphs", sa.JSON),
    sa.column("target_paragraphs", sa.JSON),
)
_side = sa.table(
    "link_side",
    sa.column("link_id", sa.Integer),
    sa.column("side", sa.String),
    sa.column("document_id", sa.Integer),
    sa.column("index", sa.Integer),
)
_paragraph = sa.table(
    "paragraph",
    sa.column("document_id", sa.Integer),
    sa.column("index", sa.Integer),
    sa.column("text", sa.String),
)
_document = sa.table("document", sa.column("id", sa.Integer), sa.column("mt_note", sa.String))


def _fill_sides(conn: sa.engine.Connection) -> None:
    rows: list[dict[str, object]] = []
    for link in conn.execute(sa.select(_link).order_by(_link.c.id)):
        for side, doc, indexes in (
            ("source", link.source_document_id, link.source_paragraphs),
            ("target", link.target_document_id, link.target_paragraphs),
        ):
            rows.extend(
                {"link_id": link.id, "side": side, "document_id": doc, "index": int(i)}
                for i in sorted(set(indexes or []))
            )
        if len(rows) >= _BATCH:
            conn.execute(_side.insert(), rows)
            rows = []
    if rows:
        conn.execute(_side.insert(), rows)


def _fill_mt_notes(conn: sa.engine.Connection) -> None:
    current: int | None = None
    texts: list[str] = []
    notes: dict[int, str] = {}
    query = sa.select(_paragraph).order_by(_paragraph.c.document_id, _paragraph.c.index)
    for row in [*conn.execute(query), None]:
        if row is None or row.document_id != current:
            note = machine_translation_note(texts) if current is not None else None
            if note is not None and current is not None:
                notes[current] = note
            if row is None:
                break
            current, texts = row.document_id, []
        texts.append(row.text)
    for doc_id, note in notes.items():
        conn.execute(_document.update().where(_document.c.id == doc_id).values(mt_note=note))


def upgrade() -> None:
    op.create_table(
        "link_side",
        sa.Column(
            "link_id", sa.Integer(), sa.ForeignKey("link.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("side", sa.String(length=6), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "side", "index", name="pk_link_side"),
    )
    op.create_index("ix_link_side_paragraph", "link_side", ["document_id", "index"])
    conn = op.get_bind()
    _fill_sides(conn)
    if conn.dialect.name == "sqlite":
        for name in _OLD_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.execute("DROP TABLE IF EXISTS paragraph_fts_links")
    op.add_column("story", sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("document", sa.Column("mt_note", sa.String(), nullable=True))
    _fill_mt_notes(conn)


_SIDES = (
    "SELECT {row}.id, {row}.source_document_id, value FROM json_each({row}.source_paragraphs) "
    "UNION ALL SELECT {row}.id, {row}.target_document_id, value "
    "FROM json_each({row}.target_paragraphs)"
)
_SQLITE_DOWN = [  # 0010's paragraph -> link table and its triggers
    "CREATE TABLE paragraph_fts_links (link_id INTEGER NOT NULL REFERENCES link(id) "
    'ON DELETE CASCADE, document_id INTEGER NOT NULL, "index" INTEGER NOT NULL)',
    'CREATE INDEX paragraph_fts_links_para ON paragraph_fts_links (document_id, "index")',
    "CREATE INDEX paragraph_fts_links_link ON paragraph_fts_links (link_id)",
    'INSERT INTO paragraph_fts_links SELECT link_id, document_id, "index" FROM link_side',
    "CREATE TRIGGER paragraph_fts_links_ai AFTER INSERT ON link BEGIN "
    "INSERT INTO paragraph_fts_links " + _SIDES.format(row="new") + "; END",
    "CREATE TRIGGER paragraph_fts_links_au AFTER UPDATE OF source_paragraphs, "
    "target_paragraphs, source_document_id, target_document_id ON link BEGIN "
    "DELETE FROM paragraph_fts_links WHERE link_id = old.id; "
    "INSERT INTO paragraph_fts_links " + _SIDES.format(row="new") + "; END",
    "CREATE TRIGGER paragraph_fts_links_ad AFTER DELETE ON link BEGIN "
    "DELETE FROM paragraph_fts_links WHERE link_id = old.id; END",
]


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): no table rebuild, nothing cascades.
    op.drop_column("document", "mt_note")
    op.drop_column("story", "version")
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_DOWN:
            op.execute(statement)
    op.drop_index("ix_link_side_paragraph", table_name="link_side")
    op.drop_table("link_side")
