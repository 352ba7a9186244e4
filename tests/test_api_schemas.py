"""Every JSON route of the API declares its answer, and real answers are exactly that shape.

/openapi.json must name a model (with its fields) for each 2xx answer under /api: a route
returning `dict[str, Any]` shows `{}` to clients, and this test fails on it. Then answers on
the seeds are parsed with the route's own model in strict mode and dumped back: equal JSON
means no field is missing, extra, renamed or of another type than the schema says.
"""

import re
from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from app.pipeline.grouping import GroupingOut
from app.pipeline.imports import ImportProgress
from app.review.findings import FindingOut
from app.routes.api_schemas import (
    AlignmentOut,
    LinkOut,
    QueueOut,
    SentenceLinkOut,
    StoryPageOut,
    Uploaded,
)
from app.routes.auth import LoggedOut
from app.routes.imports import ImportStarted
from app.routes.review_schemas import HistoryEvent, MarkOut, RedoneOut, UndoneOut
from app.routes.search import SearchOut
from tests.factories import UNRELATED_ARTICLE, login, make_user

# Files, not JSON documents: a story for translation tools and an Anki deck.
DOWNLOADS = {
    ("get", "/api/stories/{story_id}/export"),
    ("get", "/api/vocabulary/anki"),
    ("post", "/api/vocabulary/anki"),
}


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return components[ref.rsplit("/", 1)[-1]] if ref else schema


def _shapeless(schema: dict[str, Any] | None, components: dict[str, Any]) -> bool:
    """True for no schema, `{}`, a free-form object, or a list of those."""
    if not schema:
        return True
    schema = _resolve(schema, components)
    if schema.get("type") == "array":
        return _shapeless(schema.get("items"), components)
    return not schema.get("properties")


def _untyped_answers(openapi: dict[str, Any]) -> list[str]:
    components = openapi["components"]["schemas"]
    found = []
    for path, item in openapi["paths"].items():
        for method, operation in item.items():
            if not path.startswith("/api") or (method, path) in DOWNLOADS:
                continue
            for code, answer in operation["responses"].items():
                if not code.startswith("2") or code == "204":
                    continue
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if _shapeless(schema, components):
                    found.append(f"{method.upper()} {path} {code}")
    return found


def test_every_json_answer_under_api_has_a_schema() -> None:
    app = create_app(Settings(database_url="sqlite://", load_encoder=False, queue_url="inline"))
    openapi = app.openapi()
    operations = {(m, p) for p, item in openapi["paths"].items() for m in item}
    assert DOWNLOADS <= operations, "a download listed here is gone: update DOWNLOADS"
    assert _untyped_answers(openapi) == []


def test_the_check_sees_a_shapeless_answer() -> None:
    components = {"Free": {"type": "object", "additionalProperties": True}}
    openapi = {
        "components": {"schemas": components},
        "paths": {
            "/api/a": {"get": {"responses": {"200": {"content": {"application/json": {}}}}}},
            "/api/b": {"post": {"responses": {"201": {"description": "no content"}}}},
            "/api/c": {
                "get": {
                    "responses": {
                        "200": {
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Free"},
                                    }
                                }
                            }
                        }
                    }
                }
            },
        },
    }
    assert _untyped_answers(openapi) == ["GET /api/a 200", "POST /api/b 201", "GET /api/c 200"]


def _declared(client: TestClient, method: str, url: str, status: int) -> str:
    """The name of the model /openapi.json declares for this answer ("[Name]" for a list)."""
    path = url.split("?")[0]
    for template, item in client.get("/openapi.json").json()["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) and method in item:
            schema = item[method]["responses"][str(status)]["content"]["application/json"]
            schema = schema["schema"]
            if schema.get("type") == "array":
                return "[" + schema["items"]["$ref"].rsplit("/", 1)[-1] + "]"
            return str(schema["$ref"].rsplit("/", 1)[-1])
    raise AssertionError(f"/openapi.json has no {method} {url}")


def _exactly(client: TestClient, model: Any, method: str, url: str, **kwargs: Any) -> Any:
    """Call the API and check the answer is exactly `model`, the one /openapi.json names."""
    answer = client.request(method, url, **kwargs)
    assert 200 <= answer.status_code < 300, (url, answer.text)
    item = getattr(model, "__args__", (model,))[0]
    name = f"[{item.__name__}]" if item is not model else model.__name__
    assert _declared(client, method, url, answer.status_code) == name, url
    adapter: TypeAdapter[Any] = TypeAdapter(model)
    parsed = adapter.validate_json(answer.content, strict=True)
    assert adapter.dump_python(parsed, mode="json") == answer.json(), url
    return answer.json()


def test_reading_answers_are_their_schema(seeded_client: TestClient) -> None:
    c = seeded_client
    story = _exactly(c, StoryPageOut, "get", "/api/stories")["items"][0]
    sid, doc = story["id"], story["documents"][1]["id"]
    aligned = _exactly(c, AlignmentOut, "get", f"/api/stories/{sid}/alignment")
    assert aligned["links"] and aligned["documents"][0]["paragraphs"]
    assert _exactly(c, list[SentenceLinkOut], "get", f"/api/stories/{sid}/sentence-links")
    assert _exactly(c, QueueOut, "get", f"/api/stories/{sid}/queue")["items"]
    _exactly(c, list[FindingOut], "get", f"/api/stories/{sid}/findings")
    assert _exactly(c, GroupingOut, "get", f"/api/documents/{doc}/grouping")["decision"]
    assert _exactly(c, SearchOut, "get", "/api/search?q=Kurogi")["items"]
    _exactly(c, LinkOut, "get", f"/api/links/{aligned['links'][0]['id']}")


def test_editing_answers_are_their_schema(seeded_client: TestClient, seeded_engine: Engine) -> None:
    c = seeded_client
    make_user(seeded_engine, "ed")
    login(c, "ed")
    sid = c.get("/api/stories").json()["items"][0]["id"]
    link = c.get(f"/api/stories/{sid}/alignment").json()["links"][0]
    url = f"/api/links/{link['id']}"
    assert _exactly(c, LinkOut, "post", f"{url}/confirm", json={})["status"] == "confirmed"
    assert _exactly(c, list[HistoryEvent], "get", f"{url}/history")[0]["action"] == "confirm"
    assert _exactly(c, UndoneOut, "post", "/api/undo", json={"story_id": sid})["undone"]
    assert _exactly(c, RedoneOut, "post", "/api/redo", json={"story_id": sid})["redone"]
    where = f"/api/documents/{link['source']['document']}/paragraphs/0/mark"
    assert _exactly(c, MarkOut, "put", where, json={"mark": "added"})["mark"] == "added"
    queue = _exactly(c, QueueOut, "get", f"/api/stories/{sid}/queue")
    assert any(item["link"] is None for item in queue["items"])
    uploaded = _exactly(c, Uploaded, "post", "/api/documents", json={"text": UNRELATED_ARTICLE})
    assert uploaded["job"]["url"] == f"/api/jobs/{uploaded['job']['id']}"
    files = {"files": ("b.txt", "Un texte court, en français.".encode(), "text/plain")}
    started = _exactly(c, ImportStarted, "post", "/api/imports", files=files)
    assert _exactly(c, ImportProgress, "get", started["url"])["total"] == 1
    assert _exactly(c, LoggedOut, "post", "/api/logout") == {"status": "logged out"}
