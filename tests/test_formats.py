"""Markdown, HTML and EPUB ingest: blocks with their kinds in the display form the reader
relies on, code kept whole and out of alignment, books chapter by chapter, bad archives refused."""

import io
import zipfile
from pathlib import Path

import pytest
from ebooklib import epub
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.ingest import IngestError, parse_bytes
from app.ingest.epub import MAX_UNCOMPRESSED_BYTES
from app.models import Document, Link, Paragraph
from app.pipeline.alignment import is_linkable
from tests.factories import ingest_grouped

MARKDOWN = """# Bees of the Jura { #bees }

Wild bees are **back** on the [wooded pastures](https://example.org/jura) of the Jura,
says a new survey.

![A wild bee on a flower](bee.jpg)

- Twelve species *thought* extinct
- Forty species on the red list
  - six of them endangered

> We did not expect so many.
> The meadows are doing well.

```python
def count(bees):

    return len(bees)
```

| species | found |
| --- | --- |
| Andrena | 12 |
| Bombus | 7 |

The survey will be repeated in 2027.
"""


def _kinds_and_texts(data: bytes, source: str) -> list[tuple[str, str]]:
    doc = parse_bytes(data, source=source)
    return [(p.kind, p.text) for p in doc.paragraphs]


def test_markdown_becomes_blocks_in_the_readers_display_form() -> None:
    assert _kinds_and_texts(MARKDOWN.encode(), "bees.md") == [
        ("heading", "Bees of the Jura"),
        ("text", "Wild bees are back on the wooded pastures of the Jura, says a new survey."),
        ("caption", "A wild bee on a flower"),
        ("list", "Twelve species thought extinct\nForty species on the red list\n"
                 "six of them endangered"),
        ("quote", "We did not expect so many. The meadows are doing well."),
        ("code", "def count(bees):\n\n    return len(bees)"),
        ("table", "species\tfound\nAndrena\t12\nBombus\t7"),
        ("text", "The survey will be repeated in 2027."),
    ]  # fmt: skip


def test_markdown_offsets_sentences_and_code_language() -> None:
    doc = parse_bytes(MARKDOWN.encode(), source="bees.md")
    assert doc.lang == "en"
    for p in doc.paragraphs:
        assert doc.original[p.start : p.end] == p.text
    by_kind = {p.kind: p for p in doc.paragraphs}
    code = by_kind["code"]
    assert code.lang is None and [s.text for s in code.sentences] == [code.text]
    # Each list item and table row is a sentence of its own.
    assert len(by_kind["list"].sentences) == 3
    assert [s.text for s in by_kind["table"].sentences][1] == "Andrena 12"
    assert not is_linkable("code", None, "en")
    assert is_linkable("list", "en", "en") and is_linkable("table", "en", "en")


def test_html_keeps_headings_lists_and_tables() -> None:
    html = """<html><head><title>Bees</title></head><body><article>
    <h1>Bees of the Jura</h1>
    <p>Wild bees are back on the wooded pastures of the Jura, says a new survey by the canton.</p>
    <h2>What was found</h2>
    <ul><li>Twelve species thought extinct</li><li>Forty species on the red list</li></ul>
    <p>The survey counted bees on two hundred meadows over three summers, from May to August.</p>
    <table><tr><th>species</th><th>found</th></tr><tr><td>Andrena</td><td>12</td></tr></table>
    </article></body></html>"""
    got = _kinds_and_texts(html.encode(), "bees.html")
    assert ("heading", "What was found") in got
    assert ("list", "Twelve species thought extinct\nForty species on the red list") in got
    assert ("table", "species\tfound\nAndrena\t12") in got


def _epub(chapters: list[tuple[str, str, str]], lang: str, title: str) -> bytes:
    """A small EPUB built with ebooklib: (file name, table-of-contents title, XHTML body)."""
    book = epub.EpubBook()
    book.set_identifier(f"test-{lang}")
    book.set_title(title)
    book.set_language(lang)
    items = []
    for name, toc_title, body in chapters:
        item = epub.EpubHtml(title=toc_title, file_name=name, lang=lang)
        item.content = f"<html><body>{body}</body></html>"
        book.add_item(item)
        items.append(item)
    book.toc = items
    book.add_item(epub.EpubNcx())
    book.add_item(epub.EpubNav())
    book.spine = ["nav", *items]
    out = io.BytesIO()
    epub.write_epub(out, book)
    return out.getvalue()


