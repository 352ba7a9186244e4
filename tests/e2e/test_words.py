"""The word layer end to end: a word saved from its card, practised, exported to Anki."""

import sqlite3
import zipfile
from pathlib import Path

import pytest

from tests.e2e.conftest import LIVE
from tests.e2e.test_layout import _axe
from tests.e2e.test_learner import _double_click_word
from tests.e2e.test_reader import _story
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def _login(page, base: str, name: str, after: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/login?next={after}")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", "correct horse")
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{base}{after}")


def test_select_card_save_practice_and_anki(live_server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{LIVE['db']}")
    make_user(engine, "learner-lou", role="reader")
    engine.dispose()
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    _login(page, live_server, "learner-lou", f"/stories/{story['id']}")
    _double_click_word(page, f"p-{de}-2", "Botschaft")
    page.wait_for_selector("#word-card .wc-save")
    assert page.locator(f"#p-{fr}-2 mark.w-lit").all_inner_texts() == ["ambassade"]
    # the German–French dictionary's senses, the aligned word's first
    senses = page.locator("#word-card .wc-meanings[lang=fr] li").all_inner_texts()
    assert senses[0] == "ambassade" and len(senses) <= 3
    assert _axe(page) == []
    page.click("#word-card .wc-save")
    page.wait_for_function("document.getElementById('words-count').textContent === '1'")
    words = page.evaluate("fetch('/api/vocabulary').then(r => r.json())")
    assert words[0]["word"] == "Botschaft" and words[0]["lemma"] == "Botschaft"
    assert words[0]["status"] == "learning" and words[0]["counterpart"]
    page.goto(f"{live_server}/practice")
    page.wait_for_selector("#pcard:not([hidden])")
    cloze = page.inner_text("#pcard-cloze")
    assert "Botschaft" not in cloze and "lehnte" in cloze
    assert _axe(page) == []
    page.keyboard.type("Botschaft")
    page.keyboard.press("Enter")
    assert page.inner_text("#pcard-verdict") == "Right."
    page.keyboard.press("3")  # good
    page.wait_for_selector("#practice-done:not([hidden])")
    assert page.evaluate("fetch('/api/practice').then(r => r.json())") == []
    with page.expect_download() as deck:
        page.click("#practice-anki")
    with zipfile.ZipFile(deck.value.path()) as apkg:
        (tmp_path / "c.anki2").write_bytes(apkg.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        notes = [r[0].split("\x1f") for r in db.execute("select flds from notes")]
    assert notes[0][0] == "Botschaft" and "Botschaft" in notes[0][1]
    context.close()


def test_the_local_list_is_imported_after_logging_in(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import create_engine

    engine = create_engine(f"sqlite:///{LIVE['db']}")
    make_user(engine, "learner-ida", role="reader")
    engine.dispose()
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    page.tap(f"#p-{fr}-2 .s >> nth=0")
    page.wait_for_selector(f"#p-{fr}-2.active")
    _double_click_word(page, f"p-{fr}-2", "ambassade")
    page.wait_for_selector("#word-card.sheet .wc-save")
    assert page.inner_text("#word-card .wc-word") == "ambassade"
    assert page.locator("#word-card .wc-meanings[lang=de] li").all_inner_texts()[0] == "Botschaft"
    assert _axe(page) == []  # the card as a phone's bottom sheet
    page.click("#word-card .wc-save")
    _login(page, live_server, "learner-ida", f"/stories/{story['id']}")
    page.tap("#tools-toggle")  # on a phone the tools are behind the toolbar's Menu
    page.click("#vocab-menu summary")
    page.click("#words-import")
    page.wait_for_function("document.getElementById('words-count').textContent === '1'")
    assert page.evaluate("localStorage.getItem('parallax:vocab')") == "[]"
    words = page.evaluate("fetch('/api/vocabulary').then(r => r.json())")
    assert [w["word"] for w in words] == ["ambassade"]
    page.goto(f"{live_server}/practice")
    page.wait_for_selector("#pcard:not([hidden])")
    assert _axe(page) == []
    page.tap("#pcard-show")  # reveal without typing, then rate by touch
    page.tap(".rate [data-rating='again']")
    page.wait_for_selector("#pcard-result", state="hidden")
    assert page.inner_text("#pcard-cloze").count("ambassade") == 0  # asked again, blank
    context.close()


def test_the_card_says_when_no_dictionary_covers_the_pair(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    """The server's answer without dictionaries (as on a machine without FreeDict)."""
    import json

    def without(route) -> None:  # type: ignore[no-untyped-def]
        answer = route.fetch()
        card = {**answer.json(), "meanings": [], "dictionaries": []}
        route.fulfill(response=answer, body=json.dumps(card))

    story = _story(live_server)
    de = story["documents"][1]["id"]
    page.route("**/api/lookup?*", without)
    page.goto(f"{live_server}/stories/{story['id']}")
    _double_click_word(page, f"p-{de}-2", "Botschaft")
    page.wait_for_selector("#word-card .wc-save")
    note = page.inner_text("#word-card .wc-nodict")
    assert note.startswith("no ") and note.endswith(" dictionary")
    assert page.locator("#word-card .wc-meanings").count() == 0


def test_a_double_click_opens_its_card_once(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    """The card opens on the double-click itself, and the double-click's first click (which,
    in the active paragraph, opens the card on its own) does not open it a second time: a
    second opening would throw the first lookup's answer away and wait for another."""
    story = _story(live_server)
    de = story["documents"][1]["id"]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    opened = "performance.getEntriesByName('parallax:word').length"
    for _ in range(2):  # in a paragraph not yet active, then in the now active one
        page.evaluate("performance.clearMarks()")
        _double_click_word(page, f"p-{de}-2", "Botschaft")
        page.wait_for_selector("#word-card .wc-save")
        page.wait_for_timeout(300)  # past the selection's settling (60 ms)
        assert page.evaluate(opened) == 1
        assert page.inner_text("#word-card .wc-word") == "Botschaft"
        assert page.locator(f"#p-{de}-2").evaluate("(p) => p.classList.contains('active')")
        page.keyboard.press("Escape")
        page.wait_for_selector("#word-card", state="hidden")
    context.close()


def test_a_double_clicks_first_press_looks_the_word_up_before_the_paragraphs_request(
    live_server: str, browser
) -> None:  # type: ignore[no-untyped-def]
    """In a paragraph not yet active the double-click's first click also activates it; the
    word's lookup leaves on that first press, ahead of htmx's request for the paragraph, and
    the card takes its answer (one lookup, not a second one on "dblclick"). A tap sends none."""
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    context = browser.new_context(viewport={"width": 1440, "height": 900}, bypass_csp=True)
    page = context.new_page()
    sent: list[str] = []
    page.on("request", lambda r: sent.append(r.url))
    page.goto(f"{live_server}/stories/{story['id']}")
    page.wait_for_load_state("networkidle")
    sent.clear()
    _double_click_word(page, f"p-{de}-2", "Botschaft")
    page.wait_for_selector("#word-card .wc-save")
    page.wait_for_selector(".htmx-request", state="detached")
    asked = [u for u in sent if "/api/lookup?" in u or f"?p={de}-2" in u]
    assert len(asked) == 2 and "/api/lookup?" in asked[0] and "word=Botschaft" in asked[0]
    hidden = [d["id"] for d in story["documents"][2:]]  # two columns by default: fr and de
    assert f"to={fr}" in asked[0] and not [d for d in hidden if f"to={d}" in asked[0]]
    assert page.locator(f"#p-{fr}-2 mark.w-lit").all_inner_texts() == ["ambassade"]
    context.close()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    page.wait_for_load_state("networkidle")
    sent = []
    page.on("request", lambda r: sent.append(r.url))
    page.tap(f"#p-{fr}-2 .s >> nth=0")
    page.wait_for_selector(f"#p-{fr}-2.active")
    page.wait_for_selector(".htmx-request", state="detached")
    assert not [u for u in sent if "/api/lookup?" in u]
    phone.close()


def test_a_phone_lights_the_counterpart_in_the_copy_that_arrives_after_the_card(
    live_server: str, browser
) -> None:  # type: ignore[no-untyped-def]
    """On a phone the counterpart column is hidden; its paragraphs are copied under the
    tapped one by htmx's answer. A word picked while that answer is on its way gets its card
    first: its counterpart is lit in the copy once the copy is in, not only in the hidden
    column."""
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, bypass_csp=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    page.wait_for_load_state("networkidle")

    def late(route) -> None:  # type: ignore[no-untyped-def]
        page.wait_for_timeout(700)  # the paragraph's answer after the lookup's
        route.continue_()

    page.route(f"**/stories/{story['id']}?p={fr}-2", late)
    page.tap(f"#p-{fr}-2 .s >> nth=0")
    page.evaluate(  # a long-press: the word under the finger becomes the selection
        """(id) => { const s = [...document.querySelectorAll('#' + id + ' .s')]
             .find((n) => n.textContent.includes('ambassade'));
           const node = s.firstChild, at = node.textContent.indexOf('ambassade');
           const r = document.createRange(); r.setStart(node, at); r.setEnd(node, at + 9);
           getSelection().removeAllRanges(); getSelection().addRange(r); }""",
        f"p-{fr}-2",
    )
    page.wait_for_selector("#word-card .wc-save")
    assert page.locator(f".under .copy[data-document='{de}'] mark.w-lit").count() == 0
    page.wait_for_selector(f".under .copy[data-document='{de}'] mark.w-lit")
    lit = page.locator(f"#under-{fr}-2 .copy[data-document='{de}'] mark.w-lit")
    assert lit.all_inner_texts() == ["Botschaft"] and lit.first.is_visible()
    assert page.inner_text("#word-card .wc-word") == "ambassade"
    context.close()
