"""Every write that changes what a story shows changes its page: a new ETag, new content.

The story page and its click fragments are served from a cache keyed on `Story.version`
(app.routes.page_cache); these tests make each kind of write and read the page again.
"""

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.models import PRIVATE, Document, GroupingDecision, Paragraph, Story
from tests.factories import login, make_user

pytestmark = pytest.mark.model


def _story(client: TestClient) -> dict:  # type: ignore[type-arg]
    story_id = client.get("/api/stories").json()["items"][0]["id"]
    return client.get(f"/api/stories/{story_id}/alignment").json()


def _page(client: TestClient, url: str, **headers: str) -> tuple[str, str]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.headers["etag"], response.text


def _graph(html: str) -> list[list[object]]:
    found = re.search(r"data-links='([^']*)'", html)
    assert found is not None
    return json.loads(found.group(1).replace("&#34;", '"').replace("&quot;", '"'))  # type: ignore[no-any-return]


def _version(engine: Engine, story_id: int) -> int:
    with Session(engine) as session:
        story = session.get(Story, story_id)
        assert story is not None
        return story.version


def test_a_repeated_read_is_a_304_and_the_same_bytes(seeded_client: TestClient) -> None:
    url = f"/stories/{_story(seeded_client)['id']}"
    etag, html = _page(seeded_client, url)
    assert _page(seeded_client, url) == (etag, html)
    again = seeded_client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert seeded_client.get(url, headers={"If-None-Match": 'W/"other"'}).status_code == 200
    assert again.headers["cache-control"] == "no-cache"


def test_review_writes_change_the_page_and_the_click_fragment(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    story = _story(seeded_client)
    url = f"/stories/{story['id']}"
    link = next(lk for lk in story["links"] if lk["relation"] == "translation")
    src = f"{link['source']['document']}-{link['source']['paragraphs'][0]}"
    click = {"HX-Request": "true"}
    etag, html = _page(seeded_client, url)
    frag_etag, frag = _page(seeded_client, f"{url}?p={src}", **click)
    assert "rel-translation" in frag
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    rejected = seeded_client.post(f"/api/links/{link['id']}/reject", json={})
    assert rejected.status_code == 200, rejected.text
    seeded_client.post("/api/logout")
    seeded_client.headers.pop("x-csrftoken", None)
    etag2, html2 = _page(seeded_client, url)
    assert etag2 != etag and len(_graph(html2)) == len(_graph(html)) - 1
    frag_etag2, frag2 = _page(seeded_client, f"{url}?p={src}", **click)
    assert frag_etag2 != frag_etag and frag2 != frag
    # the relation of another link
    other = next(
        lk for lk in story["links"] if lk["relation"] == "translation" and lk["id"] != link["id"]
    )
    login(seeded_client, "ed")
    seeded_client.post(f"/api/links/{other['id']}/relation", json={"relation": "related"})
    seeded_client.post("/api/logout")
    seeded_client.headers.pop("x-csrftoken", None)
    etag3, html3 = _page(seeded_client, url)
    assert etag3 != etag2
    assert [g[4] for g in _graph(html3)].count("related") == [g[4] for g in _graph(html2)].count(
        "related"
    ) + 1


def test_a_mark_changes_the_editor_page(seeded_client: TestClient, seeded_engine: Engine) -> None:
    story = _story(seeded_client)
    fr = story["documents"][0]["id"]
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    url = f"/stories/{story['id']}?p={fr}-3"
    etag, html = _page(seeded_client, url)
    assert '<span class="mark">' not in html
    marked = seeded_client.put(f"/api/documents/{fr}/paragraphs/3/mark", json={"mark": "added"})
    assert marked.status_code == 200, marked.text
    etag2, html2 = _page(seeded_client, url)
    assert etag2 != etag and '<span class="mark">added</span>' in html2


def test_text_edit_move_and_removal_change_the_page(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    story = _story(seeded_client)
    url = f"/stories/{story['id']}"
    de, mt = story["documents"][1]["id"], story["documents"][2]["id"]
    make_user(seeded_engine, "ed")
    login(seeded_client, "ed")
    etag, html = _page(seeded_client, url)
    text = story["documents"][1]["paragraphs"][4]["text"] + " Ein Satz mehr, von Hand."
    edited = seeded_client.put(f"/api/documents/{de}/paragraphs/4/text", json={"text": text})
    assert edited.status_code == 200, edited.text
    etag2, html2 = _page(seeded_client, url)
    assert etag2 != etag and "Ein Satz mehr, von Hand." in html2
    moved = seeded_client.put(
        f"/api/documents/{mt}/story?wait=true", json={"story_id": None, "discard_reviewed": True}
    )
    assert moved.status_code == 200, moved.text
    etag3, html3 = _page(seeded_client, url)
    assert etag3 != etag2 and f'id="col-{mt}"' in html2 and f'id="col-{mt}"' not in html3
    removed = seeded_client.delete(f"/api/documents/{de}")
    assert removed.status_code == 200, removed.text
    etag4, html4 = _page(seeded_client, url)
    assert etag4 != etag3 and f'id="col-{de}"' not in html4


def test_orm_writes_bump_the_version_once_per_transaction(seeded_engine: Engine) -> None:
    with Session(seeded_engine) as session:
        doc = session.exec(select(Document)).first()
        assert doc is not None and doc.id is not None
        story_id = doc.story_id
    start = _version(seeded_engine, story_id)
    with Session(seeded_engine) as session:
        para = session.exec(select(Paragraph).where(Paragraph.document_id == doc.id)).first()
        assert para is not None
        para.text += " (edited)"
        session.add(para)
        session.flush()
        para.text += " twice"
        session.add(para)
        session.commit()
    assert _version(seeded_engine, story_id) == start + 1
    with Session(seeded_engine) as session:
        decision = session.exec(
            select(GroupingDecision).where(GroupingDecision.document_id == doc.id)
        ).first()
        assert decision is not None
        decision.decision = "moved"
        session.add(decision)
        session.commit()
    assert _version(seeded_engine, story_id) == start + 2
    with Session(seeded_engine) as session:  # a read changes nothing
        session.exec(select(Paragraph)).all()
        session.commit()
    assert _version(seeded_engine, story_id) == start + 2


def test_private_pages_stay_private(seeded_client: TestClient, seeded_engine: Engine) -> None:
    story = _story(seeded_client)
    url = f"/stories/{story['id']}"
    make_user(seeded_engine, "owner", role="reader")
    with Session(seeded_engine) as session:
        owner = session.exec(select(Story)).first()
        from app.models import User

        user = session.exec(select(User).where(User.name == "owner")).one()
        row = session.get(Story, story["id"])
        assert row is not None and owner is not None
        row.visibility, row.owner_id = PRIVATE, user.id
        for doc in session.exec(select(Document).where(Document.story_id == row.id)):
            doc.visibility, doc.owner_id = PRIVATE, user.id
            session.add(doc)
        session.add(row)
        session.commit()
    login(seeded_client, "owner")
    etag, html = _page(seeded_client, url)
    response = seeded_client.get(url)
    assert response.headers["cache-control"] == "private, no-store" and "owner" in html
    seeded_client.post("/api/logout")
    # Anonymous: the same URL, the owner's ETag or not, is a 404 and never the kept page.
    assert seeded_client.get(url).status_code == 404
    assert seeded_client.get(url, headers={"If-None-Match": etag}).status_code == 404
