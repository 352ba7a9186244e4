"""Every write route, as anonymous, reader, editor without CSRF token and with a forged one,
and on another user's private text: refused, and the database is byte-for-byte what it was."""

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
# Sign-up makes accounts by design (its modes are tested in tests/test_library.py).
PUBLIC = {
    "/login",
    "/logout",
    "/api/login",
    "/api/logout",
    "/api/vocabulary/anki",
    "/signup",
    "/api/signup",
}
# A reader may change their own password and add texts to their own library; the CSRF cases
# still cover these below.
# Any account keeps its own saved words and practises them.
WORDS = {
    "/api/vocabulary",
    "/api/vocabulary/import",
    "/api/vocabulary/{item_id}",
    "/api/practice/{item_id}",
}
# Uploads and imports make new texts in one's own library.
IMPORTS = {"/api/imports", "/api/imports/{batch}/files"}
SELF_SERVICE = {"/api/password", "/api/documents", "/upload", *IMPORTS, *WORDS}
# Refusals: not logged in, not allowed, or (someone else's private text) not there at all.
REFUSED = (401, 403, 404)

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
        for method in sorted((route.methods or set()) & WRITE_METHODS):
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
        "item_id": 1,
        "batch": "0" * 32,
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
    allowed = {who: [r for r in rows if r[2] not in REFUSED] for who, rows in refused.items()}
    assert allowed == {who: [] for who in refused}
    assert _snapshot(db_path) == before


# Routes that name no story, document or link and so cannot touch someone's private text
# (uploads and imports make new texts, an import's files go to one's own import; the password
# and saved words are one's own: a word saved with a story one may not read keeps no story);
# the rest all can.
CREATES = {"/api/documents", "/upload", "/api/import", "/api/password", *IMPORTS, *WORDS}
# Ids in the body or form instead of the path.
BODY_IDS = {"/api/links/merge", "/review/link", "/review/mark", "/review/{direction}", "/api/undo"}


@pytest.mark.model
def test_no_write_route_touches_another_users_private_text(
    seeded_url: str, seeded_engine: Engine
) -> None:
    """Refused with 404 to every editor but the owner, as for a story that does not exist.

    The requests are valid ones: with the story left public, the same run gets 200/201 for
    the editor's confirm, merge and others (tried by leaving out `make_private`)."""
    from tests.security.test_private_reads import make_private

    db_path = seeded_url.removeprefix("sqlite:///")
    app = create_app(Settings(database_url=seeded_url, load_encoder=False, queue_url="inline"))
    for name, role in (("olga", "editor"), ("ed", "editor"), ("rita", "reader")):
        make_user(seeded_engine, name, role=role)
    with TestClient(app) as probe:
        story = probe.get("/api/stories").json()["items"][0]
        links = probe.get(f"/api/stories/{story['id']}/alignment").json()["links"]
    make_private(seeded_engine, story["id"], "olga")
    doc = story["documents"][0]["id"]
    ids = {
        "story_id": story["id"],
        "link_id": links[0]["id"],
        "document_id": doc,
        "index": 0,
        "action": "confirm",
        "direction": "undo",
        "item_id": 1,
        "batch": "0" * 32,
    }
    routes = [r for r in _write_routes(app, ids) if r[1] not in CREATES]
    assert {r[1] for r in routes} >= BODY_IDS
    bodies = {
        **BODIES,
        "/api/links/merge": {"links": [{"id": links[0]["id"]}, {"id": links[1]["id"]}]},
        "/api/undo": {"story_id": story["id"]},
        "/api/redo": {"story_id": story["id"]},
    }
    form = {
        "p": f"{doc}-0",
        "from": f"{doc}-0",
        "to": f"{story['documents'][1]['id']}-1",
        "mark": "added",
        "version": "1",
        "story_id": str(story["id"]),
    }
    before = _snapshot(db_path)
    answers: dict[str, list[tuple[str, str, int]]] = {}
    with TestClient(app) as anonymous, TestClient(app) as ed, TestClient(app) as rita:
        anonymous.get("/")
        login(ed, "ed")
        login(rita, "rita")
        for who, client in (("anonymous", anonymous), ("editor ed", ed), ("reader rita", rita)):
            for method, path, url in routes:
                kwargs = (
                    {"json": bodies.get(path, {"version": 1, "story_id": story["id"]})}
                    if path.startswith("/api")
                    else {"data": form}
                )
                code = client.request(method, url, **kwargs).status_code
                answers.setdefault(who, []).append((method, url, code))
    allowed = {who: [r for r in rows if r[2] not in REFUSED] for who, rows in answers.items()}
    assert allowed == {who: [] for who in answers}
    # The editor was refused as if the story did not exist, not for want of a role.
    assert {code for _, _, code in answers["editor ed"]} <= {404}, answers["editor ed"]
    assert _snapshot(db_path) == before
