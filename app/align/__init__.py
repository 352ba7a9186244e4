"""Alignment engine: pure functions from unit embeddings to links (no web, no database)."""

from app.align.beads import Bead, PairAlignment, PairKind
from app.align.core import (
    PairParams,
    align_documents,
    align_sentences,
    classify_pair,
    encode_overlaps,
)
from app.align.encoder import E5Encoder, Encoder, UsemEncoder, load_encoder
from app.align.monotonic import MonotonicParams, align_monotonic, overlap_texts
from app.align.related import align_related

__all__ = [
    "Bead",
    "E5Encoder",
    "Encoder",
    "MonotonicParams",
    "PairAlignment",
    "PairKind",
    "PairParams",
    "UsemEncoder",
    "align_documents",
    "align_monotonic",
    "align_related",
    "align_sentences",
    "classify_pair",
    "encode_overlaps",
    "load_encoder",
    "overlap_texts",
]
