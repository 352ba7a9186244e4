"""`parallax user add|passwd|disable|enable|role|invite`: accounts are managed by the
administrator; `invite` makes a one-time sign-up link (PARALLAX_SIGNUP=invite)."""

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from app.auth import revoke_sessions, set_password
from app.config import get_settings
from app.db import make_engine
from app.library.accounts import create_invite
from app.library.credentials import hash_password
from app.migrate import upgrade
from app.models import ROLES, User

MIN_PASSWORD = 8


def _engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    settings = get_settings()
    db = getattr(args, "db", None)
    url = f"sqlite:///{Path(db).expanduser().resolve()}" if db else settings.database_url
    upgrade(url)
    return make_engine(url)


def _read_password(args: argparse.Namespace, command: str) -> str | None:
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if password != getpass.getpass("again: "):
            print(
                f"parallax user {command}: the passwords differ; nothing changed", file=sys.stderr
            )
            return None
    if len(password) < MIN_PASSWORD:
        print(
            f"parallax user {command}: the password must have at least {MIN_PASSWORD} characters",
            file=sys.stderr,
        )
        return None
    return password


def _find(session: Session, name: str, command: str) -> User | None:
    user = session.exec(select(User).where(User.name == name)).first()
    if user is None:
        print(f"parallax user {command}: no user {name!r}", file=sys.stderr)
    return user


def cmd_user_add(args: argparse.Namespace) -> int:
    """Create an account; the password is prompted for (or read from stdin)."""
    password = _read_password(args, "add")
    if password is None:
        return 2
    with Session(_engine(args)) as session:
        if session.exec(select(User).where(User.name == args.name)).first() is not None:
            print(f"parallax user add: user {args.name!r} already exists", file=sys.stderr)
            return 2
        session.add(User(name=args.name, password_hash=hash_password(password), role=args.role))
        session.commit()
    print(f"created {args.role} {args.name}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    """Set a new password; every session of the account is revoked."""
    password = _read_password(args, "passwd")
    if password is None:
        return 2
    with Session(_engine(args)) as session:
        user = _find(session, args.name, "passwd")
        if user is None:
            return 2
        set_password(session, user, password)
    print(f"password of {args.name} changed; its sessions are revoked")
    return 0


def _set(args: argparse.Namespace, command: str, **fields: Any) -> int:
    with Session(_engine(args)) as session:
        user = _find(session, args.name, command)
        if user is None or user.id is None:
            return 2
        for key, value in fields.items():
            setattr(user, key, value)
        session.add(user)
        session.commit()
        revoked = revoke_sessions(session, user.id)
    print(f"{args.name}: {command}d ({revoked} session(s) revoked)")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    """Disable an account: it cannot log in, and its sessions end now."""
    return _set(args, "disable", disabled=True)


def cmd_user_enable(args: argparse.Namespace) -> int:
    """Enable a disabled account again."""
    return _set(args, "enable", disabled=False)


def cmd_user_role(args: argparse.Namespace) -> int:
    """Change an account's role (its sessions end, so the new role applies at once)."""
    return _set(args, "role change", role=args.role)


def cmd_user_invite(args: argparse.Namespace) -> int:
    """Print a one-time sign-up link; whoever opens it may make one account of `--role`."""
    with Session(_engine(args)) as session:
        token = create_invite(session, role=args.role, days=args.days)
    settings = get_settings()
    print(f"/signup?invite={token}")
    print(
        f"one account ({args.role}), valid {args.days} day(s); give the link with this site's "
        f"address in front (sign-up is {settings.signup!r}: "
        + ("links work" if settings.signup != "closed" else "set PARALLAX_SIGNUP=invite")
        + ")",
        file=sys.stderr,
    )
    return 0


def add_user_commands(sub: Any) -> None:
    """Register `parallax user ...` on the main parser's subcommands."""
    user = sub.add_parser("user", help="manage accounts")
    user_sub = user.add_subparsers(dest="user_command", required=True)
    add = user_sub.add_parser("add", help="create an account (prompts for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="editor")
    add.set_defaults(func=cmd_user_add)
    passwd = user_sub.add_parser("passwd", help="set a new password; revokes its sessions")
    passwd.add_argument("name")
    passwd.set_defaults(func=cmd_user_passwd)
    for name, func, text in (
        ("disable", cmd_user_disable, "disable an account and end its sessions"),
        ("enable", cmd_user_enable, "enable a disabled account"),
    ):
        p = user_sub.add_parser(name, help=text)
        p.add_argument("name")
        p.set_defaults(func=func)
    role = user_sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    role.set_defaults(func=cmd_user_role)
    invite = user_sub.add_parser("invite", help="print a one-time sign-up link")
    invite.add_argument("--role", choices=ROLES, default="reader")
    invite.add_argument("--days", type=int, default=get_settings().invite_days)
    invite.set_defaults(func=cmd_user_invite)
    for p in (add, passwd):
        p.add_argument("--password-stdin", action="store_true", help="read it from stdin")
    for p in user_sub.choices.values():
        p.add_argument("--db", help="SQLite file")
