"""An editor works the review queue from the keyboard: the row and the counts change in place."""

import pytest

from app.db import make_engine
from tests.e2e.conftest import EDITOR, LIVE
from tests.review_story import make_review_story

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def _count(page, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.text_content(f"#queue-counts strong[data-count={name}]"))


def test_editor_confirms_from_the_queue_with_y_and_undoes_with_u(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    # A story of its own, with open links whatever earlier tests reviewed in the seeds'.
    engine = make_engine(f"sqlite:///{LIVE['db']}")
    sid = make_review_story(engine).story
    engine.dispose()
    page.goto(f"{live_server}/login?next=/stories/{sid}/review")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", "correct horse")
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server}/stories/{sid}/review")
    open_before, confirmed_before = _count(page, "open"), _count(page, "confirmed")
    first = page.get_attribute("#queue tbody tr.state-open", "id")
    page.evaluate("window.__sameDocument = true")
    page.keyboard.press("j")
    page.keyboard.press("y")
    page.wait_for_selector(f"#{first}.state-confirmed")
    assert _count(page, "open") == open_before - 1
    assert _count(page, "confirmed") == confirmed_before + 1
    assert "by " + EDITOR in page.text_content(f"#{first}")
    # The keyboard moved on to the next open row.
    focused = page.evaluate("document.activeElement.id")
    assert focused != first and "state-open" in page.get_attribute(f"#{focused}", "class")
    assert "Undo: confirming link" in page.text_content("#undo-bar button.undo")
    page.keyboard.press("u")
    page.wait_for_selector(f"#{first}.state-open")
    assert _count(page, "open") == open_before
    assert page.evaluate("window.__sameDocument") is True
