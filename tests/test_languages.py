"""Every language a reader brings: which are accepted, which encoder aligns a pair, and a
Hebrew-English and a Ukrainian-English pair (written for these tests) that align and group."""

import argparse
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.align.encoder import (
    E5_LANGUAGES,
    USEM3_LANGUAGES,
    Encoder,
    EncoderSet,
    encoder_for,
    encoder_name_for,
)
from app.cli import _align_encoder_name
from app.config import Settings
from app.ingest import SUPPORTED_LANGUAGES
from app.models import Document, DocumentPair, Embedding, Link
from tests.factories import ingest_grouped

DATA = Path(__file__).resolve().parent / "data" / "languages"


def test_at_least_fifty_languages_are_accepted_including_the_ones_readers_asked_for() -> None:
    assert len(SUPPORTED_LANGUAGES) >= 50
    assert {"he", "hi", "uk", "fa", "el", "cs", "sv", "vi", "id"} <= set(SUPPORTED_LANGUAGES)
    # Every accepted language is covered by a packaged encoder.
    assert set(SUPPORTED_LANGUAGES) <= USEM3_LANGUAGES | E5_LANGUAGES


@pytest.mark.parametrize(
    ("default", "langs", "expected"),
    [
        ("usem3", ("fr", "de"), "usem3"),
        ("usem3", ("he", "en"), "e5"),
        ("usem3", ("uk", None), "e5"),
        ("e5", ("fr", "de"), "e5"),  # PARALLAX_ENCODER=e5 keeps e5 for every pair
        ("usem3", ("yo", "en"), None),
    ],
)
def test_the_default_encoder_is_kept_when_it_covers_both_languages(
    default: str, langs: tuple[str | None, ...], expected: str | None
) -> None:
    assert encoder_name_for(default, langs) == expected


class _Fake:
    def __init__(self, name: str) -> None:
        self.name, self.dim = name, 2


def test_an_encoder_set_loads_another_encoder_only_when_a_pair_needs_it() -> None:
    loaded: list[str] = []

    def loader(name: str) -> _Fake:
        loaded.append(name)
        return _Fake(name)

    encoders = EncoderSet(_Fake("usem3"), loader=loader)  # type: ignore[arg-type]
    assert encoders.name == "usem3"
    assert encoder_for(encoders, "fr", "ja").name == "usem3"
    assert loaded == []
    assert encoder_for(encoders, "he", "en").name == "e5"
    assert encoder_for(encoders, "uk", "hi").name == "e5"
    assert loaded == ["e5"]
    # A plain encoder has no choice to make.
    plain = _Fake("usem3")
    assert encoder_for(plain, "he", "en") is plain  # type: ignore[arg-type]


def test_parallax_align_switches_to_an_encoder_that_covers_both_files(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(load_encoder=False)
    he, en = DATA / "cablecar.he.txt", DATA / "cablecar.en.txt"
    args = argparse.Namespace(src=str(he), tgt=str(en), encoder=None)
    assert _align_encoder_name(args, settings) == "e5"
    assert "usem3 does not cover he/en; using e5" in capsys.readouterr().err
    # An explicit choice is kept, with a warning.
    args = argparse.Namespace(src=str(he), tgt=str(en), encoder="usem3")
    assert _align_encoder_name(args, settings) == "usem3"
    assert "warning: usem3 does not cover he/en" in capsys.readouterr().err
    args = argparse.Namespace(src=str(en), tgt=str(en), encoder=None)
    assert _align_encoder_name(args, settings) == "usem3"
    assert capsys.readouterr().err == ""


@pytest.fixture(scope="module")
def four_documents(tmp_path_factory: pytest.TempPathFactory, e5_encoder: Encoder) -> Engine:
    """The Haifa cable car in Hebrew and English, the Poltava school in Ukrainian and
    English, ingested one by one through the job pipeline.

    With e5 as the default encoder (PARALLAX_ENCODER=e5): every document is indexed under
    one encoder. The default usem3, where a Hebrew text is indexed under e5 and bridged to
    its English translation, is tested in test_grouping_bridge.py."""
    from app.align.encoder import EncoderSet

    encoder = EncoderSet(e5_encoder)
    from app.db import make_engine
    from app.migrate import upgrade

    url = f"sqlite:///{tmp_path_factory.mktemp('langs') / 'langs.db'}"
    upgrade(url)
    engine = make_engine(url)
    files = [DATA / n for n in ("cablecar.en.txt", "cablecar.he.txt", "school.en.txt",
                                "school.uk.txt")]  # fmt: skip
    ingest_grouped(engine, encoder, files, max_bytes=100_000)
    return engine


def _docs(engine: Engine) -> dict[str, Document]:
    with Session(engine) as session:
        return {d.source: d for d in session.exec(select(Document)).all()}


@pytest.mark.model
def test_hebrew_and_ukrainian_documents_group_with_their_english_versions(
    four_documents: Engine,
) -> None:
    docs = _docs(four_documents)
    assert {name: d.lang for name, d in docs.items()} == {
        "cablecar.en.txt": "en", "cablecar.he.txt": "he",
        "school.en.txt": "en", "school.uk.txt": "uk",
    }  # fmt: skip
    assert docs["cablecar.he.txt"].story_id == docs["cablecar.en.txt"].story_id
    assert docs["school.uk.txt"].story_id == docs["school.en.txt"].story_id
    assert docs["school.en.txt"].story_id != docs["cablecar.en.txt"].story_id


@pytest.mark.model
@pytest.mark.parametrize("story", ["cablecar", "school"])
def test_each_paragraph_links_to_its_translation(four_documents: Engine, story: str) -> None:
    docs = _docs(four_documents)
    ids = {d.id for name, d in docs.items() if name.startswith(story)}
    with Session(four_documents) as session:
        links = session.exec(
            select(Link).where(
                col(Link.source_document_id).in_(ids), Link.relation == "translation"
            )
        ).all()
        pair = session.exec(
            select(DocumentPair).where(col(DocumentPair.source_document_id).in_(ids))
        ).one()
    beads = sorted((lk.source_paragraphs, lk.target_paragraphs) for lk in links)
    # Every paragraph is linked, and only to its own translation (the aligner may still
    # merge two neighbouring 1-1 pairs into a 2-2 bead: that is its quality, not coverage).
    assert all(src == tgt for src, tgt in beads), beads
    assert sorted(i for src, _ in beads for i in src) == list(range(7))
    assert len(beads) >= 5
    assert pair.kind == "translation"


@pytest.mark.model
def test_embeddings_are_cached_under_the_versioned_encoder(four_documents: Engine) -> None:
    from app.pipeline.embeddings import cache_key

    with Session(four_documents) as session:
        encoders = set(session.exec(select(Embedding.encoder)).all())
    assert encoders == {cache_key("e5")}
