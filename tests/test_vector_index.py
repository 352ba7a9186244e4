"""The candidate index stays true to the `documentvector` table through deletions and undo:
a vector stored after a document was removed reaches a running process's index, a removed
document's vector is never offered for another, and undoing a removal puts the document back
in the index. Runs on SQLite and PostgreSQL."""

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.library.documents import remove_document
from app.models import Document, DocumentVector, User
from app.pipeline.grouping import RULE, find_candidates, store_vector
from app.pipeline.vectors import forget_indexes, index_for
from app.review.undo import undo_last
from tests.factories import make_user
from tests.review_story import ReviewStory, make_review_story

DIM = 16
NAME = "test-encoder"


class _Named:
    """What the index lookups need of an encoder: its name and width."""

    name, dim, baseline = NAME, DIM, 0.0


def _vec(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def _indexed(engine: Engine, story: ReviewStory) -> None:
    """A vector for each of the story's documents, and this process's index filled."""
    forget_indexes()
    with Session(engine) as session:
        for seed, doc_id in enumerate((story.fr, story.de, story.en)):
            doc = session.get(Document, doc_id)
            assert doc is not None
            store_vector(session, NAME, doc, _vec(seed))
        session.commit()
        assert index_for(session, NAME, DIM).size == 3


def _replace_last(engine: Engine, story: ReviewStory) -> int:
    """Delete the newest document (and with it the newest vector), add another in its place
    with a vector of its own; returns the new document's id."""
    with Session(engine) as session:
        session.delete(session.get(Document, story.en))
        session.commit()
    with Session(engine) as session:
        new = Document(
            story_id=story.story,
            source="new.txt",
            title="New",
            lang="en",
            content_hash="f" * 64,
            original="A different text.",
        )
        session.add(new)
        session.flush()
        store_vector(session, NAME, new, _vec(9))
        session.commit()
        assert new.id is not None
        return new.id


def test_a_vector_stored_after_a_deletion_reaches_a_running_index(engine: Engine) -> None:
    story = make_review_story(engine)
    _indexed(engine, story)
    new = _replace_last(engine, story)
    with Session(engine) as session:
        hits = index_for(session, NAME, DIM).nearest(_vec(9), 5)
    assert hits[0][0] == new and hits[0][1] > 0.999, hits


def test_a_removed_document_s_vector_is_never_offered_for_another(engine: Engine) -> None:
    story = make_review_story(engine)
    _indexed(engine, story)
    new = _replace_last(engine, story)
    with Session(engine) as session:
        fr = session.get(Document, story.fr)
        assert fr is not None
        found = find_candidates(session, _Named(), fr, _vec(0), RULE)  # type: ignore[arg-type]
    by_doc = [c.document for c in found]
    assert sorted(by_doc) == sorted({story.de, new}), by_doc  # each once, the removed one gone
    cosine = next(c.cosine for c in found if c.document == new)
    assert abs(cosine - float(_vec(0) @ _vec(9))) < 1e-3  # the new document's own vector


def test_undoing_a_removal_puts_the_document_back_in_the_index(engine: Engine) -> None:
    story = make_review_story(engine)
    _indexed(engine, story)
    make_user(engine, "ed")
    with Session(engine) as session:
        ed = session.exec(select(User).where(User.name == "ed")).one()
        remove_document(session=session, user=ed, document_id=story.en)
        undo_last(session=session, user=ed, story_id=story.story)
    forget_indexes()  # a process started after the undo
    with Session(engine) as session:
        rows = session.exec(
            select(DocumentVector.vector).where(DocumentVector.document_id == story.en)
        ).all()
        hits = index_for(session, NAME, DIM).nearest(_vec(2), 1)
    assert len(rows) == 1 and np.allclose(np.frombuffer(rows[0], dtype=np.float32), _vec(2))
    assert hits[0][0] == story.en and hits[0][1] > 0.999
