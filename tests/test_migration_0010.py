"""Migration 0010: the paragraph -> link index has its triggers again and stays right."""

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from app.db import make_engine
from app.migrate import upgrade
from app.services import reading

NOW = "2026-01-01 00:00:00"
TRIGGERS = {"paragraph_fts_links_ai", "paragraph_fts_links_au", "paragraph_fts_links_ad"}


def _seed_story(conn: Connection) -> None:
    conn.execute(text("INSERT INTO story (id, title, created_at) VALUES (1, 's', :n)"), {"n": NOW})
    for doc in (1, 2, 3):
        conn.execute(
            text(
                "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                "original, created_at) VALUES (:d, 1, 'x', 't', 'fr', :h, 'o', :n)"
            ),
            {"d": doc, "h": f"h{doc}", "n": NOW},
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


def _index(conn: Connection) -> set[tuple[int, int, int]]:
    rows = conn.execute(text('SELECT link_id, document_id, "index" FROM paragraph_fts_links'))
    return {(r[0], r[1], int(r[2])) for r in rows}


def _expected(conn: Connection) -> set[tuple[int, int, int]]:
    """What the index must hold: every paragraph named by a link's JSON arrays."""
    rows = conn.execute(
        text(
            "SELECT link.id, link.source_document_id, value FROM link, "
            "json_each(link.source_paragraphs) UNION ALL "
            "SELECT link.id, link.target_document_id, value FROM link, "
            "json_each(link.target_paragraphs)"
        )
    )
    return {(r[0], r[1], int(r[2])) for r in rows}


def _triggers(conn: Connection) -> set[str]:
    rows = conn.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'"))
    return {r[0] for r in rows}


@pytest.fixture
def migrated(tmp_path: Path) -> Engine:
    """A database migrated to 0009 with links in it (the broken state), then to head."""
    url = f"sqlite:///{tmp_path / 'library.db'}"
    upgrade(url, "0009")
    engine = make_engine(url)
    with engine.begin() as conn:
        assert not TRIGGERS & _triggers(conn)  # the defect this migration repairs
        _seed_story(conn)
        _add_link(conn, "[0]", "[0]")
        _add_link(conn, "[1, 2]", "[1]")
        assert _index(conn) == set()  # stale: links added after 0006 are missing
    engine.dispose()
    upgrade(url)
    reading._link_index.clear()
    return make_engine(url)


def test_upgrade_restores_the_triggers_and_refills_the_index(migrated: Engine) -> None:
    with migrated.begin() as conn:
        assert TRIGGERS <= _triggers(conn)
        assert _index(conn) == _expected(conn) and len(_index(conn)) == 5


def test_the_index_follows_inserted_updated_and_deleted_links(migrated: Engine) -> None:
    with migrated.begin() as conn:
        new = _add_link(conn, "[5]", "[6, 7]", tgt_doc=3)
        assert {(new, 1, 5), (new, 3, 6), (new, 3, 7)} <= _index(conn)
        conn.execute(
            text("UPDATE link SET target_paragraphs = '[8]', target_document_id = 2 WHERE id = :i"),
            {"i": new},
        )
        assert {k for k in _index(conn) if k[0] == new} == {(new, 1, 5), (new, 2, 8)}
        # A status change touches no paragraph: the index is left as it is.
        conn.execute(text("UPDATE link SET status = 'confirmed' WHERE id = :i"), {"i": new})
        assert _index(conn) == _expected(conn)
        conn.execute(text("DELETE FROM link WHERE id = :i"), {"i": new})
        assert not any(k[0] == new for k in _index(conn))
        assert _index(conn) == _expected(conn)


def test_deletion_is_kept_without_foreign_keys(migrated: Engine) -> None:
    with migrated.connect() as conn:
        conn.execute(text("PRAGMA foreign_keys = OFF"))
        conn.execute(text("DELETE FROM link WHERE id = (SELECT min(id) FROM link)"))
        assert _index(conn) == _expected(conn)
        conn.rollback()


def test_the_reader_uses_the_index_and_finds_the_same_links(migrated: Engine) -> None:
    with Session(migrated) as session:
        assert reading._has_link_index(session)
        fast = reading.links_touching(session, 1, {(1, 1), (2, 0)})
        reading._link_index[str(migrated.url)] = False  # the JSON-array path, for comparison
        slow = reading.links_touching(session, 1, {(1, 1), (2, 0)})
        reading._link_index.clear()
    assert [lk.id for lk in fast] == [lk.id for lk in slow] and len(fast) == 2
