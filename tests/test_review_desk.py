"""The review desk pair by pair: progress, pairs still aligning, a queue that stays put and
says when background work changed it, undo wherever a moved document went."""

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.library.documents import move_document
from app.models import Document, Job, Link, StoredFinding, User
from app.review.pairs import PairView, document_names
from tests.factories import login, make_user
from tests.review_story import ReviewStory, make_review_story

HX = {"HX-Request": "true"}


@pytest.fixture
def desk(engine: Engine, client: TestClient) -> ReviewStory:
    """The small story (FR-DE six 1-1 links), and the client logged in as editor 'ed'."""
    made = make_review_story(engine)
    make_user(engine, "ed")
    login(client, "ed")
    return made


def _page(client: TestClient, url: str) -> html.HtmlElement:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return html.fromstring(response.text)


def test_pair_view_shows_the_pairs_links_and_progress(
    desk: ReviewStory, client: TestClient
) -> None:
    for i in (0, 1):
        assert client.post(f"/api/links/{desk.fr_de[i]}/confirm", json={}).status_code == 200
    by_ids = _page(client, f"/stories/{desk.story}/review?pair={desk.de}-{desk.fr}")
    by_langs = _page(client, f"/stories/{desk.story}/review?pair=fr-de")
    for page in (by_ids, by_langs):
        assert "French – German" in page.get_element_by_id("pair-progress").text_content()
        counts = " ".join(page.get_element_by_id("queue-counts").text_content().split())
        assert "2 of 6 links reviewed" in counts
        rows = page.xpath("//table[@id='queue']/tbody/tr[contains(@class, 'queue-row')]")
        # Only the pair's links: none of the FR-EN related links.
        assert sorted(r.get("id") for r in rows) == sorted(f"link-{i}" for i in desk.fr_de.values())
    nav = by_ids.xpath("//nav[@class='pair-nav']/a[@aria-current]")[0].text_content()
    assert nav.startswith("French – German") and "2/6" in nav


def test_a_pair_still_aligning_is_marked_and_its_review_waits(
    desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    with Session(engine) as session:
        job = Job(kind="realign", status="running", document_id=desk.de, story_id=desk.story)
        session.add(job)
        session.commit()
        job_id = job.id
    page = _page(client, f"/stories/{desk.story}/review?pair=fr-de")
    assert "still aligning" in page.get_element_by_id("pair-progress").text_content()
    assert page.xpath(f"//tr[@id='link-{desk.fr_de[0]}' and contains(@class, 'aligning')]")
    refused = client.post(f"/api/links/{desk.fr_de[0]}/confirm", json={})
    assert refused.status_code == 409
    assert "German text is still being aligned" in refused.json()["detail"]
    assert refused.json()["conflict"]["aligning"] == {"document": desk.de, "job": job_id}
    panel = client.post(
        f"/review/links/{desk.fr_de[0]}/confirm", data={"p": f"{desk.fr}-0"}, headers=HX
    )
    assert panel.status_code == 409 and "still being aligned" in panel.text
    # The FR-EN pair is not aligning: its links can be reviewed.
    with Session(engine) as session:
        related = session.exec(select(Link).where(Link.target_document_id == desk.en)).first()
        assert related is not None
    assert client.post(f"/api/links/{related.id}/confirm", json={}).status_code == 200
    with Session(engine) as session:
        done = session.get(Job, job_id)
        assert done is not None
        done.status = "done"
        session.add(done)
        session.commit()
    assert client.post(f"/api/links/{desk.fr_de[0]}/confirm", json={}).status_code == 200


def test_queue_says_when_background_work_changed_it(
    desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    page = _page(client, f"/stories/{desk.story}/review")
    poll = page.get_element_by_id("queue-changes").get("hx-get")
    assert "refresh" not in _page(client, poll).text_content()
    with Session(engine) as session:
        for index in (2, 3):
            session.add(
                StoredFinding(
                    story_id=desk.story,
                    check="omission",
                    severity=0.8,
                    document_id=desk.fr,
                    paragraph=index,
                    counterpart_document_id=desk.en,
                    summary=f"¶{index + 1} is missing in the English version",
                    detail="not in en",
                )
            )
        session.commit()
    notice = _page(client, poll).text_content()
    assert "2 new findings — refresh" in notice


def test_undo_after_a_table_redraw_keeps_the_rows_where_they_were(
    desk: ReviewStory, client: TestClient
) -> None:
    page = _page(client, f"/stories/{desk.story}/review")
    order = [r.get("id") for r in page.xpath("//tr[contains(@class, 'queue-row')]")]
    first = order[0]
    link_id = int(first.removeprefix("link-"))
    assert client.post(f"/api/links/{link_id}/confirm", json={}).status_code == 200
    # Without the page's order, a decided row sinks below the open ones...
    sunk = html.fromstring(
        client.post(f"/stories/{desk.story}/review/redo", data={}, headers=HX).text
    )
    assert sunk.xpath("//tr[contains(@class, 'queue-row')]")[0].get("id") != first
    # ...with it, undo redraws the table with every row where the editor had it.
    undone = client.post(
        f"/stories/{desk.story}/review/undo", data={"order": ",".join(order)}, headers=HX
    )
    table = html.fromstring(undone.text)
    assert [r.get("id") for r in table.xpath("//tr[contains(@class, 'queue-row')]")] == order


@pytest.mark.model
def test_a_move_is_undone_from_the_story_it_left(
    desk: ReviewStory, client: TestClient, engine: Engine, encoder: Encoder
) -> None:
    assert client.post(f"/api/links/{desk.fr_de[5]}/confirm", json={}).status_code == 200
    with Session(engine) as session:
        user = session.exec(select(User).where(User.name == "ed")).one()
        moved = move_document(
            session=session,
            encoder=encoder,
            user=user,
            document_id=desk.en,
            story_id=None,
        )
        new_story = moved.story_id
    assert new_story != desk.story
    # Undo in the story the document left takes back the move, not the older confirm.
    undone = client.post("/api/undo", json={"story_id": desk.story})
    assert undone.status_code == 200, undone.text
    with Session(engine) as session:
        back = session.get(Link, desk.fr_de[5])
        assert back is not None and back.status == "confirmed"
    docs = {d["id"] for d in client.get(f"/api/stories/{desk.story}/alignment").json()["documents"]}
    assert desk.en in docs
    redone = client.post("/api/redo", json={"story_id": new_story})
    assert redone.status_code == 200, redone.text
    docs = {d["id"] for d in client.get(f"/api/stories/{desk.story}/alignment").json()["documents"]}
    assert desk.en not in docs


def test_two_texts_in_one_language_are_two_pairs_told_apart() -> None:
    """A story with two English texts (the seeds: a machine translation and a separate report)
    has two French–English pairs; their labels say which English text each is."""

    def doc(i: int, lang: str, title: str) -> Document:
        return Document(
            id=i, story_id=1, lang=lang, title=title, source=f"{i}.txt", content_hash=str(i),
            original="",
        )  # fmt: skip

    fr = doc(1, "fr", "Kurogi, un employé de bureau")
    mt = doc(2, "en", "JAKARTA - Japan announced the temporary closure")
    report = doc(3, "en", "Around 70 Japanese")
    names = document_names([fr, mt, report])
    labels = [
        PairView(fr, en, 0, 1, False, (names[1], names[en.id or 0])).label for en in (mt, report)
    ]
    assert labels == [
        "French – English (JAKARTA - Japan announced…)",
        "French – English (Around 70 Japanese)",
    ]
    assert PairView(fr, mt, 0, 1, False).label == "French – English"  # no names: languages
