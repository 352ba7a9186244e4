"""The app factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette_csrf import CSRFMiddleware

from app.align.encoder import Encoder, load_encoder
from app.auth import LoginThrottle
from app.config import REPO_ROOT, Settings, get_settings
from app.db import make_engine
from app.routes import (
    api,
    auth,
    docs,
    exchange,
    fragments,
    pages,
    review,
    review_pages,
    vocabulary,
)
from app.services.alignment import grouping_hook

log = logging.getLogger(__name__)

SESSION_COOKIE = "parallax_session"


def create_app(settings: Settings | None = None, *, encoder: Encoder | None = None) -> FastAPI:
    """Build the app against `settings` (default: from the environment).

    The encoder is loaded once, at start-up, unless one is passed in (the tests share one
    per session) or `settings.load_encoder` is off (then documents are stored unaligned).
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        enc = encoder
        if enc is None and settings.load_encoder:
            enc = load_encoder(settings.encoder)
        app.state.encoder = enc
        app.state.after_insert = grouping_hook(enc) if enc is not None else None
        yield
        app.state.engine.dispose()

    # /docs and /redoc come from vendored files (app/routes/docs.py), not from a CDN.
    app = FastAPI(
        title="Parallax", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None
    )
    app.state.settings = settings
    app.state.engine = make_engine(settings.database_url)
    app.state.encoder = None
    app.state.after_insert = None
    app.state.login_throttle = LoginThrottle()
    key = settings.signing_key()
    # Only requests that carry a session can act as someone, so only they need a CSRF token;
    # htmx sends it in a header (static/app.js), API clients copy it from the csrftoken cookie.
    app.add_middleware(
        CSRFMiddleware,
        secret=key,
        sensitive_cookies={SESSION_COOKIE},
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=key,
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # Pages carry whole articles; fragments stay small but still shrink by two thirds.
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.mount("/static", StaticFiles(directory=REPO_ROOT / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(fragments.router)
    app.include_router(auth.router)
    app.include_router(review.router)
    app.include_router(exchange.router)
    app.include_router(review_pages.router)
    app.include_router(review_pages.queue_router)
    app.include_router(docs.router)
    app.include_router(vocabulary.router)
    docs.install_error_pages(app)

    @app.get("/healthz", tags=["ops"])
    def healthz() -> dict[str, str]:
        """Liveness probe."""
        return {"status": "ok"}

    return app
