"""The reader says exactly what it shows: the address names the highlighted paragraph from the
moment it is drawn, a highlight never lights the clicked text's own column, menus stay inside
the viewport, phone targets are 44 px, a search result's words are marked."""

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.models import Link, User
from app.review.changes import extend
from tests.e2e.conftest import serving
from tests.e2e.test_layout import PHONE
from tests.factories import make_user

pytestmark = [pytest.mark.e2e, pytest.mark.model]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
WIDTHS = {1440: 900, 1024: 768, 390: 844}


def _story(base: str) -> dict:  # type: ignore[type-arg]
    stories = httpx.get(f"{base}/api/stories").json()["items"]
    story = max(stories, key=lambda s: len(s["documents"]))
    return httpx.get(f"{base}/api/stories/{story['id']}/alignment").json()  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def merged_story(
    tmp_path_factory: pytest.TempPathFactory, seeded_template: Path, encoder: Encoder
) -> Iterator[tuple[str, int, list[tuple[int, int]]]]:
    """The seeds with a chain of merged links made by an editor: (URL, story, the merged keys).

    A's ¶k = B's ¶k-k+1, then B's ¶k+1 = C's ... : the links of the clicked paragraph's own
    document reach its neighbours."""
    db = tmp_path_factory.mktemp("merged") / "parallax.db"
    shutil.copyfile(seeded_template, db)
    app = create_app(Settings(database_url=f"sqlite:///{db}", queue_url="inline"), encoder=encoder)
    make_user(app.state.engine, "merger")
    with Session(app.state.engine) as session:
        user = session.exec(select(User).where(User.name == "merger")).one()
        link = session.exec(
            select(Link)
            .where(Link.relation == "translation", Link.status == "auto")
            .order_by(col(Link.id))
        ).first()
        assert link is not None
        src, tgt = link.source_document_id, link.target_document_id
        first = link.source_paragraphs[0]
        merged = extend(
            session=session,
            user=user,
            link_id=link.id or 0,
            version=link.version,
            document=src,
            index=first + 1,
        )
        session.commit()
        story = merged.story_id
        keys = [(src, i) for i in merged.source_paragraphs] + [
            (tgt, j) for j in merged.target_paragraphs
        ]
    with serving(app) as url:
        yield url, story, keys


