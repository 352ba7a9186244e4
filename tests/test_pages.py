"""HTML pages: listed stories, a document's paragraphs, untrusted text rendered inert."""

from pathlib import Path

from fastapi.testclient import TestClient
from lxml import html

HOSTILE = b"""<html><head><title>Evil</title><script>window.pwned = 1</script></head>
<body><article>
<h1>Un titre ordinaire</h1>
<p>Le conseil municipal a vot\xc3\xa9 mardi un budget de 12 millions d'euros pour r\xc3\xa9nover \
l'\xc3\xa9cole du quartier, a annonc\xc3\xa9 la mairie dans un communiqu\xc3\xa9.</p>
<p>Les travaux commenceront en juin et dureront deux ans, selon le calendrier publi\xc3\xa9 \
jeudi par les services techniques de la ville.</p>
<script>alert('x')</script>
</article></body></html>"""

PLAIN_HOSTILE = (
    "Un lecteur a coll\u00e9 ce texte : <script>alert(1)</script> et <img src=x onerror=alert(2)> "
    "dans un article sur le budget de la ville, qui sera discut\u00e9 lundi au conseil municipal.\n\n"
    "Le maire a d\u00e9clar\u00e9 que la s\u00e9ance serait publique et retransmise en direct."
)


def test_home_lists_stories_with_links_to_documents(
    client: TestClient, seed_files: list[Path]
) -> None:
    for path in seed_files:
        client.post(
            "/api/documents?wait=true", files={"file": (path.name, path.read_bytes(), "text/plain")}
        )
    tree = html.fromstring(client.get("/").text)
    hrefs = tree.xpath("//a[starts-with(@href, '/documents/')]/@href")
    assert len(hrefs) == 4
    pages = {href: html.fromstring(client.get(href).text) for href in hrefs}
    langs = {href: page.xpath("//article/@lang")[0] for href, page in pages.items()}
    assert sorted(langs.values()) == ["de", "en", "en", "fr"]
    french = next(pages[h] for h, lang in langs.items() if lang == "fr")
    assert len(french.xpath("//article//*[contains(@class, 'para')]")) == 19


def test_html_upload_keeps_text_and_drops_scripts(client: TestClient) -> None:
    response = client.post(
        "/api/documents?wait=true", files={"file": ("evil.html", HOSTILE, "text/html")}
    )
    assert response.status_code == 201, response.text
    doc_id = response.json()["id"]
    page = client.get(f"/documents/{doc_id}").text
    tree = html.fromstring(page)
    scripts = tree.xpath("//script")
    assert all(s.get("src", "").startswith("/static/") for s in scripts)
    text = " ".join(tree.xpath("//article//p//text()"))
    assert "12 millions d'euros" in text
    assert "pwned" not in page and "alert" not in page


def test_markup_in_plain_text_is_escaped(client: TestClient) -> None:
    response = client.post(
        "/api/documents?wait=true", json={"text": PLAIN_HOSTILE, "source": "colle.txt"}
    )
    assert response.status_code == 201, response.text
    page = client.get(f"/documents/{response.json()['id']}").text
    tree = html.fromstring(page)
    assert all(
        s.get("src", "").startswith("/static/") and not s.text for s in tree.xpath("//script")
    )
    assert tree.xpath("//img") == []
    first = tree.xpath("//article//p[contains(@class, 'para')]")[0].text_content()
    assert "<script>alert(1)</script>" in first and "<img src=x onerror=alert(2)>" in first


def test_home_upload_form_shows_the_resulting_story_or_the_error(client: TestClient) -> None:
    text = (
        "Le conseil municipal a voté mardi un budget de 12 millions d'euros pour rénover l'école "
        "du quartier, a annoncé la mairie.\n\nLes travaux commenceront en juin."
    ).encode()
    files = {"file": ("ecole.txt", text, "text/plain")}
    fragment = client.post("/upload", files=files, headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    link = html.fragment_fromstring(fragment.text, create_parent="div").xpath("//a/@href")
    assert len(link) == 1 and link[0].startswith("/stories/")
    # The story list on the home page hears of the new story and reloads itself (HTMX).
    assert fragment.headers["HX-Trigger"] == "parallax:stories-changed"
    home = html.fromstring(client.get("/").text)
    listening = home.xpath("//*[@id='story-list']")[0]
    assert "parallax:stories-changed" in listening.get("hx-trigger")
    listed = client.get(listening.get("hx-get"), headers={"HX-Request": "true"})
    assert link[0] in html.fragment_fromstring(listed.text).xpath("//a/@href")
    bad = client.post(
        "/upload",
        files={"file": ("x.pdf", b"%PDF-1.4", "application/pdf")},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 415
    assert "x.pdf" in html.fromstring(bad.text).xpath("//*[@role='alert']")[0].text_content()
    # Without JavaScript the form posts normally and lands on the story.
    again = client.post("/upload", files=files, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == link[0]
