"""Export and import of aligned stories: TMX 1.4b, TSV and JSON.

Pure: plain dataclasses in, bytes/str/dicts out (and back for TMX). Never imports
fastapi, sqlmodel or the database layer; ``app.review.exchange`` does the copying.
"""

from app.exchange.jsondoc import to_json
from app.exchange.model import (
    ExchangeError,
    ExportDocument,
    ExportLink,
    ExportMark,
    ExportSentenceLink,
    ExportStory,
    ImportedDocument,
    ImportedLink,
    ImportedStory,
)
from app.exchange.tmx_reader import read_tmx
from app.exchange.tmx_writer import to_tmx
from app.exchange.tsv import to_tsv
from app.exchange.validation import validate_tmx

__all__ = [
    "ExchangeError",
    "ExportDocument",
    "ExportLink",
    "ExportMark",
    "ExportSentenceLink",
    "ExportStory",
    "ImportedDocument",
    "ImportedLink",
    "ImportedStory",
    "read_tmx",
    "to_json",
    "to_tmx",
    "to_tsv",
    "validate_tmx",
]
