"""The app factory."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from anyio import CapacityLimiter
from fastapi import Depends, FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from app.align.encoder import Encoder
from app.config import REPO_ROOT, Settings, get_settings
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.supervisor import HealthOut, health
from app.routes import (
    api,
    auth,
    docs,
    exchange,
    fragments,
    imports,
    jobs,
    library,
    pages,
    practice,
    review,
    review_pages,
    search,
    signup,
    vocabulary,
    words,
)
from app.routes.page_cache import PageCache
from app.routes.review import install_review_errors
from app.security.access import guard_path_ids
from app.security.body import BodyLimitMiddleware
from app.security.csrf import RotatingCSRFMiddleware
from app.security.errors import install_error_handlers
from app.security.headers import SecurityHeadersMiddleware
from app.security.jsontext import reject_lone_surrogates
from app.security.logins import LoginThrottle
from app.security.openapi import document_errors
from app.security.origin import SameOriginMiddleware
from app.security.ratelimit import WRITE_LANE, RateLimits, enforce_write_limits
from app.waiting import WaitSlots

log = logging.getLogger(__name__)

SESSION_COOKIE = "parallax_session"


# Past 60 lines on purpose: wiring only (middleware, routers, error handlers). The middleware
# order is the security design (the outermost runs first) and reads best in one place.
def create_app(settings: Settings | None = None, *, encoder: Encoder | None = None) -> FastAPI:
    """Build the app against `settings` (default: from the environment).

    The web process holds no model: parsing, encoding and aligning run as jobs in worker
    processes. An `encoder` passed in is for jobs run inline (tests with `queue_url="inline"`).
    """
    settings = settings or get_settings()
    runtime = Runtime(settings, encoder=encoder)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.write_lane = CapacityLimiter(WRITE_LANE)  # bound to this event loop
        yield
        runtime.close()

    # /docs and /redoc come from vendored files (app/routes/docs.py), not from a CDN.
    app = FastAPI(
        title="Parallax",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[
            Depends(enforce_write_limits),
            Depends(guard_path_ids),
            Depends(reject_lone_surrogates),
        ],
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.runtime = runtime
    app.state.engine = runtime.engine
    app.state.rate_limits = RateLimits(settings)
    app.state.wait_slots = WaitSlots(settings.job_waits_per_account)
    app.state.page_cache = PageCache()
    key = settings.signing_key()
    app.state.logins = LoginThrottle(app.state.rate_limits, settings, key)
    # Only requests that carry a session can act as someone, so only they need a CSRF token;
    # htmx sends it in a header (static/app.js), API clients copy it from the csrftoken cookie.
    app.add_middleware(
        RotatingCSRFMiddleware,
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
    # A browser's cross-site POST is refused before anything else: login CSRF included.
    app.add_middleware(SameOriginMiddleware)
    app.add_middleware(
        BodyLimitMiddleware,
        max_bytes=settings.max_upload_bytes,
        larger={"/api/imports": settings.max_import_bytes},
    )
    # Outermost, so that every answer (errors and refusals included) carries the headers.
    app.add_middleware(SecurityHeadersMiddleware, hsts=settings.secure_cookies)
    install_error_handlers(app)
    install_review_errors(app)
    document_errors(app)
    docs.document_examples(app)
    app.mount("/static", StaticFiles(directory=REPO_ROOT / "static"), name="static")
    # The reading pages first: every request walks the routes in order until one matches,
    # and the reader's are the most requested (no path of theirs is another router's).
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(imports.router)
    app.include_router(search.router)
    app.include_router(jobs.router)
    app.include_router(fragments.router)
    app.include_router(auth.router)
    app.include_router(signup.router)
    app.include_router(library.router)
    app.include_router(review.router)
    app.include_router(exchange.router)
    app.include_router(review_pages.router)
    app.include_router(review_pages.queue_router)
    app.include_router(docs.router)
    app.include_router(vocabulary.router)
    app.include_router(words.router)
    app.include_router(practice.router)
    docs.install_error_pages(app)

    app.state.supervisor = None  # `parallax serve` sets its embedded worker's

    @app.get("/healthz", tags=["ops"], response_model=HealthOut, response_model_exclude_unset=True)
    def healthz() -> dict[str, Any]:
        """Liveness probe: `status` ok (degraded: no worker heard of lately, so queued jobs
        wait), the worker's liveness and the queue's depth."""
        return health(runtime, app.state.supervisor)

    return app
