"""How `parallax serve` runs its web processes: one in the foreground, or N under uvicorn.

Several processes share one listening socket that uvicorn binds itself, without naming the
TCP protocol (`socket.socket(AF_INET)`, proto 0). asyncio sets TCP_NODELAY only on sockets
whose proto is IPPROTO_TCP, so the connections accepted there kept Nagle's algorithm on: a
response written in two sends (headers, then body) waited for the client's delayed ACK,
about 40 ms, on every keep-alive request after the first. The protocol below sets
TCP_NODELAY on every connection itself.
"""

import gc
import os
import socket
from asyncio import BaseTransport
from typing import Any

from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.config import Settings

PROTOCOL = "app.web:NoDelayH11Protocol"


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with TCP_NODELAY set on each accepted connection."""

    def connection_made(self, transport: BaseTransport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)  # type: ignore[arg-type]


def web_processes(app: FastAPI, workers: int, settings: Settings) -> tuple[Any, dict[str, Any]]:
    """What to hand `uvicorn.run` for `workers` web processes: the app and its options.

    With more than one, each process builds its own app from the environment, so the
    database the command was given is passed on through PARALLAX_DATABASE_URL.
    """
    if workers <= 1:
        return app, {"http": PROTOCOL}
    os.environ["PARALLAX_DATABASE_URL"] = settings.database_url
    options = {"factory": True, "workers": workers, "http": PROTOCOL}
    # Importing the app takes seconds on a busy machine: uvicorn's 5 s health check would
    # kill a child still starting, then start another, again and again.
    return "app.main:create_app", options | {"timeout_worker_healthcheck": 120}


def settle_heap() -> None:
    """Keep what start-up built (modules, routes, schemas, templates) out of the garbage
    collector's full passes: it lives as long as the process, and each full pass over it
    stalled every request in flight for about 130 ms (12 ms once frozen; measured with a
    gc callback during bench/responsive.py). Only for a serving process: a test session
    making many apps would keep each one for ever."""
    gc.collect()
    gc.freeze()
