"""Time `parallax serve` from launch to a healthy /healthz: first start (empty database,
migrations and seed ingest included) and restart (database and embedding cache present).

Usage: .venv/bin/python bench/startup.py [--runs 3]
"""

import argparse
import os
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_until_healthy(db: Path) -> float:
    port = _free_port()
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{db}"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(REPO / ".venv/bin/parallax"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return time.perf_counter() - start
            except httpx.TransportError:
                pass
            if proc.poll() is not None:
                raise SystemExit("parallax serve exited early")
            time.sleep(0.05)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    first, again = [], []
    for _ in range(args.runs):
        db = Path(tempfile.mkdtemp(prefix="parallax-start-")) / "p.db"
        first.append(_serve_until_healthy(db))
        again.append(_serve_until_healthy(db))
    print(f"command: .venv/bin/python bench/startup.py --runs {args.runs}")
    print(
        "first start (migrate + ingest, group, align the seeds): "
        f"median {statistics.median(first):.2f} s"
    )
    print(f"restart (nothing to ingest): median {statistics.median(again):.2f} s")


if __name__ == "__main__":
    main()
