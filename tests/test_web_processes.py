"""`parallax serve --web-workers N`: the processes' options, and no Nagle delay on their sockets."""

import asyncio
import os
import socket

import pytest
from uvicorn.config import Config
from uvicorn.server import ServerState

from app.cli import build_parser
from app.config import Settings
from app.web import PROTOCOL, NoDelayH11Protocol, web_processes
from tests.factories import run_coroutine


def _nodelay_of_accepted(protocol: type[NoDelayH11Protocol] | None) -> int:
    """TCP_NODELAY on a connection accepted by a listener bound as uvicorn binds for workers
    (`socket.socket(AF_INET)`: proto 0, so asyncio leaves Nagle on)."""
    config = Config(app=lambda scope, receive, send: None, http=PROTOCOL)
    config.load()
    seen: list[int] = []

    async def run() -> None:
        listener = socket.socket(socket.AF_INET)
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        loop = asyncio.get_running_loop()

        class Probe(asyncio.Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                sock = transport.get_extra_info("socket")
                seen.append(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

        def factory() -> asyncio.Protocol:
            if protocol is None:
                return Probe()
            made = protocol(config=config, server_state=ServerState(), app_state={})
            original = made.connection_made

            def made_and_seen(transport: asyncio.BaseTransport) -> None:
                original(transport)  # type: ignore[arg-type]
                Probe().connection_made(transport)

            made.connection_made = made_and_seen  # type: ignore[method-assign]
            return made

        server = await loop.create_server(factory, sock=listener)
        _, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server.close()

    run_coroutine(run())
    assert len(seen) == 1
    return seen[0]


def test_the_shared_listener_leaves_nagle_on_and_the_protocol_turns_it_off() -> None:
    assert _nodelay_of_accepted(None) == 0  # the cause of the ~40 ms keep-alive stall
    assert _nodelay_of_accepted(NoDelayH11Protocol) != 0


def test_web_workers_option_builds_a_factory_app_per_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PARALLAX_DATABASE_URL", "")  # restored after: web_processes sets it
    args = build_parser().parse_args(["serve", "--web-workers", "3"])
    assert args.web_workers == 3
    assert build_parser().parse_args(["serve"]).web_workers == 1
    settings = Settings(database_url="sqlite:////tmp/parallax-web-test.db", queue_url="inline")
    target, options = web_processes(None, 3, settings)  # type: ignore[arg-type]
    assert target == "app.main:create_app"
    assert options["factory"] is True and options["workers"] == 3 and options["http"] == PROTOCOL
    assert os.environ["PARALLAX_DATABASE_URL"] == settings.database_url  # for each process
    app = object()
    assert web_processes(app, 1, settings) == (app, {"http": PROTOCOL})  # type: ignore[arg-type]
