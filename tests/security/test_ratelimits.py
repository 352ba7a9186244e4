"""Rate limits: 429 with Retry-After, per address and per account, memory bounded."""

import secrets
import time

import pytest
from fastapi import Request
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from app.security.logins import LoginThrottle
from app.security.ratelimit import RateLimited, RateLimits
from tests.factories import login, make_user


def _client(settings: Settings, address: str, **limits: str) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=limits)), client=(address, 40000))


def test_failed_logins_get_429_with_retry_after(settings: Settings, engine: Engine) -> None:
    make_user(engine, "ed")
    with _client(settings, "203.0.113.5") as c:
        codes = [
            c.post("/api/login", json={"name": "ed", "password": "guess"}).status_code
            for _ in range(6)
        ]
        assert codes == [401] * 5 + [429]
        right = c.post("/api/login", json={"name": "ed", "password": "correct horse"})
        assert right.status_code == 429
        assert 1 <= int(right.headers["Retry-After"]) <= 300


def test_nobody_elsewhere_can_lock_a_named_editor_out(settings: Settings, engine: Engine) -> None:
    make_user(engine, "ed")
    app = create_app(settings)
    with TestClient(app, client=("203.0.113.5", 1)) as attacker:
        for _ in range(10):
            attacker.post("/api/login", json={"name": "ed", "password": "guess"})
        assert attacker.post("/api/login", json={"name": "ed", "password": "x"}).status_code == 429
    with TestClient(app, client=("198.51.100.7", 1)) as editor:
        ok = editor.post("/api/login", json={"name": "ed", "password": "correct horse"})
        assert ok.status_code == 200


def test_an_address_cannot_fill_memory_with_random_names(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The clock stands still in the middle of a window: a run that crossed a window's edge
    # would rightly let one more guess through (the sliding window weighs the previous
    # window's 50 by a little under 1), which made this count flaky.
    monkeypatch.setattr(time, "time", lambda: 1_800_000_150.0)
    limits = RateLimits(settings)
    throttle = LoginThrottle(limits, settings, "key")
    request = Request({"type": "http", "headers": [], "client": ("203.0.113.5", 1)})
    refused = 0
    for _ in range(10_000):
        name = secrets.token_hex(8)
        try:
            throttle.check(request, name)
        except RateLimited:
            refused += 1
            continue
        throttle.failed(request, name)
    # 50 failures per address per window: one address makes counters for at most 50 names
    # (three steps per address+name, two per name, one for the address), each held for the
    # current window and the previous one.
    assert refused == 10_000 - 50
    assert limits.key_count() <= 2 * (50 * 5 + 1)


def test_random_names_over_http_stay_bounded(settings: Settings) -> None:
    with _client(settings, "203.0.113.9", rate_limit_login_address="10/5 minutes") as c:
        codes = [
            c.post("/api/login", json={"name": secrets.token_hex(6), "password": "x"}).status_code
            for _ in range(100)
        ]
        assert codes.count(401) == 10 and codes.count(429) == 90
        # Five counters a name, one for the address, one for its writes; two windows each.
        assert c.app.state.rate_limits.key_count() <= 2 * (10 * 5 + 2)  # type: ignore[attr-defined]


def test_uploads_are_limited_per_address(settings: Settings) -> None:
    with _client(settings, "203.0.113.5", rate_limit_uploads="2/day") as c:
        codes = [
            c.post("/api/documents", json={"text": f"Un texte court numéro {i}."}).status_code
            for i in range(3)
        ]
        assert codes[2] == 429, codes
        last = c.post("/api/documents", json={"text": "Encore un."})
        assert last.status_code == 429 and int(last.headers["Retry-After"]) > 0


def test_uploads_are_limited_per_account_across_addresses(
    settings: Settings, engine: Engine
) -> None:
    make_user(engine, "ed")
    app = create_app(settings.model_copy(update={"rate_limit_uploads_editor": "2/day"}))
    codes = []
    for i, address in enumerate(["203.0.113.1", "203.0.113.2", "203.0.113.3"]):
        with TestClient(app, client=(address, 1)) as c:
            login(c, "ed")
            codes.append(
                c.post("/api/documents", json={"text": f"Texte numéro {i} ici."}).status_code
            )
    assert codes[2] == 429, codes


@pytest.mark.parametrize("path", ["/api/undo", "/api/links/1/confirm"])
def test_writes_are_limited(settings: Settings, engine: Engine, path: str) -> None:
    make_user(engine, "ed")
    with _client(settings, "203.0.113.5", rate_limit_writes="4/day") as c:
        login(c, "ed")  # the login is the first write
        codes = [c.post(path, json={}).status_code for _ in range(4)]
        assert codes[-1] == 429 and 429 not in codes[:-1], codes


def test_a_readers_library_uploads_are_limited_per_account_across_addresses(
    settings: Settings, engine: Engine
) -> None:
    make_user(engine, "rita", role="reader")
    app = create_app(settings.model_copy(update={"rate_limit_uploads": "2/day"}))
    codes = []
    for i, address in enumerate(["203.0.113.1", "203.0.113.2", "203.0.113.3"]):
        with TestClient(app, client=(address, 1)) as c:
            login(c, "rita")
            codes.append(
                c.post("/api/documents", json={"text": f"Mon texte privé numéro {i}."}).status_code
            )
    assert codes == [202, 202, 429], codes


@pytest.mark.parametrize(
    "route", ["/api/library/stories/{s}/publish", "/library/stories/{s}/publish"]
)
def test_library_writes_are_limited_per_account_and_per_address(
    settings: Settings, engine: Engine, route: str
) -> None:
    make_user(engine, "rita", role="reader")
    make_user(engine, "olga", role="reader")
    app = create_app(settings.model_copy(update={"rate_limit_writes": "5/day"}))
    with TestClient(app, client=("203.0.113.1", 1)) as c:
        login(c, "rita")  # the login is the first write
        story = c.post("/api/documents", json={"text": "Un texte à publier."}).json()
        url = route.format(s=c.get("/api/library").json()["stories"][0]["id"])
        assert story["id"]
        codes = [c.post(url).status_code for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429, codes
    # The same account from elsewhere has one write left of its five (the fourth try above
    # was stopped at the address), though this address has used only two ...
    with TestClient(app, client=("203.0.113.2", 1)) as elsewhere:
        login(elsewhere, "rita")
        assert [elsewhere.post(url).status_code for _ in range(2)] == [200, 429]
    # ... and so is anyone else at the first address.
    with TestClient(app, client=("203.0.113.1", 2)) as neighbour:
        neighbour.get("/")
        assert (
            neighbour.post("/api/login", json={"name": "olga", "password": "x"}).status_code == 429
        )


def test_upload_limits_are_per_role(settings: Settings, engine: Engine) -> None:
    """A reader meets the readers' limit; an editor, bringing collections, a larger one."""
    make_user(engine, "ed", role="editor")
    make_user(engine, "rita", role="reader")
    app = create_app(
        settings.model_copy(
            update={"rate_limit_uploads": "2/day", "rate_limit_uploads_editor": "4/day"}
        )
    )
    codes: dict[str, list[int]] = {}
    for name, address in (("rita", "203.0.113.1"), ("ed", "203.0.113.2")):
        with TestClient(app, client=(address, 1)) as c:
            login(c, name)
            codes[name] = [
                c.post(
                    "/api/documents", json={"text": f"Le texte numéro {i} de {name}, court."}
                ).status_code
                for i in range(5)
            ]
    assert codes["rita"] == [202, 202, 429, 429, 429], codes
    assert codes["ed"] == [202, 202, 202, 202, 429], codes
