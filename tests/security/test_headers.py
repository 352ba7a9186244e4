"""Every answer carries the security headers; pages hold no inline script, style or handler."""

import pytest
from fastapi.testclient import TestClient
from lxml import html

from app.security.headers import STRICT_CSP


def _directives(csp: str) -> dict[str, list[str]]:
    parts = [d.strip().split() for d in csp.split(";") if d.strip()]
    return {p[0]: p[1:] for p in parts}


@pytest.mark.parametrize(
    "method, path",
    [
        ("GET", "/"),
        ("GET", "/login"),
        ("GET", "/healthz"),
        ("GET", "/api/stories"),
        ("GET", "/static/app.js"),
        ("GET", "/stories/999"),
        ("POST", "/api/links/1/confirm"),
    ],
)
def test_every_answer_has_the_headers(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    csp = _directives(response.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"
    assert "camera=()" in response.headers["permissions-policy"]


def test_docs_page_gets_its_own_policy_but_still_no_framing(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    csp = _directives(response.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["object-src"] == ["'none'"]


def test_hsts_only_behind_https(settings) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app

    with TestClient(create_app(settings)) as plain:
        assert "strict-transport-security" not in plain.get("/healthz").headers
    secure = settings.model_copy(update={"secure_cookies": True})
    with TestClient(create_app(secure)) as c:
        assert c.get("/healthz").headers["strict-transport-security"].startswith("max-age=")


def _inline_problems(page: str) -> list[str]:
    tree = html.fromstring(page)
    problems = [
        f"inline <script>: {s.text[:40]!r}" for s in tree.iter("script") if not s.get("src")
    ]
    problems += ["<style> element" for _ in tree.iter("style")]
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in el.attrib:
            if attr.startswith("on") or attr == "style" or attr.startswith("hx-on"):
                problems.append(f"<{el.tag} {attr}=...>")
    return problems


@pytest.mark.model
def test_pages_have_nothing_inline(seeded_client: TestClient) -> None:
    story = seeded_client.get("/api/stories").json()["items"][0]
    doc = story["documents"][0]["id"]
    pages = [
        "/",
        "/login",
        f"/stories/{story['id']}",
        f"/stories/{story['id']}?p={doc}-0",
        f"/stories/{story['id']}/review",
        f"/documents/{doc}",
        f"/api/stories/{story['id']}/export?format=html",
    ]
    for path in pages:
        response = seeded_client.get(path)
        assert response.status_code == 200, path
        assert _inline_problems(response.text) == [], path
        assert response.headers["content-security-policy"] == STRICT_CSP


def test_htmx_is_told_not_to_inject_its_indicator_style(client: TestClient) -> None:
    tree = html.fromstring(client.get("/login").text)
    config = tree.xpath("//meta[@name='htmx-config']/@content")[0]
    assert '"includeIndicatorStyles":false' in config
