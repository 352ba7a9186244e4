"""Plain functions that build test inputs and count what the database holds."""

import asyncio
from collections.abc import Coroutine, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.align.encoder import Encoder
from app.models import Document, Paragraph, Sentence, Story
from app.pipeline.jobs.batch import ingest_here

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows each content table holds."""
    with Session(engine) as session:
        return {
            str(model.__tablename__): session.exec(select(func.count()).select_from(model)).one()
            for model in (Story, Document, Paragraph, Sentence)
        }


def table_names() -> set[str]:
    """The tables the models declare."""
    return set(SQLModel.metadata.tables)


UNRELATED_ARTICLE = """Les abeilles sauvages du Jura

Une équipe de biologistes de l'université de Neuchâtel a recensé cet été plus de 180 espèces \
d'abeilles sauvages sur les pâturages boisés du Jura, dont une dizaine que l'on croyait disparues \
de la région depuis les années 1970.

Selon les chercheurs, la fauche tardive des prairies et le maintien des haies expliquent ce retour. \
Les agriculteurs qui participent au programme reçoivent une compensation de 400 francs par hectare.

L'étude sera publiée au printemps dans une revue spécialisée."""


def change_row(engine: Engine, model: type, row_id: int, **values: object) -> None:
    """Set fields of one row and commit, in a session of its own (as a worker would)."""
    with Session(engine) as session:
        row = session.get(model, row_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        session.commit()


def make_user(
    engine: Engine, name: str, role: str = "editor", password: str = "correct horse"
) -> None:
    """An account, as `parallax user add` makes it."""
    from app.library.credentials import hash_password
    from app.models import User

    with Session(engine) as session:
        session.add(User(name=name, password_hash=hash_password(password), role=role))
        session.commit()


def login(client: "TestClient", name: str, password: str = "correct horse") -> None:
    """Log `client` in and send the CSRF token the way htmx does, in the x-csrftoken header."""
    client.get("/")
    response = client.post("/api/login", json={"name": name, "password": password})
    assert response.status_code == 200, response.text
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]


def make_big_story(engine: Engine, *, documents: int = 8, paragraphs: int = 500) -> int:
    """A story of `documents` translations of `paragraphs` paragraphs each, every pair linked
    1-1 paragraph by paragraph, plus a related link per paragraph between neighbours; no model.

    Returns the story id.
    """
    from app.models import Link

    langs = ["fr", "de", "en", "it", "es", "nl", "pt", "pl", "sv", "da"]
    with Session(engine) as session:
        story = Story(title="A very long story")
        session.add(story)
        session.flush()
        assert story.id is not None
        doc_ids = []
        for d in range(documents):
            doc = Document(
                story_id=story.id,
                source=f"long-{d}.txt",
                title=f"Long text {d}",
                lang=langs[d % len(langs)],
                content_hash=f"big-{story.id}-{d}",
                original="",
            )
            session.add(doc)
            session.flush()
            assert doc.id is not None
            doc_ids.append(doc.id)
            for i in range(paragraphs):
                body = f"Paragraph {i} of version {d}: words that make a line of ordinary length."
                para = Paragraph(
                    document_id=doc.id, index=i, text=body, kind="body", start=0, end=len(body)
                )
                session.add(para)
                session.flush()
                assert para.id is not None
                session.add(
                    Sentence(paragraph_id=para.id, index=0, text=body, start=0, end=len(body))
                )
        for a in range(documents):
            for b in range(a + 1, documents):
                for i in range(paragraphs):
                    session.add(
                        Link(
                            story_id=story.id,
                            source_document_id=doc_ids[a],
                            target_document_id=doc_ids[b],
                            source_paragraphs=[i],
                            target_paragraphs=[i],
                            relation="translation",
                            score=0.9,
                        )
                    )
                    if b == a + 1 and i + 1 < paragraphs:
                        session.add(
                            Link(
                                story_id=story.id,
                                source_document_id=doc_ids[a],
                                target_document_id=doc_ids[b],
                                source_paragraphs=[i],
                                target_paragraphs=[i + 1],
                                relation="related",
                                score=0.4,
                            )
                        )
        session.commit()
        return story.id


def ingest_grouped(
    engine: Engine, encoder: Encoder, files: Sequence[Path], max_bytes: int = 2_000_000
) -> None:
    """Ingest files one by one, each grouped and aligned as its job would; all must be added."""
    summary = ingest_here(engine, encoder, files, max_bytes=max_bytes)
    assert len(summary.added) == len(files), summary.line()


T = TypeVar("T")


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run` in a thread of its own: the browser tests' Playwright (sync API) keeps an
    event loop running in the main thread for the whole session, where asyncio.run refuses."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
