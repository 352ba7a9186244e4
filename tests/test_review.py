"""Editors review links: roles, CSRF, conflicts, undo, history, and realignment keeping reviews."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.align.encoder import Encoder
from app.pipeline.steps import align
from tests.factories import login, make_user

pytestmark = pytest.mark.model


def _story(client: TestClient) -> dict:  # type: ignore[type-arg]
    story_id = client.get("/api/stories").json()["items"][0]["id"]
    return client.get(f"/api/stories/{story_id}/alignment").json()


def _shape(links: list[dict]) -> list[tuple[object, ...]]:  # type: ignore[type-arg]
    return sorted((lk["id"], lk["status"], str(lk["source"]), str(lk["target"])) for lk in links)


def _first_translation(story: dict) -> dict:  # type: ignore[type-arg]
    return next(link for link in story["links"] if link["relation"] == "translation")


def test_readers_and_forged_requests_change_nothing(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    story = _story(seeded_client)
    link = _first_translation(story)
    url = f"/api/links/{link['id']}/confirm"
    assert seeded_client.post(url, json={}).status_code == 401
    make_user(seeded_engine, "rita", role="reader")
    login(seeded_client, "rita")
    assert seeded_client.post(url, json={}).status_code == 403
    seeded_client.post("/api/logout")
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    # A forged cross-site request carries the session cookie but cannot know the token.
    forged = seeded_client.post(url, json={}, headers={"x-csrftoken": "forged"})
    assert forged.status_code == 403
    del seeded_client.headers["x-csrftoken"]
    assert seeded_client.post(url, json={}).status_code == 403
    assert _story(seeded_client)["links"] == story["links"]


def test_login_is_rate_limited(seeded_client: TestClient, seeded_engine: Engine) -> None:
    make_user(seeded_engine, "ed")
    codes = [
        seeded_client.post("/api/login", json={"name": "ed", "password": "guess"}).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    right = seeded_client.post("/api/login", json={"name": "ed", "password": "correct horse"})
    assert right.status_code == 429 and "Retry-After" in right.headers


def test_confirm_then_a_second_editor_with_the_old_version_gets_a_conflict(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    link = _first_translation(_story(seeded_client))
    ok = seeded_client.post(f"/api/links/{link['id']}/confirm", json={"version": link["version"]})
    assert ok.status_code == 200 and ok.json()["status"] == "confirmed"
    late = seeded_client.post(f"/api/links/{link['id']}/reject", json={"version": link["version"]})
    assert late.status_code == 409
    assert (
        "changed since you loaded it" in late.json()["detail"]
        and "confirmed" in late.json()["detail"]
    )
    assert seeded_client.get(f"/api/links/{link['id']}").json()["status"] == "confirmed"


def test_history_and_undo(seeded_client: TestClient, seeded_engine: Engine) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    link = _first_translation(_story(seeded_client))
    seeded_client.post(f"/api/links/{link['id']}/reject", json={"version": link["version"]})
    history = seeded_client.get(f"/api/links/{link['id']}/history").json()
    assert [
        (h["action"], h["user"], h["before"]["status"], h["after"]["status"]) for h in history
    ] == [("reject", "ed", "auto", "rejected")]
    undone = seeded_client.post("/api/undo", json={})
    assert undone.status_code == 200
    restored = seeded_client.get(f"/api/links/{link['id']}").json()
    assert restored["status"] == "auto" and restored["version"] > link["version"]
    assert [h["action"] for h in seeded_client.get(f"/api/links/{link['id']}/history").json()] == [
        "reject",
        "undo",
    ]
    assert seeded_client.post("/api/undo", json={}).status_code == 404


def test_undo_refuses_when_someone_changed_the_link_since(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    make_user(seeded_engine, "eva")
    link = _first_translation(_story(seeded_client))
    login(seeded_client, "ed")
    seeded_client.post(f"/api/links/{link['id']}/confirm", json={})
    seeded_client.post("/api/logout")
    login(seeded_client, "eva")
    seeded_client.post(f"/api/links/{link['id']}/reject", json={})
    seeded_client.post("/api/logout")
    login(seeded_client, "ed")
    response = seeded_client.post("/api/undo", json={})
    assert response.status_code == 409
    assert seeded_client.get(f"/api/links/{link['id']}").json()["status"] == "rejected"


def test_manual_link_merge_split_and_marks(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    by_src = {
        link["source"]["paragraphs"][0]: link
        for link in story["links"]
        if (link["source"]["document"], link["target"]["document"]) == (fr, de)
    }
    merged = seeded_client.post(
        "/api/links/merge", json={"links": [{"id": by_src[5]["id"]}, {"id": by_src[6]["id"]}]}
    )
    assert merged.status_code == 201, merged.text
    assert (merged.json()["source"]["paragraphs"], merged.json()["status"]) == ([5, 6], "manual")
    parts = [{"source": [5], "target": [5]}, {"source": [6], "target": [6]}]
    split = seeded_client.post(f"/api/links/{merged.json()['id']}/split", json={"parts": parts})
    assert split.status_code == 201 and len(split.json()) == 2
    # Linking a paragraph that already sits in a reviewed link is refused, not silently taken.
    clash = seeded_client.post(
        f"/api/stories/{story['id']}/links",
        json={
            "source": {"document": fr, "paragraphs": [5]},
            "target": {"document": de, "paragraphs": [6]},
        },
    )
    assert clash.status_code == 409
    marked = seeded_client.put(
        f"/api/documents/{fr}/paragraphs/12/mark", json={"mark": "not_translated"}
    )
    assert marked.status_code == 200
    bad = seeded_client.put(f"/api/documents/{fr}/paragraphs/12/mark", json={"mark": "lost"})
    assert bad.status_code == 422


def test_realignment_keeps_confirmed_and_manual_links(
    seeded_client: TestClient, seeded_engine: Engine, encoder: Encoder
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    link = _first_translation(story)
    seeded_client.post(f"/api/links/{link['id']}/confirm", json={})
    rejected = next(
        lk for lk in story["links"] if lk["id"] != link["id"] and lk["relation"] == "translation"
    )
    seeded_client.post(f"/api/links/{rejected['id']}/reject", json={})
    for doc in story["documents"]:  # every pair realigned, as the pipeline aligns
        align(engine=seeded_engine, encoder=encoder, document_id=doc["id"])
    after = _story(seeded_client)
    kept = next(lk for lk in after["links"] if lk["id"] == link["id"])
    assert kept["status"] == "confirmed"
    same = [
        lk
        for lk in after["links"]
        if (lk["source"], lk["target"]) == (rejected["source"], rejected["target"])
    ]
    assert [lk["status"] for lk in same] == ["rejected"]
    assert (
        len(
            [
                lk
                for lk in after["links"]
                if {lk["source"]["document"], lk["target"]["document"]} == {fr, de}
            ]
        )
        == 19
    )


def test_move_asks_before_discarding_reviewed_links_and_undo_brings_them_back(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    story = _story(seeded_client)
    mt = story["documents"][2]["id"]
    mine = [
        lk for lk in story["links"] if mt in (lk["source"]["document"], lk["target"]["document"])
    ]
    confirmed = mine[0]
    seeded_client.post(f"/api/links/{confirmed['id']}/confirm", json={})
    before = _story(seeded_client)
    refused = seeded_client.put(f"/api/documents/{mt}/story", json={"story_id": None})
    assert refused.status_code == 409
    assert [lk["id"] for lk in refused.json()["reviewed_links"]] == [confirmed["id"]]
    assert _story(seeded_client) == before
    moved = seeded_client.put(
        f"/api/documents/{mt}/story", json={"story_id": None, "discard_reviewed": True}
    )
    assert moved.status_code == 200 and moved.json()["story_id"] != story["id"]
    # The discarded link keeps its history.
    actions = [
        h["action"] for h in seeded_client.get(f"/api/links/{confirmed['id']}/history").json()
    ]
    assert actions == ["confirm", "move"]
    assert seeded_client.post("/api/undo", json={}).status_code == 200
    after = _story(seeded_client)
    assert [d["id"] for d in after["documents"]] == [d["id"] for d in before["documents"]]
    assert _shape(after["links"]) == _shape(before["links"])
    # Undo again takes back the confirm: no spurious conflict from the restored version.
    assert seeded_client.post("/api/undo", json={}).status_code == 200
    assert seeded_client.get(f"/api/links/{confirmed['id']}").json()["status"] == "auto"


def test_text_edit_realigns_keeps_reviews_and_undo_restores_links_with_sentences(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    link = _first_translation(story)
    seeded_client.post(f"/api/links/{link['id']}/confirm", json={})
    before = _story(seeded_client)
    sentences_before = seeded_client.get(f"/api/stories/{story['id']}/sentence-links").json()
    text = before["documents"][1]["paragraphs"][4]["text"] + " Ein Satz mehr, von Hand."
    edited = seeded_client.put(f"/api/documents/{de}/paragraphs/4/text", json={"text": text})
    assert edited.status_code == 200, edited.text
    after = _story(seeded_client)
    assert after["documents"][1]["paragraphs"][4]["text"] == text
    kept = next(lk for lk in after["links"] if lk["id"] == link["id"])
    assert kept["status"] == "confirmed"
    assert {lk["source"]["document"] for lk in after["links"]} >= {fr}
    assert seeded_client.post("/api/undo", json={}).status_code == 200
    restored = _story(seeded_client)
    assert restored["documents"] == before["documents"]
    assert _shape(restored["links"]) == _shape(before["links"])
    sentences = seeded_client.get(f"/api/stories/{story['id']}/sentence-links").json()
    assert sorted(map(str, sentences)) == sorted(map(str, sentences_before))
