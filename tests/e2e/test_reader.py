"""The reader in a real browser: HTMX linking without navigation, URL, Esc, learner mode, phone."""

import re

import httpx
import pytest

from tests.e2e.conftest import EDITOR

pytestmark = [pytest.mark.e2e, pytest.mark.model]


def _story(live_server: str) -> dict:  # type: ignore[type-arg]
    stories = httpx.get(f"{live_server}/api/stories").json()
    stories = stories["items"] if isinstance(stories, dict) else stories  # paginated or not
    story = max(stories, key=lambda s: len(s["documents"]))
    return httpx.get(f"{live_server}/api/stories/{story['id']}/alignment").json()


def _index(doc: dict, prefix: str) -> int:  # type: ignore[type-arg]
    return next(p["index"] for p in doc["paragraphs"] if p["text"].startswith(prefix))


def test_click_links_counterparts_in_every_column_without_navigation(
    live_server: str, page
) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de, mt = (
        next(d for d in story["documents"] if d["source"].startswith(n))
        for n in ("000", "001", "002")
    )
    mt_kurogi = _index(mt, "Kurogi, a 39-year-old")
    page.goto(f"{live_server}/stories/{story['id']}")
    assert page.locator("#columns .column:visible").count() == 2  # the rest is one click away
    page.click("#all-columns")
    assert page.locator("#columns .column:visible").count() == len(story["documents"])
    page.evaluate("window.__sameDocument = true")
    page.click(f"#p-{fr['id']}-0")
    page.wait_for_selector(f"#p-{fr['id']}-0.active[aria-current]")
    assert "linked" in page.get_attribute(f"#p-{de['id']}-0", "class").split()
    assert "linked" in page.get_attribute(f"#p-{mt['id']}-{mt_kurogi}", "class").split()
    assert page.evaluate("window.__sameDocument") is True  # no page load happened
    # The counterpart column scrolled its linked paragraph into view.
    in_view = """el => { const body = el.closest('.column-body');
        const top = el.offsetTop - body.offsetTop;
        return top >= body.scrollTop - 1 && top < body.scrollTop + body.clientHeight; }"""
    page.wait_for_function(
        f"(el => el && ({in_view})(el))(document.querySelector('#p-{mt['id']}-{mt_kurogi}'))"
    )
    assert page.url.endswith(f"/stories/{story['id']}?p={fr['id']}-0")
    # A second click moves the highlight: the first one is cleared.
    page.click(f"#p-{fr['id']}-1")
    page.wait_for_selector(f"#p-{fr['id']}-1.active[aria-current]")
    assert page.locator(f"#p-{fr['id']}-0.active").count() == 0
    assert "linked" in page.get_attribute(f"#p-{de['id']}-1", "class").split()
    assert "linked" not in page.get_attribute(f"#p-{de['id']}-0", "class").split()
    # Back restores the previous URL; Esc clears everything. The answer to Back's request is
    # held until after Esc: when it lands it must not light again what Esc cleared.
    held: list = []  # type: ignore[type-arg]
    page.route(re.compile(rf"\?p={fr['id']}-0$"), lambda route: held.append(route))
    page.go_back()
    page.wait_for_url(re.compile(rf"p={fr['id']}-0$"))
    page.wait_for_selector(f"#p-{fr['id']}-0.active")  # the earlier highlight is back
    assert page.locator(f"#p-{fr['id']}-1.active").count() == 0
    page.keyboard.press("Escape")
    assert page.locator(".para.active, .para.linked").count() == 0
    for _ in range(100):  # the route handler runs while Playwright waits
        if held:
            break
        page.wait_for_timeout(20)
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_selector(".htmx-request", state="detached")
    page.evaluate("new Promise(r => requestAnimationFrame(() => setTimeout(r, 50)))")
    assert page.locator(".para.active, .para.linked").count() == 0
    assert "?p=" not in page.url


