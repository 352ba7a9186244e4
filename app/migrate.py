"""Apply the Alembic migrations programmatically (used by `parallax serve` and the tests)."""

from alembic import command
from alembic.config import Config

from app.config import REPO_ROOT


def alembic_config(database_url: str) -> Config:
    """An Alembic Config for the repo's migrations against `database_url`."""
    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    # ConfigParser interpolates "%": a percent-encoded password must reach Alembic intact.
    cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the database at `database_url` up to `revision`."""
    command.upgrade(alembic_config(database_url), revision)
