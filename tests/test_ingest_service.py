"""Ingesting into the database through the jobs' one path (the one `parallax ingest` and every
upload take): seeds, idempotence, and bad input that changes nothing."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Document, Job, JobStatus, Paragraph, Sentence
from app.pipeline.jobs.batch import ingest_here
from app.pipeline.store import expand_paths
from tests.factories import row_counts


def test_seeds_ingest_into_four_documents_with_their_languages(
    engine: Engine, seed_files: list[Path]
) -> None:
    summary = ingest_here(engine, None, seed_files)
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
        jobs = session.exec(select(Job)).all()
        assert {j.status for j in jobs} == {JobStatus.DONE}
        assert sorted(j.document_id or 0 for j in jobs) == sorted(d.id or 0 for d in docs)


def test_reingesting_adds_nothing(engine: Engine, seed_files: list[Path]) -> None:
    ingest_here(engine, None, seed_files)
    before = row_counts(engine)
    again = ingest_here(engine, None, expand_paths([seed_files[0].parent]))
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
    engine: Engine,
    seed_files: list[Path],
    tmp_path: Path,
    name: str,
    data: bytes,
    status: int,
    needle: str,
) -> None:
    ingest_here(engine, None, seed_files[:1])
    before = row_counts(engine)
    bad = tmp_path / name
    bad.write_bytes(data)
    summary = ingest_here(engine, None, [bad])
    assert (len(summary.added), len(summary.rejected)) == (0, 1)
    err = summary.rejected[0]
    assert err.status == status
    assert name in str(err)
    assert needle.lower() in str(err).lower()
    assert row_counts(engine) == before


def test_an_unreadable_file_is_reported_and_the_others_go_on(
    engine: Engine, seed_files: list[Path], tmp_path: Path
) -> None:
    missing = tmp_path / "gone.txt"
    summary = ingest_here(engine, None, [missing, seed_files[0]])
    assert (len(summary.added), len(summary.rejected)) == (1, 1)
    assert "gone.txt" in str(summary.rejected[0]) and "cannot be read" in str(summary.rejected[0])


def test_unsupported_language_is_rejected(engine: Engine, tmp_path: Path) -> None:
    yoruba = (  # lingua knows Yoruba; neither packaged encoder does
        "Ọmọ náà lọ sí ilé ìwé ní òwúrọ̀ yìí, ó sì kọ́ ẹ̀kọ́ tuntun nípa ìtàn orílẹ̀-èdè wa. "
        "Àwọn òbí rẹ̀ dúpẹ́ lọ́wọ́ olùkọ́ rẹ̀."
    )
    (tmp_path / "iroyin.txt").write_text(yoruba)
    summary = ingest_here(engine, None, [tmp_path / "iroyin.txt"])
    assert len(summary.rejected) == 1 and "not supported" in str(summary.rejected[0])
    assert row_counts(engine)["document"] == 0
