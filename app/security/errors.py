"""Answers for failures that are the client's or the moment's, never a 500.

- An integer past SQLite's 64-bit range (an id in the path or a number in a body) cannot be
  bound to a query: 404 when it names a path id (no such thing can exist), 422 otherwise.
- A database that stays locked past the busy timeout (a long write elsewhere): 503 with
  Retry-After, so clients and proxies retry instead of reporting a server fault.
- Anything else unhandled is a server fault: a JSON 500 `{"detail"}` naming a reference that
  is logged with the traceback, with the security headers. (Starlette answers it from its
  outermost middleware, outside the one that adds those headers, so they are added here.)
"""

import logging
import secrets

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError, StatementError

from app.db import is_busy
from app.security.headers import security_headers

log = logging.getLogger(__name__)

INT64_MAX = 2**63 - 1
BUSY_RETRY_AFTER = 2


def _out_of_range_path_param(request: Request) -> str | None:
    for name, value in request.path_params.items():
        text = str(value).lstrip("-")
        if text.isdigit() and abs(int(value)) > INT64_MAX:
            return name
    return None


def _overflow(request: Request) -> JSONResponse:
    name = _out_of_range_path_param(request)
    if name is not None:
        return JSONResponse(
            {"detail": f"{name} {request.path_params[name]} does not exist"},
            status_code=status.HTTP_404_NOT_FOUND,
        )
    return JSONResponse(
        {"detail": "a number in the request is out of range (at most 2^63 - 1)"},
        status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
    )


def _busy() -> JSONResponse:
    return JSONResponse(
        {"detail": "the database is busy; try again shortly"},
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(BUSY_RETRY_AFTER)},
    )


async def overflow_handler(request: Request, exc: Exception) -> JSONResponse:
    return _overflow(request)


async def statement_handler(request: Request, exc: Exception) -> JSONResponse:
    """SQLAlchemy wraps driver errors; unwrap the two kinds that are not server faults."""
    orig = getattr(exc, "orig", None)
    if isinstance(orig, OverflowError) or isinstance(exc.__cause__, OverflowError):
        return _overflow(request)
    if isinstance(exc, OperationalError) and is_busy(exc):
        log.warning("database busy on %s %s", request.method, request.url.path)
        return _busy()
    raise exc


async def internal_error_handler(request: Request, exc: Exception) -> JSONResponse:
    """A 500 the client can read and quote, and the operator can find in the log."""
    ref = secrets.token_hex(4)
    log.error("internal error %s on %s %s", ref, request.method, request.url.path, exc_info=exc)
    settings = getattr(request.app.state, "settings", None)
    headers = security_headers(request.url.path, hsts=bool(settings and settings.secure_cookies))
    headers["Cache-Control"] = "no-store"
    return JSONResponse(
        {"detail": f"internal error (reference {ref}); it has been logged"},
        status_code=status.HTTP_500_INTERNAL_SERVER_ERROR,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers on `app`."""
    app.add_exception_handler(OverflowError, overflow_handler)
    app.add_exception_handler(StatementError, statement_handler)
    app.add_exception_handler(Exception, internal_error_handler)
