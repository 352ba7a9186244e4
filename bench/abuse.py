"""Password guessing, bulk sign-ups and a limiter flood against the app, with its default limits.

Usage: .venv/bin/python bench/abuse.py [--repo PATH] [--flood 60000]

`--repo` runs another checkout's app (a baseline: `git archive main | tar -x -C /tmp/base`).
In process (ASGI test client), on a fresh migrated SQLite file:
1. 300 wrong passwords for one account from 60 addresses (5 each): answered 401 / 429, and
   how many argon2 verifications ran (a refused guess should cost none);
2. then the owner's right password from a new address, in a browser that logged in to the
   account before (cookies kept), and in a browser new to the account;
3. sign-up (open) from one address 30 times, and once each from 200 addresses;
4. the in-memory limiter: one address locked out of one account by 5 wrong passwords (per
   day, so that time passing cannot unlock it), then `--flood` failed logins from as many new
   addresses (in the limiter, no HTTP; `--only-flood` runs just this): is the address still
   locked out, how many counters are held, CPU milliseconds per 1,000 failures.
The machine may be shared: the CPU figures are process time.
"""

import argparse
import importlib
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


def _address(i: int, prefix: int = 10) -> str:
    return f"{prefix}.{i // 62500 % 250}.{i // 250 % 250}.{i % 250 + 1}"


def guesses(app: Any, client_cls: Any, auth: Any) -> dict[str, Any]:
    hashes = [0]
    real = auth.verify_password

    def counting(stored: str, password: str) -> bool:
        hashes[0] += 1
        return bool(real(stored, password))

    auth.verify_password = counting
    right = {"name": "ed", "password": "correct horse"}
    with client_cls(app, client=("192.0.2.10", 1)) as home:
        home.post("/api/login", json=right)
        home.post("/api/logout", headers={"x-csrftoken": home.cookies.get("csrftoken", "")})
        known = dict(home.cookies)
    hashes[0] = 0
    codes: list[int] = []
    started = time.process_time()
    for i in range(60):
        with client_cls(app, client=(_address(i, 198), 1)) as c:
            codes += [
                c.post("/api/login", json={"name": "ed", "password": f"guess{n}"}).status_code
                for n in range(5)
            ]
    cpu, guessed_hashes = time.process_time() - started, hashes[0]
    with client_cls(app, client=("203.0.113.77", 1)) as phone:
        phone.cookies.update(known)
        owner_known = phone.post("/api/login", json=right).status_code
    with client_cls(app, client=("203.0.113.78", 1)) as fresh:
        owner_new = fresh.post("/api/login", json=right).status_code
    auth.verify_password = real
    return {
        "401": codes.count(401),
        "429": codes.count(429),
        "argon2": guessed_hashes,
        "cpu_s": round(cpu, 2),
        "owner_known_browser": owner_known,
        "owner_new_browser": owner_new,
    }


def signups(app: Any, client_cls: Any) -> dict[str, Any]:
    def one(address: str) -> int:
        with client_cls(app, client=(address, 1)) as c:
            body = {"name": f"u{secrets.token_hex(5)}", "password": "long enough pw"}
            return int(c.post("/api/signup", json=body).status_code)

    same = [one("203.0.113.5") for _ in range(30)]
    spread = [one(_address(i, 172)) for i in range(200)]
    return {"one_address_201": same.count(201), "200_addresses_201": spread.count(201)}


def flood(settings: Any, n: int) -> dict[str, Any]:
    from starlette.requests import Request

    from app.security.ratelimit import RateLimited, RateLimits

    # Day-long windows here, so that only the store, not time passing, can unlock the address.
    settings = settings.model_copy(update={"rate_limit_login_name": "5/day"})
    limits = RateLimits(settings)
    try:
        from app.security.logins import LoginThrottle

        throttle = LoginThrottle(limits, settings, "key")

        def check(addr: str, name: str) -> None:
            throttle.check(Request({"type": "http", "headers": [], "client": (addr, 1)}), name)

        def fail(addr: str, name: str) -> None:
            throttle.failed(Request({"type": "http", "headers": [], "client": (addr, 1)}), name)
    except ImportError:  # the baseline's API
        check, fail = limits.check_login, limits.login_failed  # type: ignore[attr-defined]
    for _ in range(5):
        fail("203.0.113.5", "ed")
    started = time.process_time()
    locked_during = 0
    for i in range(n):
        fail(_address(i), secrets.token_hex(4))
        if i % 1000 == 999:
            try:
                check("203.0.113.5", "ed")
            except RateLimited:
                locked_during += 1
    cpu = time.process_time() - started
    try:
        check("203.0.113.5", "ed")
        locked = False
    except RateLimited:
        locked = True
    return {
        "still_locked_after": locked,
        "locked_at_checks": f"{locked_during}/{n // 1000}",
        "counters": limits.key_count(),
        "cpu_ms_per_1000": round(cpu * 1e6 / n, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=REPO)
    parser.add_argument("--flood", type=int, default=60_000)
    parser.add_argument("--only-flood", action="store_true", help="skip the HTTP parts")
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo.resolve()))
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app
    from app.migrate import upgrade
    from tests.factories import make_user

    auth = importlib.import_module("app.auth")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'abuse.db'}"
        upgrade(url)
        settings = Settings(database_url=url, load_encoder=False, data_dir=Path(tmp), signup="open")
        app = create_app(settings)
        make_user(app.state.engine, "ed")
        print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
        print(f"tree: {args.repo.resolve()}")
        if not args.only_flood:
            print("300 guesses from 60 addresses:", guesses(app, TestClient, auth))
            print("sign-ups:", signups(app, TestClient))
        print(f"limiter flood of {args.flood} new addresses:", flood(settings, args.flood))


if __name__ == "__main__":
    main()
