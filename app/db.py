"""Database engine and sessions: SQLite in WAL mode with foreign keys enforced."""

from pathlib import Path

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL makes NORMAL durable enough across app crashes and much faster on commit.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


# Connections kept open per process. SQLAlchemy's default keeps 5: with more requests than
# that at once (8 readers, each also checking the path in a session of its own) every request
# past the fifth opened a connection and closed it again (on SQLite with four PRAGMAs).
POOL_SIZE = 10


def _pool(database: str | None) -> dict[str, int]:
    """Pool options: none for an in-memory SQLite database (one connection per thread)."""
    return {} if database in (None, "", ":memory:") else {"pool_size": POOL_SIZE}


def make_engine(url: str) -> Engine:
    """Create the engine for `url`; SQLite files get their folder created and the pragmas set."""
    parsed = make_url(url)
    connect_args: dict[str, object] = {}
    if parsed.get_backend_name() == "sqlite":
        connect_args["check_same_thread"] = False
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args=connect_args, **_pool(parsed.database))
    if parsed.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


# Full-text search over paragraphs lives outside the models: an FTS5 virtual table on SQLite
# (kept in sync by triggers in migration 0005), a trigram index on PostgreSQL.
FTS_TABLE = "paragraph_fts"


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Alembic's filter: the search tables and indexes (and the paragraph -> link table
    beside them) are not models, so never compare them."""
    return not (type_ in ("table", "index") and name is not None and name.startswith(FTS_TABLE))


BUSY_MESSAGES = ("database is locked", "database is busy", "database table is locked")


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` is SQLite (or another database) saying it is locked."""
    return any(m in str(exc).lower() for m in BUSY_MESSAGES)
