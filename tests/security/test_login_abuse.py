"""Guessing passwords from many addresses, making accounts in bulk, flooding the limiter.

The per-account cap counts failures from every address; a browser that has logged in to the
account before is exempt from it, so the owner is not locked out by an attack from elsewhere.
A refused guess is never hashed. The in-memory limiter forgets idle counters one by one when
full, never every counter at once.
"""

import os
import secrets
import time
from collections.abc import Callable, Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import app.auth
import app.routes.auth
from app.config import Settings
from app.main import create_app
from app.security.limitstore import BoundedMemoryStorage
from app.security.logins import DEVICE_COOKIE, LoginThrottle
from app.security.ratelimit import RateLimited, RateLimits
from tests.factories import login, make_user

WRONG = {"name": "ed", "password": "a guess"}
RIGHT = {"name": "ed", "password": "correct horse"}


def _addresses(n: int, prefix: str = "198.18") -> list[str]:
    return [f"{prefix}.{i // 250}.{i % 250 + 1}" for i in range(n)]


def _from(app: object, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))  # type: ignore[arg-type]


def _spread_guesses(app: object, addresses: list[str], each: int) -> list[int]:
    codes = []
    for address in addresses:
        with _from(app, address) as c:
            codes += [c.post("/api/login", json=WRONG).status_code for _ in range(each)]
    return codes


