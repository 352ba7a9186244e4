"""`link_side` follows every link write on both databases, and the reader finds links by it."""

from collections.abc import Sequence

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.models import Link, LinkSide, Story
from app.reading import view as reading
from app.review.changes import guarded_update
from tests.factories import make_big_story


def _sides(session: Session) -> set[tuple[int, str, int, int]]:
    rows = session.exec(select(LinkSide)).all()
    return {(r.link_id, r.side, r.document_id, r.index) for r in rows}


def _expected(session: Session) -> set[tuple[int, str, int, int]]:
    return _expected_of(list(session.exec(select(Link)).all()))


def _expected_of(links: Sequence[Link]) -> set[tuple[int, str, int, int]]:
    """What the rows must say: every paragraph named by a link's arrays."""
    out = set()
    for lk in links:
        assert lk.id is not None
        out |= {(lk.id, "source", lk.source_document_id, i) for i in lk.source_paragraphs}
        out |= {(lk.id, "target", lk.target_document_id, j) for j in lk.target_paragraphs}
    return out


def _story(engine: Engine) -> tuple[int, list[int]]:
    story_id = make_big_story(engine, documents=3, paragraphs=4)
    with Session(engine) as session:
        docs = sorted(
            {lk.source_document_id for lk in session.exec(select(Link)).all()}
            | {lk.target_document_id for lk in session.exec(select(Link)).all()}
        )
    return story_id, docs


def test_inserted_links_have_their_sides(engine: Engine) -> None:
    _story(engine)
    with Session(engine) as session:
        sides = _sides(session)
        links = session.exec(select(Link)).all()
    assert sides == _expected_of(links) and len(sides) == 2 * len(links)


def test_an_orm_change_of_paragraphs_rewrites_the_sides(engine: Engine) -> None:
    _, docs = _story(engine)
    with Session(engine) as session:
        link = session.exec(select(Link).order_by(col(Link.id))).first()
        assert link is not None
        link.target_paragraphs = [2, 3]
        link.target_document_id = docs[2]
        session.add(link)
        session.commit()
        assert {s for s in _sides(session) if s[0] == link.id} == {
            (link.id, "source", link.source_document_id, link.source_paragraphs[0]),
            (link.id, "target", docs[2], 2),
            (link.id, "target", docs[2], 3),
        }
        assert _sides(session) == _expected(session)


def test_a_guarded_core_update_rewrites_the_sides(engine: Engine) -> None:
    _story(engine)
    with Session(engine) as session:
        link = session.exec(select(Link).order_by(col(Link.id).desc())).first()
        assert link is not None
        guarded_update(session, link, source_paragraphs=[0, 1])
        session.commit()
        assert {(s[1], s[3]) for s in _sides(session) if s[0] == link.id} >= {
            ("source", 0),
            ("source", 1),
        }
        assert _sides(session) == _expected(session)


def test_deleted_links_and_stories_take_their_sides(engine: Engine) -> None:
    story_id, _ = _story(engine)
    with Session(engine) as session:
        link = session.exec(select(Link)).first()
        session.delete(link)
        session.commit()
        assert _sides(session) == _expected(session)
        for lk in session.exec(select(Link)).all():
            session.delete(lk)
        session.commit()
        assert _sides(session) == set()
        assert session.get(Story, story_id) is not None


def test_links_touching_finds_the_links_of_a_paragraph_only(engine: Engine) -> None:
    story_id, docs = _story(engine)
    with Session(engine) as session:
        found = reading.links_touching(session, story_id, {(docs[0], 1)})
        everything = session.exec(select(Link)).all()
        outside = reading.links_touching(session, story_id, {(docs[0], 99)})
        elsewhere = reading.links_touching(session, story_id + 1, {(docs[0], 1)})
    want = {
        lk.id
        for lk in everything
        if (lk.source_document_id == docs[0] and 1 in lk.source_paragraphs)
        or (lk.target_document_id == docs[0] and 1 in lk.target_paragraphs)
    }
    assert {lk.id for lk in found} == want and len(want) == 3  # 2 translations, 1 related
    assert outside == [] and elsewhere == []
