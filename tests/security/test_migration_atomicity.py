"""A failed or killed upgrade leaves the schema it started from, and a rerun then succeeds."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect

from app.config import REPO_ROOT
from app.migrate import alembic_config, upgrade

FAILING = '''"""fails halfway"""
import sqlalchemy as sa
from alembic import op

revision = "9999"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("halfway", sa.Column("id", sa.Integer(), primary_key=True))
    {action}


def downgrade():
    op.drop_table("halfway")
'''


def _head() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head())


def _migrations_with(tmp_path: Path, action: str) -> Path:
    folder = tmp_path / "migrations"
    shutil.copytree(REPO_ROOT / "migrations", folder)
    (folder / "versions" / "9999_fails.py").write_text(
        FAILING.format(head=_head(), action=action), encoding="utf-8"
    )
    return folder


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _upgrade_with(folder: Path, url: str) -> None:
    from alembic import command

    cfg = alembic_config(url)
    cfg.set_main_option("script_location", str(folder))
    command.upgrade(cfg, "heads")


def test_a_failing_upgrade_from_empty_leaves_no_table(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    folder = _migrations_with(tmp_path, 'raise RuntimeError("boom")')
    with pytest.raises(RuntimeError, match="boom"):
        _upgrade_with(folder, url)
    assert _tables(url) == set()
    upgrade(url)  # the real migrations then apply cleanly
    assert {"user", "story", "alembic_version"} <= _tables(url)


def test_a_failing_upgrade_keeps_the_previous_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    upgrade(url)
    before = _tables(url)
    folder = _migrations_with(tmp_path, 'raise RuntimeError("boom")')
    with pytest.raises(RuntimeError):
        _upgrade_with(folder, url)
    assert _tables(url) == before


SCRIPT = """
import sys
from alembic import command
from app.migrate import alembic_config
cfg = alembic_config(sys.argv[1])
cfg.set_main_option("script_location", sys.argv[2])
command.upgrade(cfg, "heads")
"""


def test_a_killed_upgrade_leaves_the_previous_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    marker = tmp_path / "halfway.flag"
    action = f"open({str(marker)!r}, 'w').close()\n    import time\n    time.sleep(60)"
    folder = _migrations_with(tmp_path, action)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", SCRIPT, url, str(folder)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert marker.exists(), "the upgrade never reached the last migration"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    # Every migration but the sleeping one had run inside the killed process's transaction.
    assert _tables(url) == set()
    upgrade(url)
    assert {"user", "story", "login_session"} <= _tables(url)
