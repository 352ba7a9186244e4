"""Waiting for a job holds no thread, and each account may only have so many waits at once."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.models import Job
from app.waiting import TooManyWaits, WaitSlots
from tests.factories import row_counts, run_coroutine


def test_an_account_past_its_waits_is_told_429_and_nothing_is_stored(
    db_url: str, tmp_path: Path, encoder: Encoder, seed_files: list[Path]
) -> None:
    settings = Settings(
        database_url=db_url,
        queue_url="inline",
        data_dir=tmp_path / "data",
        open_uploads=True,
        job_waits_per_account=0,
    )
    app = create_app(settings, encoder=encoder)
    path = seed_files[0]
    with TestClient(app) as client:
        files = {"file": (path.name, path.read_bytes(), "text/plain")}
        refused = client.post("/api/documents?wait=true", files=files)
        assert refused.status_code == 429, refused.text
        assert "without ?wait=true" in refused.json()["detail"]
        with Session(app.state.engine) as session:
            assert session.exec(select(Job)).all() == []
        assert row_counts(app.state.engine)["document"] == 0
        # Not waiting needs no slot.
        assert client.post("/api/documents", files=files).status_code == 202


def test_wait_slots_count_per_account_and_free_on_leaving() -> None:
    slots = WaitSlots(limit=1)

    async def scenario() -> None:
        async with slots.hold("user:1"):
            with pytest.raises(TooManyWaits):
                async with slots.hold("user:1"):
                    pass
            async with slots.hold("user:2"):  # another account has its own
                pass
        async with slots.hold("user:1"):  # free again
            pass

    run_coroutine(scenario())
    assert slots.counts == {}


def test_a_waiting_upload_holds_no_database_connection(
    db_url: str, tmp_path: Path, seed_files: list[Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between its reads of the job, a `?wait=true` upload of a logged-in reader holds no
    pooled connection (no worker runs here, so it waits until its time is up)."""
    from app import waiting as jobs
    from tests.factories import login, make_user

    settings = Settings(
        database_url=db_url, queue_url="", data_dir=tmp_path / "data", job_wait_seconds=1
    )
    app = create_app(settings)
    make_user(app.state.engine, "reader", role="reader")
    held: list[int] = []
    real_pause = jobs._pause

    async def pause(seconds: float) -> None:
        held.append(app.state.engine.pool.checkedout())
        await real_pause(seconds)

    monkeypatch.setattr(jobs, "_pause", pause)
    path = seed_files[0]
    with TestClient(app) as client:
        login(client, "reader")
        files = {"file": (path.name, path.read_bytes(), "text/plain")}
        answer = client.post("/api/documents?wait=true", files=files)
    assert answer.status_code == 202 and answer.json()["job"]["status"] == "queued"
    assert held and set(held) == {0}


def test_a_flood_of_waiting_uploads_gets_no_5xx_and_pages_still_answer(
    db_url: str, tmp_path: Path, seed_files: list[Path]
) -> None:
    """bench/responsive.py's flood in short: 60 `?wait=true` uploads at once from two reader
    accounts (no worker runs, so every accepted one waits its full time). Each is accepted
    (202) or told 429 in JSON; none gets a 5xx (a pool run dry answered 500 here once); every
    accepted upload is one job; and the home page and /healthz answer meanwhile."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.factories import login, make_user

    settings = Settings(
        database_url=db_url,
        queue_url="",
        data_dir=tmp_path / "data",
        upload_wait_seconds=1.5,
        job_wait_seconds=1.5,
    )
    app = create_app(settings)
    for name in ("rita", "rudi"):
        make_user(app.state.engine, name, role="reader")
    texts = [p.read_bytes() for p in seed_files]
    with TestClient(app) as client:
        headers = []
        for name in ("rita", "rudi"):
            login(client, name)
            jar = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
            headers.append({"cookie": jar, "x-csrftoken": client.cookies["csrftoken"]})
            client.cookies.clear()
            del client.headers["x-csrftoken"]

        def upload(i: int) -> int:
            body = texts[i % len(texts)] + f"\n\nCopy {i}.\n".encode()
            files = {"file": (f"flood-{i}.txt", body, "text/plain")}
            answer = client.post("/api/documents?wait=true", files=files, headers=headers[i % 2])
            if answer.status_code == 429:
                assert answer.json()["detail"], answer.text
            return answer.status_code

        def read(path: str) -> int:
            return client.get(path).status_code

        with ThreadPoolExecutor(64) as pool:
            flood = [pool.submit(upload, i) for i in range(60)]
            reads = [pool.submit(read, path) for path in ("/healthz", "/", "/api/stories") * 3]
            statuses = [f.result() for f in flood]
            read_statuses = [f.result() for f in reads]
    assert set(statuses) <= {201, 202, 429}, statuses
    assert statuses.count(429) >= 60 - 2 * settings.job_waits_per_account - 8, statuses
    assert set(read_statuses) == {200}, read_statuses
    with Session(app.state.engine) as session:
        assert len(session.exec(select(Job)).all()) == 60 - statuses.count(429)


def test_a_burst_of_writes_takes_turns_on_the_write_lane(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writes read their account and count on WRITE_LANE threads at most, so that a burst of
    uploads queues on the event loop instead of taking every thread (and the interpreter
    lock) from the pages being read meanwhile."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from app.security import ratelimit

    running, most = [0], [0]
    lock = threading.Lock()
    real = ratelimit._count_write

    def slow_count(request: object) -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1
        real(request)  # type: ignore[arg-type]

    monkeypatch.setattr(ratelimit, "_count_write", slow_count)
    with TestClient(create_app(settings)) as client:

        def post(i: int) -> int:
            body = {"name": f"nobody{i}", "password": "wrong"}
            return client.post("/api/login", json=body).status_code

        def read() -> int:
            return client.get("/healthz").status_code

        with ThreadPoolExecutor(20) as pool:
            writes = [pool.submit(post, i) for i in range(16)]
            reads = [pool.submit(read) for _ in range(4)]
            assert {f.result() for f in writes} <= {401, 429}
            assert {f.result() for f in reads} == {200}
    assert 2 <= most[0] <= ratelimit.WRITE_LANE, most[0]
