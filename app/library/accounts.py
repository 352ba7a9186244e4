"""Making accounts: invitations and sign-up, as `PARALLAX_SIGNUP` allows.

- "invite" (the default): an admin makes a one-time link (`parallax user invite`); whoever
  opens it may create one account, with the role the invitation names (reader by default).
- "open": anyone may create a reader account (an invitation still gives its role).
- "closed": no sign-up at all; only `parallax user add` makes accounts.

Like a session token, an invitation's token is never stored: the table keeps its SHA-256.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select, update

from app.config import Settings
from app.library.credentials import hash_password
from app.models import ROLES, Invite, User, utcnow

MIN_PASSWORD = 8
# Names are shown on pages and in the history: letters, digits and . _ - only.
NAME_PATTERN = re.compile(r"^[\w.\-]{2,64}$")


class SignupError(Exception):
    """Why an account cannot be made; `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def create_invite(
    session: Session, *, role: str = "reader", days: int = 7, created_by: int | None = None
) -> str:
    """A new invitation; returns the token (shown once: only its digest is kept)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = secrets.token_urlsafe(24)
    session.add(
        Invite(
            id=_digest(token),
            role=role,
            created_by=created_by,
            expires_at=utcnow() + timedelta(days=days),
        )
    )
    session.commit()
    return token


def valid_invite(session: Session, token: str | None) -> Invite | None:
    """The unused, unexpired invitation of this token, or None."""
    if not token:
        return None
    invite = session.get(Invite, _digest(token))
    if invite is None or invite.used_at is not None or invite.expires_at <= utcnow():
        return None
    return invite


def signup_allowed(settings: Settings, session: Session, token: str | None) -> bool:
    """Whether the sign-up form may be shown to someone holding `token` (or none)."""
    if settings.signup == "closed":
        return False
    return settings.signup == "open" or valid_invite(session, token) is not None


def sign_up(
    session: Session, settings: Settings, *, name: str, password: str, invite: str | None
) -> User:
    """Create an account as the settings allow; SignupError (404/403/409/422) otherwise.

    The invitation is spent in the same transaction, with a conditional UPDATE, so two people
    racing with one link make one account.
    """
    if settings.signup == "closed":
        raise SignupError("sign-up is closed; ask an administrator for an account", 404)
    found = valid_invite(session, invite)
    if found is None and settings.signup == "invite":
        raise SignupError("sign-up needs a valid invitation (it may be used or expired)", 403)
    if not NAME_PATTERN.match(name):
        raise SignupError("the name must be 2-64 letters, digits, '.', '_' or '-'")
    if len(password) < MIN_PASSWORD:
        raise SignupError(f"the password must have at least {MIN_PASSWORD} characters")
    if session.exec(select(User).where(User.name == name)).first() is not None:
        raise SignupError(f"the name {name} is taken", 409)
    user = User(name=name, password_hash=hash_password(password), role="reader")
    if found is not None:
        user.role = found.role
    session.add(user)
    session.flush()
    if found is not None:
        spent = session.exec(  # type: ignore[call-overload]
            update(Invite)
            .where(col(Invite.id) == found.id, col(Invite.used_at).is_(None))
            .values(used_at=utcnow(), used_by=user.id)
        )
        if spent.rowcount != 1:
            session.rollback()
            raise SignupError("this invitation was just used", 403)
    try:
        session.commit()
    except IntegrityError as err:  # the same name, taken a moment ago
        session.rollback()
        raise SignupError(f"the name {name} is taken", 409) from err
    session.refresh(user)
    return user
