"""The schema comes from the Alembic migrations, and the models do not drift from them."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from app.db import include_name
from tests.factories import table_names


def test_upgrade_head_creates_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert table_names() <= tables
    assert "alembic_version" in tables


def test_models_and_migrations_do_not_drift(engine: Engine) -> None:
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(conn, opts={"include_name": include_name}), SQLModel.metadata
        )
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
