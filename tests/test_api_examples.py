"""The examples /docs and /redoc show are the shape of real answers on the seeds."""

from typing import Any

from fastapi.testclient import TestClient

from app.routes.docs import EXAMPLES


def _agrees(example: Any, real: Any, where: str) -> list[str]:
    """Where `example` and `real` differ in keys or kinds (None and empty lists match any)."""
    if example is None or real is None:
        return []
    if isinstance(example, dict) and isinstance(real, dict):
        if set(example) != set(real):
            return [f"{where}: keys {sorted(set(example) ^ set(real))}"]
        return [p for k in example for p in _agrees(example[k], real[k], f"{where}.{k}")]
    if isinstance(example, list) and isinstance(real, list):
        return _agrees(example[0], real[0], f"{where}[]") if example and real else []
    number = (int, float)
    if isinstance(example, number) and isinstance(real, number):
        return []
    return [] if type(example) is type(real) else [f"{where}: {example!r} vs {real!r}"]


def test_each_example_has_the_shape_of_the_real_answer(seeded_client: TestClient) -> None:
    story = seeded_client.get("/api/stories").json()["items"][0]
    ids = {
        "story_id": story["id"],
        "document_id": story["documents"][1]["id"],
        "link_id": seeded_client.get(f"/api/stories/{story['id']}/sentence-links").json()[0][
            "link"
        ],
    }
    schema = seeded_client.get("/openapi.json").json()
    assert len(EXAMPLES) >= 8
    for path, example in EXAMPLES.items():
        shown = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert shown["example"] == example, path
        url = path.format(**ids) + ("?q=Kurogi" if path == "/api/search" else "")
        answer = seeded_client.get(url)
        assert answer.status_code == 200, (url, answer.text)
        assert _agrees(example, answer.json(), path) == []
