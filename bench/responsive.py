"""Does the server stay responsive while articles are ingested? (issue: heavy work off the request)

Serves the app with `parallax serve --no-worker` on a database holding the seeds, measures
/healthz and the story page with nothing going on, then again while 50 article-sized texts
(Text+Berg German and French chunks, /work/shared/bench/textberg) go through POST
/api/documents and `parallax worker` processes ingest, group and align them; an editor confirms
links meanwhile. Prints p50/p99 for both phases, confirm errors, web and worker RSS, and
articles per minute per worker count.

    .venv/bin/python bench/responsive.py --workers 1,2 --articles 50
"""

import argparse
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parent.parent
TEXTBERG = REPO.parent / "shared" / "bench" / "textberg"
PY = sys.executable


def articles(n: int, size: int = 20) -> list[tuple[str, bytes]]:
    """n texts of `size` sentences, alternately German and French chunks of the same files."""
    out: list[tuple[str, bytes]] = []
    k = 0
    for name in sorted(p.name for p in (TEXTBERG / "de").iterdir()):
        de = (TEXTBERG / "de" / name).read_text(encoding="utf-8").splitlines()
        fr = (TEXTBERG / "fr" / name).read_text(encoding="utf-8").splitlines()
        for start in range(0, min(len(de), len(fr)) - size, size):
            for lang, lines in (("de", de), ("fr", fr)):
                paras = [" ".join(lines[i : i + 2]) for i in range(start, start + size, 2)]
                out.append((f"tb_{name}_{start}_{lang}.txt", "\n\n".join(paras).encode()))
                k += 1
                if k == n:
                    return out
    return out


def enough_articles(n: int) -> list[tuple[str, bytes]]:
    """n texts (as `articles`), in chunks short enough that the gold set yields n of them."""
    size = next((s for s in (20, 10, 8, 6) if len(articles(n, s)) >= n), 6)
    return articles(n, size)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(tmp: Path) -> dict[str, str]:
    """A database with the seeds ingested (inline) and an editor; the environment to use it."""
    env = dict(os.environ, PARALLAX_DATABASE_URL=f"sqlite:///{tmp / 'parallax.db'}")
    env.update(PARALLAX_DATA_DIR=str(tmp / "data"), PARALLAX_WORKER_THREADS="1")
    # The bench uploads anonymously and fast: open uploads, limits out of the way.
    env.update(PARALLAX_OPEN_UPLOADS="true", PARALLAX_RATE_LIMIT_UPLOADS="100000/hour")
    env.update(PARALLAX_RATE_LIMIT_WRITES="100000/minute")
    run = [PY, "-m", "app.cli"]
    subprocess.run([*run, "ingest", str(REPO / "seeds")], env=env, check=True, cwd=REPO)
    user = subprocess.run(
        [*run, "user", "add", "ed", "--role", "editor", "--password-stdin"],
        input=b"correct horse\n",
        env=env,
        cwd=REPO,
        capture_output=True,
    )
    assert user.returncode == 0, user.stderr
    for name in READERS:  # the ?wait=true flood comes from two reader accounts
        made = subprocess.run(
            [*run, "user", "add", name, "--role", "reader", "--password-stdin"],
            input=b"correct horse\n",
            env=env,
            cwd=REPO,
            capture_output=True,
        )
        assert made.returncode == 0, made.stderr
    return env


READERS = ("rita", "rudi")