def test_keyboard_enter_links_and_shared_url_survives_reload(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de = story["documents"][0], story["documents"][1]
    page.goto(f"{live_server}/stories/{story['id']}")
    page.focus(f"#p-{fr['id']}-0")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.evaluate("document.activeElement.id") == f"p-{fr['id']}-2"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#p-{de['id']}-2.linked[title]")
    page.reload()
    assert "active" in page.get_attribute(f"#p-{fr['id']}-2", "class").split()
    assert "linked" in page.get_attribute(f"#p-{de['id']}-2", "class").split()


def test_learner_mode_hides_other_columns_until_clicked(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de = story["documents"][0], story["documents"][1]
    page.goto(f"{live_server}/stories/{story['id']}")
    page.check("#learner-toggle")
    blur = "el => getComputedStyle(el).filter"
    assert "blur" in page.eval_on_selector(f"#p-{de['id']}-3", blur)
    assert page.eval_on_selector(f"#p-{fr['id']}-3", blur) == "none"
    page.click(f"#p-{fr['id']}-3")
    page.wait_for_selector(f"#p-{de['id']}-3.linked[title]")  # the server answered
    assert page.eval_on_selector(f"#p-{de['id']}-3", blur) == "none"
    assert "blur" in page.eval_on_selector(f"#p-{de['id']}-4", blur)
    page.reload()  # the preference is kept
    assert page.is_checked("#learner-toggle")


def test_phone_width_stacks_and_shows_counterparts_under_the_tap(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    assert page.eval_on_selector("#columns", "el => getComputedStyle(el).flexDirection") == "column"
    page.tap(f"#p-{fr['id']}-0")
    page.wait_for_selector(f"#under-{fr['id']}-0 .copy")
    under = page.locator(f"#under-{fr['id']}-0").bounding_box()
    para = page.locator(f"#p-{fr['id']}-0").bounding_box()
    assert under["y"] >= para["y"] + para["height"] - 1
    assert "39" in page.inner_text(f"#under-{fr['id']}-0")
    context.close()


def test_hovering_a_sentence_marks_its_counterpart_sentences(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    page.click(f"#p-{fr}-18")
    page.wait_for_selector(f"#p-{de}-18.linked[title]")
    page.hover(f"#p-{fr}-18 .s >> nth=1")
    marked = page.locator(f"#p-{de}-18 .s.s-linked")
    assert marked.count() >= 1
    assert "Krieg" in marked.first.inner_text() or "Krieg" in page.inner_text(
        f"#p-{de}-18 .s-linked"
    )
    page.mouse.move(0, 0)
    assert page.locator(".s.s-linked").count() == 0


def test_help_panel_and_column_preferences(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    de = story["documents"][1]["id"]
    page.goto(f"{live_server}/stories/{story['id']}")
    page.keyboard.press("?")
    assert page.is_visible("#help")
    page.keyboard.press("Escape")
    assert not page.is_visible("#help")
    page.click("#columns-menu summary")
    page.uncheck(f".columns-toggle input[value='{de}']")
    assert not page.is_visible(f"#col-{de}")
    page.reload()
    assert not page.is_visible(f"#col-{de}")  # kept across visits


def _shown(page) -> list[int]:  # type: ignore[no-untyped-def]
    ids = page.eval_on_selector_all(
        "#columns .column", "cs => cs.filter(c => !c.hidden).map(c => c.dataset.document)"
    )
    return sorted(int(d) for d in ids)


def test_a_story_opens_with_two_languages_remembered_and_editors_see_all(
    live_server: str, browser
) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    docs = story["documents"]
    assert len({d["lang"] for d in docs}) >= 3
    first = docs[0]
    other = next(d for d in docs if d["lang"] != first["lang"])
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    assert _shown(page) == sorted([first["id"], other["id"]])
    assert page.inner_text("#all-columns") == f"All {len(docs)} columns"
    page.click("#all-columns")
    assert _shown(page) == sorted(d["id"] for d in docs)
    page.click("#all-columns")  # now "Two columns": back to the pair
    assert _shown(page) == sorted([first["id"], other["id"]])
    # Reading a third language: it and the first other language are shown, and both
    # languages are remembered for the next story (here: this one, forgotten by id).
    third = next(d for d in docs if d["lang"] not in (first["lang"], other["lang"]))
    page.select_option("#reading-select", str(third["id"]))
    assert _shown(page) == sorted([third["id"], first["id"]])
    page.evaluate(
        f"Object.keys(localStorage).filter(k => k.endsWith(':{story['id']}'))"
        ".forEach(k => localStorage.removeItem(k))"
    )
    page.reload()
    assert _shown(page) == sorted([third["id"], first["id"]])
    assert page.get_attribute("#reader", "data-reading") == str(third["id"])
    context.close()
    # A phone shows one other language under each paragraph, the same pair's.
    phone = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    page = phone.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    assert page.eval_on_selector("#with-select", "s => s.value") == str(other["id"])
    phone.close()
    # A link to a paragraph of a column the pair leaves out shows that column too.
    linked = browser.new_context(viewport={"width": 1440, "height": 900})
    page = linked.new_page()
    last = docs[-1]
    page.goto(f"{live_server}/stories/{story['id']}?p={last['id']}-0")
    assert last["id"] in _shown(page) and first["id"] in _shown(page)
    linked.close()
    # Editors see every column.
    editor = browser.new_context(viewport={"width": 1440, "height": 900})
    page = editor.new_page()
    page.goto(f"{live_server}/login?next=/stories/{story['id']}")
    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", "correct horse")
    page.click("form.login button[type=submit]")
    page.wait_for_url(f"{live_server}/stories/{story['id']}")
    assert _shown(page) == sorted(d["id"] for d in docs)
    assert not page.is_visible("#all-columns")
    editor.close()
