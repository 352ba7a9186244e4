"""A story too long for one page: windows of each column, and highlights that still land."""

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, delete, select

from app.config import Settings
from app.main import create_app
from app.migrate import upgrade
from app.models import Document, Link
from app.reading.view import WINDOW
from tests.e2e.conftest import serving
from tests.factories import make_big_story

pytestmark = [pytest.mark.e2e]
PARAGRAPHS = 2 * WINDOW + 20
FAR = PARAGRAPHS - 5  # beyond the first window of every column


@pytest.fixture(scope="module")
def long_story(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int, list[int]]]:
    """A served story of 3 versions x PARAGRAPHS paragraphs, where paragraph 5 of the first
    version is a translation of paragraph FAR of the third (and of nothing else there)."""
    db: Path = tmp_path_factory.mktemp("long") / "parallax.db"
    settings = Settings(database_url=f"sqlite:///{db}", queue_url="inline")
    upgrade(settings.database_url)
    app = create_app(settings, encoder=None)
    story_id = make_big_story(app.state.engine, documents=3, paragraphs=PARAGRAPHS)
    with Session(app.state.engine) as session:
        docs = [d.id or 0 for d in session.exec(select(Document).order_by(col(Document.id)))]
        first, second, third = docs
        session.exec(
            delete(Link).where(
                col(Link.target_document_id) == third,
                col(Link.target_paragraphs) == [5],  # type: ignore[arg-type]
            )
        )
        session.add(
            Link(
                story_id=story_id,
                source_document_id=first,
                target_document_id=third,
                source_paragraphs=[5],
                target_paragraphs=[FAR],
                relation="translation",
                score=0.9,
            )
        )
        session.commit()
    with serving(app) as url:
        yield url, story_id, docs


def test_a_long_story_shows_windows_and_highlights_across_them(long_story, page) -> None:  # type: ignore[no-untyped-def]
    url, story_id, (first, second, third) = long_story
    page.goto(f"{url}/stories/{story_id}")
    page.click("#all-columns")  # a story opens with two columns; this test needs all three
    # one window per column, not the whole story
    assert page.locator(f"#col-{first} .para").count() == WINDOW
    assert page.locator(f"#p-{first}-{FAR}").count() == 0
    # a click inside the window links in place, without a page load
    page.evaluate("window.__sameDocument = true")
    page.click(f"#p-{first}-10")
    page.wait_for_selector(f"#p-{first}-10.active")
    assert "linked" in page.get_attribute(f"#p-{second}-10", "class").split()
    assert "linked" in page.get_attribute(f"#p-{third}-10", "class").split()
    assert page.evaluate("window.__sameDocument") is True
    # what the page lights is what the server says: the translation chain and related links
    # one hop from it (the page's instant drawing once followed chains of related links)
    page.wait_for_timeout(500)
    lit = set(page.eval_on_selector_all(".para.linked, .para.active", "els => els.map(e => e.id)"))
    fragment = page.evaluate(
        "async (u) => (await fetch(u, {headers: {'HX-Request': 'true'}})).text()",
        f"/stories/{story_id}?p={first}-10",
    )
    told = set(re.findall(r'<a id="(p-[0-9]+-[0-9]+)" class="para (?:active|linked)', fragment))
    assert lit == told and 3 <= len(told) < 20, (sorted(lit - told), sorted(told - lit))
    # a click whose counterpart lies beyond the third column's window reloads the page
    # centred on the highlight, and the far paragraph is lit there
    page.click(f"#p-{first}-5")
    page.wait_for_selector(f"#p-{third}-{FAR}.linked")
    assert page.url.endswith(f"/stories/{story_id}?p={first}-5")
    assert "active" in page.get_attribute(f"#p-{first}-5", "class").split()
    assert "linked" in page.get_attribute(f"#p-{second}-5", "class").split()
    # the next window of a column is a link away
    page.goto(f"{url}/stories/{story_id}")
    page.click(f"#col-{second} a.window-more[rel=next]")
    page.wait_for_selector(f"#p-{second}-{WINDOW}.active")
    assert "linked" in page.get_attribute(f"#p-{first}-{WINDOW}", "class").split()
