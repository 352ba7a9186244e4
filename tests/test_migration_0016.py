"""Migration 0016: link sides become rows (the trigger-kept table goes), stories get a
version, and machine-translation notes are found once."""

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from app.db import make_engine
from app.migrate import alembic_config, upgrade

NOW = "2026-01-01 00:00:00"
OLD_TRIGGERS = {"paragraph_fts_links_ai", "paragraph_fts_links_au", "paragraph_fts_links_ad"}


def _seed(conn: Connection) -> None:
    conn.execute(text("INSERT INTO story (id, title, created_at) VALUES (1, 's', :n)"), {"n": NOW})
    for doc in (1, 2, 3):
        conn.execute(
            text(
                "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                "original, created_at) VALUES (:d, 1, 'x', 't', 'fr', :h, 'o', :n)"
            ),
            {"d": doc, "h": f"h{doc}", "n": NOW},
        )
    texts = {
        (2, 0): "Un texte.",
        (2, 1): "Bonjour. Cet article a été traduit automatiquement. Merci.",
        (1, 0): "Ein Text ohne Hinweis.",
    }
    for n, ((doc, index), body) in enumerate(texts.items()):
        conn.execute(
            text(
                'INSERT INTO paragraph (id, document_id, "index", text, kind, start, "end") '
                "VALUES (:i, :d, :x, :t, 'body', 0, 1)"
            ),
            {"i": n + 1, "d": doc, "x": index, "t": body},
        )


def _add_link(conn: Connection, source: str, target: str, tgt_doc: int = 2) -> int:
    conn.execute(
        text(
            "INSERT INTO link (story_id, source_document_id, target_document_id, "
            "source_paragraphs, target_paragraphs, relation, score, status, version, "
            "created_at, updated_at) VALUES (1, 1, :t, :s, :g, 'translation', 0.9, "
            "'auto', 1, :n, :n)"
        ),
        {"s": source, "g": target, "t": tgt_doc, "n": NOW},
    )
    return int(conn.execute(text("SELECT max(id) FROM link")).scalar() or 0)


def _names(conn: Connection, kind: str) -> set[str]:
    rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = :k"), {"k": kind})
    return {r[0] for r in rows}


def _sides(conn: Connection) -> set[tuple[int, str, int, int]]:
    rows = conn.execute(text('SELECT link_id, side, document_id, "index" FROM link_side'))
    return {(r[0], r[1], r[2], r[3]) for r in rows}


@pytest.fixture
def migrated(tmp_path: Path) -> Engine:
    """A database at 0013 with links in it (the trigger-kept table in use), then at head."""
    url = f"sqlite:///{tmp_path / 'library.db'}"
    upgrade(url, "0013")
    engine = make_engine(url)
    with engine.begin() as conn:
        assert OLD_TRIGGERS <= _names(conn, "trigger")
        _seed(conn)
        _add_link(conn, "[0]", "[0]")
        _add_link(conn, "[1, 2]", "[1]")
        _add_link(conn, "[4]", "[6, 7]", tgt_doc=3)
    engine.dispose()
    upgrade(url)
    return make_engine(url)


def test_upgrade_fills_link_side_from_the_arrays(migrated: Engine) -> None:
    with migrated.begin() as conn:
        assert _sides(conn) == {
            (1, "source", 1, 0),
            (1, "target", 2, 0),
            (2, "source", 1, 1),
            (2, "source", 1, 2),
            (2, "target", 2, 1),
            (3, "source", 1, 4),
            (3, "target", 3, 6),
            (3, "target", 3, 7),
        }


def test_upgrade_drops_the_triggers_and_their_table(migrated: Engine) -> None:
    with migrated.begin() as conn:
        assert not OLD_TRIGGERS & _names(conn, "trigger")
        assert "paragraph_fts_links" not in _names(conn, "table")
        assert "ix_link_side_paragraph" in _names(conn, "index")


def test_a_deleted_link_takes_its_sides(migrated: Engine) -> None:
    with migrated.begin() as conn:
        conn.execute(text("DELETE FROM link WHERE id = 2"))
        assert {s[0] for s in _sides(conn)} == {1, 3}


def test_stories_start_at_version_zero_and_notes_are_found(migrated: Engine) -> None:
    with migrated.begin() as conn:
        assert conn.execute(text("SELECT version FROM story")).scalar() == 0
        notes: dict[int, str | None] = dict(
            conn.execute(text("SELECT id, mt_note FROM document")).all()
        )
    assert notes == {1: None, 2: "Cet article a été traduit automatiquement.", 3: None}


def test_downgrade_restores_the_trigger_kept_table(migrated: Engine) -> None:
    url = str(migrated.url)
    migrated.dispose()
    command.downgrade(alembic_config(url), "0013")
    engine = make_engine(url)
    with engine.begin() as conn:
        assert OLD_TRIGGERS <= _names(conn, "trigger")
        rows = conn.execute(text('SELECT link_id, document_id, "index" FROM paragraph_fts_links'))
        assert len(rows.all()) == 8
        assert "link_side" not in _names(conn, "table")
    engine.dispose()
