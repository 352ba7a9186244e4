"""Alembic environment: the URL comes from the caller's Config or from Settings.

The whole upgrade runs in ONE transaction (transaction_per_migration=False), so a failed or
killed upgrade leaves the schema it started from. SQLite's DDL is transactional, but Python's
sqlite3 driver does not open a transaction before CREATE/ALTER by itself; the migration engine
therefore takes transaction control from the driver and emits BEGIN itself (SQLAlchemy's
documented pysqlite recipe).
"""

from alembic import context
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.config import get_settings
from app.db import include_name, make_engine

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def _transactional_ddl(engine: Engine) -> None:
    """Make pysqlite run DDL inside the transaction SQLAlchemy begins."""

    @event.listens_for(engine, "connect")
    def _no_driver_transactions(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        # IMMEDIATE: take the write lock up front, so two upgrades never interleave.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def run_migrations_online() -> None:
    """Apply migrations on a live connection (SQLite needs batch mode for ALTER)."""
    url = _url()
    engine = make_engine(url)
    sqlite = make_url(url).get_backend_name() == "sqlite"
    if sqlite:
        _transactional_ddl(engine)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
            transaction_per_migration=False,
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