def _lit(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(".para.linked", "els => els.map(e => e.id)")  # type: ignore[no-any-return]


def test_the_address_names_the_highlighted_paragraph_at_each_of_ten_clicks(
    live_server: str, page
) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    docs = story["documents"][:2]
    page.goto(f"{live_server}/stories/{story['id']}")
    clicks = [
        (d["id"], (3 * n + 1) % len(d["paragraphs"])) for n in range(10) for d in [docs[n % 2]]
    ]
    for doc, index in clicks:
        page.click(f"#p-{doc}-{index}")
        # At once, before the server answers: the address and the highlight agree.
        state = page.evaluate("[location.search, document.querySelector('.para.active').id]")
        assert state == [f"?p={doc}-{index}", f"p-{doc}-{index}"]
        page.wait_for_selector(f"#p-{doc}-{index}[aria-current]")
        assert page.evaluate("location.search") == f"?p={doc}-{index}"
    # Back and Forward walk the clicks, and the highlight follows.
    for doc, index in reversed(clicks[:-1][-3:]):
        page.go_back()
        page.wait_for_selector(f"#p-{doc}-{index}.active")
        assert page.evaluate("location.search") == f"?p={doc}-{index}"
        assert page.locator(".para.active").count() == 1
    page.go_forward()
    doc, index = clicks[-3]
    page.wait_for_selector(f"#p-{doc}-{index}.active")
    assert page.evaluate("location.search") == f"?p={doc}-{index}"


def test_merged_links_never_light_the_clicked_column(merged_story, page) -> None:  # type: ignore[no-untyped-def]
    url, story, keys = merged_story
    page.goto(f"{url}/stories/{story}")
    for doc, index in keys:
        page.click(f"#p-{doc}-{index}")
        drawn = _lit(page)  # reader.js's walk, before the server answers
        page.wait_for_selector(f"#p-{doc}-{index}[aria-current]")
        page.wait_for_load_state("networkidle")
        served = _lit(page)  # after the server's fragment patched the cells
        assert drawn and served
        for lit in (drawn, served):
            assert not [p for p in lit if p.startswith(f"p-{doc}-")], (doc, index, lit)
        assert sorted(drawn) == sorted(served)  # the two walks agree
    # The page rendered by the server (no JavaScript walk) follows the same rule.
    doc, index = keys[0]
    html = httpx.get(f"{url}/stories/{story}?p={doc}-{index}").text
    assert f'id="p-{doc}-{index}" data-document="{doc}" data-index="{index}"\n class="para' in html
    own = [k for k in keys if k[0] == doc and k != (doc, index)]
    assert own, "the merged link holds two paragraphs of one side"
    for d, i in own:
        start = html.index(f'id="p-{d}-{i}"')
        assert " linked " not in html[start : html.index(">", start)]


def _menus_inside(page, width: int) -> None:  # type: ignore[no-untyped-def]
    if width < 761:
        page.click("#tools-toggle")
    for menu in ("#overview-box", "#columns-menu", "#vocab-menu", "#export-menu"):
        page.click(f"{menu} > summary")
        box = page.locator(f"{menu} > .menu-body").bounding_box()
        assert box is not None, menu
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, menu, box)
        page.click(f"{menu} > summary")  # closed again
    panel = page.locator("#tools-more").bounding_box() if width < 761 else None
    if panel:
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= width
        assert panel["y"] + panel["height"] <= WIDTHS[width]
    page.click("#help-button")
    box = page.locator("#help").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    assert box["y"] >= 0 and box["y"] + box["height"] <= WIDTHS[width]


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_menus_and_popups_stay_inside_the_viewport(live_server: str, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    options = PHONE if width < 761 else {"viewport": {"width": width, "height": WIDTHS[width]}}
    context = browser.new_context(**options)
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    _menus_inside(page, width)
    if width != 1024:  # the closing note's screenshots: the Overview open at 1440 and 390
        page.keyboard.press("Escape")
        page.keyboard.press("Escape")
        if width < 761:
            page.click("#tools-toggle")
        page.click("#overview-box > summary")
        box = page.locator("#overview-box > .menu-body").bounding_box()
        clip = {
            "x": 0,
            "y": 0,
            "width": width,
            "height": min(WIDTHS[width], box["y"] + box["height"] + 8),
        }
        if width > 761:  # the panel and the toolbar above it: a small picture
            left = max(0, box["x"] - 16)
            clip = {
                "x": left,
                "y": 0,
                "width": min(width - left, box["width"] + 32),
                "height": clip["height"],
            }
        page.screenshot(path=str(SHOTS / f"overview-{width}.png"), clip=clip)
    context.close()


def test_phone_toolbar_is_one_row_with_44px_targets(live_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live_server}/stories/{story['id']}")
    targets = """() => [...document.querySelectorAll(
        '.toolbar :is(button, summary, select, a, label.switch, .col-pref label)'
        )].filter(e => !e.closest('svg') && !e.closest('p')  // a link in a sentence is exempt (WCAG 2.5.8)
        && e.getClientRects().length
        && getComputedStyle(e).visibility !== 'hidden').map(e => { const r =
        e.getBoundingClientRect(); return [e.id || e.textContent.trim().slice(0, 20),
        r.width, r.height, r.top]; })"""
    closed = page.evaluate(targets)
    assert len(closed) >= 2
    assert len({round(t[3]) for t in closed}) == 1  # one row
    toolbar = page.locator(".toolbar").bounding_box()
    assert toolbar["height"] <= 64
    page.tap("#tools-toggle")
    page.tap("#columns-menu > summary")
    page.tap("#export-menu > summary")
    opened = page.evaluate(targets)
    assert len(opened) > len(closed) + 8
    small = [t for t in opened if t[1] < 44 or t[2] < 44]
    assert not small, small
    page.screenshot(path=str(SHOTS / "reader-phone-menu.png"))
    context.close()


def test_a_search_result_opens_with_the_words_marked(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    story = _story(live_server)
    words = "ambassade Kurogi"
    page.goto(f"{live_server}/search?q={words.replace(' ', '+')}")
    page.click("#search-results a.hit-link")
    page.wait_for_selector(".para.active mark")
    marked = page.eval_on_selector_all(".para.active mark", "els => els.map(e => e.textContent)")
    assert {m.lower() for m in marked} >= {"ambassade", "kurogi"}
    assert page.locator(".para:not(.active) mark").count() == 0
    assert f"/stories/{story['id']}" in page.url
    page.set_viewport_size({"width": 1440, "height": 900})
    page.screenshot(
        path=str(SHOTS / "search-marked.png"), clip={"x": 0, "y": 0, "width": 720, "height": 420}
    )


def test_redoc_and_swagger_make_no_request_off_the_host(live_server: str, page) -> None:  # type: ignore[no-untyped-def]
    host = live_server.split("//")[1]
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{live_server}/redoc")
    page.wait_for_selector("redoc [role=navigation], redoc .menu-content", timeout=20_000)
    page.wait_for_load_state("networkidle")
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".swagger-ui .opblock")
    page.wait_for_load_state("networkidle")
    assert requests, "the pages were loaded"
    away = [u for u in requests if not u.startswith(("data:", "blob:")) and host not in u]
    assert not away, away
