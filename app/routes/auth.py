"""Logging in and out: a form for the browser, JSON for API clients; both throttled."""

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel

from app.auth import SESSION_USER_KEY, UserDep, authenticate
from app.deps import SessionDep
from app.templating import templates

router = APIRouter(tags=["accounts"])


class Credentials(BaseModel):
    """A name and password."""

    name: str
    password: str


def _login(request: Request, session: SessionDep, name: str, password: str) -> dict[str, Any]:
    throttle = request.app.state.login_throttle
    client = request.client.host if request.client else "unknown"
    keys = (f"ip:{client}", f"user:{name.casefold()}")
    wait = throttle.retry_after(*keys)
    if wait:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"too many failed logins; try again in {wait} s",
            headers={"Retry-After": str(wait)},
        )
    user = authenticate(session, name, password)
    if user is None:
        throttle.failed(*keys)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong name or password")
    throttle.succeeded(*keys)
    # A fresh session on login, so a session fixed before login is worthless.
    request.session.clear()
    request.session[SESSION_USER_KEY] = user.id
    return {"name": user.name, "role": user.role}


@router.post("/api/login")
def api_login(body: Credentials, request: Request, session: SessionDep) -> dict[str, Any]:
    """Start a session (a signed HttpOnly cookie)."""
    return _login(request, session, body.name, body.password)


@router.post("/api/logout")
def api_logout(request: Request) -> dict[str, str]:
    """End the session."""
    request.session.clear()
    return {"status": "logged out"}


@router.get("/api/me")
def me(user: UserDep) -> dict[str, Any]:
    """Who the session belongs to; anonymous visitors are readers."""
    return {"name": user.name, "role": user.role} if user else {"name": None, "role": "reader"}


@router.get("/login", response_class=HTMLResponse, include_in_schema=False)
def login_page(request: Request, next: str = "/") -> HTMLResponse:
    """The login form."""
    return templates.TemplateResponse(request, "login.html", {"next": next, "error": None})


@router.post("/login", include_in_schema=False)
async def login_form(request: Request, session: SessionDep) -> Response:
    """Log in from the form and go back where the editor came from."""
    form = await request.form()
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = str(form.get("next") or "/")
    if not target.startswith("/") or target.startswith("//"):
        target = "/"  # never redirect off-site
    try:
        _login(request, session, name, password)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": target, "error": exc.detail},
            status_code=exc.status_code,
        )
    if request.headers.get("HX-Request"):
        return JSONResponse({"ok": True}, headers={"HX-Redirect": target})
    return RedirectResponse(target, status_code=303)


@router.post("/logout", include_in_schema=False)
def logout_form(request: Request) -> Response:
    """Log out from the page header."""
    request.session.clear()
    if request.headers.get("HX-Request"):
        return JSONResponse({"ok": True}, headers={"HX-Redirect": "/"})
    return RedirectResponse("/", status_code=303)
