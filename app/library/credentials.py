"""Passwords and roles: argon2 hashes, and who counts as an editor. No web layer here, so the
library's services and the command line use them without importing the request machinery."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.models import User

# argon2id with the library's defaults (RFC 9106 low-memory profile): memory-hard.
_hasher = PasswordHasher()

EDITOR_ROLES = ("editor", "admin")


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches; never raises on a wrong or malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def is_editor(user: User | None) -> bool:
    """Whether this user may change links."""
    return user is not None and user.role in EDITOR_ROLES
