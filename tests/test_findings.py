"""The findings API and the review queue on the seed story (with the real model)."""

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy.engine import Engine

from tests.factories import login, make_user

pytestmark = pytest.mark.model


def _ids(client: TestClient) -> tuple[int, list[int]]:
    story = client.get("/api/stories").json()["items"][0]
    return story["id"], [d["id"] for d in story["documents"]]


def test_findings_have_the_pinned_shape_and_catch_the_seed_defects(
    seeded_client: TestClient,
) -> None:
    sid, (fr, de, mt, rep) = _ids(seeded_client)
    findings = seeded_client.get(f"/api/stories/{sid}/findings").json()
    checks = {"numbers", "omission", "addition", "wrong_language", "divergence", "names"}
    for f in findings:
        assert set(f) == {"check", "document", "paragraph", "counterpart", "detail"}
        assert f["check"] in checks
        assert f["counterpart"] is None or set(f["counterpart"]) == {"document", "paragraphs"}
    found = {(f["check"], f["document"], f["paragraph"]) for f in findings}
    # The German "spenden" where French and English say he would volunteer again.
    assert ("divergence", de, 17) in found
    # What the machine translation left out, and the lines in the wrong language.
    assert {("omission", fr, 15), ("omission", fr, 16), ("omission", fr, 12)} <= found
    assert {
        ("wrong_language", mt, 0),
        ("wrong_language", mt, 8),
        ("wrong_language", mt, 18),
    } <= found
    # 60 000 / 60.000 / 60,000 and the other locale formats are the same numbers.
    assert not [f for f in findings if f["check"] == "numbers" and {f["document"]} <= {fr, de}]


def test_queue_puts_unreviewed_risky_links_first_and_editors_can_confirm(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    sid, _ = _ids(seeded_client)
    queue = seeded_client.get(f"/api/stories/{sid}/queue").json()
    links = [item["link"] for item in queue["items"] if item["link"]]
    scores = [lk["score"] for lk in links if lk["status"] == "auto"]
    assert scores == sorted(scores)
    assert queue["counts"]["auto"] == len(links)
    page = html.fromstring(seeded_client.get(f"/stories/{sid}/review").text)
    assert page.xpath("//button[contains(@class, 'confirm')]") == []  # readers get no buttons
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    page = html.fromstring(seeded_client.get(f"/stories/{sid}/review").text)
    button = page.xpath("//tbody/tr//button[contains(@class, 'confirm')]")[0]
    row = html.fromstring(seeded_client.post(button.get("hx-post"), data={"version": "1"}).text)
    assert "status-confirmed" in row.get("class")
    counts = seeded_client.get(f"/api/stories/{sid}/queue").json()["counts"]
    assert counts["confirmed"] == 1 and counts["auto"] == len(links) - 1
