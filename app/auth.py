"""Accounts: argon2 password hashes, the signed session, roles, and login throttling."""

import time
from collections import defaultdict, deque
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Depends, HTTPException, Request, status
from sqlmodel import Session, select

from app.deps import SessionDep
from app.models import User

# argon2id with the library's defaults (RFC 9106 low-memory profile): memory-hard.
_hasher = PasswordHasher()
SESSION_USER_KEY = "uid"


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(session: Session, name: str, password: str) -> User | None:
    """The user with this name and password, or None."""
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        # Hash anyway so that a wrong name takes as long as a wrong password.
        verify_password(_DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


_DUMMY_HASH = _hasher.hash("not a real password")


class LoginThrottle:
    """At most `limit` failed logins per client address and per account within `window` seconds."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit = limit
        self.window = window
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def _recent(self, key: str) -> deque[float]:
        entries = self._failures[key]
        cutoff = time.monotonic() - self.window
        while entries and entries[0] < cutoff:
            entries.popleft()
        return entries

    def retry_after(self, *keys: str) -> int:
        """Seconds to wait before another attempt, 0 when allowed."""
        waits = [
            int(entries[0] + self.window - time.monotonic()) + 1
            for key in keys
            if len(entries := self._recent(key)) >= self.limit
        ]
        return max(waits, default=0)

    def failed(self, *keys: str) -> None:
        """Record one failed attempt under each key."""
        now = time.monotonic()
        for key in keys:
            self._recent(key).append(now)

    def succeeded(self, *keys: str) -> None:
        """Forget the failures of these keys."""
        for key in keys:
            self._failures.pop(key, None)


def current_user(request: Request, session: SessionDep) -> User | None:
    """The logged-in user, or None for an anonymous reader."""
    uid = request.session.get(SESSION_USER_KEY)
    if uid is None:
        return None
    user = session.get(User, uid)
    if user is None:
        request.session.clear()
    return user


UserDep = Annotated[User | None, Depends(current_user)]

EDITOR_ROLES = ("editor", "admin")


def is_editor(user: User | None) -> bool:
    """Whether this user may change links."""
    return user is not None and user.role in EDITOR_ROLES


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
