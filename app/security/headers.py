"""Security headers on every HTTP response (a pure ASGI middleware, so streaming is untouched).

An answer to a logged-in request (its session names an account) may show that account's
private texts, library or name, so it is `Cache-Control: private, no-store`: no shared cache
keeps it and the browser does not keep it on disk or show it again from history after logout.
Static files stay cacheable.
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The app's own scripts and styles only: no inline script, style or event handler anywhere.
STRICT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
# The OpenAPI pages (Swagger UI, ReDoc) start themselves with an inline script and style
# their widgets inline; they show no article text, so only they get 'unsafe-inline'.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; "
    "style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; "
    "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
DOCS_PATHS = ("/docs", "/redoc")

COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "interest-cohort=(), browsing-topics=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=31536000"
PRIVATE = "private, no-store"
STATIC_PREFIX = "/static/"


def csp_for(path: str) -> str:
    """The Content-Security-Policy of a path."""
    return DOCS_CSP if path.startswith(DOCS_PATHS) else STRICT_CSP


def security_headers(path: str, *, hsts: bool) -> dict[str, str]:
    """Every security header an answer on `path` carries."""
    headers = {"Content-Security-Policy": csp_for(path), **COMMON_HEADERS}
    if hsts:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, frame, referrer and permissions headers; HSTS when `hsts` is on."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = security_headers(scope["path"], hsts=self.hsts)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in wanted.items():
                    headers.setdefault(name, value)
                if scope.get("session") and not scope["path"].startswith(STATIC_PREFIX):
                    headers["Cache-Control"] = PRIVATE
            await send(message)

        await self.app(scope, receive, send_with_headers)
