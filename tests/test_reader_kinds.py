"""The reader on paragraphs made directly in the database: every kind ingest may store
(Markdown structure as plain text), right-to-left scripts, names, the missing-counterpart note,
and the 404 pages. No model needed."""

from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.labels import machine_translation_note
from app.models import Document, Link, Paragraph, Story

HOSTILE = "<b>bold</b> <script>alert(1)</script>"


def _story(engine: Engine) -> tuple[int, int, int]:
    """An Arabic text with one paragraph of each kind, and an English one linked to it."""
    arabic = [
        ("heading", "عنوان التقرير"),
        ("text", "أعلنت اليابان إغلاق سفارتها في كييف. " + HOSTILE),
        ("list", "الأول\nالثاني\n\nالثالث"),
        ("code", "def f(x):\n    return x * 2\n\nprint(f(21))"),
        ("quote", "قال المتحدث: لن نغلق المكتب."),
        ("table", "city\tcount\nKyiv\t70"),
        ("boilerplate", "Cette page a été produite par traduction automatique."),
    ]
    english = [("text", "Japan closed its embassy in Kyiv."), ("text", "The office stays open.")]
    with Session(engine) as s:
        story = Story(title="Embassy")
        s.add(story)
        s.flush()
        ids = []
        for n, (lang, paras) in enumerate((("ar", arabic), ("en", english))):
            doc = Document(
                story_id=story.id or 0,
                source=f"https://www.example.org/news/{lang}.html",
                title=paras[0][1],
                lang=lang,
                content_hash=f"{n}" * 64,
                original="",
                # found at ingest (store_document) and stored; a hand-made row says it itself
                mt_note=machine_translation_note([text for _, text in paras]),
            )
            s.add(doc)
            s.flush()
            ids.append(doc.id or 0)
            for i, (kind, text) in enumerate(paras):
                s.add(
                    Paragraph(
                        document_id=doc.id or 0, index=i, text=text, kind=kind, start=0, end=0
                    )
                )
        s.add(
            Link(
                story_id=story.id or 0,
                source_document_id=ids[0],
                target_document_id=ids[1],
                source_paragraphs=[1],
                target_paragraphs=[0],
                relation="translation",
                score=0.9,
            )
        )
        s.commit()
        return story.id or 0, ids[0], ids[1]


def test_every_kind_renders_as_its_structure_and_text_stays_text(
    client: TestClient, engine: Engine
) -> None:
    sid, ar, en = _story(engine)
    page = html.fromstring(client.get(f"/stories/{sid}").text)
    column = page.get_element_by_id(f"col-{ar}")
    assert column.get("dir") == "rtl" and column.get("lang") == "ar"
    assert page.get_element_by_id(f"col-{en}").get("dir") == "ltr"
    head = column.xpath(".//header")[0].text_content()
    assert "Arabic" in head and "example.org" in head
    # The document says (in French) that it is machine translated; the English one does not.
    assert column.xpath(".//header//*[contains(@class, 'mt')]")
    assert not page.get_element_by_id(f"col-{en}").xpath(".//*[contains(@class, 'mt')]")

    def para(i: int) -> html.HtmlElement:
        return page.get_element_by_id(f"p-{ar}-{i}")

    assert para(0).xpath(".//*[@role='heading']")
    assert para(1).xpath(".//b") == [] and para(1).xpath(".//script") == []
    assert HOSTILE in para(1).text_content()
    assert [li.text for li in para(2).xpath(".//li")] == ["الأول", "الثاني", "الثالث"]
    code = para(3).xpath(".//pre/code")
    assert len(code) == 1 and code[0].text == "def f(x):\n    return x * 2\n\nprint(f(21))"
    assert para(4).xpath(".//blockquote")
    rows = [
        [c.text for c in r.xpath("./*[@role='cell']")] for r in para(5).xpath(".//*[@role='row']")
    ]
    assert rows == [["city", "count"], ["Kyiv", "70"]]
    # Every paragraph keeps the contract, whatever its kind.
    for i in range(7):
        assert para(i).tag == "a" and para(i).get("href") == f"/stories/{sid}?p={ar}-{i}"
    assert [n.text for n in column.xpath(".//*[@class='pn']")][:3] == ["1", "2", "3"]


def test_document_page_renders_kinds_and_links_back_to_its_story(
    client: TestClient, engine: Engine
) -> None:
    sid, ar, _ = _story(engine)
    page = html.fromstring(client.get(f"/documents/{ar}").text)
    assert page.xpath(f"//a[@href='/stories/{sid}']")
    article = page.xpath("//article")[0]
    assert article.get("dir") == "rtl"
    assert page.xpath("//article//h2[contains(@class, 'kind-heading')]")
    assert len(page.xpath("//article//pre/code")) == 1
    assert page.xpath("//article//b") == []


def test_a_missing_counterpart_is_said_where_it_would_be(
    client: TestClient, engine: Engine
) -> None:
    sid, ar, en = _story(engine)
    # Arabic ¶3 (index 2) has no English counterpart; Arabic ¶2 is linked to English ¶1.
    page = html.fromstring(client.get(f"/stories/{sid}?p={ar}-2").text)
    note = page.get_element_by_id(f"under-{en}-0")
    assert "No English counterpart for Arabic ¶3" in note.text_content()
    fragment = client.get(
        f"/stories/{sid}?p={ar}-2",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://t/stories/{sid}?p={ar}-1"},
    )
    tree = html.fragment_fromstring(fragment.text, create_parent="div")
    swapped = {el.get("id"): el for el in tree.xpath("//*[@hx-swap-oob]")}
    assert "No English counterpart" in swapped[f"under-{en}-0"].text_content()
    # Clicking a linked paragraph afterwards clears the note.
    fragment = client.get(
        f"/stories/{sid}?p={ar}-1",
        headers={"HX-Request": "true", "HX-Current-URL": f"http://t/stories/{sid}?p={ar}-2"},
    )
    tree = html.fragment_fromstring(fragment.text, create_parent="div")
    swapped = {el.get("id"): el for el in tree.xpath("//*[@hx-swap-oob]")}
    assert swapped[f"under-{en}-0"].text_content().strip() == ""


def test_not_found_is_json_for_the_api_and_a_page_for_people(client: TestClient) -> None:
    api = client.get("/api/stories/4242/alignment")
    assert api.status_code == 404 and api.headers["content-type"] == "application/json"
    assert client.get("/api/no-such-route").json() == {"detail": "Not Found"}
    page = client.get("/stories/4242")
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    tree = html.fromstring(page.text)
    assert tree.xpath("//h1") and tree.xpath("//a[@href='/']")
    assert client.get("/nowhere", headers={"accept": "text/html"}).status_code == 404
    docs = html.fromstring(client.get("/docs").text)
    assert all(s.get("src", "").startswith("/static/") for s in docs.xpath("//script"))
    assert all(not (s.text or "").strip() for s in docs.xpath("//script"))
