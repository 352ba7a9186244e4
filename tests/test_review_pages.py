"""The editor's panel on the story page: HTMX fragments, checked with an HTML parser."""

import json

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy.engine import Engine

from tests.factories import login, make_user

pytestmark = pytest.mark.model

HX = {"HX-Request": "true"}


def _ids(client: TestClient) -> tuple[int, int, int]:
    story = client.get("/api/stories").json()["items"][0]
    return story["id"], story["documents"][0]["id"], story["documents"][1]["id"]


def test_readers_get_no_review_controls(seeded_client: TestClient) -> None:
    sid, fr, _ = _ids(seeded_client)
    page = html.fromstring(seeded_client.get(f"/stories/{sid}?p={fr}-0").text)
    assert page.xpath("//*[@id='review-panel']") == []
    assert (
        seeded_client.post("/review/mark", data={"p": f"{fr}-0", "mark": "added"}).status_code
        == 401
    )


def test_confirm_from_the_panel_swaps_the_panel_and_survives_reload(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    sid, fr, de = _ids(seeded_client)
    page = html.fromstring(seeded_client.get(f"/stories/{sid}?p={fr}-0").text)
    rows = page.xpath("//aside[@id='review-panel']//li[contains(@class, 'review-link')]")
    assert len(rows) >= 2
    button = rows[0].xpath(".//button[contains(@class, 'confirm')]")[0]
    url = button.get("hx-post")
    response = seeded_client.post(url, data={"version": "1", "p": f"{fr}-0"}, headers=HX)
    assert response.status_code == 200
    fragment = html.fromstring(f"<div>{response.text}</div>")
    panel = fragment.xpath("//aside[@id='review-panel']")[0]
    assert panel.get("hx-swap-oob") == "true"
    assert "status-confirmed" in panel.xpath(".//li")[0].get("class")
    assert fragment.xpath(f"//*[@id='p-{fr}-0']")[0].get("hx-swap-oob") == "true"
    # The same version again is a conflict, shown in the panel, and nothing changes.
    again = seeded_client.post(
        url.replace("confirm", "reject"), data={"version": "1", "p": f"{fr}-0"}, headers=HX
    )
    assert again.status_code == 409
    assert "changed since you loaded it" in html.fromstring(again.text).text_content()
    reloaded = html.fromstring(seeded_client.get(f"/stories/{sid}?p={fr}-0").text)
    first = reloaded.xpath("//aside[@id='review-panel']//li[contains(@class, 'review-link')]")[0]
    assert "status-confirmed" in first.get("class")


def test_link_by_hand_mark_and_undo(seeded_client: TestClient, seeded_engine: Engine) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    sid, fr, de = _ids(seeded_client)
    mt = seeded_client.get("/api/stories").json()["items"][0]["documents"][2]["id"]
    # FR 16 has no counterpart in the machine translation; an editor links it to MT 12 by hand.
    response = seeded_client.post(
        "/review/link", data={"from": f"{fr}-16", "to": f"{mt}-12"}, headers=HX
    )
    assert response.status_code == 200
    assert "linked" in html.fromstring(response.text).xpath(f"//*[@id='p-{mt}-12']")[0].get("class")
    links = seeded_client.get(f"/api/stories/{sid}/alignment").json()["links"]
    manual = [lk for lk in links if lk["status"] == "manual"]
    sentence_links = seeded_client.get(f"/api/stories/{sid}/sentence-links").json()
    assert [row["link"] for row in sentence_links if row["link"] == manual[0]["id"]]
    assert [(lk["source"], lk["target"]) for lk in manual] == [
        ({"document": fr, "paragraphs": [16]}, {"document": mt, "paragraphs": [12]})
    ]
    marked = seeded_client.post(
        "/review/mark", data={"p": f"{fr}-15", "mark": "not_translated"}, headers=HX
    )
    assert marked.status_code == 200
    assert (
        "not translated"
        in html.fromstring(marked.text).xpath("//*[@class='mark']")[0].text_content()
    )
    undone = seeded_client.post("/review/undo", data={"p": f"{fr}-15"}, headers=HX)
    assert undone.status_code == 200
    assert html.fromstring(undone.text).xpath("//*[@class='mark']") == []


def test_panel_says_what_undo_and_redo_do_and_sets_relation_and_mark_target(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    sid, fr, de = _ids(seeded_client)
    mt = seeded_client.get("/api/stories").json()["items"][0]["documents"][2]["id"]
    made = seeded_client.post(
        "/review/link", data={"from": f"{fr}-16", "to": f"{mt}-12"}, headers=HX
    )
    panel = html.fromstring(made.text).xpath("//aside[@id='review-panel']")[0]
    assert (
        "Undo: linking by hand"
        in panel.xpath(".//button[contains(@class,'undo')]")[0].text_content()
    )
    row = panel.xpath(".//li[contains(@class,'status-manual')]")[0]
    assert "by hand" in row.text_content() and "1.00" not in row.text_content()
    relation = row.xpath(".//button[contains(@class,'relation')]")[0]
    assert relation.text_content().strip() == "Make it related"
    vals = json.loads(relation.get("hx-vals"))
    changed = seeded_client.post(relation.get("hx-post"), data=vals, headers=HX)
    assert changed.status_code == 200
    panel = html.fromstring(changed.text).xpath("//aside[@id='review-panel']")[0]
    assert panel.xpath(
        ".//li[contains(@class,'status-manual')]//span[contains(@class,'rel-related')]"
    )
    undone = seeded_client.post("/review/undo", data={"p": f"{fr}-16"}, headers=HX)
    panel = html.fromstring(undone.text).xpath("//aside[@id='review-panel']")[0]
    assert "undone: changing the relation of link" in panel.text_content()
    assert (
        "Redo: changing the relation"
        in panel.xpath(".//button[contains(@class,'redo')]")[0].text_content()
    )
    redone = seeded_client.post("/review/redo", data={"p": f"{fr}-16"}, headers=HX)
    assert "rel-related" in redone.text
    # "Not translated" names the version the paragraph is missing from.
    marked = seeded_client.post(
        "/review/mark",
        data={"p": f"{fr}-15", "mark": "not_translated", "target": str(mt)},
        headers=HX,
    )
    mark = html.fromstring(marked.text).xpath("//*[@class='mark']")[0].text_content()
    assert mark.startswith("not translated in the English")


def test_keyboard_boundary_and_merge_next_buttons_reshape_links_and_undo(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    sid, fr, de = _ids(seeded_client)

    def fr_de(index: int) -> dict:  # type: ignore[type-arg]
        links = seeded_client.get(f"/api/stories/{sid}/alignment").json()["links"]
        return next(
            lk
            for lk in links
            if lk["source"]["document"] == fr
            and lk["target"]["document"] == de
            and index in lk["source"]["paragraphs"]
            and lk["status"] != "rejected"
        )

    page = html.fromstring(seeded_client.get(f"/stories/{sid}?p={fr}-5").text)
    assert page.xpath("//script[@src='/static/editor.js']")
    first = page.xpath("//aside[@id='review-panel']//li[contains(@class,'review-link')]")[0]
    down = first.xpath(".//button[contains(@class,'boundary-down')]")[0]
    assert down.get("hx-post") == f"/review/links/{fr_de(5)['id']}/boundary"
    moved = seeded_client.post(
        down.get("hx-post"), data=json.loads(down.get("hx-vals")), headers=HX
    )
    assert moved.status_code == 200, moved.text
    assert fr_de(5)["target"]["paragraphs"] == [5, 6]
    seeded_client.post("/review/undo", data={"p": f"{fr}-5"}, headers=HX)
    assert fr_de(5)["target"]["paragraphs"] == [5]
    link = fr_de(2)
    merged = seeded_client.post(
        f"/review/links/{link['id']}/merge-next",
        data={"version": link["version"], "p": f"{fr}-2"},
        headers=HX,
    )
    assert merged.status_code == 200, merged.text
    assert fr_de(2)["source"]["paragraphs"] == [2, 3] and fr_de(2)["status"] == "manual"


def test_panel_move_asks_before_discarding_reviewed_links_and_remove_redirects(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    sid, fr, de = _ids(seeded_client)
    mt = seeded_client.get("/api/stories").json()["items"][0]["documents"][2]["id"]
    link = next(
        lk
        for lk in seeded_client.get(f"/api/stories/{sid}/alignment").json()["links"]
        if mt in (lk["source"]["document"], lk["target"]["document"])
    )
    seeded_client.post(f"/api/links/{link['id']}/confirm", json={})
    asked = seeded_client.post(
        f"/review/documents/{mt}/move", data={"p": f"{mt}-1", "story": ""}, headers=HX
    )
    assert asked.status_code == 409
    form = html.fromstring(asked.text).xpath("//form[@class='move-ask']")[0]
    assert "1 reviewed link" in form.text_content()
    values = {i.get("name"): i.get("value") for i in form.xpath(".//input")}
    assert values["discard_reviewed"] == "1"
    moved = seeded_client.post(form.get("hx-post"), data=values, headers=HX)
    assert moved.status_code == 200
    new_story = int(moved.headers["HX-Redirect"].rsplit("/", 1)[1])
    assert new_story != sid
    removed = seeded_client.post(
        f"/review/documents/{mt}/remove", data={"p": f"{mt}-1"}, headers=HX
    )
    assert removed.headers["HX-Redirect"] == f"/stories/{new_story}"
    assert seeded_client.get(f"/api/stories/{new_story}/alignment").json()["documents"] == []
    seeded_client.post("/api/undo", json={})
    seeded_client.post("/api/undo", json={})
    story = seeded_client.get(f"/api/stories/{sid}/alignment").json()
    assert mt in [d["id"] for d in story["documents"]]
    assert next(lk for lk in story["links"] if lk["id"] == link["id"])["status"] == "confirmed"
