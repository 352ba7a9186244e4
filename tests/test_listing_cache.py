"""`/api/stories`, `/api/search` and the search page are kept like home: by the library's
version, the viewer and the query (ETag/304). Every write they show changes them, nobody is
served another's private story, and a learner's new-word shares are never stale.

Writes are made in sessions of their own, as a worker process would make them.
"""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.main import create_app
from app.models import PRIVATE, Document, Paragraph, Story, User, VocabularyItem
from tests.factories import change_row, login, make_big_story, make_user

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)

SEARCH = ("/api/search?q=ordinary", "/search?q=ordinary")


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """An app without a model: these answers read the database only."""
    with TestClient(create_app(settings)) as c:
        yield c


def _get(client: TestClient, path: str) -> tuple[str, str]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.headers["etag"], response.text


def _first_paragraph(engine: Engine, story_id: int) -> int:
    with Session(engine) as session:
        found = session.exec(
            select(Paragraph.id)
            .join(Document, col(Document.id) == col(Paragraph.document_id))
            .where(Document.story_id == story_id)
            .order_by(col(Paragraph.id))
        ).first()
        assert found is not None
        return found


@pytest.mark.parametrize("path", ["/api/stories", *SEARCH])
def test_kept_and_revalidated(app_client: TestClient, engine: Engine, path: str) -> None:
    make_big_story(engine, documents=2, paragraphs=2)
    etag, body = _get(app_client, path)
    assert _get(app_client, path) == (etag, body)
    again = app_client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    # another page of the same list is another answer
    other = app_client.get(path + ("&" if "?" in path else "?") + "limit=1")
    assert other.status_code == 200 and other.headers["etag"] != etag


def test_api_stories_shows_every_write_of_the_list(app_client: TestClient, engine: Engine) -> None:
    first = make_big_story(engine, documents=2, paragraphs=2)
    etags = [_get(app_client, "/api/stories")[0]]

    def listed() -> list[dict[str, object]]:
        etag, _ = _get(app_client, "/api/stories")
        assert etag not in etags
        etags.append(etag)
        items: list[dict[str, object]] = app_client.get("/api/stories").json()["items"]
        return items

    assert app_client.get("/api/stories").json()["total"] == 1
    second = make_big_story(engine, documents=3, paragraphs=2)
    assert [s["id"] for s in listed()] == [second, first]
    assert app_client.get("/api/stories").json()["total"] == 2  # counted again
    change_row(engine, Story, first, title="Renamed in a worker")
    assert listed()[1]["title"] == "Renamed in a worker"
    with Session(engine) as session:
        doc = session.exec(select(Document).where(Document.story_id == first)).first()
        assert doc is not None and doc.id is not None
        doc_id = doc.id
    change_row(engine, Document, doc_id, tag="pt-BR")
    assert "pt-BR" in listed()[1]["languages"]  # type: ignore[operator]
    change_row(engine, Document, doc_id, story_id=second)  # grouped into the other story
    items = listed()
    assert [len(s["documents"]) for s in items] == [4, 1]  # type: ignore[arg-type]


def test_search_shows_every_edit_of_a_paragraph(app_client: TestClient, engine: Engine) -> None:
    story = make_big_story(engine, documents=2, paragraphs=2)
    before = {p: _get(app_client, p) for p in ("/api/search?q=Zwiebelmarkt", *SEARCH)}
    assert before["/api/search?q=Zwiebelmarkt"][1].count('"story"') == 0
    para = _first_paragraph(engine, story)
    change_row(engine, Paragraph, para, text="Der Zwiebelmarkt in Bern.", end=25)
    etag, _ = _get(app_client, "/api/search?q=Zwiebelmarkt")
    assert etag != before["/api/search?q=Zwiebelmarkt"][0]
    assert app_client.get("/api/search?q=Zwiebelmarkt").json()["items"][0]["story"] == story
    assert "Zwiebelmarkt</mark>" in _get(app_client, "/search?q=Zwiebelmarkt")[1]
    # the edited paragraph no longer says "ordinary": one hit fewer
    hits = app_client.get("/api/search?q=ordinary&limit=100").json()["items"]
    assert len(hits) == 3
    for path in SEARCH:
        assert _get(app_client, path)[0] != before[path][0]


