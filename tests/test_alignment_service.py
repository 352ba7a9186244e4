"""With the real model: seeds grouped into one story, links right against the hand-made gold."""

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from bench.seedgold import GOLD, score
from tests.factories import UNRELATED_ARTICLE, login, make_user

pytestmark = pytest.mark.model


def _story(client: TestClient) -> dict:  # type: ignore[type-arg]
    stories = client.get("/api/stories").json()["items"]
    assert len(stories) == 1
    return client.get(f"/api/stories/{stories[0]['id']}/alignment").json()


def test_seeds_form_one_story_with_a_title_from_the_content(seeded_client: TestClient) -> None:
    stories = seeded_client.get("/api/stories").json()["items"]
    assert [len(s["documents"]) for s in stories] == [4]
    assert "Kurogi" in stories[0]["title"] or "Japan" in stories[0]["title"]


def test_every_fr_de_paragraph_is_linked_one_to_one(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    trans = sorted(
        (link["source"]["paragraphs"], link["target"]["paragraphs"])
        for link in story["links"]
        if {link["source"]["document"], link["target"]["document"]} == {fr, de}
        and link["relation"] == "translation"
    )
    assert trans == [([i], [i]) for i in range(19)]
    pair = next(p for p in story["pairs"] if {p["source"], p["target"]} == {fr, de})
    assert pair["kind"] == "translation"


def test_links_match_the_gold_no_wrong_and_none_missed(seeded_client: TestClient) -> None:
    scores = score(_story(seeded_client), json.loads(GOLD.read_text(encoding="utf-8")))
    for s in scores:
        assert s.wrong == [], s.name
        assert s.missed == [], s.name
        assert s.never_linked == [], s.name
        assert s.kind == s.gold_kind, s.name
    # Related links must be right when a reader follows one (precision first): between the
    # wire story and the separate report every related link is a hand-picked shared fact,
    # and each pair still gets at least one.
    for s in scores:
        if s.gold_kind == "comparable":
            assert s.related_correct == s.related_predicted, s.name
            assert s.related_found >= 1, s.name


def test_captions_boilerplate_and_foreign_lines_stay_unlinked(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    not_linkable = {
        (d["id"], p["index"])
        for d in story["documents"]
        for p in d["paragraphs"]
        if p["kind"] in ("caption", "boilerplate") or p["lang"] != d["lang"]
    }
    assert len(not_linkable) >= 8
    for link in story["links"]:
        ends = {(link["source"]["document"], i) for i in link["source"]["paragraphs"]}
        ends |= {(link["target"]["document"], j) for j in link["target"]["paragraphs"]}
        assert not ends & not_linkable, link


def test_sentence_links_point_inside_their_paragraph_links(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    links = {link["id"]: link for link in story["links"]}
    rows = seeded_client.get(f"/api/stories/{story['id']}/sentence-links").json()
    assert len(rows) >= 40
    for row in rows:
        link = links[row["link"]]
        assert {p for p, _ in row["source"]["sentences"]} <= set(link["source"]["paragraphs"])
        assert {p for p, _ in row["target"]["sentences"]} <= set(link["target"]["paragraphs"])


def test_an_unrelated_article_starts_a_new_story_and_can_be_moved(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    before = seeded_client.get("/api/stories").json()["items"]
    response = seeded_client.post(
        "/api/documents?wait=true", json={"text": UNRELATED_ARTICLE, "source": "abeilles.txt"}
    )
    assert response.status_code == 201, response.text
    new_story = response.json()["story_id"]
    assert new_story not in {s["id"] for s in before}
    seeds_story = before[0]["id"]
    doc_url = f"/api/documents/{response.json()['id']}/story"
    assert seeded_client.put(doc_url, json={"story_id": seeds_story}).status_code == 401
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    moved = seeded_client.put(
        f"/api/documents/{response.json()['id']}/story", json={"story_id": seeds_story}
    )
    assert moved.status_code == 200 and moved.json()["story_id"] == seeds_story
    stories = seeded_client.get("/api/stories").json()["items"]
    assert [len(s["documents"]) for s in stories] == [5]
    alignment = seeded_client.get(f"/api/stories/{seeds_story}/alignment").json()
    # Moved in by hand, it is aligned there too; an unrelated text is comparable at most.
    kinds = {
        p["kind"] for p in alignment["pairs"] if response.json()["id"] in (p["source"], p["target"])
    }
    assert kinds == {"comparable"}


def test_a_translation_uploaded_later_joins_the_story_with_links(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    fr = story["documents"][0]
    # A Spanish rendering of the first three French paragraphs, written for this test.
    text = (
        "Kurogi, un oficinista de 39 años que vive en el suroeste de Japón, dijo a Reuters que llamó "
        "a la embajada de Ucrania el lunes después de ver su llamamiento a voluntarios en Twitter.\n\n"
        '"Cuando vi imágenes de hombres y mujeres mayores en Ucrania sosteniendo armas y yendo al '
        'frente, pensé que debía ir en su lugar", dijo.\n\n'
        "La embajada rechazó la oferta de Kurogi de combatir, diciéndole que no tenía la experiencia "
        "militar necesaria."
    )
    response = seeded_client.post(
        "/api/documents?wait=true", json={"text": text, "source": "es.txt"}
    )
    assert response.status_code == 201 and response.json()["lang"] == "es"
    assert response.json()["story_id"] == story["id"]
    after = seeded_client.get(f"/api/stories/{story['id']}/alignment").json()
    es = response.json()["id"]
    fr_es = sorted(
        (link["source"]["paragraphs"], link["target"]["paragraphs"])
        for link in after["links"]
        if (link["source"]["document"], link["target"]["document"]) == (fr["id"], es)
        and link["relation"] == "translation"
    )
    assert fr_es == [([0], [0]), ([1], [1]), ([2], [2])]