EN_BOOK = [
    ("ch1.xhtml", "The Harbour", "<h1>The Harbour</h1><p>The boat came into the harbour at dawn, "
     "and the fishermen pulled their nets onto the pier.</p><p>Nobody spoke while the gulls "
     "circled above the old lighthouse.</p>"),
    ("ch2.xhtml", "The Storm", "<p>In the evening a storm rose over the sea and the sky turned "
     "black.</p><pre>wind: 9 Beaufort\n\nwaves: 6 m</pre><p>The harbour master closed the gates "
     "and sent everyone home.</p>"),
]  # fmt: skip
FR_BOOK = [
    ("ch1.xhtml", "Le port", "<h1>Le port</h1><p>Le bateau entra dans le port à l'aube, et les "
     "pêcheurs tirèrent leurs filets sur la jetée.</p><p>Personne ne parla pendant que les "
     "mouettes tournaient au-dessus du vieux phare.</p>"),
    ("ch2.xhtml", "La tempête", "<p>Le soir, une tempête se leva sur la mer et le ciel devint "
     "noir.</p><pre>wind: 9 Beaufort\n\nwaves: 6 m</pre><p>Le capitaine du port ferma les "
     "portes et renvoya tout le monde chez soi.</p>"),
]  # fmt: skip


def test_an_epub_is_read_chapter_by_chapter_in_spine_order() -> None:
    doc = parse_bytes(_epub(EN_BOOK, "en", "The Sea"), source="sea.epub")
    assert doc.title == "The Sea" and doc.lang == "en"
    assert [(p.kind, p.text[:20]) for p in doc.paragraphs] == [
        ("heading", "The Harbour"),
        ("text", "The boat came into t"),
        ("text", "Nobody spoke while t"),
        ("heading", "The Storm"),  # no heading in the chapter: its table-of-contents title
        ("text", "In the evening a sto"),
        ("code", "wind: 9 Beaufort\n\nwa"),
        ("text", "The harbour master c"),
    ]
    # Found by its content too, without the extension.
    assert parse_bytes(_epub(EN_BOOK, "en", "The Sea"), source="upload").title == "The Sea"


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=compression) as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (_zip({"OEBPS/bomb.xhtml": b"\0" * 20_000_000}), "(a zip bomb)"),
        (_zip({"OEBPS/inner.zip": b"PK\x03\x04"}), "contains another archive (OEBPS/inner.zip)"),
        (b"PK\x03\x04 broken", "not a readable EPUB"),
        (_zip({"META-INF/container.xml": b"<container/>"}), "not a readable EPUB"),
    ],
)
def test_bad_epubs_get_a_clear_error(data: bytes, reason: str) -> None:
    with pytest.raises(IngestError) as caught:
        parse_bytes(data, source="book.epub", max_bytes=10_000_000)
    assert str(caught.value).startswith("book.epub: ")
    assert reason in caught.value.reason and caught.value.status == 422


def test_an_epub_that_unpacks_too_large_is_refused() -> None:
    # Stored, not compressed, so the ratio is 1: only the total gives it away.
    chunk = b"x" * (MAX_UNCOMPRESSED_BYTES // 4 + 1)
    data = _zip({f"OEBPS/{i}.xhtml": chunk for i in range(4)}, zipfile.ZIP_STORED)
    with pytest.raises(IngestError, match="unpacks to .* over the limit"):
        parse_bytes(data, source="big.epub", max_bytes=len(data) + 1)


@pytest.mark.model
def test_two_editions_of_a_book_align_chapter_to_chapter(
    tmp_path: Path, engine: Engine, encoder: Encoder
) -> None:
    for name, chapters, lang, title in (("sea.en.epub", EN_BOOK, "en", "The Sea"),
                                        ("sea.fr.epub", FR_BOOK, "fr", "La mer")):  # fmt: skip
        (tmp_path / name).write_bytes(_epub(chapters, lang, title))
    ingest_grouped(engine, encoder, sorted(tmp_path.glob("*.epub")), max_bytes=1_000_000)
    with Session(engine) as session:
        docs = session.exec(select(Document).order_by(col(Document.id))).all()
        assert docs[0].story_id == docs[1].story_id
        links = session.exec(select(Link).where(Link.relation == "translation")).all()
        code = session.exec(select(Paragraph.index).where(Paragraph.kind == "code")).all()
    pairs = sorted((lk.source_paragraphs, lk.target_paragraphs) for lk in links)
    assert ([0], [0]) in pairs and ([3], [3]) in pairs  # chapter headings
    assert set(code) == {5}
    assert all(5 not in lk.source_paragraphs + lk.target_paragraphs for lk in links)
