"""Upload routes stop reading at the size limit, chunked bodies included, and answer 413."""

import asyncio
import io
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.config import Settings
from app.main import create_app
from tests.factories import login, make_user, row_counts

CHUNK = 64 * 1024
THREE_MB = 3 * 1024 * 1024


class CountingBody:
    """A chunked body of `total` bytes that records how much of it was pulled."""

    def __init__(self, total: int, prefix: bytes = b"", suffix: bytes = b"") -> None:
        self.total, self.prefix, self.suffix = total, prefix, suffix
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        yield self.prefix
        self.sent += len(self.prefix)
        while self.sent < self.total:
            self.sent += CHUNK
            yield b"a" * CHUNK
        yield self.suffix


def _multipart(total: int) -> tuple[CountingBody, dict[str, str]]:
    boundary = "xyzzyboundary"
    prefix = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    suffix = f"\r\n--{boundary}--\r\n".encode()
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    return CountingBody(total, prefix, suffix), headers


def _drive(app: object, path: str, body: CountingBody, headers: dict[str, str]) -> int:
    """Send a chunked body straight to the ASGI app, one receive() per chunk; the status."""
    chunks = iter(body)
    statuses: list[int] = []
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]
        + [(b"host", b"testserver"), (b"transfer-encoding", b"chunked")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> dict[str, object]:
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict[str, object]) -> None:
        if message["type"] == "http.response.start":
            statuses.append(int(message["status"]))  # type: ignore[call-overload]

    # In a thread of its own: Playwright's sync API (the browser tests) keeps an event loop
    # running in the main thread for the whole session, and asyncio.run refuses to nest.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()  # type: ignore[operator]
    return statuses[0]


@pytest.fixture
def open_client(settings: Settings, engine: Engine) -> Iterator[TestClient]:
    """Anonymous uploads on, so that only the size decides."""
    open_settings = settings.model_copy(update={"open_uploads": True})
    with TestClient(create_app(open_settings)) as c:
        yield c


@pytest.mark.parametrize("path", ["/api/documents", "/upload"])
def test_chunked_multipart_upload_is_cut_off_at_the_limit(
    open_client: TestClient, engine: Engine, path: str
) -> None:
    body, headers = _multipart(THREE_MB)
    assert _drive(open_client.app, path, body, headers) == 413
    # Stopped near the 2 MB limit, not after reading all 3 MB.
    assert body.sent < 2_000_000 + 64_000 + 2 * CHUNK
    assert row_counts(engine)["document"] == 0


def test_chunked_json_upload_is_cut_off(open_client: TestClient, engine: Engine) -> None:
    body = CountingBody(THREE_MB, prefix=b'{"text": "', suffix=b'"}')
    status = _drive(open_client.app, "/api/documents", body, {"Content-Type": "application/json"})
    assert status == 413
    assert body.sent < 2_000_000 + 64_000 + 2 * CHUNK
    assert row_counts(engine)["document"] == 0


def test_declared_length_over_the_limit_is_refused_before_reading(open_client: TestClient) -> None:
    response = open_client.post(
        "/api/documents",
        content=b"x" * 2_100_000,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_chunked_body_through_the_test_client_gets_413_json(open_client: TestClient) -> None:
    body, headers = _multipart(THREE_MB)
    response = open_client.post("/upload", content=body, headers=headers)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]


def test_tmx_import_is_cut_off_too(client: TestClient, engine: Engine) -> None:
    make_user(engine, "ed")
    login(client, "ed")
    body, headers = _multipart(THREE_MB)
    headers["x-csrftoken"] = client.cookies["csrftoken"]
    headers["cookie"] = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    assert _drive(client.app, "/api/import", body, headers) == 413
    assert body.sent < 2_000_000 + 64_000 + 2 * CHUNK


def test_a_small_upload_still_works(open_client: TestClient) -> None:
    text = "Un titre\n\nUne phrase courte en français pour ce test, avec assez de mots."
    response = open_client.post("/api/documents", json={"text": text})
    assert response.status_code == 202, response.text


def test_deeply_nested_html_is_refused(open_client: TestClient, engine: Engine) -> None:
    page = "<html><body>" + "<div>" * 5000 + "Bonjour tout le monde" + "</div>" * 5000
    response = open_client.post(
        "/api/documents", files={"file": ("deep.html", page.encode(), "text/html")}
    )
    assert response.status_code == 422
    assert "nested deeper" in response.json()["detail"]
    assert row_counts(engine)["document"] == 0


def test_an_import_may_be_larger_than_one_upload(settings: Settings, engine: Engine) -> None:
    """A zip of several articles passes the one-article limit as a whole but not the import
    limit; each article in it is still held to the one-article limit."""
    make_user(engine, "ed")
    limits = {"max_upload_bytes": 40_000, "max_import_bytes": 400_000}
    # No model: the articles are only stored (aligning four long pages of one repeated
    # sentence, inline, took minutes and says nothing about the limits).
    small = settings.model_copy(update={**limits, "load_encoder": False})
    articles = {
        f"site/page-{i}.txt": (f"Titre {i}\n\n" + f"Phrase {i} d'un article. " * 1200).encode()
        for i in range(4)
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as archive:
        for name, data in articles.items():
            archive.writestr(name, data[:35_000])
    whole = buf.getvalue()
    assert 40_000 + 64_000 < len(whole) < 400_000
    with TestClient(create_app(small)) as c:
        login(c, "ed")
        one = c.post("/api/documents", files={"file": ("site.zip", whole, "application/zip")})
        assert one.status_code == 413 and "40,000 byte limit" in one.json()["detail"]
        sent = c.post("/api/imports", files={"files": ("site.zip", whole, "application/zip")})
        assert sent.status_code == 202, sent.text
        assert len(sent.json()["jobs"]) == 4
        too_big = c.post(
            "/api/imports", files={"files": ("big.zip", b"x" * 500_000, "application/zip")}
        )
        assert too_big.status_code == 413 and "400,000 byte limit" in too_big.json()["detail"]
