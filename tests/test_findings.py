"""Stored findings and the review queue on the seed story (with the real model)."""

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from app.align.encoder import Encoder
from app.models import Embedding, StoredFinding
from app.review.findings import compute_findings
from tests.factories import login, make_user

pytestmark = pytest.mark.model

HX = {"HX-Request": "true"}


def _ids(client: TestClient) -> tuple[int, list[int]]:
    story = client.get("/api/stories").json()["items"][0]
    return story["id"], [d["id"] for d in story["documents"]]


@pytest.fixture
def client(
    seeded_client: TestClient, seeded_engine: Engine, encoder: Encoder
) -> Iterator[TestClient]:
    """The seeded client with the findings computed, as the job system does after alignment."""
    sid, _ = _ids(seeded_client)
    with Session(seeded_engine) as session:
        assert compute_findings(session=session, encoder=encoder, story_id=sid) > 0
    yield seeded_client


def test_compute_is_idempotent_and_reading_writes_nothing(
    client: TestClient, seeded_engine: Engine, encoder: Encoder
) -> None:
    sid, _ = _ids(client)
    with Session(seeded_engine) as session:
        first = session.exec(select(func.count()).select_from(StoredFinding)).one()
        again = compute_findings(session=session, encoder=encoder, story_id=sid)
        assert again == first == session.exec(select(func.count()).select_from(StoredFinding)).one()
        embeddings = session.exec(select(func.count()).select_from(Embedding)).one()
    client.get(f"/api/stories/{sid}/findings")
    client.get(f"/stories/{sid}/review")
    with Session(seeded_engine) as session:
        assert session.exec(select(func.count()).select_from(Embedding)).one() == embeddings


def test_findings_catch_the_seed_defects_in_words_people_use(client: TestClient) -> None:
    sid, (fr, de, mt, rep) = _ids(client)
    findings = client.get(f"/api/stories/{sid}/findings").json()
    checks = {"numbers", "omission", "addition", "wrong_language", "divergence", "names"}
    for f in findings:
        assert {"check", "document", "paragraph", "counterpart", "detail"} <= set(f)
        assert f["check"] in checks
        assert f["counterpart"] is None or set(f["counterpart"]) == {"document", "paragraphs"}
        # Places are named by language and ¶, never by database id.
        assert " doc " not in f["detail"] and " doc " not in f["summary"]
    found = {(f["check"], f["document"], f["paragraph"]): f for f in findings}
    # The German "spenden" where French and English say he would volunteer again.
    assert ("divergence", de, 17) in found
    assert {("omission", fr, 15), ("omission", fr, 16), ("omission", fr, 12)} <= set(found)
    omission = found[("omission", fr, 15)]
    # The machine translation is the English text translated from the others.
    assert omission["summary"].startswith("¶16 is missing in the English translation")
    assert omission["link"] is None
    assert {("wrong_language", mt, 0), ("wrong_language", mt, 8)} <= set(found)
    assert not [f for f in findings if f["check"] == "numbers" and {f["document"]} <= {fr, de}]
    # A finding on a link sits on the link joining its paragraph to the counterpart it names.
    links = {lk["id"]: lk for lk in client.get(f"/api/stories/{sid}/alignment").json()["links"]}
    for f in findings:
        if f["link"] is not None:
            lk = links[f["link"]]
            ends = {lk["source"]["document"], lk["target"]["document"]}
            assert ends == {f["document"], f["counterpart"]["document"]}


def test_queue_puts_open_severe_rows_first_and_every_open_row_has_an_action(
    client: TestClient, seeded_engine: Engine
) -> None:
    sid, (fr, de, mt, rep) = _ids(client)
    queue = client.get(f"/api/stories/{sid}/queue").json()
    items = queue["items"]
    states = [i["state"] for i in items]
    assert states == sorted(states, key=lambda s: s != "open")
    assert all(i["action"] in ("confirm", "not_translated", "added", "open") for i in items)
    severity = [max((f["severity"] for f in i["findings"]), default=0) for i in items]
    spenden = next(
        n
        for n, i in enumerate(items)
        if any(f["check"] == "divergence" and f["paragraph"] == 17 for f in i["findings"])
    )
    assert spenden < 10, f"the German 'spenden' divergence is row {spenden + 1}"
    first_related = next(
        n for n, i in enumerate(items) if i["link"] and i["link"]["relation"] == "related"
    )
    # Findings on translation links come before related links without findings.
    assert (
        all(severity[n] > 0 for n in range(first_related) if items[n]["link"] is not None)
        or first_related > spenden
    )
    related_scores = [
        i["link"]["score"]
        for i in items
        if i["link"] and i["link"]["relation"] == "related" and not i["findings"]
    ]
    assert related_scores == sorted(related_scores)
    only_fr_de = client.get(f"/api/stories/{sid}/queue?pair={fr}-{de}&relation=translation").json()
    assert only_fr_de["shown"] == 19
    assert all({i["document"], i["counterpart"]} == {fr, de} for i in only_fr_de["items"])
    omissions = client.get(f"/api/stories/{sid}/queue?finding=omission").json()["items"]
    assert omissions and all(
        any(f["check"] == "omission" for f in i["findings"]) for i in omissions
    )


