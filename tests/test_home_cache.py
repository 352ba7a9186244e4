"""Home is kept in the page cache by the library's version and its viewer: every write that
changes what the story list shows changes the page, and nobody sees another's private story.

The writes are made in sessions of their own, as a worker process would make them: the page
must not depend on the web process having seen the write.
"""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.main import create_app
from app.models import PRIVATE, Document, Job, Story, User
from tests.factories import change_row, login, make_big_story, make_user

# On SQLite and on PostgreSQL (the `backend` fixture skips the latter without a server).
pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def app_client(settings: Settings) -> Iterator[TestClient]:
    """An app without a model: these pages read the database only."""
    with TestClient(create_app(settings)) as c:
        yield c


def _home(client: TestClient) -> tuple[str, str]:
    response = client.get("/")
    assert response.status_code == 200, response.text
    return response.headers["etag"], response.text


def _titles(html: str) -> list[str]:
    return re.findall(r'class="story-title" href="/stories/\d+">([^<]*)</a>', html)


def _story_item(html: str, story_id: int) -> str:
    found = re.search(rf'href="/stories/{story_id}">.*?</ul>', html, re.S)
    assert found is not None, f"story {story_id} is not on the page"
    return found.group(0)


def _docs(engine: Engine, story_id: int) -> list[int]:
    with Session(engine) as session:
        ids = session.exec(select(Document.id).where(Document.story_id == story_id)).all()
        return sorted(i for i in ids if i is not None)


def test_home_is_kept_and_revalidated(app_client: TestClient, engine: Engine) -> None:
    make_big_story(engine, documents=2, paragraphs=2)
    etag, html = _home(app_client)
    assert _home(app_client) == (etag, html)
    again = app_client.get("/", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["cache-control"] == "no-cache"
    # the HTMX list and the whole page are different answers
    part = app_client.get("/", headers={"HX-Request": "true"})
    assert part.headers["etag"] != etag and "<html" not in part.text and "<html" in html


def test_every_write_the_list_shows_changes_home(app_client: TestClient, engine: Engine) -> None:
    first = make_big_story(engine, documents=2, paragraphs=2)
    etag, html = _home(app_client)
    assert _titles(html) == ["A very long story"]
    pages = [etag]

    def changed(check: str) -> str:
        etag, html = _home(app_client)
        assert etag not in pages and check in html, check
        pages.append(etag)
        return html

    second = make_big_story(engine, documents=3, paragraphs=2)  # a new story
    assert len(_titles(changed(f'href="/stories/{second}"'))) == 2
    change_row(engine, Story, first, title="Renamed by an editor")
    changed(">Renamed by an editor<")
    doc = _docs(engine, first)[0]
    change_row(engine, Document, doc, title="A retitled text")
    changed(">A retitled text<")
    change_row(engine, Document, doc, tag="pt-BR")
    assert "pt-BR" in _story_item(changed("pt-BR"), first)
    change_row(engine, Document, doc, story_id=second)  # moved to the other story
    html = changed("4 documents")
    assert "1 document<" in _story_item(html, first)
    with Session(engine) as session:  # a text removed
        row = session.get(Document, _docs(engine, second)[0])
        session.delete(row)
        session.commit()
    assert "3 documents" in _story_item(changed("3 documents"), second)
    with Session(engine) as session:  # a story removed with its last text, as the library does
        session.delete(session.get(Document, _docs(engine, first)[0]))
        session.flush()
        session.exec(delete(Story).where(col(Story.id) == first))  # type: ignore[call-overload]
        session.commit()
    etag, html = _home(app_client)
    assert etag not in pages and f'href="/stories/{first}"' not in html


def test_private_stories_stay_on_their_owners_home(app_client: TestClient, engine: Engine) -> None:
    public = make_big_story(engine, documents=2, paragraphs=2)
    mine = make_big_story(engine, documents=2, paragraphs=2)
    change_row(engine, Story, mine, title="My private notes")
    make_user(engine, "owner", role="reader")
    make_user(engine, "other", role="reader")
    with Session(engine) as session:
        owner = session.exec(select(User).where(User.name == "owner")).one()
        for doc in _docs(engine, mine):
            change_row(engine, Document, doc, visibility=PRIVATE, owner_id=owner.id)
        change_row(engine, Story, mine, visibility=PRIVATE, owner_id=owner.id)
    anonymous_etag, anonymous = _home(app_client)
    login(app_client, "owner")
    owner_etag, owners = _home(app_client)
    response = app_client.get("/")
    assert response.headers["cache-control"] == "private, no-store"
    assert "My private notes" in owners and owner_etag != anonymous_etag
    published = app_client.post(f"/api/library/stories/{mine}/publish")
    assert published.status_code == 200, published.text
    app_client.post("/api/logout")
    app_client.headers.pop("x-csrftoken", None)
    assert "My private notes" not in anonymous
    # another account never gets the owner's kept page, even with its ETag
    login(app_client, "other")
    assert app_client.get("/", headers={"If-None-Match": owner_etag}).status_code == 200
    app_client.post("/api/logout")
    app_client.headers.pop("x-csrftoken", None)
    # published: everyone's home shows it; made private again: gone from theirs
    assert "My private notes" in _home(app_client)[1]
    login(app_client, "owner")
    assert app_client.post(f"/api/library/stories/{mine}/unpublish").status_code == 200
    app_client.post("/api/logout")
    app_client.headers.pop("x-csrftoken", None)
    etag, html = _home(app_client)
    assert "My private notes" not in html and f'href="/stories/{public}"' in html


def test_home_with_a_job_running_is_rendered_each_time(
    app_client: TestClient, engine: Engine
) -> None:
    make_big_story(engine, documents=2, paragraphs=2)
    make_user(engine, "ed")
    login(app_client, "ed")
    with Session(engine) as session:
        ed = session.exec(select(User).where(User.name == "ed")).one()
        session.add(Job(kind="ingest", status="running", created_by=ed.id))
        session.commit()
    response = app_client.get("/")
    assert "etag" not in response.headers and 'id="active-jobs"' in response.text
    with Session(engine) as session:
        for job in session.exec(select(Job)):
            job.status = "done"
            session.add(job)
        session.commit()
    response = app_client.get("/")
    assert "etag" in response.headers and 'id="job-' not in response.text
