"""Input that used to answer 500: now a 4xx saying what is wrong and where, the DB unchanged.

And a real server fault (an exception nobody handled) answers JSON `{"detail"}` with the
security headers, like every other answer.
"""

from collections.abc import Iterator
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

import app.routes.search
from app.config import Settings
from app.main import create_app
from app.security.headers import COMMON_HEADERS
from tests.factories import login, make_user, row_counts


@pytest.fixture
def site(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    make_user(engine, "ed")
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.mark.parametrize("path", ["/api/search", "/search"])
@pytest.mark.parametrize("q", ["abc\x00def", "\x00", "Zürich \x07bell"])
def test_a_control_character_in_a_search_answers_422(site: TestClient, path: str, q: str) -> None:
    answer = site.get(path, params={"q": q})
    assert answer.status_code == 422, answer.text
    assert "control character" in answer.json()["detail"]
    assert site.get(path, params={"q": "abc\tdef"}).status_code == 200  # whitespace is fine


@pytest.mark.parametrize(
    "path, raw, where",
    [
        ("/api/documents", b'{"text": "Un texte \\ud800 ici."}', ["body", "text"]),
        ("/api/documents", b'{"text": "Fin \\udfff", "title": "t"}', ["body", "text"]),
        ("/api/login", b'{"name": "\\udc00ed", "password": "x"}', ["body", "name"]),
    ],
)
def test_a_lone_surrogate_in_json_answers_422_and_stores_nothing(
    site: TestClient, engine: Engine, path: str, raw: bytes, where: list[str]
) -> None:
    login(site, "ed")
    before = row_counts(engine)
    answer = site.post(path, content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert error["loc"] == where and "surrogate" in error["msg"]
    assert row_counts(engine) == before


def test_a_surrogate_pair_is_a_character_not_an_error(site: TestClient) -> None:
    raw = b'{"name": "ed \\ud83d\\ude00", "password": "x"}'
    answer = site.post("/api/login", content=raw, headers={"content-type": "application/json"})
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize("htmx", [True, False])
def test_a_login_whose_next_is_not_latin1_goes_there(site: TestClient, htmx: bool) -> None:
    site.get("/login")
    target = "/search?q=日本語 ẞ".replace(" ", "+")
    answer = site.post(
        "/login",
        data={"name": "ed", "password": "correct horse", "next": target},
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )
    assert answer.status_code == (200 if htmx else 303), answer.text
    where = answer.headers["HX-Redirect" if htmx else "location"]
    assert where == quote(target, safe="/?=+")


def _assert_json_500_with_headers(answer: object) -> None:
    assert answer.status_code == 500  # type: ignore[attr-defined]
    headers = answer.headers  # type: ignore[attr-defined]
    assert headers["content-type"] == "application/json"
    assert "reference" in answer.json()["detail"]  # type: ignore[attr-defined]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    for name, value in COMMON_HEADERS.items():
        assert headers[name] == value, name


def test_an_unhandled_error_in_a_route_answers_json_with_the_security_headers(
    site: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug, with a secret in its message")

    monkeypatch.setattr(app.routes.search, "search_paragraphs", broken)
    for path in ("/api/search?q=word", "/search?q=word"):
        answer = site.get(path)
        _assert_json_500_with_headers(answer)
        assert "secret" not in answer.text


def test_an_unhandled_error_on_https_carries_hsts(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"secure_cookies": True}))

    @app.get("/boom")
    def boom() -> None:
        raise ValueError("boom")

    with TestClient(app, raise_server_exceptions=False, base_url="https://testserver") as c:
        answer = c.get("/boom")
    _assert_json_500_with_headers(answer)
    assert answer.headers["Strict-Transport-Security"].startswith("max-age=")
