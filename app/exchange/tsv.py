"""Writing a story's links as tab-separated values, one row per link."""

from __future__ import annotations

from app.exchange.model import ExportStory
from app.exchange.selection import normalise_lang, select

TSV_COLUMNS = (
    "source_lang",
    "source_text",
    "target_lang",
    "target_text",
    "relation",
    "status",
    "score",
    "reviewed_by",
)

# Backslash escapes as in "linear TSV" (and PostgreSQL's COPY): reversible, and a field can
# never hold a raw tab or line break. The backslash goes first so that it is not doubled twice.
_ESCAPES = (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r"))
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@")


def to_tsv(
    story: ExportStory, *, documents: tuple[int, int] | None = None, spreadsheet_safe: bool = True
) -> str:
    """Every link of the story (or of one pair) as TSV with a header row.

    Unlike TMX, rejected and related links are included: the relation and status columns
    tell them apart. A multi-paragraph side is its paragraphs joined by a newline, and
    inside a field tab, newline, carriage return and backslash are written ``\\t``, ``\\n``,
    ``\\r`` and ``\\\\``. Rows end with ``\\n``.

    Args:
        story: the story to write.
        documents: ``(a, b)`` for only the links between documents a and b, a first.
        spreadsheet_safe: put ``'`` before a field starting with ``= + - @`` so that a
            spreadsheet shows untrusted text instead of running it as a formula.

    Raises:
        ExchangeError: ``documents`` or a link names something the story does not have.
    """
    _, rows = select(story, documents)
    lines = ["\t".join(TSV_COLUMNS)]
    for row in rows:
        link = row.link
        fields = (
            normalise_lang(row.source.document.lang),
            row.source.text,
            normalise_lang(row.target.document.lang),
            row.target.text,
            link.relation,
            link.status,
            f"{link.score:.4f}",
            link.reviewed_by or "",
        )
        lines.append("\t".join(_field(f, spreadsheet_safe) for f in fields))
    return "\n".join(lines) + "\n"


def _field(value: str, spreadsheet_safe: bool) -> str:
    for raw, escaped in _ESCAPES:
        value = value.replace(raw, escaped)
    if spreadsheet_safe and value.startswith(_FORMULA_STARTS):
        value = "'" + value
    return value
