"""Logins: same-site `next` only, new CSRF token, no cross-site login, revocable sessions."""

import io
import sys
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.cli import main as cli
from app.config import Settings
from app.main import create_app
from app.security.redirects import safe_next
from tests.factories import login, make_user

OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/",
    "/\\/evil.example/",
    "/\t/evil.example/",
    "/\n/evil.example/",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    "evil.example",
    " //evil.example",
    "/%09/evil.example\t",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_off_site_targets_become_home(target: str) -> None:
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/stories/1?p=2-3", "/stories/1#x", "/a/b/"])
def test_paths_on_this_site_are_kept(target: str) -> None:
    assert safe_next(target) == target


@pytest.fixture
def ed(client: TestClient, engine: Engine) -> TestClient:
    make_user(engine, "ed")
    return client


@pytest.mark.parametrize("target", OFF_SITE[:6])
def test_htmx_and_form_logins_never_leave_the_site(ed: TestClient, target: str) -> None:
    ed.get("/login")
    form = {"name": "ed", "password": "correct horse", "next": target}
    hx = ed.post("/login", data=form, headers={"HX-Request": "true"})
    assert hx.status_code == 200 and hx.headers["HX-Redirect"] == "/"
    ed.cookies.clear()
    plain = ed.post("/login", data=form, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] == "/"


def test_login_page_does_not_carry_an_off_site_next(ed: TestClient) -> None:
    page = ed.get("/login", params={"next": "/\\evil.example/"}).text
    assert "evil.example" not in page


def test_csrf_token_is_new_after_login(ed: TestClient) -> None:
    ed.get("/")
    before = ed.cookies["csrftoken"]
    response = ed.post("/api/login", json={"name": "ed", "password": "correct horse"})
    assert response.status_code == 200
    after = ed.cookies["csrftoken"]
    assert after != before
    # The old token no longer passes the double-submit check.
    ed.cookies.set("csrftoken", after)
    stale = ed.post("/api/links/1/confirm", json={}, headers={"x-csrftoken": before})
    assert stale.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Sec-Fetch-Site": "cross-site"},
        {"Sec-Fetch-Site": "same-site"},
    ],
)
def test_cross_site_login_is_refused(ed: TestClient, headers: dict[str, str]) -> None:
    form = {"name": "ed", "password": "correct horse", "next": "/"}
    response = ed.post("/login", data=form, headers=headers, follow_redirects=False)
    assert response.status_code == 403
    assert ed.get("/api/me").json()["name"] is None


def test_same_origin_browser_login_works(ed: TestClient) -> None:
    headers = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    form = {"name": "ed", "password": "correct horse", "next": "/"}
    response = ed.post("/login", data=form, headers=headers, follow_redirects=False)
    assert response.status_code == 303
    assert ed.get("/api/me").json()["name"] == "ed"


def _steal(client: TestClient) -> dict[str, str]:
    return {
        "cookie": "; ".join(f"{k}={v}" for k, v in client.cookies.items()),
        "x-csrftoken": client.cookies["csrftoken"],
    }


def test_logout_revokes_the_session_cookie(ed: TestClient) -> None:
    login(ed, "ed")
    stolen = _steal(ed)
    assert ed.post("/api/logout").status_code == 200
    ed.cookies.clear()
    replay = ed.post("/api/undo", json={}, headers=stolen)
    assert replay.status_code == 401
    assert ed.get("/api/me", headers={"cookie": stolen["cookie"]}).json()["name"] is None


def test_password_change_revokes_every_other_session(settings: Settings, engine: Engine) -> None:
    make_user(engine, "ed")
    app = create_app(settings)
    with TestClient(app) as laptop, TestClient(app) as phone:
        login(laptop, "ed")
        login(phone, "ed")
        weak = laptop.post("/api/password", json={"current": "wrong", "new": "a much better one"})
        assert weak.status_code == 403
        changed = laptop.post(
            "/api/password", json={"current": "correct horse", "new": "a much better one"}
        )
        assert changed.status_code == 200
        assert phone.get("/api/me").json()["name"] is None
        laptop.headers["x-csrftoken"] = laptop.cookies["csrftoken"]
        assert laptop.get("/api/me").json()["name"] == "ed"
        old = phone.post("/api/login", json={"name": "ed", "password": "correct horse"})
        assert old.status_code == 401


def test_cli_disable_and_passwd_end_sessions(
    settings: Settings, engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(engine, "ed")
    db = db_url.removeprefix("sqlite:///")
    with TestClient(create_app(settings)) as c:
        login(c, "ed")
        monkeypatch.setattr(sys, "stdin", io.StringIO("another good one\n"))
        assert cli(["user", "passwd", "ed", "--password-stdin", "--db", db]) == 0
        assert c.get("/api/me").json()["name"] is None
        login(c, "ed", "another good one")
        assert cli(["user", "disable", "ed", "--db", db]) == 0
        assert c.get("/api/me").json()["name"] is None
        refused = c.post("/api/login", json={"name": "ed", "password": "another good one"})
        assert refused.status_code == 401
        assert cli(["user", "enable", "ed", "--db", db]) == 0
        login(c, "ed", "another good one")
        assert cli(["user", "role", "ed", "reader", "--db", db]) == 0
        login(c, "ed", "another good one")
        assert c.get("/api/me").json()["role"] == "reader"


def test_expired_sessions_are_refused(settings: Settings, engine: Engine) -> None:
    make_user(engine, "ed")
    short = settings.model_copy(update={"session_max_age": -1})
    with TestClient(create_app(short)) as c:
        c.post("/api/login", json={"name": "ed", "password": "correct horse"})
        assert c.get("/api/me").json()["name"] is None


@pytest.fixture
def default_client(db_url: str) -> Iterator[TestClient]:
    """An app with the default settings (anonymous uploads off)."""
    with TestClient(
        create_app(Settings(database_url=db_url, load_encoder=False, queue_url="inline"))
    ) as c:
        yield c


def test_anonymous_uploads_are_off_by_default(default_client: TestClient) -> None:
    response = default_client.post("/api/documents", json={"text": "Bonjour le monde."})
    assert response.status_code == 401
    form = default_client.post(
        "/upload", files={"file": ("a.txt", b"Bonjour le monde.", "text/plain")}
    )
    assert form.status_code == 401


@pytest.mark.model
def test_editor_names_are_for_editors_only(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    story = seeded_client.get("/api/stories").json()["items"][0]
    link = seeded_client.get(f"/api/stories/{story['id']}/alignment").json()["links"][0]
    make_user(seeded_engine, "edwina")
    login(seeded_client, "edwina")
    assert seeded_client.post(f"/api/links/{link['id']}/confirm", json={}).status_code == 200
    urls = [
        f"/api/links/{link['id']}/history",
        f"/review/links/{link['id']}/history",
        f"/api/stories/{story['id']}/export?format=tmx",
        f"/api/stories/{story['id']}/export?format=json",
        # (the printable page shows the texts side by side, not who reviewed the links)
    ]
    assert all("edwina" in seeded_client.get(url).text for url in urls)
    seeded_client.post("/api/logout")
    for url in urls:
        response = seeded_client.get(url)
        assert response.status_code == 200
        assert "edwina" not in response.text, url


def test_the_upload_form_is_shown_only_to_those_allowed(
    default_client: TestClient, engine: Engine
) -> None:
    assert 'action="/upload"' not in default_client.get("/").text
    make_user(engine, "ed")
    login(default_client, "ed")
    assert 'action="/upload"' in default_client.get("/").text
