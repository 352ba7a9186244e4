"""Answers that may show an account's private texts or details are never stored by a cache."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.config import Settings
from app.ingest import parse_text
from app.library.personal import Scope
from app.main import create_app
from app.models import User
from app.pipeline.store import ingest_parsed
from tests.factories import login, make_user

PRIVATE = "private, no-store"


def _private_story(engine: Engine, owner: str) -> tuple[int, int]:
    with Session(engine) as session:
        uid = session.exec(select(User.id).where(User.name == owner)).one()
    made = ingest_parsed(
        engine=engine,
        parsed=parse_text("Mon journal.\n\nUn paragraphe privé.", source="journal.txt"),
        scope=Scope(uid, "private"),
    )
    return made.story_id, made.document_id


def test_private_pages_and_account_pages_are_private_no_store(
    settings: Settings, engine: Engine
) -> None:
    make_user(engine, "rita", role="reader")
    story, document = _private_story(engine, "rita")
    with TestClient(create_app(settings.model_copy(update={"load_encoder": False}))) as c:
        login(c, "rita")
        urls = [
            f"/stories/{story}",
            f"/documents/{document}",
            "/library",
            "/api/library",
            "/api/me",
            "/search?q=paragraphe",
            "/",
        ]
        answers = {url: c.get(url) for url in urls}
        assert {u: a.status_code for u, a in answers.items()} == {u: 200 for u in urls}
        assert {u: a.headers.get("Cache-Control") for u, a in answers.items()} == {
            u: PRIVATE for u in urls
        }
        # The login itself (its answer names the account) and static files, which stay cacheable.
        c.post("/api/logout")
        relogin = c.post("/api/login", json={"name": "rita", "password": "correct horse"})
        assert relogin.headers["Cache-Control"] == PRIVATE
        assert PRIVATE not in c.get("/static/app.js").headers.get("Cache-Control", "")


def test_anonymous_public_pages_are_left_to_the_default(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"load_encoder": False}))) as c:
        assert "no-store" not in c.get("/").headers.get("Cache-Control", "")
