"""Grouping keeps libraries apart: a private text joins only its owner's private texts, and a
public text only public ones, however alike they are (here: translations of one article)."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app.align.encoder import Encoder
from app.ingest import parse_bytes
from app.library.personal import Scope
from app.models import Document, Story
from app.pipeline.steps import group_and_align
from app.pipeline.store import ingest_parsed
from tests.factories import make_user

DATA = Path(__file__).parent / "data" / "grouping"


def _add(engine: Engine, encoder: Encoder, name: str, scope: Scope) -> Story:
    path = DATA / f"{name}.txt"
    parsed = parse_bytes(path.read_bytes(), source=path.name, max_bytes=2_000_000)
    stored = ingest_parsed(engine=engine, parsed=parsed, scope=scope)
    assert stored.status == "added"
    group_and_align(engine=engine, encoder=encoder, document_id=stored.document_id)
    with Session(engine) as session:
        doc = session.get(Document, stored.document_id)
        assert doc is not None
        story = session.get(Story, doc.story_id)
        assert story is not None
        session.expunge(story)
        return story


@pytest.mark.model
def test_private_and_public_texts_never_share_a_story(engine: Engine, encoder: Encoder) -> None:
    make_user(engine, "rita", role="reader")
    make_user(engine, "olga", role="reader")
    rita, olga, public = Scope(1, "private"), Scope(2, "private"), Scope(None, "public")
    public_de = _add(engine, encoder, "a_de", public)
    rita_en = _add(engine, encoder, "a_en", rita)
    rita_fr = _add(engine, encoder, "a_fr", rita)
    olga_fr = _add(engine, encoder, "a_fr", olga)  # the same text, another library
    public_fr = _add(engine, encoder, "a_fr", public)
    # Rita's two translations group with each other, in a story private to her ...
    assert rita_fr.id == rita_en.id
    assert (rita_en.visibility, rita_en.owner_id) == ("private", 1)
    # ... and nobody else's copy joins it, nor does hers join theirs.
    assert olga_fr.id not in (rita_en.id, public_de.id)
    assert (olga_fr.visibility, olga_fr.owner_id) == ("private", 2)
    assert rita_en.id != public_de.id
    # Public texts still group as before: the French joins the public German.
    assert public_fr.id == public_de.id
    assert public_fr.visibility == "public"
