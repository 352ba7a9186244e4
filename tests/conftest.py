"""Shared fixtures: a migrated SQLite file per test, the app on it, the model once per session."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import REPO_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade

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
