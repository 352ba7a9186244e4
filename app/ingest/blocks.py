"""Blocks: what a structured source (Markdown, HTML, EPUB) is made of before it becomes
paragraphs. Each block is one paragraph, in the display form the reader relies on:

* text, heading, caption, quote: plain text without markup; line breaks the source asked
  for kept as "\\n";
* list: one item per line; table: one row per line, cells separated by a tab;
* code: the code with its newlines and indentation, never aligned.

`kind` None means "prose; let the plain-text rules decide" (text, heading, caption or
boilerplate, see app.ingest.kinds).
"""

from __future__ import annotations

from dataclasses import dataclass

STRUCTURAL_KINDS = frozenset({"heading", "list", "code", "quote", "table", "caption"})


@dataclass(frozen=True)
class Block:
    """One paragraph-to-be: its kind when the source says it (None: judge by rules)."""

    kind: str | None
    text: str


def clean_line(line: str) -> str:
    """Whitespace runs as single spaces, no outer whitespace."""
    return " ".join(line.split())


def clean_lines(text: str) -> str:
    """Each line cleaned, blank lines dropped."""
    return "\n".join(c for c in (clean_line(line) for line in text.split("\n")) if c)


def table_text(rows: list[list[str]]) -> str:
    """Rows as lines, cells separated by a tab; empty rows dropped."""
    lines = ["\t".join(clean_line(cell) for cell in row) for row in rows]
    return "\n".join(line for line in lines if line.strip())


def code_text(code: str) -> str:
    """Code as written, without trailing spaces or blank lines around it."""
    lines = [line.rstrip() for line in code.expandtabs(4).split("\n")]
    return "\n".join(lines).strip("\n")


def keep(blocks: list[Block]) -> list[Block]:
    """The blocks that have any text."""
    return [b for b in blocks if b.text.strip()]
