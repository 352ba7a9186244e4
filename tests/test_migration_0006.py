"""Migration 0006 on a database with data: sentence links survive, deleted ids stay retired."""

from pathlib import Path

from sqlalchemy import text

from app.db import make_engine
from app.migrate import upgrade


def test_link_ids_are_never_reused_after_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0003")
    engine = make_engine(url)
    now = "2026-01-01 00:00:00"
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO story (id, title, created_at) VALUES (1, 's', :n)"), {"n": now}
        )
        for doc in (1, 2):
            conn.execute(
                text(
                    "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                    "original, created_at) VALUES (:d, 1, 'x', 't', 'fr', :h, 'o', :n)"
                ),
                {"d": doc, "h": f"h{doc}", "n": now},
            )
        conn.execute(
            text(
                "INSERT INTO link (id, story_id, source_document_id, target_document_id, "
                "source_paragraphs, target_paragraphs, relation, score, status, version, "
                "created_at, updated_at) VALUES (3, 1, 1, 2, '[0]', '[0]', 'translation', 0.9, "
                "'auto', 1, :n, :n)"
            ),
            {"n": now},
        )
        conn.execute(
            text(
                "INSERT INTO sentencelink (link_id, source_sentences, target_sentences, score) "
                "VALUES (3, '[[0, 0]]', '[[0, 0]]', 0.9)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO user (id, name, password_hash, role, created_at) "
                "VALUES (1, 'ed', 'x', 'editor', :n)"
            ),
            {"n": now},
        )
        # Link 7 was deleted by a merge before the upgrade; only the history remembers it.
        conn.execute(
            text(
                "INSERT INTO linkevent (story_id, user_id, action, link_ids, before, after, "
                "undone, created_at) VALUES (1, 1, 'merge', '[7]', '{}', '{}', 0, :n)"
            ),
            {"n": now},
        )
    engine.dispose()
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM sentencelink")).scalar() == 1
        conn.execute(
            text(
                "INSERT INTO link (story_id, source_document_id, target_document_id, "
                "source_paragraphs, target_paragraphs, relation, score, status, version, "
                "created_at, updated_at) VALUES (1, 1, 2, '[1]', '[1]', 'translation', 0.9, "
                "'manual', 1, :n, :n)"
            ),
            {"n": now},
        )
        new_id = conn.execute(text("SELECT max(id) FROM link")).scalar()
    engine.dispose()
    assert new_id == 8
