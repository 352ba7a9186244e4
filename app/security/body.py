"""Stop reading a request body at the size limit, whether or not it declares its length.

A pure ASGI middleware wraps `receive`: a declared Content-Length over the limit is refused
before a byte is read, and a chunked (or lying) body is cut off as soon as the bytes received
pass the limit. Multipart forms, JSON bodies and raw reads all go through `receive`, so every
route is covered, including ones added later.
"""

from fastapi import HTTPException, status
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Room for the multipart envelope (boundaries, part headers, the lang and title fields).
ENVELOPE_BYTES = 64_000
BODYLESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class BodyTooLarge(HTTPException):
    """413; an HTTPException so FastAPI's body parsing lets it through unchanged."""

    def __init__(self, limit: int) -> None:
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"request body: larger than the {limit:,} byte limit",
        )


class BodyLimitMiddleware:
    """Answers 413 once a request body passes `max_bytes` (+ the multipart envelope), or the
    larger limit of a path under one of the prefixes in `larger` (imports of many files)."""

    def __init__(
        self, app: ASGIApp, *, max_bytes: int, larger: dict[str, int] | None = None
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger or {}

    def limit_of(self, path: str) -> int:
        """The body limit of `path`, without the envelope."""
        for prefix, limit in self.larger.items():
            if path == prefix or path.startswith(prefix + "/"):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in BODYLESS_METHODS:
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_of(scope["path"])
        limit = max_bytes + ENVELOPE_BYTES
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, max_bytes)
            return
        received = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(max_bytes)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, watching_send)
        except BodyTooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, max_bytes)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        # Connection: close, so the server does not try to drain the rest of the body.
        response = JSONResponse(
            {"detail": BodyTooLarge(max_bytes).detail},
            status_code=status.HTTP_413_CONTENT_TOO_LARGE,
            headers={"Connection": "close"},
        )
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None
