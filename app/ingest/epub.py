"""EPUB books into blocks, by ebooklib: the spine's chapters in reading order.

A book becomes one document. Each chapter starts with a heading paragraph (its own first
heading, or its title from the table of contents) so that chapters align with their
counterparts in another language's edition. The archive is checked before anything is
unpacked: too many entries, too much uncompressed data, an entry compressed suspiciously
well (a zip bomb) or an archive inside the archive are refused with a clear message.
"""

from __future__ import annotations

import io
import logging
import posixpath
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from app.ingest.blocks import Block, clean_line, clean_lines, code_text, keep, table_text
from app.ingest.errors import IngestError

log = logging.getLogger(__name__)

MAX_ENTRIES = 5_000
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
# Text compresses 3-10x; a ratio far beyond that is a bomb, not a book.
MAX_RATIO = 200
_ARCHIVE_SUFFIXES = (".zip", ".epub", ".jar", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".rar")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_SKIP = frozenset({"script", "style", "nav", "head", "template", "svg", "math"})
_CONTAINERS = frozenset(
    {"body", "div", "section", "article", "main", "header", "footer", "aside", "figure", "span"}
)


@dataclass(frozen=True)
class Book:
    """The chapters' blocks in reading order and the book's title."""

    blocks: tuple[Block, ...]
    title: str | None


def is_epub(data: bytes) -> bool:
    """Whether the bytes are an EPUB (a ZIP whose first entry is the EPUB mimetype)."""
    return data.startswith(b"PK\x03\x04") and b"application/epub+zip" in data[:100]


def check_archive(data: bytes, *, source: str) -> None:
    """Refuse archives that are broken, too large unpacked, or nested.

    Raises:
        IngestError: 422 naming what is wrong.
    """
    try:
        entries = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError) as err:
        raise IngestError(source, f"not a readable EPUB (broken ZIP archive: {err})") from None
    if len(entries) > MAX_ENTRIES:
        raise IngestError(
            source, f"EPUB has {len(entries):,} files, over the limit of {MAX_ENTRIES:,}"
        )
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise IngestError(
            source,
            f"EPUB unpacks to {total:,} bytes, over the limit of {MAX_UNCOMPRESSED_BYTES:,} bytes",
        )
    for entry in entries:
        if entry.filename.lower().endswith(_ARCHIVE_SUFFIXES):
            raise IngestError(source, f"EPUB contains another archive ({entry.filename}); refused")
        ratio = entry.file_size // max(entry.compress_size, 1)
        if entry.file_size > 1_000_000 and ratio > MAX_RATIO:
            raise IngestError(
                source, f"EPUB entry {entry.filename} is compressed {ratio:,} to 1 (a zip bomb)"
            )


def read_epub(data: bytes, *, source: str) -> Book:
    """The blocks of an EPUB book, chapter after chapter.

    Raises:
        IngestError: 422 for a broken, oversized or nested archive, or a book with no text.
    """
    from ebooklib import ITEM_DOCUMENT, ITEM_NAVIGATION, epub

    check_archive(data, source=source)
    try:
        book = epub.read_epub(io.BytesIO(data), {"ignore_ncx": False})
    except Exception as err:  # noqa: BLE001 - ebooklib raises bare Exceptions and KeyErrors
        raise IngestError(source, f"not a readable EPUB ({type(err).__name__}: {err})") from None
    titles = _toc_titles(book.toc)
    blocks: list[Block] = []
    for idref, _linear in book.spine:
        item = book.get_item_with_id(idref)
        if item is None or item.get_type() != ITEM_DOCUMENT or isinstance(item, epub.EpubNav):
            continue
        if item.get_type() == ITEM_NAVIGATION:
            continue
        chapter = keep(list(_chapter_blocks(item.get_content())))
        if not chapter:
            continue
        title = titles.get(posixpath.normpath(item.get_name()))
        if chapter[0].kind != "heading" and title:
            chapter.insert(0, Block("heading", clean_line(title)))
        blocks.extend(chapter)
    if not blocks:
        raise IngestError(source, "no text found in the EPUB's chapters")
    meta = book.get_metadata("DC", "title")
    title = clean_line(meta[0][0]) if meta and meta[0][0] else None
    log.debug("read %d blocks from the EPUB %s", len(blocks), source)
    return Book(tuple(blocks), title)


def _toc_titles(toc: object) -> dict[str, str]:
    """File name -> the table of contents' title for it (the first one given)."""
    out: dict[str, str] = {}

    def visit(node: object) -> None:
        if isinstance(node, list | tuple):
            for child in node:
                visit(child)
            return
        href = getattr(node, "href", None)
        title = getattr(node, "title", None)
        if href and title:
            out.setdefault(posixpath.normpath(href.split("#", 1)[0]), str(title))

    visit(toc)
    return out


def _chapter_blocks(content: bytes) -> Iterator[Block]:
    if not content.strip():
        return
    try:
        root = lxml_html.document_fromstring(content)
    except (etree.ParserError, ValueError):
        return
    body = root.find(".//body")
    yield from _walk(body if body is not None else root)


def _tag(element: etree._Element) -> str:
    tag = element.tag if isinstance(element.tag, str) else ""
    return tag.rsplit("}", 1)[-1].lower()


def _walk(element: etree._Element) -> Iterator[Block]:
    """Blocks of an XHTML element's children, in order."""
    for child in element:
        tag = _tag(child)
        if not tag or tag in _SKIP:
            continue
        if tag in _HEADINGS:
            yield Block("heading", clean_line(_text(child)))
        elif tag in ("ul", "ol", "dl"):
            yield Block("list", "\n".join(_items(child)))
        elif tag == "blockquote":
            yield Block("quote", clean_lines(_text(child)))
        elif tag == "pre":
            yield Block("code", code_text("".join(child.itertext())))
        elif tag == "table":
            rows = [
                ["".join(cell.itertext()) for cell in row if _tag(cell) in ("td", "th")]
                for row in child.iter("{*}tr", "tr")
            ]
            yield Block("table", table_text(rows))
        elif tag == "figcaption":
            yield Block("caption", clean_lines(_text(child)))
        elif tag in _CONTAINERS and any(_tag(c) not in ("", "br", "a", "span", "em", "i", "b",
                                                        "strong", "small", "sup", "sub")
                                        for c in child):  # fmt: skip
            yield from _walk(child)
        else:
            yield Block(None, clean_lines(_text(child)))


def _items(element: etree._Element) -> list[str]:
    out: list[str] = []
    for item in element:
        if _tag(item) not in ("li", "dt", "dd"):
            continue
        nested = [c for c in item if _tag(c) in ("ul", "ol", "dl")]
        for sub in nested:
            item.remove(sub)
        own = clean_line(_text(item))
        if own:
            out.append(own)
        for sub in nested:
            out.extend(_items(sub))
    return out


def _text(element: etree._Element) -> str:
    """Text of an element; <br> and nested block elements start new lines."""
    parts: list[str] = [element.text or ""]
    for child in element:
        tag = _tag(child)
        if tag == "br":
            parts.append("\n")
        elif tag in _SKIP:
            pass
        elif tag in ("p", "div", "li") or tag in _HEADINGS:
            parts.append("\n" + _text(child) + "\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)
