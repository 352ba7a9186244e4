"""Soak: many uploads while the worker (and once the web process) is killed; does every job end?

Serves the app with `parallax serve` (its supervised embedded worker) on a fresh SQLite file,
or with `--postgres URL --redis URL` on PostgreSQL + Redis with `--workers N` separate
`parallax worker` processes. Uploads `--uploads` article-sized texts (Text+Berg chunks, as in
bench/responsive.py) `--concurrency` at a time while readers load pages; kills a worker with
SIGKILL `--kill-worker` times and the web process once (then starts it again); waits until no
job is queued or running, and prints the end state:

- jobs left running or queued (want 0), failed jobs and their errors;
- orphan documents: stored, but no finished ingest job points at them (want 0);
- accepted uploads stored more than once, or not at all (want 0);
- 5xx answers (want 0) and the upload answer time (p50/p95).

    .venv/bin/python bench/soak.py --uploads 200 --concurrency 8 --kill-worker 3
"""

import argparse
import logging
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from app.models import Document, Job, JobKind, Story  # noqa: E402

log = logging.getLogger("soak")


def end_state(engine: Engine, accepted: set[str]) -> dict[str, Any]:
    """What the database says once the jobs are over; `accepted`: the sources of the uploads
    the server accepted (2xx)."""
    with Session(engine) as session:
        statuses = Counter(session.exec(select(Job.status)).all())
        pointed = set(
            session.exec(
                select(Job.document_id).where(
                    Job.kind == JobKind.INGEST,
                    Job.status == "done",
                    col(Job.document_id).is_not(None),
                )
            ).all()
        )
        docs = session.exec(select(Document.id, Document.source)).all()
        empty_stories = session.exec(
            select(func.count())
            .select_from(Story)
            .where(col(Story.id).not_in(select(Document.story_id)))
        ).one()
        failures = session.exec(select(Job.params, Job.error).where(Job.status == "failed")).all()
    per_source = Counter(source for _, source in docs)
    failed_sources = {params.get("source") for params, _ in failures}
    return {
        "jobs": dict(statuses),
        "unfinished": statuses["queued"] + statuses["running"],
        "orphan_documents": sorted(doc for doc, _ in docs if doc not in pointed),
        "stored_twice": sorted(s for s, n in per_source.items() if n > 1),
        "not_stored": sorted(
            s for s in accepted if s not in per_source and s not in failed_sources
        ),
        "empty_stories": empty_stories,
        "failures": [f"{params.get('source')}: {error}" for params, error in failures],
    }


def _children(pid: int) -> list[int]:
    """The child processes of `pid`, whichever of its threads started them."""
    tasks = Path(f"/proc/{pid}/task")
    found: list[int] = []
    for task in tasks.iterdir() if tasks.exists() else []:
        children = task / "children"
        if children.exists():
            found += [int(p) for p in children.read_text().split()]
    return found


class Server:
    """`parallax serve` on a port, started again after it is killed."""

    def __init__(self, env: dict[str, str], port: int, no_worker: bool) -> None:
        self.env, self.port, self.no_worker = env, port, no_worker
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        args = [sys.executable, "-m", "app.cli", "serve", "--port", str(self.port)]
        self.proc = subprocess.Popen(
            args + (["--no-worker"] if self.no_worker else []), env=self.env, cwd=REPO
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.port}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the server did not start")

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _upload_all(base: str, texts: list[tuple[str, bytes]], concurrency: int) -> dict[str, Any]:
    """Upload every text, `concurrency` at a time, retrying while the web process is down."""
    accepted: set[str] = set()
    codes: Counter[int] = Counter()
    seconds: list[float] = []
    lock = threading.Lock()
    queue = list(texts)

    def one() -> None:
        with httpx.Client(base_url=base, timeout=120) as client:
            while True:
                with lock:
                    if not queue:
                        return
                    name, data = queue.pop()
                started = time.monotonic()
                try:
                    r = client.post("/api/documents", files={"file": (name, data, "text/plain")})
                except httpx.HTTPError:
                    with lock:
                        queue.append((name, data))  # the web process was down: again
                    time.sleep(0.5)
                    continue
                with lock:
                    codes[r.status_code] += 1
                    seconds.append(time.monotonic() - started)
                    if r.status_code < 300:
                        accepted.add(name)

    threads = [threading.Thread(target=one) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"accepted": accepted, "codes": codes, "seconds": seconds}


def _reader(base: str, stop: threading.Event, codes: Counter[int]) -> None:
    with httpx.Client(base_url=base, timeout=30) as client:
        while not stop.is_set():
            for url in ("/healthz", "/", "/api/stories"):
                try:
                    codes[client.get(url).status_code] += 1
                except httpx.HTTPError:
                    pass
            stop.wait(0.2)


def _killer(server: Server, kills: int, every: float, stop: threading.Event) -> None:
    """SIGKILL the embedded worker `kills` times, then the web process once."""
    for _ in range(kills):
        if stop.wait(every):
            return
        assert server.proc is not None
        for child in _children(server.proc.pid):
            log.warning("kill -9 worker %s", child)
            os.kill(child, signal.SIGKILL)
    if stop.wait(every):
        return
    log.warning("kill -9 the web process")
    server.kill()
    server.start()


def main() -> None:
    from bench.responsive import enough_articles

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--kill-worker", type=int, default=3)
    parser.add_argument("--every", type=float, default=20.0, help="seconds between kills")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--postgres", help="a PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--redis", help="the Redis queue URL to go with --postgres")
    args = parser.parse_args()
    texts = enough_articles(args.uploads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    from app.db import make_engine
    from app.migrate import upgrade

    tmp = Path(tempfile.mkdtemp(prefix="soak-"))
    url = args.postgres or f"sqlite:///{tmp / 'soak.db'}"
    upgrade(url)
    env = dict(os.environ, PARALLAX_DATABASE_URL=url, PARALLAX_DATA_DIR=str(tmp / "data"),
               PARALLAX_OPEN_UPLOADS="true", PARALLAX_RATE_LIMIT_UPLOADS="100000/hour",
               PARALLAX_RATE_LIMIT_WRITES="100000/minute", PARALLAX_SEEDS_DIR=str(tmp / "none"),
               PARALLAX_JOB_STALE_SECONDS="10", PARALLAX_QUEUE_URL=args.redis or "")  # fmt: skip
    server = Server(env, args.port, no_worker=False)
    server.start()
    base = f"http://127.0.0.1:{args.port}"
    stop, read_codes = threading.Event(), Counter[int]()
    helpers = [
        threading.Thread(target=_reader, args=(base, stop, read_codes), daemon=True),
        threading.Thread(target=_killer, args=(server, args.kill_worker, args.every, stop)),
    ]
    for t in helpers:
        t.start()
    started = time.monotonic()
    sent = _upload_all(base, texts, args.concurrency)
    helpers[1].join()
    engine = make_engine(url)
    while True:  # until no job is queued or running
        state = end_state(engine, sent["accepted"])
        if not state["unfinished"]:
            break
        time.sleep(2)
    stop.set()
    server.stop()
    seconds = sorted(sent["seconds"])
    took = time.monotonic() - started
    print(f"{len(sent['accepted'])} of {args.uploads} uploads accepted in {took:.0f} s")
    print(f"upload answers {dict(sent['codes'])}; reads {dict(read_codes)}")
    print(f"upload answer p50 {statistics.median(seconds):.2f} s, "
          f"p95 {seconds[int(0.95 * (len(seconds) - 1))]:.2f} s")  # fmt: skip
    for key, value in state.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
