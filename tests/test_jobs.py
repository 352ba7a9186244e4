"""Jobs against a live server and real `parallax worker` processes, on SQLite and PostgreSQL."""

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.config import REPO_ROOT, Settings
from app.main import create_app
from app.models import Document, Job, Link
from tests.e2e.conftest import _free_port
from tests.factories import UNRELATED_ARTICLE, make_user, row_counts

SEEDS = sorted((REPO_ROOT / "seeds").glob("*.txt"))


def _queue_url(backend: str) -> str:
    """PostgreSQL runs take the scale-out queue (Redis) when one is offered, as deployed."""
    return os.environ.get("PARALLAX_TEST_REDIS_URL", "") if backend == "postgres" else ""


@pytest.fixture
def job_settings(db_url: str, tmp_path: Path, backend: str) -> Settings:
    return Settings(
        database_url=db_url,
        queue_url=_queue_url(backend),
        # A queue of this test's own: test runs on one machine share the Redis database.
        queue_name=f"parallax-{tmp_path.name}-{os.getpid()}",
        data_dir=tmp_path / "data",
        job_stale_seconds=3,
        open_uploads=True,
        rate_limit_uploads="1000/hour",
    )


class Workers:
    """`parallax worker` processes on the test's database and queue."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        env = dict(os.environ)
        env.update(
            PARALLAX_DATABASE_URL=self.settings.database_url,
            PARALLAX_QUEUE_URL=self.settings.queue_url,
            PARALLAX_QUEUE_NAME=self.settings.queue_name,
            PARALLAX_DATA_DIR=str(self.settings.data_dir),
            PARALLAX_JOB_STALE_SECONDS=str(self.settings.job_stale_seconds),
            PARALLAX_WORKER_THREADS="2",
            PARALLAX_LOAD_ENCODER="true",
        )
        proc = subprocess.Popen([sys.executable, "-m", "app.cli", "worker"], env=env, cwd=REPO_ROOT)
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture
def workers(job_settings: Settings) -> Iterator[Workers]:
    w = Workers(job_settings)
    yield w
    w.stop()


@pytest.fixture
def live(job_settings: Settings) -> Iterator[str]:
    """The web app (no model in it) served on a loopback port."""
    app = create_app(job_settings)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _until_done(client: httpx.Client, url: str, timeout: float = 180) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("done", "failed"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.2)
    raise AssertionError(f"{url} did not finish: {job}")


def _upload(client: httpx.Client, path: Path, query: str = "") -> httpx.Response:
    files = {"file": (path.name, path.read_bytes(), "text/plain")}
    return client.post(f"/api/documents{query}", files=files, timeout=300)


def test_upload_answers_202_and_a_worker_groups_and_aligns_it(
    live: str, workers: Workers, engine: Engine
) -> None:
    workers.start()
    with httpx.Client(base_url=live, timeout=300) as client:
        first = _upload(client, SEEDS[0])
        assert first.status_code == 202, first.text
        body = first.json()
        assert body["story_id"] is None and body["lang"] == "fr" and body["paragraphs"] == 19
        job = _until_done(client, body["job"]["url"])
        assert job["status"] == "done" and job["error"] is None
        assert job["progress"]["done"] == job["progress"]["total"]
        story = job["result"]["story_id"]
        # ?wait=true answers once grouped and aligned: the German translation joins the story.
        second = _upload(client, SEEDS[1], "?wait=true")
        assert second.status_code == 201, second.text
        assert second.json()["story_id"] == story and second.json()["job"]["status"] == "done"
        alignment = client.get(f"/api/stories/{story}/alignment").json()
        assert len(alignment["documents"]) == 2
        assert sum(lk["relation"] == "translation" for lk in alignment["links"]) >= 15
        # The same bytes again: 200 with the existing document, nothing new stored.
        counts = row_counts(engine)
        again = _upload(client, SEEDS[0])
        assert again.status_code == 200 and again.json()["id"] == body["id"]
        assert row_counts(engine) == counts


def test_a_failing_job_says_why_and_leaves_nothing_behind(
    live: str, workers: Workers, engine: Engine
) -> None:
    workers.start()
    # Yoruba: lingua knows it, no packaged encoder covers it, so the upload is refused.
    yoruba = (
        "Ìjọba ìpínlẹ̀ Èkó ti kéde pé gbogbo ilé-ìwé yóò ṣí sílẹ̀ ní ọ̀sẹ̀ tó ń bọ̀, "
        "lẹ́yìn ìpàdé àwọn olórí ẹ̀kọ́ àti àwọn òbí ní ọjọ́ Ajé. "
    ) * 3
    with httpx.Client(base_url=live, timeout=300) as client:
        bad = client.post("/api/documents", json={"text": yoruba, "source": "uutinen.txt"})
        assert bad.status_code == 422, bad.text
        assert bad.json()["detail"].startswith("uutinen.txt:")
        job = client.get(bad.json()["job"]["url"]).json()
        assert job["status"] == "failed" and job["error"] == bad.json()["detail"]
    assert row_counts(engine) == {"story": 0, "document": 0, "paragraph": 0, "sentence": 0}


def test_a_worker_killed_mid_job_is_replaced_and_the_job_completes_once(
    live: str, workers: Workers, engine: Engine
) -> None:
    first = workers.start()
    with httpx.Client(base_url=live, timeout=300) as client:
        for path in SEEDS[:2]:
            assert _upload(client, path, "?wait=true").status_code == 201
        body = _upload(client, SEEDS[2]).json()  # the English MT: two pairs to align
        job_id = body["job"]["id"]
        deadline = time.monotonic() + 60
        while client.get(f"/api/jobs/{job_id}").json()["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first.wait()
        assert client.get(f"/api/jobs/{job_id}").json()["status"] == "running"
        workers.start()  # sees the stale heartbeat, re-queues the job, runs it
        job = _until_done(client, f"/api/jobs/{job_id}")
    assert job["status"] == "done", job
    with Session(engine) as session:
        stored = session.get(Job, job_id)
        assert stored is not None and stored.attempts == 2
        docs = session.exec(select(Document).where(Document.source == SEEDS[2].name)).all()
        assert len(docs) == 1
        links = session.exec(
            select(func.count())
            .select_from(Link)
            .where(
                (col(Link.source_document_id) == docs[0].id)
                | (col(Link.target_document_id) == docs[0].id)
            )
        ).one()
    expected = sum(p["translations"] + p["related"] for p in job["result"]["pairs"])
    assert links == expected and len(job["result"]["pairs"]) == 2


def test_uploads_reads_and_edits_at_once_all_succeed(
    live: str, workers: Workers, engine: Engine
) -> None:
    workers.start()
    make_user(engine, "ed")
    errors: list[str] = []
    with httpx.Client(base_url=live, timeout=300) as setup:
        assert _upload(setup, SEEDS[0], "?wait=true").status_code == 201
        assert _upload(setup, SEEDS[1], "?wait=true").status_code == 201
        story = setup.get("/api/stories").json()["items"][0]["id"]
        links = [lk for lk in setup.get(f"/api/stories/{story}/alignment").json()["links"]][:10]

    def upload(path: Path) -> None:
        with httpx.Client(base_url=live, timeout=300) as c:
            r = _upload(c, path)
            if r.status_code not in (200, 202):
                errors.append(f"upload {path.name}: {r.status_code} {r.text}")

    def unrelated() -> None:
        with httpx.Client(base_url=live, timeout=300) as c:
            r = c.post("/api/documents", json={"text": UNRELATED_ARTICLE, "source": "a.txt"})
            if r.status_code != 202:
                errors.append(f"upload a.txt: {r.status_code} {r.text}")

    def edit() -> None:
        with httpx.Client(base_url=live, timeout=300) as c:
            c.get("/")
            r = c.post("/api/login", json={"name": "ed", "password": "correct horse"})
            c.headers["x-csrftoken"] = c.cookies["csrftoken"]
            for lk in links:
                r = c.post(f"/api/links/{lk['id']}/confirm", json={"version": lk["version"]})
                if r.status_code >= 500:
                    errors.append(f"confirm {lk['id']}: {r.status_code} {r.text}")

    def read() -> None:
        with httpx.Client(base_url=live, timeout=300) as c:
            for _ in range(20):
                for url in ("/healthz", f"/stories/{story}", "/"):
                    r = c.get(url)
                    if r.status_code != 200:
                        errors.append(f"GET {url}: {r.status_code}")

    threads = [threading.Thread(target=upload, args=(p,)) for p in SEEDS[2:]]
    threads += [threading.Thread(target=f) for f in (unrelated, edit, read, read)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert errors == []
    with httpx.Client(base_url=live, timeout=300) as client:
        deadline = time.monotonic() + 300
        while any(
            j.status in ("queued", "running") for j in Session(engine).exec(select(Job)).all()
        ):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert {j.status for j in Session(engine).exec(select(Job)).all()} == {"done"}
        assert client.get("/api/stories").json()["total"] == 2  # the seeds' story, the bees' story


def _running_job(engine: Engine) -> bool:
    with Session(engine) as session:
        return session.exec(select(Job.id).where(Job.status == "running")).first() is not None


def test_soak_uploads_with_the_worker_killed_all_end_and_store_once(
    live: str, workers: Workers, engine: Engine
) -> None:
    """bench/soak.py in short: 8 uploads at once, the worker killed while they run."""
    from bench.soak import end_state

    first = workers.start()
    texts = [(p.name, p.read_bytes()) for p in SEEDS] + [
        (f"abeilles-{i}.txt", UNRELATED_ARTICLE.replace("180", str(181 + i)).encode())
        for i in range(4)
    ]
    answers: dict[str, int] = {}

    def send(name: str, data: bytes) -> None:
        with httpx.Client(base_url=live, timeout=300) as client:
            r = client.post("/api/documents", files={"file": (name, data, "text/plain")})
            answers[name] = r.status_code

    threads = [threading.Thread(target=send, args=text) for text in texts]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while not _running_job(engine):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    first.send_signal(signal.SIGKILL)
    first.wait()
    workers.start()  # re-queues what the dead one was running
    for t in threads:
        t.join(timeout=300)
    assert sorted(answers.values()) == [202] * len(texts), answers
    deadline = time.monotonic() + 600
    while (state := end_state(engine, set(answers)))["unfinished"]:
        assert time.monotonic() < deadline, state
        time.sleep(0.5)
    assert state["failures"] == [] and state["jobs"] == {"done": len(texts)}
    assert state["orphan_documents"] == [] and state["empty_stories"] == 0
    assert state["stored_twice"] == [] and state["not_stored"] == []
    assert row_counts(engine)["document"] == len(texts)
