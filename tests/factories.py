"""Plain functions that build test inputs and count what the database holds."""

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from app.models import Document, Paragraph, Sentence, Story


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
