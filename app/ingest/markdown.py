"""Markdown (CommonMark with tables) into blocks, by markdown-it-py.

Site generators' markup (front matter, admonitions, containers, shortcodes, MDX, includes)
is recognised first (app.ingest.dialects). Inline markup is dropped (emphasis markers,
link targets; images become their alt text); heading attributes such as '{ #anchor }' are
removed; code blocks stay whole.
"""

from __future__ import annotations

import functools

import regex
from lxml import html as lxml_html
from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from app.ingest.blocks import Block, clean_line, clean_lines, code_text, keep, table_text
from app.ingest.dialects import clean_dialects

# Pandoc/kramdown heading attributes: '{#id}', '{ #anchor .class }'.
_ATTRIBUTES = regex.compile(r"\s*\{[^{}\n]*[#.][^{}\n]*\}\s*$")


@functools.cache
def _parser() -> MarkdownIt:
    # "html" stays on so that raw HTML blocks are recognised (and reduced to their text).
    return MarkdownIt("commonmark").enable("table").enable("strikethrough")


def markdown_blocks(text: str) -> list[Block]:
    """The blocks of a Markdown text, in order."""
    return markdown_page(text)[0]


def markdown_page(text: str) -> tuple[list[Block], str | None]:
    """The blocks of a Markdown text, in order, and the title its front matter gives."""
    cleaned = clean_dialects(text)
    root = SyntaxTreeNode(_parser().parse(cleaned.text))
    blocks: list[Block] = []
    for node in root.children:
        blocks.extend(_block(node))
    return keep(blocks), cleaned.title


def _block(node: SyntaxTreeNode) -> list[Block]:
    kind = node.type
    if kind == "heading":
        return [Block("heading", _ATTRIBUTES.sub("", clean_line(_inline_of(node))))]
    if kind == "paragraph":
        return [_paragraph(node)]
    if kind in ("bullet_list", "ordered_list"):
        return [Block("list", "\n".join(_list_items(node)))]
    if kind == "blockquote":
        return [Block("quote", "\n".join(_lines(node)))]
    if kind in ("fence", "code_block"):
        return [Block("code", code_text(node.content))]
    if kind == "table":
        return [Block("table", table_text(_rows(node)))]
    if kind == "html_block":
        return [Block(None, clean_lines(_html_text(node.content)))]
    return []  # hr, front matter: nothing to read


def _paragraph(node: SyntaxTreeNode) -> Block:
    inline = node.children[0] if node.children else None
    parts = inline.children if inline is not None else []
    images = [c for c in parts if c.type == "image"]
    others = [c for c in parts if c.type != "image" and (c.type != "text" or c.content.strip())]
    if images and not others:  # a picture on its own: its alt text is a caption
        return Block("caption", clean_line(" ".join(_inline(i) for i in images)))
    return Block(None, clean_lines(_inline_of(node)))


def _inline_of(node: SyntaxTreeNode) -> str:
    return "".join(_inline(child) for child in node.children)


def _inline(node: SyntaxTreeNode) -> str:
    """Plain text of inline content: markers dropped, link text kept, URLs dropped."""
    kind = node.type
    if kind in ("text", "code_inline"):
        return node.content
    if kind == "softbreak":
        return " "
    if kind == "hardbreak":
        return "\n"
    if kind == "html_inline":
        return ""
    if kind == "image":
        # The alt text is the image's children (markdown-it keeps it as inline content).
        return "".join(_inline(c) for c in node.children) or str(node.attrs.get("alt", ""))
    return "".join(_inline(child) for child in node.children)


def _lines(node: SyntaxTreeNode) -> list[str]:
    """Every paragraph, heading, item and code line inside a container, one per line."""
    out: list[str] = []
    for child in node.children:
        if child.type in ("paragraph", "heading"):
            out.extend(line for line in clean_lines(_inline_of(child)).split("\n") if line)
        elif child.type in ("bullet_list", "ordered_list"):
            out.extend(_list_items(child))
        elif child.type in ("fence", "code_block"):
            out.extend(line for line in code_text(child.content).split("\n") if line.strip())
        elif child.children:
            out.extend(_lines(child))
    return out


def _list_items(node: SyntaxTreeNode) -> list[str]:
    """One line per item; a nested list's items follow their parent's line."""
    out: list[str] = []
    for item in node.children:
        own: list[str] = []
        nested: list[str] = []
        for child in item.children:
            if child.type in ("bullet_list", "ordered_list"):
                nested.extend(_list_items(child))
            else:
                own.extend(_lines_of_one(child))
        if own:
            out.append(" ".join(own))
        out.extend(nested)
    return out


def _lines_of_one(node: SyntaxTreeNode) -> list[str]:
    if node.type in ("paragraph", "heading"):
        return [clean_line(_inline_of(node))]
    if node.type in ("fence", "code_block"):
        return [clean_line(node.content)]
    return _lines(node)


def _rows(node: SyntaxTreeNode) -> list[list[str]]:
    rows: list[list[str]] = []
    for section in node.children:  # thead, tbody
        for row in section.children:
            rows.append([_inline_of(cell) for cell in row.children])
    return rows


def _html_text(html: str) -> str:
    try:
        return str(lxml_html.fragment_fromstring(html, create_parent="div").text_content())
    except Exception:  # noqa: BLE001 - lxml raises several types on broken fragments
        return ""
