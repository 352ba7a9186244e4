"""Logging in: server-side sessions, the request's user, the editor requirement (passwords
and roles themselves are in app/library/credentials.py)."""

import hashlib
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session, col, delete, select

from app.deps import SessionDep
from app.library.credentials import hash_password, is_editor, verify_password
from app.models import LoginSession, User, utcnow

# The signed cookie carries only this random token; who it belongs to is in login_session.
SESSION_TOKEN_KEY = "sid"


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user with this name and password, or None."""
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None or user.disabled:
        # Hash anyway so that a wrong name takes as long as a wrong password.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = hash_password("not a real password")


def _token_id(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def start_session(request: Request, session: Session, user: User, max_age: int) -> None:
    """Log `user` in: a new server-side session, a new cookie, and a new CSRF token.

    Whatever session the browser had before is dropped, so a session fixed before login is
    worthless, and the CSRF token an attacker may have planted is replaced.
    """
    end_session(request, session)
    token = secrets.token_urlsafe(32)
    assert user.id is not None
    session.add(
        LoginSession(
            id=_token_id(token), user_id=user.id, expires_at=utcnow() + timedelta(seconds=max_age)
        )
    )
    session.commit()
    request.session[SESSION_TOKEN_KEY] = token
    request.state.rotate_csrf = True
    forget_account(request)


def end_session(request: Request, session: Session) -> None:
    """Revoke this browser's session (logout) and clear its cookie."""
    token = request.session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        session.exec(delete(LoginSession).where(col(LoginSession.id) == _token_id(token)))
        session.commit()
    request.session.clear()
    forget_account(request)


def revoke_sessions(session: Session, user_id: int) -> int:
    """Revoke every session of an account (password changed, account disabled); how many."""
    result = session.exec(delete(LoginSession).where(col(LoginSession.user_id) == user_id))
    session.commit()
    return int(result.rowcount or 0)


def set_password(session: Session, user: User, password: str) -> None:
    """Store a new password hash and revoke every session of the account."""
    user.password_hash = hash_password(password)
    session.add(user)
    session.commit()
    assert user.id is not None
    revoke_sessions(session, user.id)


def session_user(request: Request, session: Session) -> User | None:
    """The account of the request's session, if the session is still valid."""
    if "session" not in request.scope:
        return None
    token = request.session.get(SESSION_TOKEN_KEY)
    if not isinstance(token, str):
        return None
    row = session.get(LoginSession, _token_id(token))
    user = session.get(User, row.user_id) if row is not None else None
    if row is None or user is None or user.disabled or row.expires_at <= utcnow():
        request.session.clear()
        return None
    return user


def account_read(request: Request) -> bool:
    """Whether `request_account` has read this request's account already."""
    return hasattr(request.state, "account")


def request_account(request: Request) -> User | None:
    """The request's account, read at most once per request with a session of its own that is
    closed at once (the object is detached): the write limits, the path guard and the routes
    that wait share it, so a request reads its account once and holds no pooled connection."""
    if account_read(request):
        return request.state.account  # type: ignore[no-any-return]
    with Session(request.app.state.engine) as session:
        user = session_user(request, session)
        if user is not None:
            session.expunge(user)
    request.state.account = user
    return user


def current_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user, or None for an anonymous reader: the request's account if it was
    read already (by the path guard, the write limits), merged into `session` without a
    query, else read in `session`."""
    if not account_read(request):
        return session_user(request, session)
    user: User | None = request.state.account
    return None if user is None else session.merge(user, load=False)


def forget_account(request: Request) -> None:
    """The session changed hands (a login, a logout): read the account again when asked."""
    if account_read(request):
        del request.state.account


UserDep = Annotated[User | None, Depends(current_user)]


def require_editor(user: UserDep) -> User:
    """401 for anonymous readers, 403 for reader accounts; editors and admins pass."""
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in as an editor to change links")
    if not is_editor(user):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"user {user.name} is a {user.role}, not an editor"
        )
    return user


EditorDep = Annotated[User, Depends(require_editor)]
