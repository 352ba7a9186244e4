"""A job whose queue message was lost (its worker died between huey's pop and the claim)."""

from datetime import timedelta
from pathlib import Path

from sqlmodel import Session

from app.config import Settings
from app.models import Job
from app.models.content import utcnow
from app.pipeline.jobs.runner import Watchman
from app.pipeline.jobs.runtime import Runtime


def _queued(runtime: Runtime, *, age: float) -> int:
    """A job left "queued" in the table with no message in the queue."""
    with Session(runtime.engine) as session:
        job = Job(kind="sentence_links", story_id=1, updated_at=utcnow() - timedelta(seconds=age))
        session.add(job)
        session.commit()
        assert job.id is not None
        return job.id


def test_a_job_queued_with_no_message_is_sent_again_once(db_url: str, tmp_path: Path) -> None:
    settings = Settings(database_url=db_url, queue_url="", data_dir=tmp_path / "data")
    runtime = Runtime(settings)
    watchman = Watchman(runtime, stale_after=30)
    lost = _queued(runtime, age=120)
    fresh = _queued(runtime, age=1)  # may still be on its way to a worker: left alone
    assert runtime.huey.pending_count() == 0
    watchman.tick()
    assert runtime.huey.pending_count() == 1
    message = runtime.huey.dequeue()
    assert message is not None and message.args == (lost,)
    # Sent once: the next tick, with the queue empty again, does not send it a second time.
    watchman.tick()
    assert runtime.huey.pending_count() == 0
    with Session(runtime.engine) as session:
        assert {session.get(Job, j).status for j in (lost, fresh)} == {"queued"}  # type: ignore[union-attr]
    runtime.close()


def test_nothing_is_sent_again_while_the_queue_still_holds_messages(
    db_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=db_url, queue_url="", data_dir=tmp_path / "data")
    runtime = Runtime(settings)
    waiting = _queued(runtime, age=120)
    runtime.enqueue(waiting)  # behind a backlog, not lost
    Watchman(runtime, stale_after=30).tick()
    assert runtime.huey.pending_count() == 1
    runtime.close()
