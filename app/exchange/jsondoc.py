"""A story as a JSON-ready dict: every document's paragraphs and every link."""

from __future__ import annotations

import math
from typing import Any

from app.exchange.model import ExportStory
from app.exchange.selection import normalise_lang, select

JSON_FORMAT = "parallax-story"
JSON_VERSION = 1


def to_json(story: ExportStory, *, documents: tuple[int, int] | None = None) -> dict[str, Any]:
    """The story as plain dicts and lists, ready for ``json.dumps``.

    Shape::

        {"format": "parallax-story", "version": 1,
         "story": {"id": 7, "title": "..."},
         "documents": [{"id", "lang", "source", "title", "paragraphs": ["...", ...]}],
         "links": [{"source_document", "source_paragraphs": [0, 1], "target_document",
                    "target_paragraphs": [0], "relation", "status", "score",
                    "reviewed_by", "reviewed_at"}],
         "sentence_links": [{"source_document", "source_sentences": [[paragraph, sentence]],
                             "target_document", "target_sentences", "score", "relation",
                             "status"}],
         "marks": [{"document", "paragraph", "mark", "target_document"}]}

    All paragraphs are included, linked or not, and all links, rejected and related too;
    ``reviewed_at`` is ISO 8601 or null, and a score that is not finite is null (JSON has
    no NaN). With ``documents=(a, b)`` only those two documents and the links between them
    are included, each oriented from a to b.

    Raises:
        ExchangeError: ``documents`` or a link names something the story does not have.
    """
    chosen, rows = select(story, documents)
    ids = {doc.id for doc in chosen}
    return {
        "format": JSON_FORMAT,
        "version": JSON_VERSION,
        "story": {"id": story.id, "title": story.title},
        "documents": [
            {
                "id": doc.id,
                "lang": normalise_lang(doc.lang),
                "source": doc.source,
                "title": doc.title,
                "paragraphs": list(doc.paragraphs),
            }
            for doc in chosen
        ],
        "links": [
            {
                "source_document": row.source.document.id,
                "source_paragraphs": list(row.source.paragraphs),
                "target_document": row.target.document.id,
                "target_paragraphs": list(row.target.paragraphs),
                "relation": row.link.relation,
                "status": row.link.status,
                "score": row.link.score if math.isfinite(row.link.score) else None,
                "reviewed_by": row.link.reviewed_by,
                "reviewed_at": (row.link.reviewed_at.isoformat() if row.link.reviewed_at else None),
            }
            for row in rows
        ],
        "sentence_links": [
            {
                "source_document": sl.source_document,
                "source_sentences": [list(k) for k in sl.source_sentences],
                "target_document": sl.target_document,
                "target_sentences": [list(k) for k in sl.target_sentences],
                "score": sl.score if math.isfinite(sl.score) else None,
                "relation": sl.relation,
                "status": sl.status,
            }
            for sl in story.sentence_links
            if {sl.source_document, sl.target_document} <= ids
        ],
        "marks": [
            {
                "document": m.document,
                "paragraph": m.paragraph,
                "mark": m.mark,
                "target_document": m.target_document,
            }
            for m in story.marks
            if m.document in ids
        ],
    }
