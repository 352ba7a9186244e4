"""Rendered story pages and click fragments, kept and revalidated by the story's version.

A story page is a function of the story's rows, who looks and what was asked. The rows are
summed up by `Story.version` (bumped in the same transaction as every write that changes
what the story shows, `app.models.versions`); who looks is the user id (None for everyone
anonymous, so one user's page, private or with their name in the header, is never served
to another); what was asked is the query and the headers the page varies on. So:

- the answer carries an `ETag` of that key; a browser sending it back gets a `304`;
- a server-side LRU keeps the rendered bytes (and their gzip) by that key, so a repeated
  read renders nothing; memory is bounded by `MAX_BYTES`, per process.
"""

import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from fastapi import Request
from fastapi.responses import Response

from app.config import REPO_ROOT
from app.models import PUBLIC, Story, User

# Headers the story page's answer depends on, besides the path and query.
VARY = (
    "HX-Request",
    "HX-History-Restore-Request",
    "HX-Current-URL",
    "X-Parallax-Windows",
    "X-Parallax-Narrow",
)
KEPT_HEADERS = ("content-type", "hx-redirect")
MAX_BYTES = 64 * 2**20


def _release() -> str:
    """A digest of the templates and the app's code: a deploy that changes what a page
    would say changes every ETag (a browser never keeps an old page through a 304)."""
    digest = hashlib.sha256()
    files = [*(REPO_ROOT / "templates").rglob("*.html"), *(REPO_ROOT / "app").rglob("*.py")]
    for path in sorted(files):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


RELEASE = _release()


@dataclass
class Entry:
    """A rendered answer: status, body, the headers worth keeping, its gzip made on demand."""

    status: int
    body: bytes
    headers: dict[str, str]
    gzipped: bytes | None = field(default=None, repr=False)

    def size(self) -> int:
        return len(self.body) + len(self.gzipped or b"")


class PageCache:
    """A thread-safe LRU of rendered answers, bounded in bytes."""

    def __init__(self, max_bytes: int = MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        with self._lock:
            old = self._entries.pop(key, None)
            self._bytes -= old.size() if old else 0
            self._entries[key] = entry
            self._bytes += entry.size()
            while self._bytes > self.max_bytes and len(self._entries) > 1:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped.size()

    def zip(self, key: str, entry: Entry) -> bytes:
        """The entry's body gzipped, made once."""
        if entry.gzipped is None:
            entry.gzipped = gzip.compress(entry.body, compresslevel=6, mtime=0)
            with self._lock:
                if self._entries.get(key) is entry:
                    self._bytes += len(entry.gzipped)
        return entry.gzipped


def cache_key(request: Request, story: Story, user: User | None) -> str:
    """What a story page's answer is a function of, as one digest (also its ETag)."""
    return _digest(request, f"story {story.id} {story.version}", user)


def _digest(request: Request, what: str, user: User | None) -> str:
    parts = [
        RELEASE,
        what,
        *((str(user.id), user.role, user.name) if user is not None else ("-", "-", "-")),
        request.url.query,
        *(request.headers.get(name, "") for name in VARY),
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _cache_control(story: Story | None, user: User | None) -> str:
    # A private story, or a page that names its logged-in viewer, is kept by no cache at all
    # (the private-content contract); public pages revalidate with their ETag.
    private = (story is not None and story.visibility != PUBLIC) or user is not None
    return "private, no-store" if private else "no-cache"


def _headers(key: str, story: Story | None, user: User | None) -> dict[str, str]:
    return {
        "ETag": f'W/"{key}"',
        "Cache-Control": _cache_control(story, user),
        "Vary": ", ".join((*VARY, "Cookie", "Accept-Encoding")),
    }


def kept_answer(request: Request, story: Story, user: User | None) -> Response | None:
    """The answer to a story page request if nothing has to be rendered (a 304 or kept
    bytes), else None. Reads no database: the story row and the user are already known."""
    key = cache_key(request, story, user)
    return _kept(request, key, _headers(key, story, user))


def _kept(request: Request, key: str, headers: dict[str, str]) -> Response | None:
    if headers["ETag"] in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    entry = request.app.state.page_cache.get(key)
    return None if entry is None else _send(request, key, entry, headers)


def _send(request: Request, key: str, entry: Entry, headers: dict[str, str]) -> Response:
    cache: PageCache = request.app.state.page_cache
    body = entry.body
    if "gzip" in request.headers.get("accept-encoding", "") and len(body) >= 500:
        body = cache.zip(key, entry)
        headers["Content-Encoding"] = "gzip"
    return Response(body, status_code=entry.status, headers={**entry.headers, **headers})


def _serve(
    request: Request, key: str, headers: dict[str, str], render: Callable[[], Response]
) -> Response:
    kept = _kept(request, key, headers)
    if kept is not None:
        return kept
    response = render()
    if response.status_code != 200:
        return response
    entry = Entry(
        response.status_code,
        bytes(response.body),
        {k: v for k, v in response.headers.items() if k in KEPT_HEADERS},
    )
    request.app.state.page_cache.put(key, entry)
    return _send(request, key, entry, headers)


def serve_cached(
    request: Request, story: Story, user: User | None, render: Callable[[], Response]
) -> Response:
    """The answer to a story page request: 304, kept bytes, or `render()` kept for next time."""
    key = cache_key(request, story, user)
    return _serve(request, key, _headers(key, story, user), render)


def serve_listing(
    request: Request, library: str, user: User | None, render: Callable[[], Response]
) -> Response:
    """An answer listing stories (home, `/api/stories`, search), kept by `library`
    (`library_version`), its path and query, and its viewer.

    The viewer's id is in the key: their private stories are in their answers only."""
    key = _digest(request, f"library {request.url.path} {library}", user)
    return _serve(request, key, _headers(key, None, user), render)
