"""Sign-up: a form for the browser and `POST /api/signup`, as `PARALLAX_SIGNUP` allows.

Attempts are counted per client address, and accounts made on the whole site, both checked
before the password is hashed, so nobody can make accounts by the thousand even when sign-up
is open. A new account is logged in at once.
"""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from app.auth import start_session
from app.config import Settings
from app.deps import SessionDep, SettingsDep
from app.library.accounts import SignupError, sign_up, signup_allowed
from app.models import User
from app.routes.auth import Me
from app.security.openapi import errors
from app.security.ratelimit import RateLimits, client_address
from app.templating import templates

router = APIRouter(tags=["accounts"])


class SignupIn(BaseModel):
    """A new account's name and password, and the invitation's token when sign-up needs one."""

    name: str = Field(max_length=64)
    password: str = Field(max_length=1024)
    invite: str | None = Field(default=None, max_length=128)


def _create(request: Request, session: Session, settings: Settings, body: SignupIn) -> User:
    limits: RateLimits = request.app.state.rate_limits
    limits.check_signup(client_address(request))
    try:
        user = sign_up(
            session, settings, name=body.name, password=body.password, invite=body.invite
        )
    except SignupError as err:
        raise HTTPException(err.status, str(err)) from err
    limits.signed_up()
    start_session(request, session, user, settings.session_max_age)
    return user


@router.post("/api/signup", status_code=201, responses=errors(403, 404, 409, 429))
def api_signup(body: SignupIn, request: Request, session: SessionDep, settings: SettingsDep) -> Me:
    """Create a reader account (or the invitation's role) and log in; 404 when sign-up is
    closed, 403 without a valid invitation in invite mode, 409 for a name that is taken."""
    user = _create(request, session, settings, body)
    return Me(name=user.name, role=user.role)


@router.get("/signup", response_class=HTMLResponse, include_in_schema=False)
def signup_page(
    request: Request, session: SessionDep, settings: SettingsDep, invite: str | None = None
) -> HTMLResponse:
    """The sign-up form, or why there is none (closed, or the invitation is not valid)."""
    if settings.signup == "closed":
        raise HTTPException(status.HTTP_404_NOT_FOUND, "sign-up is closed")
    allowed = signup_allowed(settings, session, invite)
    return templates.TemplateResponse(
        request,
        "signup.html",
        {"invite": invite or "", "allowed": allowed, "error": None, "name": ""},
        status_code=200 if allowed else 403,
    )


@router.post("/signup", include_in_schema=False)
async def signup_form(request: Request, session: SessionDep, settings: SettingsDep) -> Response:
    """Create the account from the form, then open the new user's library."""
    form = await request.form()
    body = SignupIn(
        name=str(form.get("name", ""))[:64],
        password=str(form.get("password", ""))[:1024],
        invite=str(form.get("invite", ""))[:128] or None,
    )
    try:
        await run_in_threadpool(_create, request, session, settings, body)
    except HTTPException as exc:
        return templates.TemplateResponse(
            request,
            "signup.html",
            {"invite": body.invite or "", "allowed": True, "error": exc.detail, "name": body.name},
            status_code=exc.status_code,
            headers=exc.headers,
        )
    if request.headers.get("HX-Request"):
        return JSONResponse({"ok": True}, headers={"HX-Redirect": "/library"})
    return RedirectResponse("/library", status_code=303)
