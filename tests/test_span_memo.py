"""A story's documents have their span vectors computed once, not once per pair: the same links."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, col, select

from app.align import span_memo, usem_spans
from app.align.encoder import Encoder
from app.db import make_engine
from app.migrate import upgrade
from app.models.alignment import Link, SentenceLink
from tests.factories import ingest_grouped

pytestmark = pytest.mark.model


def _aligned_seeds(path: Path, encoder: Encoder, seed_files: list[Path]) -> tuple[list, int]:  # type: ignore[type-arg]
    """Every link and sentence link of the seeds' story, and the span passes it took."""
    passes = 0
    original = usem_spans.encode_spans

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal passes
        passes += 1
        return original(*args, **kwargs)

    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    span_memo.clear()
    usem_spans.encode_spans = counted  # type: ignore[assignment]
    try:
        ingest_grouped(engine, encoder, seed_files)
    finally:
        usem_spans.encode_spans = original  # type: ignore[assignment]
    with Session(engine) as session:
        links = [
            (lk.source_document_id, lk.target_document_id, lk.source_paragraphs,
             lk.target_paragraphs, lk.relation, lk.score)
            for lk in session.exec(select(Link).order_by(col(Link.id)))
        ]  # fmt: skip
        sentences = [
            (s.source_sentences, s.target_sentences, s.score)
            for s in session.exec(select(SentenceLink).order_by(col(SentenceLink.id)))
        ]
    engine.dispose()
    return [links, sentences], passes


def test_the_seeds_story_gets_the_same_links_with_fewer_span_passes(
    tmp_path: Path, encoder: Encoder, seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    with_memo, passes = _aligned_seeds(tmp_path / "memo.db", encoder, seed_files)
    monkeypatch.setattr(span_memo, "MAX_BYTES", 0)  # nothing kept: every pair computes
    without, passes_without = _aligned_seeds(tmp_path / "plain.db", encoder, seed_files)
    assert with_memo == without
    assert with_memo[0] and with_memo[1]
    # 4 documents, 6 pairs: each pair asked for both documents' runs
    assert passes < passes_without


def test_kept_vectors_are_handed_out_as_copies() -> None:
    span_memo.clear()
    calls: list[Sequence[str]] = []

    def compute(units: Sequence[str], k: int) -> np.ndarray:
        calls.append(units)
        return np.ones((k, len(units), 3), dtype=np.float32)

    first = span_memo.span_vectors("test", ["a", "b"], 2, compute)
    first[:] = 0.0  # a caller writing into its vectors changes nobody else's
    again = span_memo.span_vectors("test", ["a", "b"], 2, compute)
    assert len(calls) == 1 and again.sum() == 2 * 2 * 3
    span_memo.span_vectors("test", ["a", "b"], 3, compute)  # another run length
    span_memo.span_vectors("test", ["a", "c"], 2, compute)  # other units
    assert len(calls) == 3
    span_memo.clear()
