"""Script and regional variants are languages to readers: zh-Hant and zh-Hans, pt-BR where the
text says so, stored as BCP 47 tags and shown by name; processing keys on the language."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session, select

from app.db import make_engine
from app.ingest import parse_bytes
from app.ingest.tags import document_tag
from app.migrate import upgrade
from app.models import Document

# Written for these tests: one short report, in Simplified and in Traditional characters.
SIMPLIFIED = (
    "图书馆的新馆于周六开放。新馆有三层楼，藏书超过二十万册。\n\n"
    "馆长说，新馆的设计让读者可以在安静的环境里学习。儿童阅览区在一楼，电脑教室在二楼。\n\n"
    "开放第一天，来访的市民超过五千人。很多家长带着孩子来借书，门口排起了长队。"
)
TRADITIONAL = (
    "圖書館的新館於週六開放。新館有三層樓，藏書超過二十萬冊。\n\n"
    "館長說，新館的設計讓讀者可以在安靜的環境裡學習。兒童閱覽區在一樓，電腦教室在二樓。\n\n"
    "開放第一天，來訪的市民超過五千人。很多家長帶著孩子來借書，門口排起了長隊。"
)
PORTUGUESE = (
    "A nova biblioteca da cidade abriu as portas no sábado, com três andares e mais de "
    "duzentos mil livros.\n\nNo primeiro dia, mais de cinco mil moradores visitaram o prédio."
)


@pytest.mark.parametrize(
    ("lang", "body", "kwargs", "expected"),
    [
        ("zh", SIMPLIFIED, {}, "zh-Hans"),
        ("zh", TRADITIONAL, {}, "zh-Hant"),
        ("zh", "人民", {}, "zh"),  # the same characters in both scripts: no variant to tell
        ("zh", SIMPLIFIED, {"given": "zh-TW"}, "zh-Hant"),  # the uploader's word first
        ("pt", PORTUGUESE, {"declared": "pt-BR"}, "pt-BR"),
        ("pt", PORTUGUESE, {"source": "site/pt-br/about.md"}, "pt-BR"),
        ("pt", PORTUGUESE, {"source": "pt-br--about.md"}, "pt-BR"),
        ("pt", PORTUGUESE, {"source": "pt--about.md"}, "pt"),
        ("pt", PORTUGUESE, {"source": "https://example.org/pt-pt/noticia.html"}, "pt-PT"),
        ("pt", PORTUGUESE, {"declared": "en-US"}, "pt"),  # the text decides the language
        ("en", "Hello there.", {"declared": "en-Latn"}, "en"),  # the default script says no more
    ],
)
def test_the_tag_says_what_the_text_and_its_source_say(
    lang: str, body: str, kwargs: dict[str, str], expected: str
) -> None:
    assert document_tag(lang, body, **kwargs) == expected


def test_a_declared_variant_reaches_the_parsed_document() -> None:
    page = '<!doctype html><html lang="pt-BR"><head><title>Biblioteca</title></head><body>'
    page += "".join(f"<p>{p}</p>" for p in PORTUGUESE.split("\n\n")) + "</body></html>"
    parsed = parse_bytes(page.encode(), source="biblioteca.html")
    assert (parsed.lang, parsed.tag) == ("pt", "pt-BR")
    front = f"---\ntitle: Biblioteca\nlang: pt_PT\n---\n\n{PORTUGUESE}\n"
    parsed = parse_bytes(front.encode(), source="biblioteca.md")
    assert (parsed.lang, parsed.tag) == ("pt", "pt-PT")
    given = parse_bytes(PORTUGUESE.encode(), source="b.txt", lang="pt-BR")
    assert (given.lang, given.tag) == ("pt", "pt-BR")


@pytest.mark.model
def test_two_chinese_columns_are_named_by_their_script(client: TestClient) -> None:
    ids = []
    for name, body in (("simplified.txt", SIMPLIFIED), ("traditional.txt", TRADITIONAL)):
        sent = client.post("/api/documents", json={"text": body, "source": name})
        assert sent.status_code in (201, 202), sent.text
        ids.append(sent.json()["id"])
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        docs = {d.id: d for d in session.exec(select(Document)).all()}
    assert [(docs[i].lang, docs[i].language_tag) for i in ids] == [
        ("zh", "zh-Hans"),
        ("zh", "zh-Hant"),
    ]
    for doc_id, name in zip(ids, ("Chinese (Simplified)", "Chinese (Traditional)"), strict=True):
        story = docs[doc_id].story_id
        api = client.get(f"/api/stories/{story}/alignment").json()
        assert {"id": doc_id, "lang": "zh", "tag": docs[doc_id].language_tag}.items() <= next(
            d for d in api["documents"] if d["id"] == doc_id
        ).items()
        page = client.get(f"/stories/{story}").text
        assert f'lang="{docs[doc_id].language_tag}"' in page
        assert '<span class="lang-name" title="' in page and f">{name}</span>" in page


def test_migration_0018_tags_what_was_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'library.db'}"
    upgrade(url, "0017")
    engine = make_engine(url)
    rows = [
        (1, "zh", "news.txt", TRADITIONAL),
        (2, "zh", "news-2.txt", SIMPLIFIED),
        (3, "pt", "site/pt-br/index.md", PORTUGUESE),
        (4, "pt", "index.md", PORTUGUESE),
    ]
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO story (id, title, created_at) VALUES (1, 's', '2026-01-01')")
        )
        for doc, lang, source, body in rows:
            conn.execute(
                text(
                    "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                    "original, created_at) VALUES (:d, 1, :s, 't', :l, :h, :o, '2026-01-01')"
                ),
                {"d": doc, "s": source, "l": lang, "h": f"h{doc}", "o": body},
            )
    engine.dispose()
    upgrade(url)
    with make_engine(url).begin() as conn:
        tags: dict[int, str | None] = dict(
            conn.execute(text("SELECT id, tag FROM document ORDER BY id")).all()  # type: ignore[arg-type]
        )
    assert tags == {1: "zh-Hant", 2: "zh-Hans", 3: "pt-BR", 4: None}
