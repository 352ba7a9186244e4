"""Throwaway PostgreSQL databases for tests, on the server named by PARALLAX_TEST_POSTGRES_URL."""

import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError


def admin_url() -> str | None:
    """A URL of a role that may create databases, e.g. postgresql+psycopg://u:p@127.0.0.1/postgres."""
    return os.environ.get("PARALLAX_TEST_POSTGRES_URL") or None


@contextmanager
def fresh_database(*, template: str | None = None) -> Iterator[str]:
    """Create an empty database (or a copy of `template`'s), yield its URL, drop it."""
    admin = admin_url()
    assert admin, "PARALLAX_TEST_POSTGRES_URL is not set"
    name = f"parallax_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    clause = f" TEMPLATE {make_url(template).database}" if template else ""
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{clause}'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(engine, name)
        engine.dispose()


def _drop(engine: Engine, name: str) -> None:
    """Drop a test database. FORCE ends the test's own connections, but not a connection of
    another role (an autovacuum worker on the new database): that refusal is waited out."""
    for attempt in range(20):
        try:
            with engine.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except DBAPIError as err:
            if attempt == 19 or getattr(err.orig, "sqlstate", None) not in ("42501", "55006"):
                raise
            time.sleep(0.5)