def _make_private(engine: Engine, story_id: int, owner: str) -> None:
    with Session(engine) as session:
        user = session.exec(select(User).where(User.name == owner)).one()
        docs = session.exec(select(Document).where(Document.story_id == story_id)).all()
        for doc in docs:
            doc.visibility, doc.owner_id = PRIVATE, user.id
            session.add(doc)
        row = session.get(Story, story_id)
        assert row is not None
        row.visibility, row.owner_id, row.title = PRIVATE, user.id, "My private notes"
        session.add(row)
        para = session.exec(
            select(Paragraph).where(col(Paragraph.document_id).in_([d.id for d in docs]))
        ).first()
        assert para is not None
        para.text, para.end = "Geheimrezept der Grossmutter.", 29
        session.add(para)
        session.commit()


PRIVATE_PATHS = {
    "/api/stories": "My private notes",
    "/api/search?q=Geheimrezept": "Grossmutter",  # the query itself is on every answer
    "/search?q=Geheimrezept": "Grossmutter",
}


def _logout(client: TestClient) -> None:
    client.post("/api/logout")
    client.headers.pop("x-csrftoken", None)


def test_private_stories_stay_in_their_owners_answers(
    app_client: TestClient, engine: Engine
) -> None:
    make_big_story(engine, documents=2, paragraphs=2)
    mine = make_big_story(engine, documents=2, paragraphs=2)
    make_user(engine, "owner", role="reader")
    make_user(engine, "other", role="reader")
    _make_private(engine, mine, "owner")
    anonymous = {p: _get(app_client, p) for p in PRIVATE_PATHS}
    assert app_client.get("/api/stories").json()["total"] == 1
    login(app_client, "owner")
    assert app_client.get("/api/stories").json()["total"] == 2
    owners = {}
    for path, secret in PRIVATE_PATHS.items():
        response = app_client.get(path)
        assert secret in response.text and response.headers["cache-control"] == "private, no-store"
        owners[path] = response.headers["etag"]
        assert owners[path] != anonymous[path][0]
    _logout(app_client)
    login(app_client, "other")
    for path, secret in PRIVATE_PATHS.items():
        # neither the owner's kept answer nor a 304 for its ETag
        response = app_client.get(path, headers={"If-None-Match": owners[path]})
        assert response.status_code == 200 and secret not in response.text
        assert secret not in anonymous[path][1]
    _logout(app_client)
    for path in PRIVATE_PATHS:
        assert _get(app_client, path) == anonymous[path]
    login(app_client, "owner")  # published: counted for everyone
    assert app_client.post(f"/api/library/stories/{mine}/publish").status_code == 200
    _logout(app_client)
    assert app_client.get("/api/stories").json()["total"] == 2


def test_a_learners_new_words_are_never_kept(app_client: TestClient, engine: Engine) -> None:
    story = make_big_story(engine, documents=2, paragraphs=2)
    make_user(engine, "lena", role="reader")
    login(app_client, "lena")
    assert all(s["new_words"] is None for s in app_client.get("/api/stories").json()["items"])
    with Session(engine) as session:
        lena = session.exec(select(User).where(User.name == "lena")).one()
        assert lena.id is not None
        session.add(VocabularyItem(user_id=lena.id, key="k1", word="Paragraph", lang="fr"))
        session.commit()

    def share() -> dict[str, object]:
        response = app_client.get("/api/stories")
        assert "etag" not in response.headers  # made each time: the words change it
        item = next(s for s in response.json()["items"] if s["id"] == story)
        assert item["new_words"] is not None
        return dict(item["new_words"])

    before = share()
    assert before["lang"] == "fr" and before["new"] == before["total"]
    with Session(engine) as session:  # a word marked known, as the practice page does
        lena = session.exec(select(User).where(User.name == "lena")).one()
        assert lena.id is not None
        session.add(
            VocabularyItem(user_id=lena.id, key="k2", word="words", lang="fr", status="known")
        )
        session.commit()
    after = share()
    assert after["total"] == before["total"] and after["new"] == before["new"] - 1  # type: ignore[operator]
