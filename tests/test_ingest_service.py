"""Ingesting into the database: seeds, idempotence, and bad input that changes nothing."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.ingest import IngestError
from app.models import Document, Paragraph, Sentence
from app.services.ingest import expand_paths, ingest_bytes, ingest_files
from tests.factories import row_counts

MAX = 2_000_000


def test_seeds_ingest_into_four_documents_with_their_languages(
    engine: Engine, seed_files: list[Path]
) -> None:
    summary = ingest_files(engine=engine, files=seed_files, max_bytes=MAX)
    assert (len(summary.added), len(summary.duplicates), len(summary.rejected)) == (4, 0, 0)
    with Session(engine) as session:
        docs = session.exec(select(Document).order_by(col(Document.id))).all()
        assert [d.lang for d in docs] == ["fr", "de", "en", "en"]
        assert [d.source for d in docs] == [p.name for p in seed_files]
        # Offsets point into the stored original: nothing of the source is lost.
        for doc in docs:
            paras = session.exec(select(Paragraph).where(Paragraph.document_id == doc.id)).all()
            for p in paras:
                assert " ".join(doc.original[p.start : p.end].split()) == " ".join(p.text.split())
        sentences = session.exec(select(Sentence)).all()
        assert len(sentences) > sum(1 for _ in docs) * 10


def test_reingesting_adds_nothing(engine: Engine, seed_files: list[Path]) -> None:
    ingest_files(engine=engine, files=seed_files, max_bytes=MAX)
    before = row_counts(engine)
    again = ingest_files(engine=engine, files=expand_paths([seed_files[0].parent]), max_bytes=MAX)
    assert (len(again.added), len(again.duplicates)) == (0, 4)
    assert row_counts(engine) == before
    assert "0 added, 4 skipped as duplicates, 0 rejected" == again.line()


BAD_INPUTS = [
    ("empty.txt", b"", 422, "empty"),
    ("blank.txt", b"  \n\n \t\n", 422, "whitespace"),
    ("binary.txt", bytes(range(256)) * 8, 422, "binary.txt"),
    ("latin1.txt", "Le café de la gare était fermé.".encode("latin-1"), 422, "UTF-8"),
    ("big.txt", b"Ceci est une phrase en fran\xc3\xa7ais. " * 90_000, 413, "limit"),
    ("report.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", 415, "report.pdf"),
]


@pytest.mark.parametrize(("name", "data", "status", "needle"), BAD_INPUTS)
def test_bad_input_is_rejected_clearly_and_changes_nothing(
    engine: Engine, seed_files: list[Path], name: str, data: bytes, status: int, needle: str
) -> None:
    ingest_files(engine=engine, files=seed_files[:1], max_bytes=MAX)
    before = row_counts(engine)
    with pytest.raises(IngestError) as info:
        ingest_bytes(engine=engine, data=data, source=name, max_bytes=MAX)
    assert info.value.status == status
    assert name in str(info.value)
    assert needle.lower() in str(info.value).lower()
    assert row_counts(engine) == before


def test_unsupported_language_is_rejected(engine: Engine) -> None:
    yoruba = (  # lingua knows Yoruba; neither packaged encoder does
        "Ọmọ náà lọ sí ilé ìwé ní òwúrọ̀ yìí, ó sì kọ́ ẹ̀kọ́ tuntun nípa ìtàn orílẹ̀-èdè wa. "
        "Àwọn òbí rẹ̀ dúpẹ́ lọ́wọ́ olùkọ́ rẹ̀."
    )
    with pytest.raises(IngestError, match="not supported"):
        ingest_bytes(engine=engine, data=yoruba.encode(), source="iroyin.txt", max_bytes=MAX)
    assert row_counts(engine)["document"] == 0
