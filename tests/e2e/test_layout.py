"""What the reader looks like: 1440x900 and a 390 px phone, light and dark, every script,
Markdown structure, accessibility (axe-core), and the screenshots in the README."""

import sqlite3
from pathlib import Path

import httpx
import pytest

from app.config import REPO_ROOT
from tests.e2e.conftest import EDITOR, LIVE
from tests.e2e.test_reader import _story

pytestmark = [pytest.mark.e2e, pytest.mark.model]

SHOTS = REPO_ROOT / "docs" / "screenshots"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"


def _first_para_top(page) -> float:  # type: ignore[no-untyped-def]
    """Where the first paragraph of the first column starts, the columns scrolled to the top."""
    return page.evaluate(
        "(() => { document.querySelectorAll('.column-body').forEach(b => { b.scrollTop = 0; });"
        " return document.querySelector('.column:not([hidden]) .para')"
        ".getBoundingClientRect().top; })()"
    )


def test_desktop_layout_light_and_dark(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    SHOTS.mkdir(parents=True, exist_ok=True)
    for scheme, name in (("light", "story.png"), ("dark", "story-dark.png")):
        context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.goto(f"{live_server}/stories/{story['id']}?p={fr}-3")
        page.wait_for_selector(f"#p-{fr}-3.active")
        assert _first_para_top(page) <= 200
        # One scroll model: the window never scrolls, the columns do.
        assert page.evaluate("document.documentElement.scrollHeight <= innerHeight + 1")
        page.screenshot(path=str(SHOTS / name))
        context.close()
    assert (SHOTS / "story.png").stat().st_size > 10_000


def test_overview_is_collapsible_with_a_legend_and_arrow_keys(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    page.goto(f"{live_server}/stories/{story['id']}?p={fr}-2")
    assert not page.is_visible("#overview")
    page.click("#overview-box summary")
    assert page.is_visible("#overview .legend")
    n = len(story["documents"])
    assert page.locator("#overview .ov-strip").count() == n * (n - 1) // 2
    assert page.locator("#overview rect.ov-sel").count() >= 2  # the current selection
    page.focus("#overview .ov-scroll")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert "¶" in page.inner_text("#ov-status")
    target = page.get_attribute("#overview a.ov-jump:has(rect.ov-cursor)", "data-target")
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#{target}.active[aria-current]")  # the server answered
    # Tab leaves the overview in one step: its bars are not Tab stops.
    assert page.locator("#overview [tabindex='0']").count() == 1


def _add_paragraphs(doc_id: int, rows: list[tuple[str, str, str | None]]) -> None:
    """Paragraphs made directly in the database, as ingest (#11) stores Markdown structure."""
    with sqlite3.connect(LIVE["db"]) as db:
        start = db.execute(
            "select coalesce(max(`index`), -1) + 1 from paragraph where document_id = ?", (doc_id,)
        ).fetchone()[0]
        for n, (kind, text, lang) in enumerate(rows):
            db.execute(
                "insert into paragraph (document_id, `index`, text, kind, lang, start, end)"
                " values (?, ?, ?, ?, ?, 0, 0)",
                (doc_id, start + n, text, kind, lang),
            )


def test_every_script_and_markdown_structure(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    # About something else than the seeds, so that it makes a story of its own.
    arabic = (
        "افتتحت المكتبة العامة في المدينة قاعة جديدة للقراءة يوم السبت، وتضم أكثر من عشرة آلاف"
        " كتاب للأطفال والكبار.\n\n"
        "وقال مدير المكتبة إن القاعة ستبقى مفتوحة حتى منتصف الليل خلال فصل الصيف."
    )
    # Uploads run as jobs (202, no story yet): wait for grouping and alignment (201).
    answer = httpx.post(
        f"{live_server}/api/documents",
        params={"wait": "true"},
        json={"text": arabic, "lang": "ar", "source": "ar.txt"},
        timeout=120,
    )
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["story_id"] is not None
    _add_paragraphs(
        made["id"],
        [
            ("code", "def f(x):\n    return x * 2\n\nprint(f(21))", None),
            ("list", "الأول\nالثاني\nالثالث", None),
            ("table", "city\tcount\nKyiv\t70", None),
            ("quote", "نص مقتبس <b>لا يُفسَّر</b>", None),
            ("text", "ภาษาไทยอ่านได้ และ 日本語も読める", "th"),
        ],
    )
    page.goto(f"{live_server}/stories/{made['story_id']}")
    column = page.locator(f"#col-{made['id']}")
    assert column.get_attribute("dir") == "rtl"
    align = page.eval_on_selector(f"#p-{made['id']}-0", "el => getComputedStyle(el).textAlign")
    assert align in ("right", "start")
    assert (
        page.eval_on_selector(f"#p-{made['id']}-0", "el => getComputedStyle(el).direction") == "rtl"
    )
    base = made["paragraphs"]
    code = page.locator(f"#p-{made['id']}-{base} pre code")
    assert code.count() == 1 and "return x * 2\n\nprint" in code.inner_text()
    assert page.locator(f"#p-{made['id']}-{base + 1} li").count() == 3
    assert page.locator(f"#p-{made['id']}-{base + 2} [role=cell]").count() == 4
    quote = page.locator(f"#p-{made['id']}-{base + 3} blockquote")
    assert (
        "<b>" in quote.inner_text() and page.locator(f"#p-{made['id']}-{base + 3} b").count() == 0
    )
    thai = f"#p-{made['id']}-{base + 4}"
    assert page.get_attribute(thai, "lang") == "th" and page.get_attribute(thai, "dir") == "ltr"
    # The Thai and Japanese glyphs have a font: their rendered width is not that of boxes.
    widths = page.evaluate(
        """() => { const c = document.createElement('canvas').getContext('2d');
          c.font = '20px "Noto Sans Thai"'; const thai = c.measureText('ภาษาไทย').width;
          c.font = '20px "Noto Sans CJK JP"'; const ja = c.measureText('日本語').width;
          return [document.fonts.check('20px "Noto Sans Thai"', 'ภ'), thai, ja]; }"""
    )
    assert widths[0] and widths[1] > 0 and widths[2] > 0


PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def test_phone_has_no_horizontal_overflow_and_learner_reveals_per_sentence(
    live_server: str, browser
) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
    context = browser.new_context(**PHONE)
    page = context.new_page()
    for path in (
        "/",
        f"/stories/{story['id']}",
        f"/stories/{story['id']}/review",
        f"/documents/{fr}",
        f"/api/stories/{story['id']}/export?format=html",
        "/no/such/page",
    ):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    page.goto(f"{live_server}/stories/{story['id']}")
    # The language pair: read German, with French under each tapped paragraph.
    page.select_option("#reading-select", str(de))
    page.tap("#tools-toggle")  # the other tools are in the phone's toolbar menu
    page.select_option("#with-select", str(fr))
    assert page.is_visible(f"#p-{de}-0") and not page.is_visible(f"#p-{fr}-0")
    page.check("#learner-toggle")
    page.tap("#tools-toggle")
    page.tap(f"#p-{de}-2")
    page.wait_for_selector(f"#under-{de}-2 .copy[data-document='{fr}'] .s")
    copies = page.locator(f"#under-{de}-2 .copy:visible")
    assert copies.count() == 1  # only the chosen language
    first = page.locator(f"#under-{de}-2 .copy[data-document='{fr}'] .s").first
    blur = "el => getComputedStyle(el).filter"
    assert "blur" in first.evaluate(blur)
    first.tap()
    assert first.evaluate(blur) == "none"  # revealed, one sentence at a time
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.evaluate("getSelection().removeAllRanges()")
    page.screenshot(path=str(SHOTS / "story-phone.png"))
    # Help opens and closes on a phone (from the toolbar's menu).
    page.tap("#tools-toggle")
    page.tap("#help-button")
    assert page.is_visible("#help")
    page.tap("#help-close")
    assert not page.is_visible("#help")
    context.close()


def _axe(page) -> list[str]:  # type: ignore[no-untyped-def]
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"
    )
    return list(result)


def test_axe_finds_nothing_serious_on_home_story_and_queue(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    fr = story["documents"][0]["id"]
    for scheme in ("light", "dark"):
        context = browser.new_context(
            viewport={"width": 1440, "height": 900}, bypass_csp=True, color_scheme=scheme
        )
        page = context.new_page()
        page.goto(f"{live_server}/")
        assert _axe(page) == [], ("home", scheme)
        page.goto(f"{live_server}/login?next=/stories/{story['id']}")
        page.fill("input[name=name]", EDITOR)
        page.fill("input[name=password]", "correct horse")
        page.click("form.login button[type=submit]")
        page.wait_for_url(f"{live_server}/stories/{story['id']}")
        page.click(f"#p-{fr}-3")
        page.wait_for_selector("#review-panel li.review-link")
        page.click("#overview-box summary")
        assert _axe(page) == [], ("story", scheme)
        page.goto(f"{live_server}/stories/{story['id']}/review")
        assert _axe(page) == [], ("queue", scheme)
        context.close()


def test_api_docs_and_not_found_pages(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    failed: list[str] = []
    # Redoc's footer tries a logo image from its CDN and hides it when that fails: images
    # aside, everything the pages need comes from this server.
    page.on(
        "requestfailed",
        lambda r: failed.append(r.url) if r.resource_type != "image" else None,
    )
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    page.goto(f"{live_server}/redoc")
    page.wait_for_selector("redoc [role=navigation], redoc .menu-content", timeout=20_000)
    assert not failed, failed
    missing = httpx.get(f"{live_server}/api/stories/999999/alignment")
    assert missing.status_code == 404 and "detail" in missing.json()
    assert (
        httpx.get(f"{live_server}/api/nothing-here")
        .headers["content-type"]
        .startswith("application/json")
    )
    html = httpx.get(f"{live_server}/stories/999999")
    assert html.status_code == 404 and html.headers["content-type"].startswith("text/html")
    assert "does not exist" in html.text and 'href="/"' in html.text
    assert httpx.get(f"{live_server}/static/favicon.svg").status_code == 200
