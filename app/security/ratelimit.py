"""Rate limits on logins, uploads and writes, per client address and per account (`limits`).

The storage is `limits`' own: in memory by default (one process), or any URI it supports
(`redis://...`) so that several web processes share the counts. Fixed windows keep one
counter per key, and keys expire with their window; failed logins are counted per address
first, so one address cannot make more than a handful of per-name keys, and the in-memory
store is emptied if it ever holds more than MAX_MEMORY_KEYS keys (many addresses at once).
"""

import math
import time
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlmodel import Session

from app.auth import session_user
from app.config import Settings

MAX_MEMORY_KEYS = 100_000
UPLOAD_PATHS = frozenset({"/api/documents", "/upload", "/api/import"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass(frozen=True)
class Rules:
    """The limits in force, parsed from the settings."""

    login_per_address: RateLimitItem
    login_per_name: RateLimitItem
    uploads: RateLimitItem
    writes: RateLimitItem

    @classmethod
    def from_settings(cls, settings: Settings) -> "Rules":
        return cls(
            login_per_address=parse(settings.rate_limit_login_address),
            login_per_name=parse(settings.rate_limit_login_name),
            uploads=parse(settings.rate_limit_uploads),
            writes=parse(settings.rate_limit_writes),
        )


class RateLimited(HTTPException):
    """429 with the seconds to wait in Retry-After."""

    def __init__(self, wait: int, what: str) -> None:
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many {what}; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )


class RateLimits:
    """One limiter per app; every check names a rule and the keys it counts under."""

    def __init__(self, settings: Settings) -> None:
        self.storage = storage_from_string(settings.rate_limit_storage)
        self.limiter = FixedWindowRateLimiter(self.storage)
        self.rules = Rules.from_settings(settings)

    def key_count(self) -> int:
        """How many counters the in-memory store holds (0 for shared stores)."""
        if isinstance(self.storage, MemoryStorage):
            return len(self.storage.storage) + len(self.storage.events)
        return 0

    def _bound_memory(self) -> None:
        if self.key_count() > MAX_MEMORY_KEYS:
            self.storage.reset()

    def wait(self, item: RateLimitItem, *keys: str) -> int:
        """Seconds before one more hit on `keys` is allowed; 0 when it is allowed now."""
        if self.limiter.test(item, *keys):
            return 0
        reset, _remaining = self.limiter.get_window_stats(item, *keys)
        return max(1, math.ceil(reset - time.time()))

    def hit(self, item: RateLimitItem, *keys: str) -> int:
        """Count one hit; the seconds to wait when it goes over the limit, else 0."""
        self._bound_memory()
        if self.limiter.hit(item, *keys):
            return 0
        return self.wait(item, *keys)

    def clear(self, item: RateLimitItem, *keys: str) -> None:
        """Forget the hits on `keys` (a successful login clears its name's failures)."""
        self.limiter.clear(item, *keys)

    # --- the checks the routes make ---

    def check_login(self, address: str, name: str) -> None:
        """Before a login: refuse while the address or this address+name is over its limit."""
        wait = self.wait(self.rules.login_per_address, "login", address) or self.wait(
            self.rules.login_per_name, "login", address, name.casefold()
        )
        if wait:
            raise RateLimited(wait, "failed logins")

    def login_failed(self, address: str, name: str) -> None:
        """Count a failed login under the address and under address+name."""
        self.hit(self.rules.login_per_address, "login", address)
        self.hit(self.rules.login_per_name, "login", address, name.casefold())

    def login_succeeded(self, address: str, name: str) -> None:
        self.clear(self.rules.login_per_name, "login", address, name.casefold())

    def check_write(self, address: str, account: int | None, upload: bool) -> None:
        """Count one write (and upload) per address and per account; 429 when over."""
        checks = [(self.rules.writes, "writes")] + (
            [(self.rules.uploads, "uploads")] if upload else []
        )
        for item, what in checks:
            keys = [("address", address)] + ([("account", str(account))] if account else [])
            for kind, value in keys:
                wait = self.hit(item, what, kind, value)
                if wait:
                    raise RateLimited(wait, what)


def client_address(request: Request) -> str:
    """The client's address as the server saw it (proxy headers are applied by uvicorn when
    `--forwarded-allow-ips` / PARALLAX_FORWARDED_ALLOW_IPS trusts the proxy)."""
    return request.client.host if request.client else "unknown"


def enforce_write_limits(request: Request) -> None:
    """App-wide dependency: every state-changing request counts against the write limits."""
    if request.method not in UNSAFE_METHODS:
        return
    limits: RateLimits = request.app.state.rate_limits
    with Session(request.app.state.engine) as session:
        user = session_user(request, session)
        account = user.id if user is not None else None
    limits.check_write(client_address(request), account, request.url.path in UPLOAD_PATHS)
