"""Ingestion: an uploaded file becomes a ParsedDocument of paragraphs and sentences.

Pure: no web framework, no database. See document.parse_bytes for the entry point.
"""

from app.ingest.document import (
    SUPPORTED_LANGUAGES,
    ParagraphSpan,
    ParsedDocument,
    SentenceSpan,
    parse_bytes,
    parse_text,
)
from app.ingest.errors import IngestError
from app.ingest.kinds import KINDS
from app.ingest.language import warm_up
from app.ingest.paragraphs import normalize

__all__ = [
    "KINDS",
    "SUPPORTED_LANGUAGES",
    "IngestError",
    "ParagraphSpan",
    "ParsedDocument",
    "SentenceSpan",
    "normalize",
    "parse_bytes",
    "parse_text",
    "warm_up",
]
