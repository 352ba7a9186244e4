"""The JSON API shapes, pinned, and uploads through it."""

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import row_counts


def _upload(client: TestClient, path: Path):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/documents", files={"file": (path.name, path.read_bytes(), "text/plain")}
    )


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json() == {
        "status": "ok",
        "worker": {"inline": True},  # jobs run in the request: no worker to wait for
        "queue": {"queued": 0, "running": 0, "messages": 0},
    }


def test_upload_then_list_and_read_with_the_pinned_shapes(
    client: TestClient, seed_files: list[Path]
) -> None:
    created = [_upload(client, p) for p in seed_files]
    # Stored and answered at once; grouping and alignment are the job's.
    assert [r.status_code for r in created] == [202] * 4
    body = created[0].json()
    assert set(body) == {"id", "story_id", "lang", "tag", "source", "title", "paragraphs", "job"}
    assert (body["lang"], body["source"], body["story_id"]) == ("fr", seed_files[0].name, None)
    assert body["paragraphs"] == 19
    assert set(body["job"]) == {"id", "status", "url"}
    job = client.get(body["job"]["url"]).json()
    assert set(job) == {"id", "kind", "status", "progress", "error", "result"}
    assert (job["kind"], job["status"], job["error"]) == ("ingest", "done", None)
    assert set(job["progress"]) == {"done", "total"}
    body["story_id"] = job["result"]["story_id"]

    listing = client.get("/api/stories").json()
    assert set(listing) == {"items", "next", "total"}
    assert listing["total"] == len(listing["items"]) and listing["next"] is None
    stories = listing["items"]
    assert all(set(s) == {"id", "title", "languages", "documents", "new_words"} for s in stories)
    assert all(s["new_words"] is None for s in stories)  # anonymous: no learner's share
    docs = [d for s in stories for d in s["documents"]]
    assert sorted(d["source"] for d in docs) == [p.name for p in seed_files]
    assert all(set(d) == {"id", "lang", "tag", "source", "title"} for d in docs)

    story_id = body["story_id"]
    alignment = client.get(f"/api/stories/{story_id}/alignment").json()
    assert set(alignment) >= {"id", "title", "documents", "links"}
    doc = next(d for d in alignment["documents"] if d["id"] == body["id"])
    assert set(doc) == {"id", "lang", "tag", "source", "title", "paragraphs"}
    assert set(doc["paragraphs"][0]) == {"index", "text", "kind", "lang"}
    assert [p["index"] for p in doc["paragraphs"]] == list(range(19))
    assert doc["paragraphs"][0]["text"].startswith("Kurogi, un employé de bureau")


def test_json_upload_and_duplicate(client: TestClient, engine: Engine) -> None:
    text = (
        "Der Gemeinderat hat am Dienstag beschlossen, die alte Brücke über den Fluss zu sanieren.\n\n"
        "Die Arbeiten sollen im Frühjahr beginnen und etwa 2,5 Millionen Euro kosten."
    )
    first = client.post("/api/documents?wait=true", json={"text": text, "title": "Die Brücke"})
    assert first.status_code == 201
    assert first.json()["story_id"] is not None and first.json()["job"]["status"] == "done"
    assert first.json()["lang"] == "de" and first.json()["title"] == "Die Brücke"
    counts = row_counts(engine)
    again = client.post("/api/documents", json={"text": text})
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert row_counts(engine) == counts


def test_bad_uploads_say_what_is_wrong(client: TestClient, engine: Engine) -> None:
    cases = [
        (client.post("/api/documents", json={"title": "no text"}), 422, "text"),
        (
            client.post(
                "/api/documents", content=b"{", headers={"content-type": "application/json"}
            ),
            422,
            "JSON",
        ),
        (
            client.post("/api/documents", content=b"hello", headers={"content-type": "text/plain"}),
            415,
            "multipart",
        ),
        (client.post("/api/documents", files={"file": ("x.txt", b"", "text/plain")}), 422, "x.txt"),
        (
            client.post(
                "/api/documents", files={"file": ("big.txt", b"a" * 3_000_000, "text/plain")}
            ),
            413,
            "limit",
        ),
        (
            client.post(
                "/api/documents",
                files={"file": ("l1.txt", "Déjà vu à Zürich".encode("latin-1"), "text/plain")},
            ),
            422,
            "UTF-8",
        ),
    ]
    for response, status, needle in cases:
        assert response.status_code == status, response.text
        assert needle.lower() in response.json()["detail"].lower()
    assert row_counts(engine)["document"] == 0


def test_missing_story_is_404(client: TestClient) -> None:
    response = client.get("/api/stories/999/alignment")
    assert response.status_code == 404
    assert "999" in response.json()["detail"]
