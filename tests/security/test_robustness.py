"""Failures that are the client's or the moment's answer 4xx or 503, never 500."""

import sqlite3
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from tests.factories import UNRELATED_ARTICLE, login, make_user

HUGE = "99999999999999999999"
JUST_PAST = str(2**63)


@pytest.fixture
def editor(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    make_user(engine, "ed")
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        login(c, "ed")
        yield c


ROUTES: list[tuple[str, str, dict[str, object] | None]] = [
    ("GET", "/api/stories/{n}/alignment", None),
    ("GET", "/api/stories/{n}/sentence-links", None),
    ("GET", "/api/stories/{n}/findings", None),
    ("GET", "/api/stories/{n}/queue", None),
    ("GET", "/api/stories/{n}/export", None),
    ("GET", "/api/links/{n}", None),
    ("GET", "/api/links/{n}/history", None),
    ("GET", "/stories/{n}", None),
    ("GET", "/stories/{n}/review", None),
    ("GET", "/documents/{n}", None),
    ("POST", "/api/links/{n}/confirm", {}),
    ("POST", "/api/links/{n}/split", {"parts": []}),
    ("PUT", "/api/documents/{n}/story", {"story_id": None}),
    ("PUT", "/api/documents/1/paragraphs/{n}/mark", {"mark": None}),
]


def test_ids_out_of_range_answer_404(editor: TestClient) -> None:
    answers = {}
    for n in (HUGE, JUST_PAST, "-" + HUGE):
        for method, path, body in ROUTES:
            response = editor.request(method, path.format(n=n), json=body)
            answers[(method, path, n)] = response.status_code
            if path.startswith("/api/"):
                assert isinstance(response.json()["detail"], str | list)
            elif response.headers["content-type"].startswith("text/html"):
                # a page answers a browser with the 404 page, which names what is missing
                assert "does not exist" in response.text
    assert {k: v for k, v in answers.items() if v not in (404, 422)} == {}


@pytest.mark.parametrize(
    "path, body",
    [
        ("/api/links/1/confirm", {"version": int(JUST_PAST)}),
        ("/api/links/merge", {"links": [{"id": int(HUGE)}]}),
        ("/api/undo", {"story_id": int(HUGE)}),
        (
            "/api/stories/1/links",
            {
                "source": {"document": int(HUGE), "paragraphs": [0]},
                "target": {"document": 1, "paragraphs": [int(HUGE)]},
            },
        ),
    ],
)
def test_numbers_out_of_range_in_bodies_answer_4xx(
    editor: TestClient, path: str, body: object
) -> None:
    response = editor.post(path, json=body)
    assert 400 <= response.status_code < 500, response.text


def test_a_locked_database_answers_503_with_retry_after(
    settings: Settings, engine: Engine, db_url: str
) -> None:
    make_user(engine, "ed")
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    release = threading.Event()
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        holder.execute("BEGIN IMMEDIATE")  # another writer holds the lock past the timeout
        try:
            response = c.post("/api/login", json={"name": "ed", "password": "correct horse"})
        finally:
            holder.execute("ROLLBACK")
            release.set()
        assert response.status_code == 503, response.text
        assert int(response.headers["Retry-After"]) > 0
        again = c.post("/api/login", json={"name": "ed", "password": "correct horse"})
        assert again.status_code == 200
    holder.close()


@pytest.mark.model
def test_an_action_on_a_link_of_another_story_changes_nothing(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    made = seeded_client.post("/api/documents?wait=true", json={"text": UNRELATED_ARTICLE})
    assert made.status_code == 201, made.text
    stories = seeded_client.get("/api/stories").json()["items"]
    other = made.json()["story_id"]
    first = next(s["id"] for s in stories if s["id"] != other)
    links = seeded_client.get(f"/api/stories/{first}/alignment").json()["links"]
    link = links[0]
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    queue = seeded_client.post(
        f"/stories/{other}/review/{link['id']}/confirm", data={"version": link["version"]}
    )
    assert queue.status_code == 404
    other_doc = made.json()["id"]
    panel = seeded_client.post(
        f"/review/links/{link['id']}/confirm",
        data={"version": link["version"], "p": f"{other_doc}-0"},
    )
    assert panel.status_code == 404
    after = seeded_client.get(f"/api/links/{link['id']}").json()
    assert (after["status"], after["version"]) == (link["status"], link["version"])
