"""Logging in and out, and changing a password: a form for the browser, JSON for API clients.

Failed logins are limited per client address, per address+name and per name
(app/security/logins.py), checked before any password is hashed; a login starts a new
server-side session and a new CSRF token and marks the browser as known to the account;
`next` is only ever a path on this site.
"""

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.auth import UserDep, authenticate, end_session, set_password, start_session
from app.deps import SessionDep, SettingsDep
from app.library.credentials import verify_password
from app.models import User
from app.security.logins import LoginThrottle
from app.security.openapi import errors
from app.security.redirects import safe_next
from app.templating import templates

router = APIRouter(tags=["accounts"])


class Credentials(BaseModel):
    """A name and password."""

    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)


class Me(BaseModel):
    """Who is logged in; anonymous visitors are readers with no name."""

    name: str | None
    role: str


class LoggedOut(BaseModel):
    """The answer to a logout."""

    status: Literal["logged out"]


class PasswordChange(BaseModel):
    """The current password and the new one."""

    current: str = Field(max_length=1024)
    new: str = Field(min_length=8, max_length=1024)


def _login(request: Request, session: SessionDep, settings: Any, name: str, password: str) -> User:
    throttle: LoginThrottle = request.app.state.logins
    throttle.check(request, name)  # before argon2: a refused guess costs no hashing
    user = authenticate(session, name, password)
    if user is None:
        throttle.failed(request, name)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong name or password")
    throttle.succeeded(request, name)
    start_session(request, session, user, settings.session_max_age)
    return user


def _remember(request: Request, response: Response, user: User) -> None:
    throttle: LoginThrottle = request.app.state.logins
    throttle.remember_device(response, user.name)


@router.post("/api/login", responses=errors(401, 429))
def api_login(
    body: Credentials,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> Me:
    """Start a session (an HttpOnly cookie naming a server-side session) and a new CSRF token."""
    user = _login(request, session, settings, body.name, body.password)
    _remember(request, response, user)
    return Me(name=user.name, role=user.role)


@router.post("/api/logout")
def api_logout(request: Request, session: SessionDep) -> LoggedOut:
    """End the session: it is revoked on the server, not only forgotten by the browser."""
    end_session(request, session)
    return LoggedOut(status="logged out")


@router.post("/api/password", responses=errors(401, 403, 429))
def change_password(
    body: PasswordChange,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: UserDep,
) -> Me:
    """Change your password; every session of the account is revoked and this one renewed.

    A wrong current password counts as a failed login (a stolen session cannot guess it)."""
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in to change your password")
    throttle: LoginThrottle = request.app.state.logins
    throttle.check(request, user.name)
    if not verify_password(user.password_hash, body.current):
        throttle.failed(request, user.name)
        raise HTTPException(status.HTTP_403_FORBIDDEN, "the current password is wrong")
    set_password(session, user, body.new)
    start_session(request, session, user, settings.session_max_age)
    return Me(name=user.name, role=user.role)


@router.get("/api/me")
def me(user: UserDep) -> Me:
    """Who the session belongs to; anonymous visitors are readers."""
    return Me(name=user.name, role=user.role) if user else Me(name=None, role="reader")


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The login form."""
    return templates.TemplateResponse(
        request, "login.html", {"next": safe_next(next), "error": None}
    )


@router.post("/login", include_in_schema=False)
async def login_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Log in from the form and go back where the editor came from (a path on this site)."""
    form = await request.form()
    name, password = str(form.get("name", ""))[:64], str(form.get("password", ""))[:1024]
    target = safe_next(str(form.get("next") or "/"))
    try:
        # argon2 and the database: in the threadpool, never on the event loop.
        user = await run_in_threadpool(_login, request, session, settings, name, password)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": target, "error": exc.detail},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    response: Response
    if request.headers.get("HX-Request"):
        response = JSONResponse({"ok": True}, headers={"HX-Redirect": target})
    else:
        response = RedirectResponse(target, status_code=303)
    _remember(request, response, user)
    return response


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request, session: SessionDep) -> Response:
    """Log out from the page header."""
    end_session(request, session)
    if request.headers.get("HX-Request"):
        return JSONResponse({"ok": True}, headers={"HX-Redirect": "/"})
    return RedirectResponse("/", status_code=303)
