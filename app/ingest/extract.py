"""The main text of an HTML page, by trafilatura, one block per paragraph."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import trafilatura
from lxml import etree

from app.ingest.blocks import Block, clean_line, clean_lines, code_text, keep, table_text
from app.ingest.errors import IngestError
from app.ingest.html_limits import HtmlTooComplex, check_html

log = logging.getLogger(__name__)

# trafilatura's output vocabulary (its XML-TEI-like tree): containers whose children are the
# real blocks, and the elements that are blocks of a kind of their own.
_CONTAINERS = frozenset({"div", "main", "body"})
_LINE_BREAK = "lb"
_CELL = "cell"


@dataclass(frozen=True)
class Extracted:
    """The main text as blocks (headings, lists, quotes, code and tables kept) and the title."""

    blocks: tuple[Block, ...]
    title: str | None


def extract_html(html: str, *, source: str) -> Extracted:
    """Extract the article text of a page, leaving out navigation, scripts, styles and comments.

    Raises:
        IngestError: 422 when the page has no main text or is too deeply nested or too large.
    """
    try:
        check_html(html)
    except HtmlTooComplex as err:
        raise IngestError(source, f"the page {err}") from None
    try:
        doc = trafilatura.bare_extraction(
            html,
            with_metadata=True,
            include_comments=False,
            include_images=False,
            include_links=False,
            include_tables=True,
            include_formatting=False,
            deduplicate=False,
        )
    except (ValueError, etree.LxmlError) as err:  # trafilatura lets parser errors through
        raise IngestError(source, f"could not parse the HTML ({err})") from None
    body = getattr(doc, "body", None) if doc is not None else None
    blocks = keep(list(_blocks(body))) if body is not None else []
    if not blocks:
        raise IngestError(source, "no main text found in the HTML")
    title = (getattr(doc, "title", None) or "").strip() or None
    log.debug("extracted %d blocks from %s", len(blocks), source)
    return Extracted(tuple(blocks), title)


def _blocks(element: etree._Element) -> Iterator[Block]:
    """The blocks under `element`, in document order."""
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            continue
        if child.tag in _CONTAINERS and len(child):
            yield from _blocks(child)
        elif child.tag == "head":
            yield Block("heading", clean_line(_block_text(child)))
        elif child.tag == "list":
            items = [clean_line(_block_text(item)) for item in child.iter("item")]
            yield Block("list", "\n".join(item for item in items if item))
        elif child.tag == "quote":
            yield Block("quote", clean_lines(_block_text(child)))
        elif child.tag == "code":
            yield Block("code", code_text("".join(child.itertext())))
        elif child.tag == "table":
            rows = [[_block_text(cell) for cell in row.iter(_CELL)] for row in child.iter("row")]
            yield Block("table", table_text(rows))
        else:
            yield Block(None, _block_text(child).strip())


def _block_text(element: etree._Element) -> str:
    """Text of one block; <lb/> stays a line break, nested blocks start new lines."""
    parts: list[str] = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag == _LINE_BREAK:
            parts.append("\n")
        elif child.tag in ("p", "item", "head", "row"):
            parts.append("\n" + _block_text(child) + "\n")
        else:
            parts.append(" ".join(_block_text(child).split()))
        parts.append(child.tail or "")
    # Whitespace runs become single spaces, except the line breaks the page asked for.
    lines = ("".join(parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())
