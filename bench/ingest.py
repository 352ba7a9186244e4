"""Ingest cost per article through the HTTP API (issue 22): throughput, worker CPU, encoder work.

On a fresh SQLite database, `parallax serve --no-worker` and one `parallax worker` (with its
encoders counted, `bench/ingest_worker.py`) ingest, group and align:

* `pairs`: N article pairs cut from the gold sets (`bench/library_data.py`: Text+Berg and
  MAC-Dev, 10 paragraphs of 3 sentences, each pair one story), uploaded through
  POST /api/documents, source then translation;
* `story`: the four seed reports (fr, de, en, en: one story, six pairs).

After a warm-up (one more pair from each gold set: every language's models loaded), prints
articles per minute (wall, first upload to last job done), worker CPU-seconds per article
(the worker process's user + system time over the run, which load distorts less than wall
time), encoder calls (`encode` and span passes) and characters the models tokenised per
article, and the worker's peak RSS (VmHWM). `--tree PATH` runs the app of another
checkout (e.g. an export of main) on the same data, for a before/after in one session:

    .venv/bin/python bench/ingest.py --pairs 50 --story
    .venv/bin/python bench/ingest.py --pairs 50 --story --tree /tmp/before
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.library_data import Article, chunked_stories  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (its own process_time)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mib(pid: int, field: str = "VmHWM") -> float:
    """A process's peak resident memory (or, with field="VmRSS", its resident memory now)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def pair_articles(n_pairs: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """n gold pairs (10 paragraphs of 3 sentences), spread over Text+Berg and MAC-Dev; and
    a warm-up: one more pair of each source, so that every language's models (language
    id, lemmas) are loaded before the clock starts."""
    arts = chunked_stories(sentences_per_paragraph=3, paragraphs=10)
    pairs = [arts[i : i + 2] for i in range(0, len(arts) - 1, 2)]
    step = max(len(pairs) / max(n_pairs, 1), 1.0)
    picked = {int(k * step) for k in range(min(n_pairs, len(pairs)))}
    rest = [p for i, p in enumerate(pairs) if i not in picked]
    warm = [next(p for p in rest if p[0].lang == "de"), next(p for p in rest if p[0].lang == "zh")]

    def files(chosen: list[list[Article]]) -> list[tuple[str, str]]:
        return [(f"{a.story}_{a.lang}.txt", a.text) for pair in chosen for a in pair]

    return files([pairs[i] for i in sorted(picked)]), files(warm)


def story_articles() -> list[tuple[str, str]]:
    return [(p.name, p.read_text("utf-8")) for p in sorted((REPO / "seeds").glob("*.txt"))]


def _upload(client: httpx.Client, name: str, text: str) -> str:
    """Upload one file; a busy database (503 on a loaded machine) is tried again, 20 times."""
    for _ in range(20):
        r = client.post("/api/documents", files={"file": (name, text.encode(), "text/plain")})
        if r.status_code != 503:
            break
        time.sleep(1.0)
    assert r.status_code in (200, 202), r.text
    return str(r.json()["job"]["url"])


def _wait(client: httpx.Client, urls: list[str]) -> None:
    pending = list(urls)
    while pending:
        time.sleep(0.5)
        done = [u for u in pending if client.get(u).json()["status"] in ("done", "failed")]
        failed = [u for u in done if client.get(u).json()["status"] == "failed"]
        assert not failed, [client.get(u).json() for u in failed]
        pending = [u for u in pending if u not in done]


def one_run(
    tree: Path, texts: list[tuple[str, str]], warm: list[tuple[str, str]], threads: int | None
) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="ingest-bench-"))
    env = dict(os.environ, PYTHONPATH=str(tree), PARALLAX_DATA_DIR=str(tmp / "data"))
    env.update(PARALLAX_DATABASE_URL=f"sqlite:///{tmp / 'parallax.db'}")
    env.update(PARALLAX_OPEN_UPLOADS="true", PARALLAX_RATE_LIMIT_UPLOADS="100000/hour")
    env.update(PARALLAX_RATE_LIMIT_WRITES="100000/minute", PARALLAX_SEEDS_DIR=str(tmp / "none"))
    (tmp / "none").mkdir()
    stats = tmp / "encoder.json"
    env["PARALLAX_BENCH_ENCODER_STATS"] = str(stats)
    py = sys.executable
    port = free_port()
    web = subprocess.Popen(
        [py, "-m", "app.cli", "serve", "--no-worker", "--port", str(port)],
        env=env,
        cwd=tree,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
    while True:  # the web process migrates the fresh database before it answers
        try:
            client.get("/healthz")
            break
        except httpx.TransportError:
            time.sleep(0.2)
    flags = [] if threads is None else ["--threads", str(threads)]
    worker = subprocess.Popen(
        [py, str(REPO / "bench" / "ingest_worker.py"), *flags],
        env=env,
        cwd=tree,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait(client, [_upload(client, name, text) for name, text in warm])
        before = json.loads(stats.read_text())
        cpu0, t0 = cpu_seconds(worker.pid), time.perf_counter()
        _wait(client, [_upload(client, name, text) for name, text in texts])
        wall, cpu = time.perf_counter() - t0, cpu_seconds(worker.pid) - cpu0
        after = json.loads(stats.read_text())
        rss = peak_rss_mib(worker.pid)
        time.sleep(1.0)  # the last job's thread returns to huey
        rss_now = peak_rss_mib(worker.pid, "VmRSS")
    finally:
        for proc in (worker, web):
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    n = len(texts)
    work = {k: (after[k] - before.get(k, 0)) / n for k in after}
    return {
        "articles": n,
        "per_minute": n / wall * 60,
        "cpu_s_per_article": cpu / n,
        "encoder_calls_per_article": work["calls"] + work["span_calls"],
        "model_texts_per_article": work["model_texts"],
        "chars_per_article": work["chars"],
        "worker_peak_rss_mib": rss,
        "worker_rss_after_mib": rss_now,
        "wall_s": wall,
    }


def _print(label: str, r: dict[str, float]) -> None:
    print(
        f"{label}: {r['articles']:.0f} articles in {r['wall_s']:.0f} s, "
        f"{r['per_minute']:.1f} articles/min, worker {r['cpu_s_per_article']:.2f} CPU-s/article, "
        f"{r['encoder_calls_per_article']:.1f} encoder calls and "
        f"{r['model_texts_per_article']:.0f} model texts/article, "
        f"{r['chars_per_article']:,.0f} chars tokenised/article, "
        f"worker peak RSS {r['worker_peak_rss_mib']:.0f} MiB, "
        f"{r['worker_rss_after_mib']:.0f} MiB after the last job"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=50, help="gold article pairs (0: none)")
    ap.add_argument("--story", action="store_true", help="also the four-seed story")
    ap.add_argument("--tree", type=Path, default=REPO, help="checkout whose app runs")
    ap.add_argument("--threads", type=int, help="worker job threads (default: the app's)")
    args = ap.parse_args()
    print("command:", " ".join([sys.executable, *sys.argv]))
    results = {}
    texts, warm = pair_articles(args.pairs or 1)
    if args.pairs:
        results["pairs"] = one_run(args.tree.resolve(), texts, warm, args.threads)
        _print(f"{args.pairs} gold pairs", results["pairs"])
    if args.story:
        results["story"] = one_run(args.tree.resolve(), story_articles(), warm, args.threads)
        _print("seed story (4 documents, 6 pairs)", results["story"])
    out = REPO / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
