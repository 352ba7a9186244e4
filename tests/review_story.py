"""A small story with hand-made links, for review tests that need no model.

Written through the models on whatever database the `engine` fixture points at, so the same
tests can run on SQLite and PostgreSQL.
"""

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Document, DocumentPair, Link, Paragraph, ParagraphMark, Sentence, Story

TEXTS = {
    "fr": [
        f"Le paragraphe numéro {i} parle de la ville et de ses {i * 10} habitants."
        for i in range(6)
    ],
    "de": [
        f"Der Absatz Nummer {i} spricht von der Stadt und ihren {i * 10} Einwohnern."
        for i in range(6)
    ],
    "en": [f"Paragraph number {i} talks about the town and its {i * 10} people." for i in range(4)],
}


@dataclass(frozen=True)
class ReviewStory:
    """Ids of the story, its three documents and the first FR-DE links by paragraph."""

    story: int
    fr: int
    de: int
    en: int
    fr_de: dict[int, int]


def make_review_story(engine: Engine) -> ReviewStory:
    """FR and DE translated 1-1 (six links), EN a shorter text related to FR ¶0-1."""
    with Session(engine) as session:
        story = Story(title="Une ville")
        session.add(story)
        session.flush()
        assert story.id is not None
        ids = {}
        for lang, texts in TEXTS.items():
            doc = Document(
                story_id=story.id,
                source=f"{lang}.txt",
                title=f"{lang} version",
                lang=lang,
                content_hash=f"hash-{lang}-{story.id}",
                original="\n\n".join(texts),
            )
            session.add(doc)
            session.flush()
            assert doc.id is not None
            ids[lang] = doc.id
            start = 0
            for i, text in enumerate(texts):
                para = Paragraph(
                    document_id=doc.id,
                    index=i,
                    text=text,
                    kind="text",
                    lang=lang,
                    start=start,
                    end=start + len(text),
                )
                session.add(para)
                session.flush()
                assert para.id is not None
                session.add(
                    Sentence(
                        paragraph_id=para.id,
                        index=0,
                        text=text,
                        lang=lang,
                        start=start,
                        end=start + len(text),
                    )
                )
                start += len(text) + 2
        fr, de, en = ids["fr"], ids["de"], ids["en"]
        session.add(
            DocumentPair(
                story_id=story.id,
                source_document_id=fr,
                target_document_id=de,
                kind="translation",
                score=0.9,
            )
        )
        session.add(
            DocumentPair(
                story_id=story.id,
                source_document_id=fr,
                target_document_id=en,
                kind="comparable",
                score=0.5,
            )
        )
        fr_de = {}
        for i in range(6):
            link = Link(
                story_id=story.id,
                source_document_id=fr,
                target_document_id=de,
                source_paragraphs=[i],
                target_paragraphs=[i],
                relation="translation",
                score=round(0.95 - i * 0.05, 2),
            )
            session.add(link)
            session.flush()
            assert link.id is not None
            fr_de[i] = link.id
        for i in range(2):
            session.add(
                Link(
                    story_id=story.id,
                    source_document_id=fr,
                    target_document_id=en,
                    source_paragraphs=[i],
                    target_paragraphs=[i],
                    relation="related",
                    score=0.4,
                )
            )
        session.commit()
        return ReviewStory(story.id, fr, de, en, fr_de)


def story_state(engine: Engine, story_id: int) -> dict[str, object]:
    """What an editor sees of a story: its links (ids included), marks and documents."""
    with Session(engine) as session:
        links = sorted(
            (
                lk.id,
                lk.source_document_id,
                tuple(lk.source_paragraphs),
                lk.target_document_id,
                tuple(lk.target_paragraphs),
                lk.relation,
                lk.status,
                lk.score,
            )
            for lk in session.exec(select(Link).where(Link.story_id == story_id))
        )
        docs = sorted(
            d
            for d in session.exec(select(Document.id).where(Document.story_id == story_id))
            if d is not None  # stored rows have ids; the filter is for the type
        )
        marks = sorted(
            (m.document_id, m.index, m.mark, m.target_document)
            for m in session.exec(
                select(ParagraphMark).where(col(ParagraphMark.document_id).in_(docs))
            )
        )
        paragraphs = len(
            session.exec(select(Paragraph.id).where(col(Paragraph.document_id).in_(docs))).all()
        )
        texts = sorted(
            (p.document_id, p.index, p.text)
            for p in session.exec(select(Paragraph).where(col(Paragraph.document_id).in_(docs)))
        )
        sentences = len(
            session.exec(
                select(Sentence.id).join(Paragraph).where(col(Paragraph.document_id).in_(docs))
            ).all()
        )
        return {
            "links": links,
            "docs": docs,
            "marks": marks,
            "paragraphs": paragraphs,
            "texts": texts,
            "sentences": sentences,
        }
