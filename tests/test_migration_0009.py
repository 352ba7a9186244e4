"""Migration 0009 on a database with data: what was there becomes public and keeps every
paragraph (no table is rebuilt, so nothing cascades), and it goes back down cleanly."""

from pathlib import Path

from alembic import command
from sqlalchemy import text

from app.db import make_engine
from app.migrate import alembic_config, upgrade

NOW = "2026-01-01 00:00:00"


def _old_database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0008")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO story (id, title, created_at) VALUES (1, 's', :n)"), {"n": NOW}
        )
        conn.execute(
            text(
                "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                "original, created_at) VALUES (1, 1, 'x', 't', 'fr', 'h1', 'o', :n)"
            ),
            {"n": NOW},
        )
        conn.execute(
            text(
                'INSERT INTO paragraph (document_id, "index", text, kind, lang, start, "end") '
                "VALUES (1, 0, 'Bonjour.', 'text', 'fr', 0, 8)"
            )
        )
    engine.dispose()
    return url


def _counts(url: str) -> tuple[int, int, int]:
    engine = make_engine(url)
    with engine.connect() as conn:
        counts: tuple[int, ...] = tuple(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("story", "document", "paragraph")
        )
    engine.dispose()
    return counts  # type: ignore[return-value]


def test_existing_rows_become_public_and_keep_their_paragraphs(tmp_path: Path) -> None:
    url = _old_database(tmp_path)
    upgrade(url)
    assert _counts(url) == (1, 1, 1)
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT visibility, owner_id FROM story UNION ALL "
                "SELECT visibility, owner_id FROM document"
            )
        ).all()
    engine.dispose()
    assert rows == [("public", None), ("public", None)]


def test_downgrade_drops_private_texts_only_and_upgrades_again(tmp_path: Path) -> None:
    url = _old_database(tmp_path)
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO story (id, title, created_at, visibility, owner_id) "
                "VALUES (2, 'p', :n, 'private', 1)"
            ),
            {"n": NOW},
        )
        conn.execute(
            text(
                "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                "original, created_at, visibility, owner_id) "
                "VALUES (2, 2, 'x', 't', 'fr', 'h2', 'o', :n, 'private', 1)"
            ),
            {"n": NOW},
        )
    engine.dispose()
    assert _counts(url) == (2, 2, 1)
    command.downgrade(alembic_config(url), "0008")
    assert _counts(url) == (1, 1, 1)
    upgrade(url)
    assert _counts(url) == (1, 1, 1)
