"""starlette-csrf's double-submit check, plus a fresh token whenever a route asks for one.

A login sets `request.state.rotate_csrf`: the answer then carries a new csrftoken cookie, so a
token planted or read before login is worthless afterwards.
"""

import functools
import http.cookies

from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Message, Receive, Scope, Send
from starlette_csrf import CSRFMiddleware


class RotatingCSRFMiddleware(CSRFMiddleware):
    """CSRFMiddleware whose token is replaced when the route sets `request.state.rotate_csrf`."""

    def _get_error_response(self, request: Request) -> Response:
        # The same {"detail"} shape as every other error (the OpenAPI document says so).
        return JSONResponse({"detail": "CSRF token verification failed"}, status_code=403)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        scope.setdefault("state", {})
        outer = functools.partial(self._rotate, send=send, scope=scope)
        await super().__call__(scope, receive, outer)

    async def _rotate(self, message: Message, send: Send, scope: Scope) -> None:
        state = scope.get("state", {})
        if message["type"] == "http.response.start" and state.get("rotate_csrf"):
            cookie: http.cookies.SimpleCookie = http.cookies.SimpleCookie()
            cookie[self.cookie_name] = self._generate_csrf_token()
            cookie[self.cookie_name]["path"] = self.cookie_path
            cookie[self.cookie_name]["secure"] = self.cookie_secure
            cookie[self.cookie_name]["httponly"] = self.cookie_httponly
            cookie[self.cookie_name]["samesite"] = self.cookie_samesite
            headers = MutableHeaders(scope=message)
            # Drop the cookie the parent class may have added for a first visit: one token only.
            kept = [
                (k, v)
                for k, v in message["headers"]
                if not (k == b"set-cookie" and v.startswith(f"{self.cookie_name}=".encode()))
            ]
            message["headers"] = kept
            headers = MutableHeaders(scope=message)
            headers.append("set-cookie", cookie.output(header="").strip())
        await send(message)
