"""Exporting the seed story (TMX valid against its DTD, TSV, JSON, HTML) and importing TMX back."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from sqlalchemy.engine import Engine

from app.cli import main as cli
from app.exchange import validate_tmx
from tests.factories import login, make_user

pytestmark = pytest.mark.model


def _story(client: TestClient) -> dict:  # type: ignore[type-arg]
    story_id = client.get("/api/stories").json()["items"][0]["id"]
    return client.get(f"/api/stories/{story_id}/alignment").json()


def test_tmx_export_is_valid_and_names_who_confirmed(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    link = next(
        lk
        for lk in story["links"]
        if (lk["source"]["document"], lk["target"]["document"]) == (fr, de)
    )
    seeded_client.post(f"/api/links/{link['id']}/confirm", json={})
    response = seeded_client.get(
        f"/api/stories/{story['id']}/export?format=tmx&documents={fr},{de}"
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/x-tmx+xml")
    assert validate_tmx(response.content) == []
    tree = etree.fromstring(response.content)
    tus = [tu for tu in tree.findall(".//tu") if tu.get("segtype") != "sentence"]
    assert len(tus) == 19
    langs = {tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in tree.iter("tuv")}
    assert langs == {"fr", "de"}
    assert sum(1 for tu in tus if tu.get("changeid") == "ed") == 1
    assert any("ed" in (note.text or "") for note in tree.iter("note"))


def test_tmx_has_sentence_units_related_links_and_marks(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    story = _story(seeded_client)
    fr, de, mt = (d["id"] for d in story["documents"][:3])
    seeded_client.put(
        f"/api/documents/{fr}/paragraphs/15/mark",
        json={"mark": "not_translated", "target_document": mt},
    )
    sid = story["id"]
    response = seeded_client.get(f"/api/stories/{sid}/export?format=tmx")
    assert validate_tmx(response.content) == []
    tree = etree.fromstring(response.content)
    sentence_units = [tu for tu in tree.iter("tu") if tu.get("segtype") == "sentence"]
    sentence_links = seeded_client.get(f"/api/stories/{sid}/sentence-links").json()
    links = {lk["id"]: lk for lk in story["links"]}
    expected = [
        sl
        for sl in sentence_links
        if links[sl["link"]]["relation"] == "translation"
        and links[sl["link"]]["status"] != "rejected"
    ]
    assert len(sentence_units) == len(expected) > 0
    # Each sentence unit's segments are the sentences it names, nothing more.
    sentences = {
        (d["id"], p["index"]): p["text"] for d in story["documents"] for p in d["paragraphs"]
    }
    for tu in sentence_units[:20]:
        for tuv in tu.iter("tuv"):
            props = {p.get("type"): p.text for p in tuv.iter("prop")}
            doc = int(props["x-parallax-document"])
            paras = {int(k.split(":")[0]) for k in props["x-parallax-sentences"].split()}
            seg = tuv.find("seg").text
            assert seg and seg[:20] in " ".join(sentences[(doc, p)] for p in sorted(paras))
    header = {(p.get("type"), p.text) for p in tree.find("header").iter("prop")}
    related = [lk for lk in story["links"] if lk["relation"] == "related"]
    assert sum(1 for t, _ in header if t == "x-parallax-related") == len(related)
    assert ("x-parallax-mark", f"{fr}:15 not_translated {mt}") in header
    js = seeded_client.get(f"/api/stories/{sid}/export?format=json").json()
    assert js["marks"] == [
        {"document": fr, "paragraph": 15, "mark": "not_translated", "target_document": mt}
    ]
    assert len(js["sentence_links"]) == len(sentence_links)


def test_tsv_json_and_printable_html(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    base = f"/api/stories/{story['id']}/export"
    tsv = seeded_client.get(f"{base}?format=tsv")
    assert tsv.headers["content-type"].startswith("text/tab-separated-values")
    rows = tsv.text.strip().split("\n")
    assert rows[0].split("\t")[:4] == ["source_lang", "source_text", "target_lang", "target_text"]
    assert len(rows) == len(story["links"]) + 1
    js = seeded_client.get(f"{base}?format=json")
    assert js.headers["content-type"].startswith("application/json")
    assert len(js.json()["links"]) == len(story["links"])
    html = seeded_client.get(f"{base}?format=html")
    assert html.status_code == 200
    # The whole story side by side: every paragraph of every document, linked or not.
    from lxml import html as lxml_html

    tree = lxml_html.fromstring(html.text)
    assert len(tree.xpath("//thead//th")) == len(story["documents"])
    for column, doc in enumerate(story["documents"], start=1):
        cells = tree.xpath(f"//tbody/tr/td[{column}]")
        shown = [p.text_content() for td in cells for p in td.xpath("./p")]
        assert len(shown) == len(doc["paragraphs"]), doc["source"]
        assert all(td.get("lang") == doc["lang"] for td in cells)
    assert tree.xpath("//meta[@name='viewport']") and tree.xpath("//a[@href]")
    # Linked paragraphs share a row: FR 1 and DE 1 are each other's translation.
    row = next(tr for tr in tree.xpath("//tbody/tr") if tr.xpath("./td[1]/p"))
    assert row.xpath("./td[1]/p/span")[0].text == "1" and row.xpath("./td[2]/p")
    assert seeded_client.get(f"{base}?format=pdf").status_code == 422
    assert seeded_client.get(f"{base}?format=tsv&documents=1").status_code == 422


def test_tmx_round_trips_through_import(seeded_client: TestClient, seeded_engine: Engine) -> None:
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    tmx = seeded_client.get(
        f"/api/stories/{story['id']}/export?format=tmx&documents={fr},{de}"
    ).content
    files = {"file": ("pair.tmx", tmx, "application/x-tmx+xml")}
    assert seeded_client.post("/api/import", files=files).status_code == 401
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    # The same texts are already here: importing them again is refused, not duplicated.
    again = seeded_client.post("/api/import", files=files)
    assert again.status_code == 422 and "already" in again.json()["detail"]
    # An editor's mark travels too, and comes back on import.
    mark = {"mark": "added"}
    assert seeded_client.put(f"/api/documents/{fr}/paragraphs/0/mark", json=mark).status_code == 200
    tmx = seeded_client.get(
        f"/api/stories/{story['id']}/export?format=tmx&documents={fr},{de}"
    ).content
    edited = tmx.replace(b"Kurogi", b"Kuroki")
    created = seeded_client.post(
        "/api/import", files={"file": ("pair.tmx", edited, "application/xml")}
    )
    assert created.status_code == 201, created.text
    new_sid = created.json()["story_id"]
    imported = seeded_client.get(f"/api/stories/{new_sid}/alignment").json()
    assert [d["lang"] for d in imported["documents"]] == ["fr", "de"]
    translations = [lk for lk in imported["links"] if lk["relation"] == "translation"]
    assert len(translations) == 19
    assert {lk["status"] for lk in imported["links"]} == {"manual"}
    related = [lk for lk in story["links"] if lk["relation"] == "related"]
    pair_related = [
        lk for lk in related if {lk["source"]["document"], lk["target"]["document"]} == {fr, de}
    ]
    assert len(imported["links"]) - len(translations) <= len(pair_related)
    new_fr = imported["documents"][0]["id"]
    marks = seeded_client.get(f"/api/stories/{new_sid}/export?format=json").json()["marks"]
    assert {"document": new_fr, "paragraph": 0, "mark": "added", "target_document": None} in marks
    first = imported["documents"][0]["paragraphs"][0]["text"]
    assert first == story["documents"][0]["paragraphs"][0]["text"].replace("Kurogi", "Kuroki")


def test_cli_export(seeded_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "story.tmx"
    db = seeded_url.removeprefix("sqlite:///")
    assert cli(["export", "1", "--format", "tmx", "--db", db, "-o", str(out)]) == 0
    assert validate_tmx(out.read_bytes()) == []
    assert cli(["export", "99", "--db", db]) == 2
    assert "story 99 does not exist" in capsys.readouterr().err
