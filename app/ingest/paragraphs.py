"""Split text into paragraphs and lines, keeping offsets into the original.

Whitespace rule (one place, used for paragraphs and sentences alike): inside a line every run
of whitespace becomes one space; a line break stays "\\n" when it is a hard break and becomes a
space when it is a soft wrap. A break is a soft wrap when the line before does not end in
sentence punctuation and the line after starts with a lower-case letter or a digit, as in
text wrapped at a fixed width. Hard breaks are kept because in news copy they separate things
that are not one sentence: a caption's tag line and its text, a kicker and a headline.

Paragraphs are separated by blank lines. A text with no blank line at all makes each line a
paragraph (common in pasted text), and so does a block whose lines are each a long sentence
ending in punctuation (paragraphs pasted without blank lines inside an otherwise spaced text).
"""

from __future__ import annotations

from dataclasses import dataclass

_TERMINAL = ".!?…:;\"'»”’)]。！？"
# A block's lines are separate paragraphs only if each is at least this many words: a caption
# or an address block has short lines that belong together.
_PARAGRAPH_LINE_WORDS = 8


@dataclass(frozen=True)
class Span:
    """A stretch of the original text: original[start:end], without outer whitespace."""

    start: int
    end: int


@dataclass(frozen=True)
class RawParagraph:
    """A paragraph's span and the spans of its (logical) lines."""

    span: Span
    lines: tuple[Span, ...]


def is_soft_wrap(before: str, after: str) -> bool:
    """Whether a line break between these two stripped lines is a wrap inside a sentence."""
    if not before or not after or before[-1] in _TERMINAL:
        return False
    return after[0].islower() or after[0].isdigit()


def normalize(raw: str) -> str:
    """The normalized form of a stretch of original text (see the module docstring)."""
    lines = [" ".join(line.split()) for line in raw.splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        return ""
    out = [lines[0]]
    for before, after in zip(lines, lines[1:], strict=False):
        out.append(" " if is_soft_wrap(before, after) else "\n")
        out.append(after)
    return "".join(out)


def _physical_lines(text: str) -> list[Span | None]:
    """Each line's stripped span, None for a blank line (same line breaks as str.splitlines)."""
    spans: list[Span | None] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
        stripped = content.strip()
        if stripped:
            start = offset + (len(content) - len(content.lstrip()))
            spans.append(Span(start, start + len(stripped)))
        else:
            spans.append(None)
        offset += len(line)
    return spans


def _logical_lines(text: str, lines: list[Span]) -> list[Span]:
    """Merge physical lines joined by soft wraps."""
    merged = [lines[0]]
    for line in lines[1:]:
        last = merged[-1]
        if is_soft_wrap(text[last.start : last.end], text[line.start : line.end]):
            merged[-1] = Span(last.start, line.end)
        else:
            merged.append(line)
    return merged


def _is_paragraph_line(line: str) -> bool:
    return len(line.split()) >= _PARAGRAPH_LINE_WORDS and line.rstrip()[-1] in _TERMINAL


def split_paragraphs(text: str, *, lines_as_paragraphs: bool = True) -> list[RawParagraph]:
    """Paragraphs of `text`, in order, with their logical lines.

    Args:
        lines_as_paragraphs: a text with no blank line at all has a paragraph per line (as
            pasted text does); off for a block that a structured source already delimited.
    """
    blocks: list[list[Span]] = [[]]
    physical = _physical_lines(text)
    for span in physical:
        if span is None:
            if blocks[-1]:
                blocks.append([])
        else:
            blocks[-1].append(span)
    blocks = [block for block in blocks if block]
    one_line_paragraphs = lines_as_paragraphs and len(blocks) == 1
    paragraphs: list[RawParagraph] = []
    for block in blocks:
        lines = _logical_lines(text, block)
        if len(lines) > 1 and (
            one_line_paragraphs
            or all(_is_paragraph_line(text[line.start : line.end]) for line in lines)
        ):
            paragraphs.extend(RawParagraph(line, (line,)) for line in lines)
        else:
            paragraphs.append(RawParagraph(Span(lines[0].start, lines[-1].end), tuple(lines)))
    return paragraphs
