"""The editor's desk in a browser: a paragraph edited in place, split at the cursor, merged
with the next, each undone; one ¶ number for one paragraph on every page."""

import os
from pathlib import Path

import httpx
import pytest

from app.db import make_engine
from tests.e2e.conftest import EDITOR, LIVE
from tests.review_story import TEXTS, ReviewStory, make_review_story

pytestmark = [pytest.mark.e2e, pytest.mark.model]

SHOTS = os.environ.get("PARALLAX_SHOTS")  # a folder: screenshots for a person to look at


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=False)


def _desk(live_server: str, page) -> ReviewStory:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{LIVE['db']}")
    made = make_review_story(engine)
    engine.dispose()
    page.goto(f"{live_server}/login?next=/stories/{made.story}")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", "correct horse")
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server}/stories/{made.story}")
    return made


def _paragraphs(live_server: str, story: int, doc: int) -> list[str]:
    data = httpx.get(f"{live_server}/api/stories/{story}/alignment").json()
    document = next(d for d in data["documents"] if d["id"] == doc)
    return [p["text"] for p in document["paragraphs"]]


def _open(page, live_server: str, story: int, key: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{live_server}/stories/{story}?p={key}")
    page.wait_for_selector(f"#review-panel[data-active='{key}']")


def test_edit_in_place_holds_the_text_only_and_esc_cancels(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    desk = _desk(live_server, page)
    key = f"{desk.fr}-3"
    _open(page, live_server, desk.story, key)
    page.keyboard.press("e")
    area = page.wait_for_selector("form.inline-edit textarea")
    # The text box holds the paragraph's text, never its ¶ number.
    assert area.input_value() == TEXTS["fr"][3]
    assert page.is_hidden(f"#p-{key}")
    _shot(page, "inline-edit-1440")
    if SHOTS:
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator("form.inline-edit").scroll_into_view_if_needed()
        _shot(page, "inline-edit-390")
        page.set_viewport_size({"width": 1400, "height": 900})
    page.keyboard.press("Escape")
    assert page.query_selector("form.inline-edit") is None and page.is_visible(f"#p-{key}")
    page.keyboard.press("e")
    page.fill("form.inline-edit textarea", "Un texte tout neuf. Deux phrases.")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(f"#review-panel[data-active='{key}'] button.undo:not([disabled])")
    assert _paragraphs(live_server, desk.story, desk.fr)[3] == "Un texte tout neuf. Deux phrases."
    assert "editing the text of ¶4" in page.text_content("#review-panel button.undo")
    page.keyboard.press("u")
    page.wait_for_selector("#review-panel .panel-status .ok")
    assert _paragraphs(live_server, desk.story, desk.fr)[3] == TEXTS["fr"][3]


def test_split_at_the_cursor_and_merge_back_each_undone(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    desk = _desk(live_server, page)
    key = f"{desk.fr}-2"
    _open(page, live_server, desk.story, key)
    page.keyboard.press("e")
    page.wait_for_selector("form.inline-edit textarea")
    # The cursor after "Le paragraphe numéro 2" (22 characters).
    page.evaluate("document.querySelector('form.inline-edit textarea').setSelectionRange(22, 22)")
    page.keyboard.press("Alt+Enter")
    page.wait_for_selector(f"#p-{desk.fr}-{len(TEXTS['fr'])}")  # one paragraph more
    texts = _paragraphs(live_server, desk.story, desk.fr)
    assert texts[2] == "Le paragraphe numéro 2" and texts[3].startswith("parle de la ville")
    assert len(texts) == len(TEXTS["fr"]) + 1
    _shot(page, "after-split-1440")
    page.keyboard.press("u")
    page.wait_for_selector("#review-panel .panel-status .ok")
    assert _paragraphs(live_server, desk.story, desk.fr) == TEXTS["fr"]
    _open(page, live_server, desk.story, key)
    page.keyboard.press("e")
    page.click("form.inline-edit button.merge")
    page.wait_for_selector(f"#review-panel[data-active='{key}'] button.undo:not([disabled])")
    merged = _paragraphs(live_server, desk.story, desk.fr)
    assert merged[2] == f"{TEXTS['fr'][2]} {TEXTS['fr'][3]}" and len(merged) == len(TEXTS["fr"]) - 1
    page.keyboard.press("u")
    page.wait_for_selector("#review-panel .panel-status .ok")
    assert _paragraphs(live_server, desk.story, desk.fr) == TEXTS["fr"]
    page.keyboard.press("U")
    page.wait_for_selector("#review-panel .panel-status .ok:has-text('redone')")
    assert len(_paragraphs(live_server, desk.story, desk.fr)) == len(TEXTS["fr"]) - 1


def test_one_paragraph_has_one_number_in_reader_panel_queue_and_report(
    live_server: str, page
) -> None:  # type: ignore[no-untyped-def]
    desk = _desk(live_server, page)
    index = 4
    httpx_cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    token = httpx_cookies.get("csrftoken", "")
    answer = httpx.post(
        f"{live_server}/api/links/{desk.fr_de[index]}/confirm",
        json={},
        cookies=httpx_cookies,
        headers={"x-csrftoken": token},
    )
    assert answer.status_code == 200, answer.text
    key = f"{desk.fr}-{index}"
    _open(page, live_server, desk.story, key)
    number = page.text_content(f"#p-{key} .pn")
    assert number == str(index + 1)
    assert page.text_content("#review-panel h2").strip().startswith(f"Review ¶{number}")
    page.goto(f"{live_server}/stories/{desk.story}/review")
    row = page.text_content(f"#link-{desk.fr_de[index]} td.where")
    assert f"¶{number}" in row
    page.goto(f"{live_server}/stories/{desk.story}/review/report")
    decided = page.text_content("#report-decided")
    assert f"¶{number}" in decided and f"¶{index}" not in decided


def test_pair_view_and_the_queue_refresh_notice(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    desk = _desk(live_server, page)
    page.goto(f"{live_server}/stories/{desk.story}/review?pair=fr-de")
    assert "French – German" in page.text_content("#pair-progress")
    assert "0 of 6 links reviewed" in " ".join(page.text_content("#queue-counts").split())
    rows = page.eval_on_selector_all("#queue tbody tr.queue-row", "rs => rs.map(r => r.id)")
    assert sorted(rows) == sorted(f"link-{i}" for i in desk.fr_de.values())
    page.keyboard.press("j")
    page.keyboard.press("y")
    page.wait_for_selector(f"#{rows[0]}.state-confirmed")
    # Counts and progress are the pair's; the row stayed where it was.
    after = page.eval_on_selector_all("#queue tbody tr.queue-row", "rs => rs.map(r => r.id)")
    assert after == rows
    counts = " ".join(page.text_content("#queue-counts").split())
    assert "1 of 6 links reviewed" in counts and "showing 6 of" in counts
    _shot(page, "pair-view-1440")
    page.set_viewport_size({"width": 390, "height": 844})
    _shot(page, "pair-view-390")
    page.set_viewport_size({"width": 1400, "height": 900})
    # Background work adds findings: the queue says so and stays put.
    engine = make_engine(f"sqlite:///{LIVE['db']}")
    from sqlmodel import Session

    from app.models import StoredFinding

    with Session(engine) as session:
        session.add(
            StoredFinding(
                story_id=desk.story,
                check="omission",
                severity=0.9,
                document_id=desk.fr,
                paragraph=5,
                counterpart_document_id=desk.de,
                summary="¶6 is missing in the German version",
                detail="not in de",
            )
        )
        session.commit()
    engine.dispose()
    page.evaluate("htmx.trigger('#queue-changes', 'queue-check')")
    notice = page.wait_for_selector("#queue-changes a.refresh")
    assert notice.text_content() == "1 new finding — refresh"
    assert (
        page.eval_on_selector_all("#queue tbody tr.queue-row", "rs => rs.map(r => r.id)") == after
    )
    _shot(page, "queue-notice-1440")
    notice.click()
    page.wait_for_selector("#queue tbody tr.queue-row td.findings .finding")


def test_axe_finds_nothing_serious_on_the_pair_view(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session

    from app.models import Job
    from tests.e2e.test_layout import _axe

    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, bypass_csp=True, color_scheme=scheme
        )
        page = context.new_page()
        desk = _desk(live_server, page)
        engine = make_engine(f"sqlite:///{LIVE['db']}")
        with Session(engine) as session:  # the FR-EN pair is aligning; FR-DE has a decision
            job = Job(kind="realign", status="running", document_id=desk.en)
            session.add(job)
            session.commit()
            job_id = job.id
        page.goto(f"{live_server}/stories/{desk.story}/review?pair=fr-de")
        page.keyboard.press("j")
        page.keyboard.press("y")
        page.wait_for_selector("#queue tr.state-confirmed")
        assert _axe(page) == [], ("pair view", scheme)
        page.goto(f"{live_server}/stories/{desk.story}/review")
        assert page.query_selector("#queue tr.aligning .badge.aligning") is not None
        assert _axe(page) == [], ("queue with an aligning pair", scheme)
        _shot(page, f"queue-aligning-{scheme}")
        context.close()
        with Session(engine) as session:  # a job no worker runs: finished by hand
            done = session.get(Job, job_id)
            assert done is not None
            done.status = "done"
            session.add(done)
            session.commit()
        engine.dispose()


def test_findings_stay_readable_on_reviewed_rows(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """A finding's tint over a reviewed row's tint measured 4.28:1 (its muted text) and 4.17:1
    (its summary): the tint is now drawn on the page's surface, not on the row's."""
    from tests.e2e.test_layout import _axe
    from tests.e2e.test_reader import _story

    story = _story(live_server)["id"]
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, bypass_csp=True, color_scheme=scheme
        )
        page = context.new_page()
        page.goto(f"{live_server}/login?next=/stories/{story}/review?finding=any")
        page.fill("input[name=name]", EDITOR)
        page.fill("input[name=password]", "correct horse")
        page.click("form.login button[type=submit]")
        page.wait_for_url(f"{live_server}/stories/{story}/review?finding=any")
        open_row = "#queue tr.state-open:has(td.findings .finding)"
        page.click(f"{open_row}:has(button.reject) button.confirm")  # a link
        page.wait_for_selector("#queue tr.state-confirmed td.findings .finding")
        page.click(f"{open_row}:not(.rel-translation):not(.rel-related) button.confirm")  # a ¶
        page.wait_for_selector("#queue tr.state-marked td.findings .finding")
        for width, height in ((1440, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            assert _axe(page) == [], (scheme, width)
            _shot(page, f"queue-reviewed-findings-{scheme}-{width}")
        for _ in range(2):  # the live server's story as it was, for the other tests
            with page.expect_response(lambda r: r.url.endswith("/review/undo")) as undone:
                page.click("#undo-bar button.undo")
            assert undone.value.ok
        context.close()
