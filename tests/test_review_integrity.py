"""No lost work: atomic version checks, ids never reused, undo and redo after every operation.

Written against the `engine` and `client` fixtures only (no model, no SQLite-only SQL), so the
same tests run on PostgreSQL when the fixtures point there.
"""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Link, LinkEvent, User
from app.review import changes as review
from app.review import undo
from app.review.changes import Conflict
from tests.factories import login, make_user
from tests.review_story import ReviewStory, make_review_story, story_state


@pytest.fixture
def desk(engine: Engine, client: TestClient) -> ReviewStory:
    """The small story, and the client logged in as editor 'ed'."""
    made = make_review_story(engine)
    make_user(engine, "ed")
    login(client, "ed")
    return made


def _user(session: Session, name: str) -> User:
    return session.exec(select(User).where(User.name == name)).one()


def _version(client: TestClient, link_id: int) -> int:
    return int(client.get(f"/api/links/{link_id}").json()["version"])


Op = Callable[[TestClient, ReviewStory], Any]

OPERATIONS: dict[str, Op] = {
    "confirm": lambda c, s: c.post(f"/api/links/{s.fr_de[0]}/confirm", json={"version": 1}),
    "reject": lambda c, s: c.post(f"/api/links/{s.fr_de[1]}/reject", json={"version": 1}),
    "unlink": lambda c, s: c.post(f"/api/links/{s.fr_de[2]}/unlink", json={}),
    "relation": lambda c, s: c.post(
        f"/api/links/{s.fr_de[3]}/relation", json={"relation": "related", "version": 1}
    ),
    "link": lambda c, s: c.post(
        f"/api/stories/{s.story}/links",
        json={
            "source": {"document": s.fr, "paragraphs": [4]},
            "target": {"document": s.en, "paragraphs": [3]},
            "relation": "related",
        },
    ),
    "extend": lambda c, s: c.post(
        f"/review/links/{s.fr_de[0]}/extend",
        data={"p": f"{s.fr}-0", "to": f"{s.de}-1", "version": "1"},
        headers={"HX-Request": "true"},
    ),
    "merge": lambda c, s: c.post(
        "/api/links/merge", json={"links": [{"id": s.fr_de[4]}, {"id": s.fr_de[5]}]}
    ),
    "split": lambda c, s: c.post(
        f"/api/links/{s.fr_de[0]}/split",
        json={"parts": [{"source": [0], "target": [0]}, {"source": [], "target": []}]},
    ),
    "mark": lambda c, s: c.put(
        f"/api/documents/{s.fr}/paragraphs/5/mark",
        json={"mark": "not_translated", "target_document": s.en},
    ),
    "batch": lambda c, s: c.post(f"/api/stories/{s.story}/confirm-batch", json={"min_score": 0.8}),
    "remove": lambda c, s: c.delete(f"/api/documents/{s.en}"),
    "split_text": lambda c, s: c.post(f"/api/documents/{s.fr}/paragraphs/2/split", json={"at": 24}),
    "merge_text": lambda c, s: c.post(f"/api/documents/{s.fr}/paragraphs/1/merge-next"),
    "text": lambda c, s: c.put(
        f"/api/documents/{s.de}/paragraphs/2/text",
        json={"text": "Ganz neuer Text. Zwei Sätze jetzt."},
    ),
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_every_operation_undoes_and_redoes(
    name: str, desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    before = story_state(engine, desk.story)
    response = OPERATIONS[name](client, desk)
    assert response.status_code in (200, 201), response.text
    after = story_state(engine, desk.story)
    assert after != before
    undone = client.post("/api/undo", json={"story_id": desk.story})
    assert undone.status_code == 200, undone.text
    assert story_state(engine, desk.story) == before
    redone = client.post("/api/redo", json={"story_id": desk.story})
    assert redone.status_code == 200, redone.text
    assert story_state(engine, desk.story) == after
    # And back again: undo after a redo is not a spurious conflict.
    assert client.post("/api/undo", json={"story_id": desk.story}).status_code == 200
    assert story_state(engine, desk.story) == before
    assert client.post("/api/undo", json={"story_id": desk.story}).status_code == 404


def test_merge_split_undo_undo_restores_everything(
    desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    start = story_state(engine, desk.story)
    merged = client.post(
        "/api/links/merge", json={"links": [{"id": desk.fr_de[2]}, {"id": desk.fr_de[3]}]}
    )
    assert merged.status_code == 201
    after_merge = story_state(engine, desk.story)
    parts = [{"source": [2], "target": [2]}, {"source": [3], "target": [3]}]
    split = client.post(f"/api/links/{merged.json()['id']}/split", json={"parts": parts})
    assert split.status_code == 201
    new_ids = {link["id"] for link in split.json()}
    # A new link never takes the id of one that was deleted.
    assert not new_ids & {merged.json()["id"], *desk.fr_de.values()}
    assert client.post("/api/undo", json={}).status_code == 200
    assert story_state(engine, desk.story) == after_merge
    second = client.post("/api/undo", json={})
    assert second.status_code == 200, second.text
    assert story_state(engine, desk.story) == start
    # Redo twice walks forward again: the merge, then the split.
    assert client.post("/api/redo", json={}).status_code == 200
    assert story_state(engine, desk.story) == after_merge
    assert client.post("/api/redo", json={}).status_code == 200
    links = story_state(engine, desk.story)["links"]
    assert isinstance(links, list)
    assert {lk[0] for lk in links} >= new_ids
    assert client.post("/api/redo", json={}).status_code == 404


def test_a_new_change_ends_the_redo_chain(desk: ReviewStory, client: TestClient) -> None:
    client.post(f"/api/links/{desk.fr_de[0]}/confirm", json={})
    client.post("/api/undo", json={})
    client.post(f"/api/links/{desk.fr_de[1]}/confirm", json={})
    assert client.post("/api/redo", json={}).status_code == 404


def test_interleaved_editors_the_second_write_loses_atomically(
    desk: ReviewStory, engine: Engine
) -> None:
    """Both read version 1; A writes; B's write, checked in its UPDATE, is refused."""
    make_user(engine, "eva")
    link_id = desk.fr_de[0]
    with Session(engine) as sa, Session(engine) as sb:
        ed = _user(sa, "ed")
        seen_by_b = review.load(sb, link_id, 1)
        review.set_status(
            session=sa, user=ed, link_id=link_id, version=1, status="confirmed", action="confirm"
        )
        with pytest.raises(Conflict) as err:
            review.guarded_update(sb, seen_by_b, status="rejected")
        assert "confirmed" in str(err.value) and "ed" in str(err.value)
        sb.rollback()
    with Session(engine) as s:
        link = s.get(Link, link_id)
        assert link is not None and (link.status, link.version) == ("confirmed", 2)
        events = s.exec(select(LinkEvent)).all()
        assert [(e.action, e.after[str(link_id)]["status"]) for e in events] == [
            ("confirm", "confirmed")
        ]


def test_interleaved_merge_and_confirm(desk: ReviewStory, engine: Engine) -> None:
    """A merges two links while B confirms one of them from a stale read: nothing is lost."""
    make_user(engine, "eva")
    with Session(engine) as sa, Session(engine) as sb:
        ed = _user(sa, "ed")
        stale = review.load(sb, desk.fr_de[1], None)
        review.merge(session=sa, user=ed, links=[(desk.fr_de[0], 1), (desk.fr_de[1], 1)])
        with pytest.raises(Conflict) as err:
            review.guarded_update(sb, stale, status="confirmed")
        assert "removed" in str(err.value)
        sb.rollback()


def test_undo_refuses_after_another_editor_changed_the_link(
    desk: ReviewStory, engine: Engine
) -> None:
    make_user(engine, "eva")
    link_id = desk.fr_de[0]
    with Session(engine) as s:
        ed, eva = _user(s, "ed"), _user(s, "eva")
        review.set_status(
            session=s, user=ed, link_id=link_id, version=1, status="confirmed", action="confirm"
        )
        review.set_status(
            session=s, user=eva, link_id=link_id, version=2, status="rejected", action="reject"
        )
        with pytest.raises(Conflict):
            undo.undo_last(session=s, user=ed)
        # Eva undoes hers; then ed's undo goes through, since nobody else's change stands.
        undo.undo_last(session=s, user=eva)
        undo.undo_last(session=s, user=ed)
        link = s.get(Link, link_id, populate_existing=True)
        assert link is not None and link.status == "auto"


def test_stale_version_answers_409_with_what_changed(desk: ReviewStory, client: TestClient) -> None:
    client.post(f"/api/links/{desk.fr_de[0]}/confirm", json={"version": 1})
    late = client.post(f"/api/links/{desk.fr_de[0]}/reject", json={"version": 1})
    assert late.status_code == 409
    assert "version 2" in late.json()["detail"] and "confirmed" in late.json()["detail"]


def test_batch_confirm_is_one_undo(desk: ReviewStory, client: TestClient, engine: Engine) -> None:
    before = story_state(engine, desk.story)
    done = client.post(f"/api/stories/{desk.story}/confirm-batch", json={"min_score": 0.85})
    assert done.json()["count"] == 3
    statuses = {
        lk["id"]: lk["status"]
        for lk in client.get(f"/api/stories/{desk.story}/alignment").json()["links"]
    }
    assert [statuses[desk.fr_de[i]] for i in range(6)] == ["confirmed"] * 3 + ["auto"] * 3
    client.post("/api/undo", json={})
    assert story_state(engine, desk.story) == before


def test_removed_document_is_recorded_and_comes_back(
    desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    before = story_state(engine, desk.story)
    assert client.delete(f"/api/documents/{desk.en}").status_code == 200
    docs = client.get(f"/api/stories/{desk.story}/alignment").json()["documents"]
    assert desk.en not in [d["id"] for d in docs]
    with Session(engine) as s:
        event = s.exec(select(LinkEvent).where(LinkEvent.action == "remove")).one()
        assert f"doc:{desk.en}" in event.before
    client.post("/api/undo", json={})
    assert story_state(engine, desk.story) == before
    paras = client.get(f"/api/stories/{desk.story}/alignment").json()["documents"][2]
    assert paras["id"] == desk.en and len(paras["paragraphs"]) == 4


def test_an_undo_racing_another_editor_does_not_overwrite_them(
    desk: ReviewStory, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ed's undo checks the link, then Eva writes, then the undo writes: it must be refused."""
    make_user(engine, "eva")
    link_id = desk.fr_de[0]
    real = undo._expected_now

    def eva_writes_in_between(session, event, names):  # type: ignore[no-untyped-def]
        expected = real(session, event, names)
        with Session(engine) as other:
            review.set_status(
                session=other,
                user=_user(other, "eva"),
                link_id=link_id,
                version=None,
                status="rejected",
                action="reject",
            )
        return expected

    with Session(engine) as s:
        ed = _user(s, "ed")
        review.set_status(
            session=s, user=ed, link_id=link_id, version=1, status="confirmed", action="confirm"
        )
        monkeypatch.setattr(undo, "_expected_now", eva_writes_in_between)
        with pytest.raises(Conflict):
            undo.undo_last(session=s, user=ed)
    with Session(engine) as s:
        link = s.get(Link, link_id)
        assert link is not None and link.status == "rejected"
        assert [e.action for e in s.exec(select(LinkEvent).order_by(col(LinkEvent.id)))] == [
            "confirm",
            "reject",
        ]


def _links_of(engine: Engine, doc: int) -> dict[int, tuple[list[int], list[int]]]:
    with Session(engine) as session:
        return {
            lk.id or 0: (lk.source_paragraphs, lk.target_paragraphs)
            for lk in session.exec(select(Link).where(Link.source_document_id == doc))
        }


def _confirm_fr_de(client: TestClient, desk: ReviewStory) -> None:
    """Reviewed links follow a split or merge exactly; the realignment after it replaces
    automatic links only (tests/test_paragraph_realign.py)."""
    batch = {"min_score": 0.0, "documents": [desk.fr, desk.de]}
    confirmed = client.post(f"/api/stories/{desk.story}/confirm-batch", json=batch)
    assert confirmed.status_code == 200, confirmed.text


def test_split_at_the_cursor_moves_links_and_marks_with_the_text(
    desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    _confirm_fr_de(client, desk)
    mark = {"mark": "added"}
    assert client.put(f"/api/documents/{desk.fr}/paragraphs/4/mark", json=mark).status_code == 200
    text = client.get(f"/api/stories/{desk.story}/alignment").json()
    assert text
    response = client.post(f"/api/documents/{desk.fr}/paragraphs/2/split", json={"at": 24})
    assert response.status_code == 201, response.text
    head, tail = response.json()["paragraphs"]
    assert (head["index"], tail["index"]) == (2, 3)
    assert head["text"] == "Le paragraphe numéro 2 p"[:24].rstrip()
    assert tail["text"].startswith("arle de la ville")
    links = _links_of(engine, desk.fr)
    # The split paragraph's link holds both halves; later links moved down by one.
    assert links[desk.fr_de[2]] == ([2, 3], [2])
    assert links[desk.fr_de[3]] == ([4], [3])
    assert links[desk.fr_de[5]] == ([6], [5])
    marks = story_state(engine, desk.story)["marks"]
    assert (desk.fr, 5, "added", None) in marks  # type: ignore[operator]
    label = client.get(f"/stories/{desk.story}/review").text
    assert "Undo: splitting ¶3" in label


def test_merge_with_next_joins_the_two_links_of_one_pair(
    desk: ReviewStory, client: TestClient, engine: Engine
) -> None:
    _confirm_fr_de(client, desk)
    response = client.post(f"/api/documents/{desk.fr}/paragraphs/1/merge-next")
    assert response.status_code == 200, response.text
    assert response.json()["paragraph"] == 1
    assert "numéro 1" in response.json()["text"] and "numéro 2" in response.json()["text"]
    links = _links_of(engine, desk.fr)
    # FR ¶2 and ¶3 are one paragraph now: its two links to DE became one 1-2 link.
    assert links[desk.fr_de[1]] == ([1], [1, 2])
    assert desk.fr_de[2] not in links
    assert links[desk.fr_de[3]] == ([2], [3])
    last = client.post(f"/api/documents/{desk.fr}/paragraphs/4/merge-next")
    assert last.status_code == 422 and "is the last paragraph" in last.json()["detail"]
    outside = client.post(f"/api/documents/{desk.fr}/paragraphs/0/split", json={"at": 400})
    assert outside.status_code == 422 and "inside its text" in outside.json()["detail"]
