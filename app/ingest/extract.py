"""The main text of an HTML page, by trafilatura, one block per paragraph."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass

import trafilatura
from lxml import etree

from app.ingest.errors import IngestError
from app.security.html_limits import HtmlTooComplex, check_html

log = logging.getLogger(__name__)

# trafilatura's output vocabulary (its XML-TEI-like tree): containers whose children are the
# real blocks, and inline elements whose text belongs to the enclosing block.
_CONTAINERS = frozenset({"list", "table", "div", "main", "body"})
_LINE_BREAK = "lb"
_CELL = "cell"


@dataclass(frozen=True)
class Extracted:
    """Main text with blocks separated by blank lines, the page title and the heading blocks."""

    text: str
    title: str | None
    headings: frozenset[str]


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
    blocks: list[str] = []
    headings: set[str] = set()
    if body is not None:
        for element in _blocks(body):
            text = _block_text(element).strip()
            if not text:
                continue
            blocks.append(text)
            if element.tag == "head":
                headings.add(" ".join(text.split()))
    if not blocks:
        raise IngestError(source, "no main text found in the HTML")
    title = (getattr(doc, "title", None) or "").strip() or None
    log.debug("extracted %d blocks from %s", len(blocks), source)
    return Extracted("\n\n".join(blocks), title, frozenset(headings))


def _blocks(element: etree._Element) -> Iterator[etree._Element]:
    """The paragraph-level elements under `element`, in document order."""
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            continue
        if child.tag in _CONTAINERS and len(child) and child.tag != "table":
            yield from _blocks(child)
        elif child.tag == "table":
            yield from child.iter("row")
        else:
            yield child


def _block_text(element: etree._Element) -> str:
    """Text of one block; <lb/> stays a line break, table cells are separated by ' | '."""
    parts: list[str] = [element.text or ""]
    for index, child in enumerate(element):
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag == _LINE_BREAK:
            parts.append("\n")
        elif child.tag == _CELL and index:
            parts.append(" | ")
        if child.tag != _LINE_BREAK:
            parts.append(" ".join(_block_text(child).split()))
        parts.append(child.tail or "")
    # Whitespace runs become single spaces, except the line breaks the page asked for.
    lines = ("".join(parts)).split("\n")
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())
