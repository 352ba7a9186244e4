"""The library's version is one row, bumped by the commit of every write a story list shows.

Home, `/api/stories` and search are cached by it (tests/test_home_cache.py,
tests/test_listing_cache.py): here, which writes bump it, and that it is bumped once per
commit, in the writer's own session (a worker process is another session).
"""

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.library.stories import library_version
from app.models import Job, Link, Paragraph, Story
from app.models.versions import touch_library
from tests.factories import make_big_story

pytestmark = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


def _version(engine: Engine) -> int:
    with Session(engine) as session:
        return int(library_version(session))


def test_a_paragraph_edit_bumps_it_once_per_commit(engine: Engine) -> None:
    story = make_big_story(engine, documents=2, paragraphs=3)
    before = _version(engine)
    with Session(engine) as session:
        paras = session.exec(select(Paragraph).order_by(col(Paragraph.id)).limit(2)).all()
        for para in paras:  # two flushes, one commit: one bump
            para.text = para.text + " Edited."
            session.add(para)
            session.flush()
        session.commit()
    assert _version(engine) == before + 1
    with Session(engine) as session:  # a story renamed in a savepoint, then committed
        with session.begin_nested():
            row = session.get(Story, story)
            assert row is not None
            row.title = "Renamed"
            session.add(row)
        session.commit()
    assert _version(engine) == before + 2


def test_writes_no_list_shows_leave_it(engine: Engine) -> None:
    make_big_story(engine, documents=2, paragraphs=3)
    before = _version(engine)
    with Session(engine) as session:
        link = session.exec(select(Link).limit(1)).one()
        link.status = "confirmed"  # the story page shows it; no list does
        session.add(link)
        session.add(Job(kind="ingest", status="queued"))
        session.commit()
    assert _version(engine) == before


def test_a_rolled_back_write_leaves_it_and_core_writes_can_bump_it(engine: Engine) -> None:
    story = make_big_story(engine, documents=2, paragraphs=3)
    before = _version(engine)
    with Session(engine) as session:
        row = session.get(Story, story)
        assert row is not None
        row.title = "Never kept"
        session.add(row)
        session.flush()
        session.rollback()
        session.commit()  # nothing left to write: the rolled back write is forgotten
    assert _version(engine) == before
    with Session(engine) as session:
        touch_library(session)
        session.commit()
    assert _version(engine) == before + 1