@pytest.fixture
def hashes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every password verification (argon2) the app makes."""
    calls: list[int] = []
    real = app.auth.verify_password

    def counting(stored: str, password: str) -> bool:
        calls.append(1)
        return real(stored, password)

    monkeypatch.setattr(app.auth, "verify_password", counting)
    monkeypatch.setattr(app.routes.auth, "verify_password", counting)
    return calls


def test_guesses_spread_over_many_addresses_hit_the_accounts_cap(
    settings: Settings, engine: Engine, hashes: list[int]
) -> None:
    make_user(engine, "ed")
    app = create_app(settings.model_copy(update={"rate_limit_login_account": "30/day"}))
    codes = _spread_guesses(app, _addresses(60), each=5)  # 300 guesses, 5 per address
    assert codes.count(401) == 30 and codes.count(429) == 270, codes
    assert len(hashes) == 30  # a refused guess costs no argon2
    with _from(app, "198.51.100.77") as newcomer:  # a browser new to the account
        refused = newcomer.post("/api/login", json=RIGHT)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "this account" in refused.json()["detail"]


def test_the_owner_logs_in_from_a_browser_it_used_before(
    settings: Settings, engine: Engine
) -> None:
    make_user(engine, "ed")
    make_user(engine, "olga")
    app = create_app(settings.model_copy(update={"rate_limit_login_account": "10/day"}))
    with _from(app, "192.0.2.10") as home:
        assert home.post("/api/login", json=RIGHT).status_code == 200
        device = home.cookies[DEVICE_COOKIE]
    with _from(app, "192.0.2.11") as olgas:
        assert olgas.post("/api/login", json={**RIGHT, "name": "olga"}).status_code == 200
        olgas_device = olgas.cookies[DEVICE_COOKIE]
    assert 429 in _spread_guesses(app, _addresses(10), each=2)
    # The owner, on yet another address (a phone, a train), in a browser used before.
    with _from(app, "203.0.113.200") as phone:
        phone.cookies.set(DEVICE_COOKIE, device)
        assert phone.post("/api/login", json=RIGHT).status_code == 200
    # Another account's device cookie, or a forged one, exempts nobody.
    for cookie in (olgas_device, device[:-2] + "xx"):
        with _from(app, "203.0.113.201") as other:
            other.cookies.set(DEVICE_COOKIE, cookie)
            assert other.post("/api/login", json=RIGHT).status_code == 429


def test_the_form_login_also_marks_the_browser(settings: Settings, engine: Engine) -> None:
    make_user(engine, "ed")
    with _from(create_app(settings), "192.0.2.10") as c:
        c.get("/login")
        answer = c.post("/login", data={**RIGHT, "next": "/"}, follow_redirects=False)
        assert answer.status_code == 303 and DEVICE_COOKIE in answer.cookies


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[float], None]]:
    """Time as the limiter reads it, moved forward by the test from a fixed start (the middle
    of a five-minute window: how many guesses fit before the hour's wait depends on where in
    its windows a run starts, so a start read from the wall clock made the count flaky)."""
    now = [1_800_000_150.0]
    monkeypatch.setattr(time, "time", lambda: now[0])

    def advance(seconds: float) -> None:
        now[0] += seconds

    yield advance


def _request(address: str) -> Request:
    return Request({"type": "http", "headers": [], "client": (address, 1)})


def test_one_address_guessing_one_account_backs_off_ever_longer(
    settings: Settings, clock: Callable[[float], None]
) -> None:
    throttle = LoginThrottle(RateLimits(settings), settings, "key")
    attacker, owner = _request("203.0.113.5"), _request("192.0.2.10")
    waits: list[int] = []
    failures = 0
    for _ in range(200):  # guess whenever allowed, wait as told, until told to wait long
        try:
            throttle.check(attacker, "ed")
        except RateLimited as err:
            waits.append(int((err.headers or {})["Retry-After"]))
            if waits[-1] > 300:
                break
            clock(waits[-1])
            continue
        throttle.failed(attacker, "ed")
        failures += 1
    # 5 in 5 minutes (waits of at most 5 minutes), then 10 in an hour: from the tenth or
    # eleventh failure on, the wait is the hour's.
    assert waits[0] <= 300 and waits[-1] > 300 and failures in (10, 11), (failures, waits)
    throttle.check(owner, "ed")  # nobody elsewhere is slowed down


def test_signups_are_limited_per_address_and_on_the_whole_site(
    settings: Settings, engine: Engine, hashes: list[int]
) -> None:
    app = create_app(
        settings.model_copy(
            update={
                "signup": "open",
                "rate_limit_signup_address": "2/day",
                "rate_limit_signup_site": "5/day",
            }
        )
    )

    def sign_up(address: str) -> int:
        with _from(app, address) as c:
            body = {"name": f"u{secrets.token_hex(4)}", "password": "long enough pw"}
            return c.post("/api/signup", json=body).status_code

    one_address = [sign_up("203.0.113.5") for _ in range(3)]
    assert one_address == [201, 201, 429]
    many = [sign_up(a) for a in _addresses(6)]
    assert many == [201, 201, 201, 429, 429, 429], many


def test_a_flood_of_new_addresses_does_not_reset_a_count_under_attack(
    settings: Settings,
) -> None:
    limits = RateLimits(settings)
    limits.storage = BoundedMemoryStorage(max_keys=500)
    limits.limiter = type(limits.limiter)(limits.storage)
    throttle = LoginThrottle(limits, settings, "key")
    attacker = _request("203.0.113.5")
    for _ in range(5):
        throttle.failed(attacker, "ed")
    for address in _addresses(2_000, prefix="10.9"):  # 2,000 x 11 counters past the bound
        throttle.failed(_request(address), secrets.token_hex(4))
        with pytest.raises(RateLimited):
            throttle.check(attacker, "ed")  # still counted: recent counters are kept
    assert limits.key_count() <= 500
    assert limits.storage.evicted > 10_000


def test_an_ipv6_network_counts_as_one_address(settings: Settings) -> None:
    throttle = LoginThrottle(RateLimits(settings), settings, "key")
    for i in range(5):
        throttle.failed(_request(f"2001:db8:1:2::{i + 1:x}"), "ed")
    with pytest.raises(RateLimited):
        throttle.check(_request("2001:db8:1:2:ffff::9"), "ed")
    throttle.check(_request("2001:db8:1:3::1"), "ed")


def test_a_session_cannot_guess_its_accounts_password(
    settings: Settings, engine: Engine, hashes: list[int]
) -> None:
    make_user(engine, "ed")
    with _from(create_app(settings), "203.0.113.5") as stolen:
        login(stolen, "ed")
        hashes.clear()
        codes = [
            stolen.post(
                "/api/password", json={"current": f"guess {i}", "new": "a new password"}
            ).status_code
            for i in range(8)
        ]
    assert codes == [403] * 5 + [429] * 3 and len(hashes) == 5


def test_two_web_processes_share_the_accounts_count_on_redis(settings: Settings) -> None:
    url = os.environ.get("PARALLAX_TEST_REDIS_URL")
    if not url:
        pytest.skip("set PARALLAX_TEST_REDIS_URL to run against Redis")
    shared = settings.model_copy(update={"rate_limit_storage": url})
    one, two = (LoginThrottle(RateLimits(shared), shared, "key") for _ in range(2))
    name = f"ed-{secrets.token_hex(6)}"  # a fresh count on a server other runs share
    for i in range(30):
        (one if i % 2 else two).failed(_request(f"198.18.7.{i + 1}"), name)
    with pytest.raises(RateLimited):
        one.check(_request("198.18.8.1"), name)
    with pytest.raises(RateLimited):
        two.check(_request("198.18.8.2"), name)
