"""Waiting for a job holds no thread, and each account may only have so many waits at once."""

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.models import Job
from app.services.jobs import TooManyWaits, WaitSlots
from tests.factories import row_counts


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

    asyncio.run(scenario())
    assert slots.counts == {}
