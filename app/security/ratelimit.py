"""Rate limits on logins, sign-ups, uploads and writes, per client address and per account.

Counting is `limits`' sliding-window counter (no burst of twice the limit at a window's edge).
The storage is in memory by default (one process): a store bounded per key, which forgets the
least recently used counter when full and never empties itself as a whole, so a flood of new
addresses cannot wipe the counts of an address or account under attack
(app/security/limitstore.py). Any other `limits` URI (`redis://...`) shares the counts
between web processes. Failed logins are checked in app/security/logins.py.
"""

import ipaddress
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from fastapi import HTTPException, Request, status
from limits import RateLimitItem, parse, parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from sqlmodel import Session

from app.auth import session_user
from app.config import Settings
from app.library.credentials import is_editor
from app.security.limitstore import BoundedMemoryStorage

UPLOAD_PATHS = frozenset({"/api/documents", "/upload", "/api/import"})
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
IPV6_PREFIX = 64  # one subscriber's network: its addresses share one count

Limit = RateLimitItem | Sequence[RateLimitItem]


@dataclass(frozen=True)
class Rules:
    """The limits in force, parsed from the settings (a rule may be several limits)."""

    login_per_address: list[RateLimitItem]
    login_per_name: list[RateLimitItem]
    login_per_account: list[RateLimitItem]
    signup_per_address: list[RateLimitItem]
    signup_site: list[RateLimitItem]
    uploads: RateLimitItem
    uploads_editor: RateLimitItem
    writes: RateLimitItem

    def uploads_for(self, editor: bool) -> RateLimitItem:
        """The upload limit of a role: an editor's (or admin's), or everyone else's."""
        return self.uploads_editor if editor else self.uploads

    @classmethod
    def from_settings(cls, settings: Settings) -> "Rules":
        return cls(
            login_per_address=parse_many(settings.rate_limit_login_address),
            login_per_name=parse_many(settings.rate_limit_login_name),
            login_per_account=parse_many(settings.rate_limit_login_account),
            signup_per_address=parse_many(settings.rate_limit_signup_address),
            signup_site=parse_many(settings.rate_limit_signup_site),
            uploads=parse(settings.rate_limit_uploads),
            uploads_editor=parse(settings.rate_limit_uploads_editor),
            writes=parse(settings.rate_limit_writes),
        )


def make_storage(uri: str) -> Storage:
    """The bounded in-memory store for `memory://`, else whatever `limits` makes of `uri`."""
    if uri.strip().lower() == "memory://":
        return BoundedMemoryStorage()
    storage = storage_from_string(uri)
    if not isinstance(storage, Storage):
        raise ValueError(f"rate limit storage {uri!r} is asynchronous; use a synchronous URI")
    return storage


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
        self.storage = make_storage(settings.rate_limit_storage)
        self.limiter = SlidingWindowCounterRateLimiter(self.storage)
        self.rules = Rules.from_settings(settings)

    def key_count(self) -> int:
        """How many counters the in-memory store holds (0 for shared stores)."""
        if isinstance(self.storage, BoundedMemoryStorage):
            return self.storage.key_count()
        return 0

    def wait(self, limit: Limit, *keys: str) -> int:
        """Seconds before one more hit on `keys` is allowed by every limit of `limit`; 0 when
        it is allowed now."""
        waits = [0]
        for item in _items(limit):
            if not self.limiter.test(item, *keys):
                reset, _remaining = self.limiter.get_window_stats(item, *keys)
                waits.append(max(1, math.ceil(reset - time.time())))
        return max(waits)

    def hit(self, limit: Limit, *keys: str) -> int:
        """Count one hit under every limit of `limit`; the seconds to wait when that goes over
        one of them (and nothing is counted), else 0."""
        wait = self.wait(limit, *keys)
        if wait:
            return wait
        for item in _items(limit):
            if not self.limiter.hit(item, *keys):
                return self.wait(limit, *keys)  # another request took the last one
        return 0

    def clear(self, limit: Limit, *keys: str) -> None:
        """Forget the hits on `keys` (a successful login clears its name's failures)."""
        for item in _items(limit):
            self.limiter.clear(item, *keys)

    def check_signup(self, address: str) -> None:
        """Count one sign-up attempt of `address`; 429 when it or the site is over its limit."""
        wait = self.wait(self.rules.signup_site, "signup-site")
        if wait:
            raise RateLimited(wait, "new accounts on this site")
        wait = self.hit(self.rules.signup_per_address, "signup", address)
        if wait:
            raise RateLimited(wait, "sign-up attempts")

    def signed_up(self) -> None:
        """Count one account made, against the site's limit."""
        self.hit(self.rules.signup_site, "signup-site")

    def check_write(
        self, address: str, account: int | None, upload: bool, editor: bool = False
    ) -> None:
        """Count one write (and upload, under the role's limit) per address and per account;
        429 when over."""
        checks = [(self.rules.writes, "writes")]
        if upload:
            checks.append((self.rules.uploads_for(editor), "uploads"))
        for item, what in checks:
            self.count(item, what, address, account)

    def count(self, item: RateLimitItem, what: str, address: str, account: int | None) -> None:
        """One hit of `what` for the address and the account; 429 when either is over."""
        keys = [("address", address)] + ([("account", str(account))] if account else [])
        for kind, value in keys:
            wait = self.hit(item, what, kind, value)
            if wait:
                raise RateLimited(wait, what)


def _items(limit: Limit) -> Sequence[RateLimitItem]:
    return [limit] if isinstance(limit, RateLimitItem) else limit


def client_address(request: Request) -> str:
    """The client's address as the limits count it: as the server saw it (proxy headers are
    applied by uvicorn when `--forwarded-allow-ips` / PARALLAX_FORWARDED_ALLOW_IPS trusts the
    proxy), an IPv6 address widened to its /64, since one subscriber holds all of those."""
    host = request.client.host if request.client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_PREFIX), strict=False))
    return host


def enforce_write_limits(request: Request) -> None:
    """App-wide dependency: every state-changing request counts against the write limits."""
    if request.method not in UNSAFE_METHODS:
        return
    limits: RateLimits = request.app.state.rate_limits
    with Session(request.app.state.engine) as session:
        user = session_user(request, session)
        account = user.id if user is not None else None
    limits.check_write(
        client_address(request), account, request.url.path in UPLOAD_PATHS, is_editor(user)
    )
