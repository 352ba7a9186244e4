"""A Hebrew charter with "סעיף א." headings and its English "Article 1." translation (texts
written for this test, tests/data/numbering): e5 reads Hebrew letters as letters, so without
read_numbering the headings are matched at random and the pair is left unlinked."""

from pathlib import Path

import pytest

from app.align.core import align_documents
from app.align.encoder import Encoder

pytestmark = pytest.mark.model

DATA = Path(__file__).resolve().parent / "data" / "numbering"


def _units(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [block.lstrip("# ").strip() for block in text.split("\n\n") if block.strip()]


def test_letter_numbered_headings_link_to_their_articles(e5_encoder: Encoder) -> None:
    he, en = _units("charter.he.md"), _units("charter.en.md")
    assert len(he) == len(en)
    result = align_documents(he, en, e5_encoder)
    assert result.kind == "translation"
    linked = {(b.src, b.tgt) for b in result.translation_beads}
    headings = [i for i, unit in enumerate(en) if unit.startswith("Article ")]
    assert len(headings) == 10
    assert all(((i,), (i,)) in linked for i in headings), sorted(linked)
