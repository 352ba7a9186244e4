"""Plain functions that build test inputs and count what the database holds."""

from typing import TYPE_CHECKING

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.models import Document, Paragraph, Sentence, Story

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def row_counts(engine: Engine) -> dict[str, int]:
    """How many rows each content table holds."""
    with Session(engine) as session:
        return {
            model.__tablename__: session.exec(select(func.count()).select_from(model)).one()  # type: ignore[attr-defined]
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


def make_user(
    engine: Engine, name: str, role: str = "editor", password: str = "correct horse"
) -> None:
    """An account, as `parallax user add` makes it."""
    from app.auth import hash_password
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
