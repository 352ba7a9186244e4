"""The personal library: who adds what where, the quota, publish/unpublish/delete, sign-up."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.cli import main as cli
from app.config import Settings
from app.db import make_engine
from app.main import create_app
from app.models import Document, Invite, Story, User
from tests.factories import login, make_user, row_counts

TEXT = "Le glacier du Rhône a perdu quarante mètres cette année.\n\nLes guides sont inquiets."
OTHER = "Die Bienen im Jura kehren zurück.\n\nDie Bauern mähen später im Jahr."


def _app(db_url: str, tmp_path: Path, **overrides: object) -> TestClient:
    settings = Settings(
        database_url=db_url,
        load_encoder=False,
        queue_url="inline",
        data_dir=tmp_path / "data",
        **overrides,  # type: ignore[arg-type]
    )
    return TestClient(create_app(settings))


@pytest.fixture
def people(engine: Engine) -> Engine:
    make_user(engine, "rita", role="reader")
    make_user(engine, "olga", role="reader")
    make_user(engine, "ed", role="editor")
    return engine


@pytest.fixture
def clients(people: Engine, db_url: str, tmp_path: Path) -> Iterator[dict[str, TestClient]]:
    made = {name: _app(db_url, tmp_path) for name in ("rita", "olga", "ed", "anonymous")}
    for name, client in made.items():
        client.__enter__()
        if name != "anonymous":
            login(client, name)
        else:
            client.get("/")
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


def _story_of(engine: Engine, document_id: int) -> Story:
    with Session(engine) as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        story = session.get(Story, doc.story_id)
        assert story is not None
        return story


def test_a_reader_adds_a_private_text_that_only_they_can_read(
    clients: dict[str, TestClient], people: Engine
) -> None:
    rita = clients["rita"]
    answer = rita.post("/api/documents", json={"text": TEXT})
    assert answer.status_code == 202, answer.text
    doc_id = answer.json()["id"]
    story = _story_of(people, doc_id)
    assert (story.visibility, story.owner_id) == ("private", 1)
    mine = rita.get("/api/library").json()
    assert [t["id"] for s in mine["stories"] for t in s["texts"]] == [doc_id]
    assert mine["usage"]["documents"] == 1
    assert rita.get(f"/stories/{story.id}").status_code == 200
    assert rita.get("/api/stories").json()["total"] == 1  # counted for its owner only
    for who in ("olga", "ed", "anonymous"):
        client = clients[who]
        assert client.get(f"/stories/{story.id}").status_code == 404, who
        assert client.get(f"/documents/{doc_id}").status_code == 404, who
        assert client.get("/api/stories").json()["total"] == 0, who
        assert client.get("/api/search", params={"q": "glacier"}).json()["items"] == [], who


def test_editors_add_public_texts_unless_they_ask_for_private(
    clients: dict[str, TestClient], people: Engine
) -> None:
    ed = clients["ed"]
    public = ed.post("/api/documents", json={"text": TEXT}).json()["id"]
    private = ed.post("/api/documents", json={"text": OTHER, "visibility": "private"}).json()["id"]
    assert _story_of(people, public).visibility == "public"
    assert _story_of(people, private).visibility == "private"
    assert clients["anonymous"].get(f"/documents/{public}").status_code == 200
    assert clients["anonymous"].get(f"/documents/{private}").status_code == 404
    # the story count agrees with the list: ed sees both stories, anyone else the public one
    for who, total in (("ed", 2), ("anonymous", 1), ("rita", 1)):
        listing = clients[who].get("/api/stories").json()
        assert listing["total"] == len(listing["items"]) == total, who
    # A reader cannot skip the private library ...
    refused = clients["rita"].post("/api/documents", json={"text": OTHER, "visibility": "public"})
    assert refused.status_code == 403
    assert "publish" in refused.json()["detail"]
    bad = clients["rita"].post("/api/documents", json={"text": OTHER, "visibility": "secret"})
    assert bad.status_code == 422


def test_anonymous_uploads_are_refused_unless_open_and_then_public(
    people: Engine, db_url: str, tmp_path: Path
) -> None:
    with _app(db_url, tmp_path) as closed:
        assert closed.post("/api/documents", json={"text": TEXT}).status_code == 401
        assert closed.post("/upload", files={"file": ("a.txt", TEXT.encode())}).status_code == 401
    assert row_counts(people)["document"] == 0
    with _app(db_url, tmp_path, open_uploads=True) as open_site:
        doc_id = open_site.post("/api/documents", json={"text": TEXT}).json()["id"]
        private = open_site.post("/api/documents", json={"text": OTHER, "visibility": "private"})
        assert private.status_code == 401
    story = _story_of(people, doc_id)
    assert (story.visibility, story.owner_id) == ("public", None)


def test_the_same_text_in_two_libraries_reveals_neither(
    clients: dict[str, TestClient], people: Engine
) -> None:
    first = clients["rita"].post("/api/documents", json={"text": TEXT})
    second = clients["olga"].post("/api/documents", json={"text": TEXT})
    # Olga gets her own copy (202, a new id), not "duplicate of Rita's document" (200).
    assert (first.status_code, second.status_code) == (202, 202)
    assert first.json()["id"] != second.json()["id"]
    again = clients["rita"].post("/api/documents", json={"text": TEXT})
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])
    public = clients["ed"].post("/api/documents", json={"text": TEXT})
    assert public.status_code == 202
    # Publishing a copy of a text that is public already would make two: refused, unchanged.
    story = _story_of(people, first.json()["id"])
    clash = clients["rita"].post(f"/api/library/stories/{story.id}/publish")
    assert clash.status_code == 409
    assert _story_of(people, first.json()["id"]).visibility == "private"


def test_quota_of_texts_and_bytes_gives_a_clear_error_and_stores_nothing(
    people: Engine, db_url: str, tmp_path: Path
) -> None:
    with _app(db_url, tmp_path, user_quota_documents=1) as rita:
        login(rita, "rita")
        assert rita.post("/api/documents", json={"text": TEXT}).status_code == 202
        before = row_counts(people)
        full = rita.post("/api/documents", json={"text": OTHER})
        assert full.status_code == 403
        assert "library is full: 1 of 1 texts" in full.json()["detail"]
        page = rita.post("/upload", files={"file": ("b.txt", OTHER.encode())})
        assert page.status_code == 403
        assert "library is full" in page.text
        assert row_counts(people) == before
    with _app(db_url, tmp_path, user_quota_bytes=len(TEXT.encode()) + 10) as olga:
        login(olga, "olga")
        assert olga.post("/api/documents", json={"text": TEXT}).status_code == 202
        before = row_counts(people)
        over = olga.post("/api/documents", json={"text": OTHER})
        assert over.status_code == 403
        assert "byte quota" in over.json()["detail"]
        assert row_counts(people) == before
    # Editors curate: no quota.
    with _app(db_url, tmp_path, user_quota_documents=1) as ed:
        login(ed, "ed")
        assert ed.post("/api/documents", json={"text": TEXT}).status_code == 202
        assert ed.post("/api/documents", json={"text": OTHER}).status_code == 202


def test_publish_unpublish_and_delete_are_the_owners_alone(
    clients: dict[str, TestClient], people: Engine
) -> None:
    rita, olga, ed = clients["rita"], clients["olga"], clients["ed"]
    doc_id = rita.post("/api/documents", json={"text": TEXT}).json()["id"]
    story_id = _story_of(people, doc_id).id
    for other in (olga, ed):
        assert other.post(f"/api/library/stories/{story_id}/publish").status_code == 404
        assert other.delete(f"/api/library/documents/{doc_id}").status_code == 404
        # Editors have no review rights over a private text they do not own.
        assert other.delete(f"/api/documents/{doc_id}").status_code in (403, 404)
    # Not even "log in first": to anonymous visitors the private story does not exist.
    assert clients["anonymous"].post(f"/api/library/stories/{story_id}/publish").status_code == 404
    assert _story_of(people, doc_id).visibility == "private"
    published = rita.post(f"/api/library/stories/{story_id}/publish")
    assert published.json() == {"story": story_id, "visibility": "public"}
    assert clients["anonymous"].get(f"/documents/{doc_id}").status_code == 200
    assert olga.post(f"/api/library/stories/{story_id}/unpublish").status_code == 404
    assert rita.post(f"/api/library/stories/{story_id}/unpublish").json()["visibility"] == "private"
    assert clients["anonymous"].get(f"/documents/{doc_id}").status_code == 404
    assert rita.delete(f"/api/library/documents/{doc_id}").json() == {
        "removed": doc_id,
        "story_id": story_id,
    }
    assert row_counts(people)["document"] == 0
    assert rita.get("/api/library").json()["stories"] == []


def test_a_story_others_joined_stays_public(clients: dict[str, TestClient], people: Engine) -> None:
    rita = clients["rita"]
    doc_id = rita.post("/api/documents", json={"text": TEXT}).json()["id"]
    story_id = _story_of(people, doc_id).id
    assert story_id is not None
    rita.post(f"/api/library/stories/{story_id}/publish")
    with Session(people) as session:  # an editor's text grouped into it
        session.add(
            Document(
                story_id=story_id,
                source="x",
                title="x",
                lang="de",
                content_hash="f" * 64,
                original=OTHER,
                visibility="public",
                owner_id=3,
            )
        )
        session.commit()
    refused = rita.post(f"/api/library/stories/{story_id}/unpublish")
    assert refused.status_code == 409
    assert _story_of(people, doc_id).visibility == "public"


def test_another_users_job_is_not_found(clients: dict[str, TestClient]) -> None:
    answer = clients["rita"].post("/api/documents", json={"text": TEXT}).json()
    url = answer["job"]["url"]
    assert clients["rita"].get(url).status_code == 200
    for who in ("olga", "ed", "anonymous"):
        assert clients[who].get(url).status_code == 404, who
        assert clients[who].get(f"/jobs/{answer['job']['id']}/progress").status_code == 404


def test_library_page_lists_texts_escaped_with_csrf_forms(
    clients: dict[str, TestClient], people: Engine
) -> None:
    rita = clients["rita"]
    evil = "<script>alert(1)</script> titre"
    doc_id = rita.post("/api/documents", json={"text": TEXT, "title": evil}).json()["id"]
    page = rita.get("/library")
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert f'hx-post="/library/documents/{doc_id}/delete"' in page.text
    assert 'action="/upload"' in page.text
    # The page's buttons are refused without the CSRF header, as every other form.
    token = rita.headers.pop("x-csrftoken")
    story_id = _story_of(people, doc_id).id
    assert rita.post(f"/library/stories/{story_id}/publish").status_code == 403
    rita.headers["x-csrftoken"] = token
    done = rita.post(f"/library/stories/{story_id}/publish", headers={"HX-Request": "true"})
    assert done.status_code == 200 and "published" in done.text
    assert clients["anonymous"].get("/library", follow_redirects=False).status_code == 303


# --- sign-up ---


def _signup(client: TestClient, name: str, invite: str | None = None) -> int:
    body = {"name": name, "password": "long enough pw", "invite": invite}
    return client.post("/api/signup", json=body).status_code


def test_signup_closed_invite_and_open(
    engine: Engine,
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with _app(db_url, tmp_path, signup="closed") as closed:
        assert _signup(closed, "nina") == 404
        assert closed.get("/signup").status_code == 404
    with _app(db_url, tmp_path, signup="invite") as site:
        assert _signup(site, "nina") == 403
        assert _signup(site, "nina", "made-up-token") == 403
    assert cli(["user", "invite", "--db", db_url.removeprefix("sqlite:///")]) == 0
    link = capsys.readouterr().out.strip()
    token = link.removeprefix("/signup?invite=")
    with _app(db_url, tmp_path, signup="invite") as site:
        assert site.get(link).status_code == 200
        assert _signup(site, "nina", token) == 201
        assert site.get("/api/me").json() == {"name": "nina", "role": "reader"}
    with _app(db_url, tmp_path, signup="invite") as again:
        assert _signup(again, "nino", token) == 403  # used once
    with _app(db_url, tmp_path, signup="open") as open_site:
        assert _signup(open_site, "nina") == 409  # taken
        assert _signup(open_site, "<b>x</b>") == 422
        assert _signup(open_site, "paul") == 201
    with Session(make_engine(db_url)) as session:
        users = {u.name: u.role for u in session.exec(select(User))}
        invites = session.exec(select(Invite)).all()
    assert users == {"nina": "reader", "paul": "reader"}
    assert len(invites) == 1 and invites[0].used_by is not None
    assert token not in invites[0].id  # only its digest is kept


def test_an_invitation_can_name_a_role(
    engine: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = db_url.removeprefix("sqlite:///")
    assert cli(["user", "invite", "--role", "editor", "--db", db]) == 0
    token = capsys.readouterr().out.strip().removeprefix("/signup?invite=")
    with _app(db_url, tmp_path) as site:
        page = site.post(
            "/signup", data={"name": "eve", "password": "long enough pw", "invite": token}
        )
        assert page.status_code == 200  # followed to /library
        assert site.get("/api/me").json() == {"name": "eve", "role": "editor"}


def test_signup_attempts_are_rate_limited_per_address(
    engine: Engine, db_url: str, tmp_path: Path
) -> None:
    with _app(db_url, tmp_path, signup="open", rate_limit_signup_address="3/day") as site:
        codes = []
        for i in range(5):
            codes.append(_signup(site, f"user{i}"))
            site.cookies.clear()  # a new visitor from the same address
    assert codes[:3] == [201, 201, 201] and codes[3:] == [429, 429]


def test_a_private_hash_is_the_owners_alone_and_comes_back_when_published() -> None:
    import hashlib

    from app.library.visibility import library_hash

    plain = hashlib.sha256(b"un texte").hexdigest()
    rita, olga = library_hash(plain, 1, "private"), library_hash(plain, 2, "private")
    assert len({plain, rita, olga}) == 3
    assert library_hash(rita, 1, "private") == plain
    assert library_hash(plain, 1, "public") == plain
