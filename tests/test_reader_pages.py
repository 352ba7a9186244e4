"""The story page and its counterparts fragment, checked with an HTML parser."""

import pytest
from fastapi.testclient import TestClient
from lxml import html

pytestmark = pytest.mark.model

HX = {"HX-Request": "true"}


def _story(client: TestClient) -> dict:  # type: ignore[type-arg]
    story_id = client.get("/api/stories").json()["items"][0]["id"]
    return client.get(f"/api/stories/{story_id}/alignment").json()


def _classes(el: html.HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


def test_story_page_has_one_column_per_document_and_the_paragraph_contract(
    seeded_client: TestClient,
) -> None:
    story = _story(seeded_client)
    page = html.fromstring(seeded_client.get(f"/stories/{story['id']}").text)
    columns = page.xpath("//section[contains(@class, 'column')]")
    assert [c.get("lang") for c in columns] == [d["lang"] for d in story["documents"]]
    for column, doc in zip(columns, story["documents"], strict=True):
        head = column.xpath(".//header")[0]
        # Language names, not codes; the file name without its extension, in full on hover.
        names = {"fr": "French", "de": "German", "en": "English"}
        assert names[doc["lang"]] in head.text_content()
        assert doc["source"].rsplit(".", 1)[0] in head.text_content()
        assert head.xpath(f".//*[@title='{doc['source']}']")
        assert head.xpath(f".//a[@href='/documents/{doc['id']}']")
        paras = column.xpath(".//*[contains(@class, 'para')]")
        assert len(paras) == len(doc["paragraphs"])
        for el, p in zip(paras, doc["paragraphs"], strict=True):
            assert el.get("id") == f"p-{doc['id']}-{p['index']}"
            assert (el.get("data-document"), el.get("data-index")) == (
                str(doc["id"]),
                str(p["index"]),
            )
            # Focusable and usable without JavaScript: a real link to the ?p= URL.
            assert (
                el.tag == "a"
                and el.get("href") == f"/stories/{story['id']}?p={doc['id']}-{p['index']}"
            )
            assert f"kind-{p['kind']}" in _classes(el)
    mt = story["documents"][2]
    mt_column = columns[2]
    # The machine translation lacks FR/DE 15-16: a gap marker stands where they would be.
    gaps = [g.text_content() for g in mt_column.xpath(".//div[contains(@class, 'gap')]")]
    # Paragraph numbers shown to readers are 1-based.
    assert any("¶16–17" in g for g in gaps), gaps
    # The machine translation says so in its last line; only its column is badged.
    badges = [bool(c.xpath(".//header//*[contains(@class, 'mt')]")) for c in columns]
    assert badges == [d["source"].startswith("002") for d in story["documents"]]
    unlinked = {el.get("id") for el in mt_column.xpath(".//*[contains(@class, 'unlinked')]")}
    assert f"p-{mt['id']}-0" in unlinked  # the French "Partager:" line
    # The overview: a strip for every pair of documents, one Tab stop.
    n = len(story["documents"])
    assert len(page.xpath("//figure[contains(@class, 'overview')]//g[@class='ov-strip']")) == (
        n * (n - 1) // 2
    )
    assert len(page.xpath("//figure//*[@tabindex='0']")) == 1
    assert all(a.get("tabindex") == "-1" for a in page.xpath("//figure//svg//a"))


def test_counterparts_fragment_swaps_the_new_highlight_and_clears_the_old(
    seeded_client: TestClient,
) -> None:
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    url = f"/stories/{story['id']}?p={fr}-0"
    headers = {**HX, "HX-Current-URL": f"http://testserver/stories/{story['id']}?p={fr}-1"}
    response = seeded_client.get(url, headers=headers)
    assert response.status_code == 200 and "HX-Request" in response.headers["vary"]
    fragment = html.fragment_fromstring(response.text, create_parent="div")
    swapped = {el.get("id"): el for el in fragment.xpath("//*[@hx-swap-oob]")}
    assert "active" in _classes(swapped[f"p-{fr}-0"])
    assert {"linked", "rel-translation"} <= _classes(swapped[f"p-{de}-0"])
    assert "translation" in swapped[f"p-{de}-0"].get("title")
    # The previous highlight (FR 1 and its counterparts) comes back plain.
    assert not {"active", "linked"} & _classes(swapped[f"p-{fr}-1"])
    assert not {"active", "linked"} & _classes(swapped[f"p-{de}-1"])
    assert fragment.xpath("//header|//main|//section") == []  # a fragment, not a page


def test_without_javascript_the_page_renders_the_highlight(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    page = html.fromstring(seeded_client.get(f"/stories/{story['id']}?p={fr}-2").text)
    assert "active" in _classes(page.get_element_by_id(f"p-{fr}-2"))
    assert "linked" in _classes(page.get_element_by_id(f"p-{de}-2"))
    assert len(page.xpath("//*[contains(@class, 'active')]")) == 1


def test_uploaded_markup_renders_as_text_on_the_story_page(seeded_client: TestClient) -> None:
    text = (
        "Un lecteur a collé <script>alert(1)</script> et <img src=x onerror=alert(2)> dans un "
        "article sur le budget de la ville, qui sera discuté lundi au conseil municipal.\n\n"
        "Le maire a déclaré que la séance serait publique et retransmise en direct."
    )
    created = seeded_client.post(
        "/api/documents?wait=true", json={"text": text, "source": "colle.txt"}
    )
    assert created.status_code == 201
    page = seeded_client.get(f"/stories/{created.json()['story_id']}").text
    tree = html.fromstring(page)
    assert tree.xpath("//img") == []
    assert all(s.get("src", "").startswith("/static/") for s in tree.xpath("//script"))
    assert (
        "<script>alert(1)</script>" in tree.xpath("//a[contains(@class, 'para')]")[0].text_content()
    )
