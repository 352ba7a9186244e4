"""40 XSS vectors uploaded as text, title and file name; every page opened in Chromium with
the CSP switched off (so escaping alone is tested) and a dialog hook: nothing may run."""

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from playwright.sync_api import Dialog

from app.config import Settings
from app.main import create_app
from app.migrate import upgrade
from tests.factories import make_user

pytestmark = [pytest.mark.e2e]

VECTORS = [
    "<script>alert(1)</script>",
    "<ScRiPt>alert(2)</sCrIpT>",
    "<script src=data:,alert(3)></script>",
    "<img src=x onerror=alert(4)>",
    "<svg onload=alert(5)>",
    "<svg><script>alert(6)</script></svg>",
    "<body onload=alert(7)>",
    "<iframe src=javascript:alert(8)>",
    "<iframe srcdoc='<script>parent.alert(9)</script>'>",
    "<a href=javascript:alert(10)>click</a>",
    "<a href='jav&#x09;ascript:alert(11)'>x</a>",
    "<details open ontoggle=alert(12)>",
    "<input autofocus onfocus=alert(13)>",
    "<video><source onerror=alert(14)></video>",
    "<audio src=x onerror=alert(15)>",
    "<marquee onstart=alert(16)>",
    "<object data=javascript:alert(17)>",
    "<embed src=javascript:alert(18)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(19)>",
    '<noscript><p title="</noscript><img src=x onerror=alert(20)>">',
    '"><img src=x onerror=alert(21)>',
    "'><img src=x onerror=alert(22)>",
    '" onmouseover=alert(23) x="',
    "' autofocus onfocus=alert(24) x='",
    "</title><script>alert(25)</script>",
    "</textarea><script>alert(26)</script>",
    "<style>@import 'javascript:alert(27)';</style>",
    "<meta http-equiv=refresh content='0;url=javascript:alert(28)'>",
    "<base href=javascript:alert(29)//>",
    "<form action=javascript:alert(30)><button>go</button></form>",
    "<div hx-get=/api/stories hx-trigger=load hx-on::after-request=alert(31)>x</div>",
    "<button hx-on:click=alert(32) hx-trigger=load>x</button>",
    "<div hx-vals='js:{a:alert(33)}' hx-post=/upload hx-trigger=load>x</div>",
    "<img src=x hx-on::load=alert(34)>",
    "{{ 7*7 }}{% raw %}<script>alert(35)</script>",
    "${alert(36)}",
    "<!--<img src=--><img src=x onerror=alert(37)//>",
    "<svg><animate onbegin=alert(38) attributeName=x dur=1s>",
    "javascript:alert(39)",
    "<x onpointerenter=alert(40) style=display:block;width:9999px;height:9999px>",
]
assert len(VECTORS) == 40


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server without the model (documents stay unaligned) and with open uploads."""
    db = tmp_path_factory.mktemp("xss") / "parallax.db"
    settings = Settings(
        database_url=f"sqlite:///{db}",
        load_encoder=False,
        queue_url="inline",
        open_uploads=True,
        rate_limit_uploads="100/hour",
    )
    upgrade(settings.database_url)
    app = create_app(settings)
    make_user(app.state.engine, "edie")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _upload_all(base: str) -> list[dict]:  # type: ignore[type-arg]
    body = "\n\n".join(VECTORS)
    made = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for i, vector in enumerate(VECTORS):
            text = f"Article numéro {i} sur la sécurité des pages web.\n\n{body}\n\nFin {i}."
            response = client.post(
                "/api/documents?wait=true",
                files={"file": (f"{vector}.txt", text.encode(), "text/plain")},
                data={"title": vector, "lang": "fr"},
            )
            assert response.status_code == 201, response.text
            made.append(response.json())
    return made


def _visit_all(page, base: str, urls: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []

    def on_dialog(dialog: Dialog) -> None:
        dialogs.append(f"{page.url}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", on_dialog)
    # The hook must see a dialog when one opens, or an empty list would prove nothing.
    page.set_content("<script>alert('control')</script>")
    assert dialogs and dialogs.pop().endswith("control")
    for url in urls:
        page.goto(base + url, wait_until="load")
        page.mouse.move(200, 300)
        page.wait_for_timeout(30)
    return dialogs


def test_no_vector_runs_on_any_page(xss_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    docs = _upload_all(xss_server)
    urls = ["/", "/?q=%3Cscript%3E", "/login?next=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"]
    urls += [f"/stories/{d['story_id']}" for d in docs]
    urls += [f"/stories/{d['story_id']}?p={d['id']}-1" for d in docs[::4]]
    for d in docs[:5]:
        urls += [
            f"/documents/{d['id']}",
            f"/stories/{d['story_id']}/review",
            f"/api/stories/{d['story_id']}/export?format=html",
        ]
    # bypass_csp: the escaping alone must hold; the CSP is a second wall, tested elsewhere.
    context = browser.new_context(bypass_csp=True)
    try:
        anonymous = _visit_all(context.new_page(), xss_server, urls)
    finally:
        context.close()
    assert anonymous == []
    # An editor's pages carry the review panel and the history: the same vectors, more markup.
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(xss_server + "/login")
        page.fill("input[name=name]", "edie")
        page.fill("input[name=password]", "correct horse")
        page.click("button[type=submit]")
        page.wait_for_url(xss_server + "/")
        editor = _visit_all(page, xss_server, urls[:3] + urls[3:43:4] + urls[43:])
    finally:
        context.close()
    assert editor == []
    assert "{{ 7*7 }}" in httpx.get(xss_server + "/").text


def test_the_csp_blocks_nothing_of_the_apps_own(xss_server: str, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    try:
        for url in ["/", "/login"]:
            page.goto(xss_server + url, wait_until="load")
        assert page.evaluate("typeof htmx") == "object"
    finally:
        context.close()
    assert violations == []
