"""Time the story page and one counterparts fragment over loopback, with a static file as floor.

Usage: .venv/bin/python bench/reader.py [--requests 1000] [--runs 3]

Builds a fresh database with the seeds ingested and aligned, serves it with uvicorn in a
subprocess on a free port, and times N sequential requests per URL from this process
(httpx, keep-alive). The figures are wall times seen by the client, so they include loopback
and HTTP parsing; the static file gives that floor.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="parallax-bench-"))
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}"}
    port = _free_port()
    server = subprocess.Popen(
        [str(REPO / ".venv/bin/parallax"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=30) as client:
            deadline = time.monotonic() + 300
            while True:
                try:
                    if client.get("/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise SystemExit("server did not start")
                time.sleep(0.2)
            story = max(client.get("/api/stories").json()["items"], key=lambda s: len(s["documents"]))
            first = story["documents"][0]["id"]
            page = f"/stories/{story['id']}"
            frag_headers = {"HX-Request": "true", "HX-Current-URL": f"{base}{page}?p={first}-1"}
            cases = {
                "static file (floor)": ("/static/app.css", {}),
                "story page": (page, {}),
                "counterparts fragment": (f"{page}?p={first}-0", frag_headers),
            }
            sizes = {
                name: len(client.get(url, headers=h).content) for name, (url, h) in cases.items()
            }
            gz = client.get(
                cases["counterparts fragment"][0],
                headers={**frag_headers, "Accept-Encoding": "gzip"},
            )
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in cases}
            for _ in range(args.runs):
                for name, (url, headers) in cases.items():
                    times = []
                    for _ in range(args.requests):
                        t0 = time.perf_counter()
                        r = client.get(url, headers=headers)
                        times.append((time.perf_counter() - t0) * 1000)
                        assert r.status_code == 200
                    results[name].append((statistics.median(times), _percentile(times, 0.99)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"command: .venv/bin/python bench/reader.py --requests {args.requests} --runs {args.runs}"
    )
    print(f"{'url':24} {'p50 ms':>8} {'p99 ms':>8} {'bytes':>7}   (median over {args.runs} runs)")
    for name, runs in results.items():
        p50 = statistics.median(r[0] for r in runs)
        p99 = statistics.median(r[1] for r in runs)
        print(f"{name:24} {p50:8.2f} {p99:8.2f} {sizes[name]:7d}")
    print(
        f"fragment over the wire with gzip: {gz.num_bytes_downloaded} bytes "
        f"(content-encoding={gz.headers.get('content-encoding', 'none')})"
    )


if __name__ == "__main__":
    main()
