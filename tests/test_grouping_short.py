"""Short local-news texts of one genre: 'costs N million francs, the council said' is no story."""

from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.models import Document
from tests.factories import ingest_grouped

DATA = Path(__file__).parent / "data" / "grouping_short"


def test_short_unrelated_texts_stay_apart_and_their_translations_join(
    engine: Engine, encoder: Encoder
) -> None:
    # Seen in the browser: the French pool text joined the German bridge story on one match.
    order = ["s_bridge_de", "s_pool_fr", "s_pool_de", "s_bridge_fr"]
    ingest_grouped(engine, encoder, [DATA / f"{name}.txt" for name in order], max_bytes=100_000)
    with Session(engine) as session:
        story = {d.source.split(".")[0]: d.story_id for d in session.exec(select(Document))}
    assert story["s_bridge_de"] == story["s_bridge_fr"], story
    assert story["s_pool_fr"] == story["s_pool_de"], story
    assert story["s_bridge_de"] != story["s_pool_fr"], story