def flood(base: str, texts: list[tuple[str, bytes]]) -> dict[str, object]:
    """All of `texts` at once as `?wait=true` uploads from two reader accounts, while a reader
    samples /healthz and the story page: the answers' codes and the reads' p50/p99."""
    codes: dict[int, int] = {}
    lock = threading.Lock()
    clients = []
    for i in range(len(texts)):
        c = httpx.Client(base_url=base, timeout=700)
        c.get("/")
        c.post("/api/login", json={"name": READERS[i % 2], "password": "correct horse"})
        c.headers["x-csrftoken"] = c.cookies["csrftoken"]
        clients.append(c)

    def one(c: httpx.Client, name: str, data: bytes) -> None:
        r = c.post("/api/documents?wait=true", files={"file": (name, data, "text/plain")})
        with lock:
            codes[r.status_code] = codes.get(r.status_code, 0) + 1

    # The reader samples from a process of its own: in this one, 60 sending threads would
    # hold the GIL and its timings would count the client's waits, not the server's.
    manager = multiprocessing.Manager()
    reads = manager.dict()
    stop = manager.Event()
    sampler = multiprocessing.Process(
        target=sample_in_process, args=(base, ["/healthz", "/stories/1"], stop, reads)
    )
    sampler.start()
    threads = [
        threading.Thread(target=one, args=(c, n, d))
        for c, (n, d) in zip(clients, texts, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    sampler.join()
    got = dict(reads)
    manager.shutdown()
    return {
        "codes": dict(sorted(codes.items())),
        "reads": {u: (statistics.median(v), pct(v, 0.99), len(v)) for u, v in got.items()},
    }


def sample_in_process(base: str, urls: list[str], until: Any, out: Any) -> None:
    """`sample` in a process of its own; the timings go back through a managed dict."""
    local: dict[str, list[float]] = {}
    sample(httpx.Client(base_url=base, timeout=120), urls, until, local)
    out.update(local)


def sample(client: httpx.Client, urls: list[str], until: threading.Event, out: dict) -> None:  # type: ignore[type-arg]
    while not until.is_set():
        for url in urls:
            t0 = time.perf_counter()
            r = client.get(url)
            out.setdefault(url, []).append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (url, r.status_code)
        time.sleep(0.02)


def confirm_links(base: str, errors: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=60) as c:
        c.get("/")
        c.post("/api/login", json={"name": "ed", "password": "correct horse"})
        c.headers["x-csrftoken"] = c.cookies["csrftoken"]
        links = c.get("/api/stories/1/alignment").json()["links"]
        for lk in links[:25]:
            r = c.post(f"/api/links/{lk['id']}/confirm", json={"version": lk["version"]})
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.text[:80]}")
            time.sleep(0.2)


def one_run(
    n_workers: int,
    texts: list[tuple[str, bytes]],
    idle_s: float,
    flood_texts: list[tuple[str, bytes]],
) -> dict[str, object]:
    tmp = Path(tempfile.mkdtemp(prefix="responsive-"))
    env = prepare(tmp)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    web = subprocess.Popen(
        [PY, "-m", "app.cli", "serve", "--no-worker", "--port", str(port)],
        env=env,
        cwd=REPO,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(base_url=base, timeout=120)
    while True:
        try:
            client.get("/healthz")
            break
        except httpx.TransportError:
            time.sleep(0.2)
    urls = ["/healthz", "/stories/1"]
    idle: dict[str, list[float]] = {}
    stop = threading.Event()
    timer = threading.Timer(idle_s, stop.set)
    timer.start()
    sample(client, urls, stop, idle)
    web_rss = rss_mib(web.pid)
    workers = [
        subprocess.Popen(
            [PY, "-m", "app.cli", "worker"], env=env, cwd=REPO, stderr=subprocess.DEVNULL
        )
        for _ in range(n_workers)
    ]
    time.sleep(8)  # model and language detector loading, before the clock starts
    busy: dict[str, list[float]] = {}
    stop = threading.Event()
    sampler = threading.Thread(
        target=sample, args=(httpx.Client(base_url=base, timeout=120), urls, stop, busy)
    )
    errors: list[str] = []
    editor = threading.Thread(target=confirm_links, args=(base, errors))
    t0 = time.perf_counter()
    sampler.start()
    editor.start()
    job_urls = []
    upload_ms: list[float] = []
    for name, data in texts:
        started = time.perf_counter()
        r = client.post("/api/documents", files={"file": (name, data, "text/plain")})
        upload_ms.append((time.perf_counter() - started) * 1000)
        assert r.status_code in (200, 202), r.text
        job_urls.append(r.json()["job"]["url"])
    worker_rss = 0.0
    pending = list(job_urls)
    while pending:
        worker_rss = max([worker_rss] + [rss_mib(w.pid) for w in workers])
        pending = [u for u in pending if client.get(u).json()["status"] not in ("done", "failed")]
        time.sleep(0.5)
    elapsed = time.perf_counter() - t0
    stop.set()
    sampler.join()
    editor.join()
    flooded = flood(base, flood_texts) if flood_texts else None
    web_rss = max(web_rss, rss_mib(web.pid))
    for proc in [*workers, web]:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    return {
        "workers": n_workers,
        "idle": {u: (statistics.median(v), pct(v, 0.99), len(v)) for u, v in idle.items()},
        "busy": {u: (statistics.median(v), pct(v, 0.99), len(v)) for u, v in busy.items()},
        "confirm_errors": len(errors),
        "upload": (statistics.median(upload_ms), pct(upload_ms, 0.95), len(upload_ms)),
        "flood": flooded,
        "web_rss": web_rss,
        "worker_rss": worker_rss,
        "per_minute": len(texts) / elapsed * 60,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="1,2", help="worker process counts to try")
    parser.add_argument("--articles", type=int, default=50)
    parser.add_argument("--idle-seconds", type=float, default=15)
    parser.add_argument(
        "--flood", type=int, default=60, help="?wait=true uploads sent at once after ingest"
    )
    args = parser.parse_args()
    everything = enough_articles(args.articles + args.flood)
    texts, flood_texts = everything[: args.articles], everything[args.articles :]
    print(
        f"command: .venv/bin/python bench/responsive.py --workers {args.workers} "
        f"--articles {args.articles} --flood {args.flood}"
    )
    print(f"{len(texts)} articles of ~{sum(len(t) for _, t in texts) // len(texts)} bytes")
    for n in (int(x) for x in args.workers.split(",")):
        res = one_run(n, texts, args.idle_seconds, flood_texts)
        print(f"\n{n} worker process(es), 1 thread each:")
        for phase in ("idle", "busy"):
            for url, (p50, p99, count) in res[phase].items():  # type: ignore[attr-defined]
                print(
                    f"  {phase:5} {url:12} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ({count} requests)"
                )
        print(f"  editor confirms during ingest: {res['confirm_errors']} errors")
        upload: tuple[float, float, int] = res["upload"]  # type: ignore[assignment]
        print(
            f"  upload answer p50 {upload[0]:6.1f} ms  p95 {upload[1]:6.1f} ms  "
            f"({upload[2]} uploads)"
        )
        if res["flood"]:
            flooded = res["flood"]
            print(f"  flood of {args.flood} ?wait=true uploads: answers {flooded['codes']}")  # type: ignore[index]
            for url, (p50, p99, count) in flooded["reads"].items():  # type: ignore[index]
                print(f"  flood {url:12} p50 {p50:6.1f} ms  p99 {p99:6.1f} ms  ({count} requests)")
        print(f"  web RSS {res['web_rss']:.0f} MiB, worker RSS (max) {res['worker_rss']:.0f} MiB")
        print(f"  throughput {res['per_minute']:.1f} articles/minute")


if __name__ == "__main__":
    main()
