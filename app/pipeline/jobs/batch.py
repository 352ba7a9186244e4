"""Many files as jobs, for the command line: run them here with a progress bar, or queue them."""

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from sqlalchemy.engine import Engine

from app.align.encoder import Encoder
from app.config import Settings
from app.ingest import IngestError
from app.models import JobKind, JobStatus
from app.pipeline.jobs.runner import Watchman, run_job
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import get_job, submit
from app.pipeline.store import IngestOutcome, IngestSummary


def _job_for(runtime: Runtime, path: Path, *, background: bool) -> int:
    """The file's ingest job: queued for the workers, or (not `background`) stored as a job,
    so a worker finishes it if this process dies, but run right here."""
    data = path.read_bytes()
    params = {"source": path.name}
    return submit(runtime, kind=JobKind.INGEST, params=params, payload=data, enqueue=background)


def ingest_paths(
    runtime: Runtime,
    files: Sequence[Path],
    *,
    background: bool = False,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = iter,
) -> tuple[IngestSummary, list[int]]:
    """Ingest each file as a job; returns the summary and the job ids.

    Not `background`: each job runs in this process (which loads the model) with heartbeats,
    and the summary is final. `background`: the jobs go to the queue for the workers and the
    summary only counts files that could not be read.
    """
    summary = IngestSummary()
    watchman = (
        None if background else Watchman(runtime, stale_after=runtime.settings.job_stale_seconds)
    )
    if watchman is not None:
        watchman.start()
    job_ids: list[int] = []
    try:
        for path in progress(files):
            try:
                job_id = _job_for(runtime, path, background=background)
            except OSError as exc:
                summary.rejected.append(IngestError(str(path), f"cannot be read ({exc.strerror})"))
                continue
            job_ids.append(job_id)
            if not background:
                run_job(job_id, runtime=runtime, may_defer=False)
                _count(runtime, job_id, summary)
    finally:
        if watchman is not None:
            watchman.stopped.set()
    return summary, job_ids


def ingest_here(
    engine: Engine,
    encoder: Encoder | None,
    files: Sequence[Path],
    *,
    max_bytes: int = 2_000_000,
) -> IngestSummary:
    """`parallax ingest` on a database given by its engine (tests, benchmarks): each file a job
    run in this process through the one pipeline every upload takes (parse, store, place,
    align, check). Without an encoder each document is only stored, in a story of its own."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        queue_url="inline",
        max_upload_bytes=max_bytes,
        load_encoder=encoder is not None,
    )
    runtime = Runtime(settings, encoder=encoder)
    try:
        summary, _ = ingest_paths(runtime, list(files))
    finally:
        runtime.engine.dispose()
    return summary


def _count(runtime: Runtime, job_id: int, summary: IngestSummary) -> None:
    job = get_job(runtime.engine, job_id)
    assert job is not None
    if job.status == JobStatus.FAILED:
        source = job.params.get("source", "")
        reason = (job.error or "failed").removeprefix(f"{source}: ")
        status = int((job.result or {}).get("status", 422))
        summary.rejected.append(IngestError(source, reason, status=status))
        return
    result = job.result or {}
    outcome = IngestOutcome(
        "duplicate" if result.get("duplicate") else "added",
        int(result.get("document", job.document_id or 0)),
        int(result.get("story_id", job.story_id or 0)),
        0,
    )
    (summary.duplicates if result.get("duplicate") else summary.added).append(outcome)
