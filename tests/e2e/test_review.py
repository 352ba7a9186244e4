"""An editor logs in through the form, confirms a link from the panel, and it stays confirmed."""

import httpx
import pytest

from tests.e2e.conftest import EDITOR

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def test_editor_confirms_a_link_and_it_stays_confirmed_after_reload(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    stories = httpx.get(f"{live_server}/api/stories").json()
    stories = stories["items"] if isinstance(stories, dict) else stories  # paginated or not
    story = max(stories, key=lambda s: len(s["documents"]))  # the seed story
    fr = story["documents"][0]["id"]
    page.goto(f"{live_server}/login?next=/stories/{story['id']}")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", "correct horse")
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server}/stories/{story['id']}")
    page.click(f"#p-{fr}-3")
    page.wait_for_selector("#review-panel li.review-link button.confirm")
    row_id = page.get_attribute("#review-panel li.review-link", "id")
    page.evaluate("window.__sameDocument = true")
    page.click(f"#{row_id} button.confirm")
    page.wait_for_selector(f"#{row_id}.status-confirmed")
    assert page.evaluate("window.__sameDocument") is True
    page.reload()
    assert "status-confirmed" in page.get_attribute(f"#{row_id}", "class")
    link_id = int(row_id.removeprefix("rl-"))
    history = httpx.get(f"{live_server}/api/links/{link_id}/history").json()
    # Anonymous readers see that an editor confirmed it, not which one.
    assert [(h["action"], h["user"]) for h in history] == [("confirm", "editor")]
