"""Every write route, as anonymous, reader, editor without CSRF token and with a forged one:
refused, and the database is byte-for-byte what it was."""

import hashlib
import sqlite3

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from tests.factories import login, make_user

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Routes anyone may call: they change no content (sessions only).
# The Anki export only turns the posted word list into a file: it stores nothing.
PUBLIC = {"/login", "/logout", "/api/login", "/api/logout", "/api/vocabulary/anki"}
# A reader may change their own password; the CSRF cases still cover it below.
SELF_SERVICE = {"/api/password"}

BODIES = {
    "/api/documents": {"text": "Un texte que personne ne doit pouvoir ajouter ici."},
    "/api/links/merge": {"links": [{"id": 1}, {"id": 2}]},
    "/api/password": {"current": "correct horse", "new": "a brand new one"},
    "/api/undo": {},
}


def _snapshot(db_path: str) -> str:
    """A digest of every row of every table but the sessions."""
    conn = sqlite3.connect(db_path)
    try:
        digest = hashlib.sha256()
        tables = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
        ]
        for table in tables:
            if table == "login_session":
                continue
            # Sorted in Python: full-text shadow tables have no rowid to order by.
            for row in sorted(repr(r) for r in conn.execute(f'SELECT * FROM "{table}"')):
                digest.update(row.encode())
        return digest.hexdigest()
    finally:
        conn.close()


def _api_routes(routes: list[object]) -> list[APIRoute]:
    """Every APIRoute, including those of included routers (kept apart by newer FastAPI)."""
    out: list[APIRoute] = []
    for route in routes:
        if isinstance(route, APIRoute):
            out.append(route)
        elif hasattr(route, "original_router"):
            out += _api_routes(route.original_router.routes)
    return out


def _write_routes(app: object, ids: dict[str, object]) -> list[tuple[str, str, str]]:
    out = []
    for route in _api_routes(app.routes):  # type: ignore[attr-defined]
        if route.path in PUBLIC:
            continue
        for method in sorted(route.methods & WRITE_METHODS):
            url = route.path.format(**ids)
            out.append((method, route.path, url))
    return out


@pytest.mark.model
def test_every_write_route_refuses_everyone_but_an_editor_with_the_token(
    seeded_url: str, seeded_engine: Engine
) -> None:
    db_path = seeded_url.removeprefix("sqlite:///")
    app = create_app(Settings(database_url=seeded_url, load_encoder=False, queue_url="inline"))
    make_user(seeded_engine, "rita", role="reader")
    make_user(seeded_engine, "ed")
    with TestClient(app) as probe:
        story = probe.get("/api/stories").json()["items"][0]
        links = probe.get(f"/api/stories/{story['id']}/alignment").json()["links"]
    ids = {
        "story_id": story["id"],
        "link_id": links[0]["id"],
        "document_id": story["documents"][0]["id"],
        "index": 0,
        "action": "confirm",
        "direction": "undo",
    }
    routes = _write_routes(app, ids)
    assert len(routes) >= 15, routes
    before = _snapshot(db_path)
    refused: dict[str, list[tuple[str, str, int]]] = {}

    def attempt(who: str, client: TestClient, headers: dict[str, str] | None = None) -> None:
        for method, path, url in routes:
            if who == "reader" and path in SELF_SERVICE:
                continue
            body = BODIES.get(path, {})
            kwargs = (
                {"json": body}
                if path.startswith("/api") and path != "/api/import"
                else {"data": {"p": f"{ids['document_id']}-0", "version": "1"}}
            )
            response = client.request(method, url, headers=headers, **kwargs)
            refused.setdefault(who, []).append((method, url, response.status_code))

    with TestClient(app) as anonymous:
        anonymous.get("/")
        attempt("anonymous", anonymous)
    with TestClient(app) as reader:
        login(reader, "rita")
        attempt("reader", reader)
    with TestClient(app) as editor:
        login(editor, "ed")
        token = editor.headers.pop("x-csrftoken")
        attempt("editor without token", editor)
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        attempt("editor, forged token", editor, {"x-csrftoken": forged})
        other = TestClient(app)
        other.get("/")
        attempt(
            "editor, another browser's token", editor, {"x-csrftoken": other.cookies["csrftoken"]}
        )
    allowed = {who: [r for r in rows if r[2] not in (401, 403)] for who, rows in refused.items()}
    assert allowed == {who: [] for who in refused}
    assert _snapshot(db_path) == before
