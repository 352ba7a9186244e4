"""Someone else's private text is invisible on every read path: 404, never a byte of it.

The seeded story (four aligned translations, with links, findings and a review queue) is made
private to one editor, Olga. Every GET route whose path names a story, document or link is
found in the app itself (so a route added later is covered too) and asked for it: Olga gets
it, everyone else (anonymous, a reader, another editor) gets 404, and no answer carries a
private paragraph. Lists (home, /api/stories), search (JSON and page), jobs and the
counterparts fragment of a public story are checked the same way.
"""

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.config import Settings
from app.ingest import parse_text
from app.library.personal import Scope
from app.main import create_app
from app.models import Document, Link, Paragraph, Story, User
from app.pipeline.store import ingest_parsed
from tests.factories import login, make_user
from tests.security.test_write_matrix import _api_routes

EXPORTS = ("tmx", "tsv", "json", "html")
OUTSIDERS = ("anonymous", "rita (reader)", "ed (editor)")


def make_private(engine: Engine, story_id: int, owner: str) -> None:
    """Hand a whole story and its documents to `owner`'s private library."""
    with Session(engine) as session:
        user = session.exec(select(User).where(User.name == owner)).one()
        for table in ("story", "document"):
            key = "id" if table == "story" else "story_id"
            session.connection().execute(
                text(
                    f"UPDATE {table} SET visibility = 'private', owner_id = :uid WHERE {key} = :sid"
                ),
                {"uid": user.id, "sid": story_id},
            )
        session.commit()


@pytest.fixture
def site(seeded_url: str, seeded_engine: Engine) -> Iterator[dict[str, object]]:
    make_user(seeded_engine, "olga")
    make_user(seeded_engine, "ed")
    make_user(seeded_engine, "rita", role="reader")
    with Session(seeded_engine) as session:
        story = session.exec(select(Story)).one()
        docs = session.exec(select(Document).order_by(col(Document.id))).all()
        link = session.exec(select(Link).order_by(col(Link.id))).first()
        paras = session.exec(
            select(Paragraph.text).where(
                Paragraph.kind == "text", Paragraph.document_id == docs[0].id
            )
        ).all()
    assert link is not None and paras
    make_private(seeded_engine, story.id or 0, "olga")
    # A public story beside it, whose page must not show private paragraphs either.
    public = ingest_parsed(
        engine=seeded_engine,
        parsed=parse_text("A public note.\n\nNothing private here.", source="note.txt"),
        scope=Scope(None, "public"),
    )
    app = create_app(Settings(database_url=seeded_url, load_encoder=False, queue_url="inline"))
    clients = {name: TestClient(app) for name in ("olga", *OUTSIDERS)}
    for name, client in clients.items():
        client.__enter__()
        if name == "anonymous":
            client.get("/")
        else:
            login(client, name.split()[0])
    yield {
        "app": app,
        "clients": clients,
        "story": story.id,
        "docs": [d.id for d in docs],
        "link": link.id,
        "paragraphs": paras,
        "public_story": public.story_id,
    }
    for client in clients.values():
        client.__exit__(None, None, None)


def _read_urls(app: object, ids: dict[str, object]) -> list[str]:
    urls = []
    for route in _api_routes(app.routes):  # type: ignore[attr-defined]
        names = set(re.findall(r"{(\w+)}", route.path))
        if "GET" not in (route.methods or set()) or not names & {
            "story_id",
            "document_id",
            "link_id",
        }:
            continue
        url = route.path.format(**ids)
        urls += [f"{url}?format={f}" for f in EXPORTS] if url.endswith("/export") else [url]
    return urls


def _leaks(body: str, paragraphs: list[str]) -> list[str]:
    return [p[:40] for p in paragraphs if len(p) > 30 and p[:60] in body]


@pytest.mark.model
def test_every_read_path_answers_404_to_everyone_but_the_owner(site: dict) -> None:
    ids = {"story_id": site["story"], "document_id": site["docs"][0], "link_id": site["link"]}
    urls = _read_urls(site["app"], ids)
    assert len(urls) >= 17, urls
    olga = site["clients"]["olga"]
    assert {u: olga.get(u).status_code for u in urls} == {u: 200 for u in urls}
    for who in OUTSIDERS:
        client = site["clients"][who]
        answers = {u: client.get(u) for u in urls}
        assert {u: r.status_code for u, r in answers.items()} == {u: 404 for u in urls}, who
        assert [u for u, r in answers.items() if _leaks(r.text, site["paragraphs"])] == [], who
        # HTMX fragments too (the story page answers a click with its counterparts).
        fragment = client.get(
            f"/stories/{site['story']}?p={site['docs'][0]}-0", headers={"HX-Request": "true"}
        )
        assert fragment.status_code == 404, who


@pytest.mark.model
def test_lists_search_and_fragments_of_public_stories_leave_private_texts_out(
    site: dict,
) -> None:
    word = max(re.findall(r"\w{7,}", site["paragraphs"][0]), key=len)
    olga = site["clients"]["olga"]
    assert olga.get("/api/search", params={"q": word}).json()["items"]
    assert olga.get("/api/stories").json()["total"] == 2
    for who in OUTSIDERS:
        client = site["clients"][who]
        assert client.get("/api/search", params={"q": word}).json()["items"] == [], who
        page = client.get("/search", params={"q": word})
        assert page.status_code == 200 and not _leaks(page.text, site["paragraphs"]), who
        assert f"/stories/{site['story']}?" not in page.text
        listed = client.get("/api/stories").json()
        assert [s["id"] for s in listed["items"]] == [site["public_story"]], who
        assert listed["total"] == 1
        home = client.get("/")
        assert f'href="/stories/{site["story"]}"' not in home.text, who
        # A public story's page asked to highlight a private paragraph shows nothing of it.
        for hx in ({}, {"HX-Request": "true"}):
            answer = client.get(
                f"/stories/{site['public_story']}?p={site['docs'][0]}-1", headers=hx
            )
            assert not _leaks(answer.text, site["paragraphs"]), (who, hx)


@pytest.mark.model
def test_editors_cannot_move_a_text_into_someone_elses_private_story(site: dict) -> None:
    ed = site["clients"]["ed (editor)"]
    doc = ed.get(f"/api/stories/{site['public_story']}/alignment").json()["documents"][0]["id"]
    moved = ed.put(f"/api/documents/{doc}/story", json={"story_id": site["story"]})
    assert moved.status_code == 422
    assert moved.json()["detail"] == f"story {site['story']} does not exist"
