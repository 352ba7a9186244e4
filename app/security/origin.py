"""Refuse state-changing requests that a browser sends on behalf of another site.

The CSRF token protects requests made with a session; a login has no session yet, so a
cross-site form could log a victim into the attacker's account (login CSRF). Browsers say
where a request comes from (Sec-Fetch-Site, Origin); a request from another origin is refused.
Clients that are not browsers send neither header and are unaffected.
"""

from urllib.parse import urlsplit

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
ALLOWED_FETCH_SITES = frozenset({"same-origin", "none"})


class SameOriginMiddleware:
    """403 for unsafe methods whose Sec-Fetch-Site or Origin names another site."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            reason = cross_site_reason(dict(scope["headers"]))
            if reason:
                response = JSONResponse({"detail": reason}, status_code=403)
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def cross_site_reason(headers: dict[bytes, bytes]) -> str | None:
    """Why a request looks cross-site, or None."""
    site = headers.get(b"sec-fetch-site")
    if site is not None and site.decode("latin-1") not in ALLOWED_FETCH_SITES:
        return "cross-site request refused"
    origin = headers.get(b"origin")
    if origin is None:
        return None
    host = headers.get(b"host", b"").decode("latin-1").lower()
    parts = urlsplit(origin.decode("latin-1").lower())
    if origin == b"null" or parts.netloc != host:
        return "cross-origin request refused"
    return None