def _counts(fragment: html.HtmlElement) -> dict[str, int]:
    return {
        el.get("data-count"): int(el.text_content())
        for el in fragment.xpath("//*[@id='queue-counts']//strong[@data-count]")
    }


def test_queue_page_decisions_update_the_row_and_counts_out_of_band(
    client: TestClient, seeded_engine: Engine
) -> None:
    sid, (fr, de, mt, rep) = _ids(client)
    page = html.fromstring(client.get(f"/stories/{sid}/review").text)
    assert page.xpath("//button[contains(@class, 'confirm')]") == []  # readers get no buttons
    make_user(seeded_engine, "ed")
    login(client, "ed")
    page = html.fromstring(client.get(f"/stories/{sid}/review").text)
    before = _counts(page)
    rows = page.xpath("//table[@id='queue']/tbody/tr")
    open_rows = [r for r in rows if "state-open" in r.get("class")]
    # Every open row carries its action: a button, or a link into the reader.
    assert all(
        r.xpath(".//button[contains(@class,'confirm')] | .//a[@class='open']") for r in open_rows
    )
    first_link = next(r for r in open_rows if r.get("id").startswith("link-"))
    button = first_link.xpath(".//button[contains(@class, 'confirm')]")[0]
    answer = html.fromstring(
        f"<div>{client.post(button.get('hx-post'), data={'version': '1'}, headers=HX).text}</div>"
    )
    row = answer.xpath(f"//tr[@id='{first_link.get('id')}']")[0]
    assert "state-confirmed" in row.get("class") and "by ed" in row.text_content()
    counts = answer.xpath("//*[@id='queue-counts']")[0]
    assert counts.get("hx-swap-oob") == "true"
    after = _counts(answer)
    assert after["open"] == before["open"] - 1 and after["confirmed"] == before["confirmed"] + 1
    undo_bar = answer.xpath("//*[@id='undo-bar']")[0]
    assert (
        "confirming link" in undo_bar.xpath(".//button[contains(@class,'undo')]")[0].text_content()
    )
    # A paragraph row: mark the omission "not translated" from the version it is missing in.
    para = next(r for r in open_rows if r.get("data-action") == "not_translated")
    mark = para.xpath(".//button[contains(@class, 'confirm')]")[0]
    answer = html.fromstring(
        f"<div>{client.post(mark.get('hx-post'), data=json.loads(mark.get('hx-vals')), headers=HX).text}</div>"
    )
    marked = answer.xpath(f"//tr[@id='{para.get('id')}']")[0]
    assert "state-marked" in marked.get("class")
    assert _counts(answer)["marked"] == before["marked"] + 1


def test_batch_confirm_from_the_queue_and_one_undo(
    client: TestClient, seeded_engine: Engine
) -> None:
    sid, (fr, de, mt, rep) = _ids(client)
    make_user(seeded_engine, "ed")
    login(client, "ed")
    response = client.post(
        f"/stories/{sid}/review/batch", data={"min_score": "0", "pair": f"{fr}-{de}"}, headers=HX
    )
    assert response.status_code == 200
    answer = html.fromstring(f"<div>{response.text}</div>")
    assert "19 translation links confirmed" in answer.xpath("//*[@id='undo-bar']")[0].text_content()
    queue = client.get(f"/api/stories/{sid}/queue?pair={fr}-{de}&relation=translation").json()
    assert {i["state"] for i in queue["items"]} == {"confirmed"}
    undone = client.post(f"/stories/{sid}/review/undo", data={}, headers=HX)
    assert "undone: confirming 19 links" in undone.text
    queue = client.get(f"/api/stories/{sid}/queue?pair={fr}-{de}&relation=translation").json()
    assert {i["state"] for i in queue["items"]} == {"open"}


def test_review_report_says_who_decided_and_what_is_open(
    client: TestClient, seeded_engine: Engine
) -> None:
    sid, (fr, de, mt, rep) = _ids(client)
    make_user(seeded_engine, "ed")
    login(client, "ed")
    link = next(
        lk
        for lk in client.get(f"/api/stories/{sid}/alignment").json()["links"]
        if lk["relation"] == "translation"
    )
    client.post(f"/api/links/{link['id']}/confirm", json={})
    client.put(
        f"/api/documents/{fr}/paragraphs/15/mark",
        json={"mark": "not_translated", "target_document": mt},
    )
    page = html.fromstring(client.get(f"/stories/{sid}/review/report").text)
    decided = page.xpath("//table[@id='report-decided']/tbody/tr")
    assert len(decided) == 2
    assert {tuple(td.text_content().strip() for td in tr.xpath("td"))[3:5] for tr in decided} == {
        ("confirmed", "ed"),
        ("marked not translated", "ed"),
    }
    remaining = page.xpath("//table[@id='report-remaining']/tbody/tr")
    assert remaining and "¶18: the meaning differs" in page.text_content()
    lines = client.get(f"/stories/{sid}/review/report.csv").text.strip().splitlines()
    assert lines[0].startswith("kind,state,relation")
    assert sum(1 for line in lines if ",ed," in line) == 2
    assert len(lines) == 1 + len(decided) + len(remaining)
