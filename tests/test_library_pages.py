"""The story list a page at a time, and search across languages, through the API and the pages."""

from pathlib import Path

from fastapi.testclient import TestClient
from lxml import html


def _upload(client: TestClient, name: str, text: str) -> dict:
    response = client.post(
        "/api/documents?wait=true", json={"text": text, "title": name, "source": name}
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_stories_come_a_page_at_a_time(client: TestClient) -> None:
    texts = [
        "The village council voted to rebuild the old stone bridge over the river next spring.",
        "A chess club for pensioners opened in the library and meets every Thursday evening.",
        "Heavy rain flooded three cellars in the lower town, and the fire brigade pumped all night.",
        "The bakery on the square won a regional prize for its rye bread with walnuts.",
        "Two students built a small weather station on the roof of the secondary school.",
    ]
    for i, text in enumerate(texts):
        _upload(client, f"story {i}", text)
    first = client.get("/api/stories?limit=2").json()
    assert first["total"] == 5 and len(first["items"]) == 2 and first["next"]
    assert first["items"][0]["languages"] == ["en"]
    seen = [s["id"] for s in first["items"]]
    cursor = first["next"]
    while cursor:
        page = client.get(f"/api/stories?limit=2&cursor={cursor}").json()
        seen += [s["id"] for s in page["items"]]
        cursor = page["next"]
    assert seen == sorted(seen, reverse=True) and len(set(seen)) == 5
    tree = html.fromstring(client.get("/?limit=2").text)
    assert len(tree.xpath("//li[contains(@class, 'story')]")) == 2
    older = tree.xpath("//a[@rel='next']/@href")[0]
    rest = html.fromstring(client.get(older).text)
    assert len(rest.xpath("//li[contains(@class, 'story')]")) == 2
    assert "5 stories" in tree.xpath("//p[@class='count']/text()")[0]


def test_search_finds_words_of_the_text_in_any_script(
    client: TestClient, seed_files: list[Path]
) -> None:
    for path in seed_files[:2]:
        client.post(
            "/api/documents?wait=true", files={"file": (path.name, path.read_bytes(), "text/plain")}
        )
    _upload(client, "冰川", "瑞士的冰川今年夏天又退缩了四十米。\n\n科学家在六月钻了十二个标杆。")
    body = client.get("/api/search", params={"q": "volontaires"}).json()
    assert body["items"], body
    hit = body["items"][0]
    assert set(hit) == {"story", "document", "paragraph", "lang", "snippet", "url"}
    assert "volontaires" in hit["snippet"].casefold() and hit["lang"] == "fr"
    assert hit["url"] == f"/stories/{hit['story']}?p={hit['document']}-{hit['paragraph']}"
    assert client.get(hit["url"]).status_code == 200
    # Chinese has no spaces: a substring of a sentence is found, a 2-character word too
    for q in ("退缩了", "冰川"):
        found = client.get("/api/search", params={"q": q}).json()["items"]
        assert [h["lang"] for h in found] == ["zh"], (q, found)
    assert client.get("/api/search", params={"q": "zzzyyy"}).json() == {"items": [], "next": None}
    # a cursor walks through every match once
    both = client.get("/api/search", params={"q": "Kurogi"}).json()["items"]
    first = client.get("/api/search", params={"q": "Kurogi", "limit": 1}).json()
    second = client.get(
        "/api/search", params={"q": "Kurogi", "limit": 1, "cursor": first["next"]}
    ).json()
    assert first["items"] + second["items"] == both[:2]
    page = html.fromstring(client.get("/search", params={"q": "<b>Kurogi"}).text)
    assert page.xpath("//input[@name='q']/@value") == ["<b>Kurogi"]
    page = html.fromstring(client.get("/search", params={"q": "Kurogi"}).text)
    links = page.xpath("//li[@class='hit']//a[@class='hit-link']/@href")
    assert links and all("?p=" in href for href in links)
    assert page.xpath("//li[@class='hit']//mark/text()")[0].casefold() == "kurogi"
    # the index follows deletions (a failed ingest discards its document)
    from app.pipeline.steps import discard_document

    chinese = client.get("/api/search", params={"q": "冰川"}).json()["items"][0]
    discard_document(engine=client.app.state.engine, document_id=chinese["document"])  # type: ignore[attr-defined]
    assert client.get("/api/search", params={"q": "冰川"}).json()["items"] == []
    # the old home search box lands on the results
    moved = client.get("/?q=Kurogi", follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"] == "/search?q=Kurogi"


def test_a_click_on_a_long_story_sends_highlight_state_not_text(settings) -> None:  # type: ignore[no-untyped-def]
    """The click fragment names the cells to light and how, without their text (the page has
    it), so its size follows the number of counterparts, not what the paragraphs hold."""
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.main import create_app
    from app.models import Document, Paragraph
    from tests.factories import make_big_story

    engine = make_engine(settings.database_url)
    story = make_big_story(engine, documents=8, paragraphs=120)
    with Session(engine) as session:
        docs = [d.id for d in session.exec(select(Document).order_by(col(Document.id)))]
        texts = set(session.exec(select(Paragraph.text)).all())
    engine.dispose()
    first, second = docs[0], docs[1]
    with TestClient(create_app(settings, encoder=None)) as client:  # type: ignore[arg-type]
        response = client.get(
            f"/stories/{story}?p={second}-60",
            headers={
                "HX-Request": "true",
                "HX-Current-URL": f"http://testserver/stories/{story}?p={first}-40",
            },
        )
    assert response.status_code == 200
    fragment = html.fragment_fromstring(response.text, create_parent="div")
    cells = {el.get("id"): el for el in fragment.xpath("//a[@hx-swap-oob]")}
    assert "active" in cells[f"p-{second}-60"].get("class").split()
    lit = [c for c in cells.values() if "rel-translation" in c.get("class", "").split()]
    assert {c.get("id") for c in lit} == {f"p-{d}-60" for d in docs if d != second}
    assert all("translation" in c.get("title") for c in lit)
    # the previous highlight comes back plain, and no cell carries its paragraph's text
    assert not {"active", "linked"} & set(cells[f"p-{first}-40"].get("class").split())
    assert all(len(c) == 0 and not (c.text or "").strip() for c in cells.values())
    assert not any(t in response.text for t in texts)


def test_the_overview_of_a_long_story_shows_the_window_and_one_column_s_pairs(settings) -> None:  # type: ignore[no-untyped-def]
    """8 documents: 7 strips (the clicked column against each other), not 28; every bar and
    line inside the picture, for the paragraphs the columns show (a window mid-document)."""
    from sqlmodel import Session, col, select

    from app.db import make_engine
    from app.main import create_app
    from app.models import Document
    from tests.factories import make_big_story

    engine = make_engine(settings.database_url)
    story = make_big_story(engine, documents=8, paragraphs=200)
    with Session(engine) as session:
        docs = [d.id for d in session.exec(select(Document).order_by(col(Document.id)))]
    engine.dispose()
    third = docs[2]
    with TestClient(create_app(settings, encoder=None)) as client:  # type: ignore[arg-type]
        page = html.fromstring(client.get(f"/stories/{story}?p={third}-150").text)
    svg = page.xpath("//figure[contains(@class, 'overview')]//*[local-name()='svg']")[0]
    width, height = int(svg.get("width")), int(svg.get("height"))
    title = page.xpath("string(//p[@class='ov-title'])")
    assert "Long text 2 (en) against each other text" in title, title
    strips = svg.xpath(".//*[local-name()='g'][@class='ov-strip']")
    assert len(strips) == len(docs) - 1
    for strip in strips:
        targets = {a.get("data-target") for a in strip.xpath(".//*[local-name()='a']")}
        shown_docs = {int(t.split("-")[1]) for t in targets}
        assert third in shown_docs and len(shown_docs) == 2
        # the window around paragraph 150, not the document's start
        assert f"p-{third}-150" in targets and f"p-{third}-0" not in targets
        for rect in strip.xpath(".//*[local-name()='rect']"):
            assert 0 <= int(rect.get("x")) < width and 0 <= int(rect.get("y")) < height
        lines = strip.xpath(".//*[local-name()='line']")
        assert lines and all(0 <= int(ln.get(k)) < width for ln in lines for k in ("x1", "x2"))
