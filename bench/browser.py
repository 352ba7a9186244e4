"""Click -> highlight in a real browser: from the click to the class change, measured in the page.

Usage: .venv/bin/python bench/browser.py [--clicks 40] [--runs 3] [--repo PATH]

Serves a fresh database with the seeds (`parallax serve` of the tree given by --repo, default
this one: pass another checkout to get a baseline), opens the seed story in Debian's Chromium
(headless, 1440x900) and clicks paragraphs spread over every column. Each figure is
performance.now() at the click to the moment a MutationObserver sees the clicked paragraph
with the class `active`, so it includes the request, the server, htmx's swap and our scrolling.
The floor in the same run: a fetch() of a small static file from the same page.
"""

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"

CLICK = """async (ids) => {
  const out = [];
  for (const id of ids) {
    const el = document.getElementById(id);
    let t0 = 0;
    const lit = new Promise((resolve) => {
      const obs = new MutationObserver(() => {
        const now = document.getElementById(id);
        if (now && now.classList.contains('active')) {
          obs.disconnect();
          resolve(performance.now() - t0);
        }
      });
      obs.observe(document.getElementById('columns'),
        { subtree: true, childList: true, attributes: true, attributeFilter: ['class'] });
    });
    const swapped = new Promise((resolve) => document.body.addEventListener(
      'htmx:afterSettle', () => resolve(performance.now() - t0), { once: true }));
    t0 = performance.now();
    el.click();
    out.push([await lit, await swapped]);
    await new Promise((r) => setTimeout(r, 60));
  }
  return out;
}"""

FLOOR = """async (n) => { const out = [];
  for (let i = 0; i < n; i++) { const t0 = performance.now();
    await (await fetch('/static/app.js?i=' + i, { cache: 'no-store' })).text();
    out.push(performance.now() - t0); }
  return out; }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(repo: Path, port: int, db: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PARALLAX_DATABASE_URL": f"sqlite:///{db}", "PYTHONPATH": str(repo)}
    # A session of its own: `serve` may start a worker, which must stop with it.
    return subprocess.Popen(
        [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)],
        cwd=repo,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def _wait(base: str) -> None:
    """Until the seed story is there with its links (ingest may run in the background)."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            stories = _items(httpx.get(f"{base}/api/stories").json())
            big = [s for s in stories if len(s["documents"]) >= 3]
            if big and httpx.get(f"{base}/api/stories/{big[0]['id']}/alignment").json()["links"]:
                return
        except (httpx.HTTPError, ValueError, KeyError):
            pass
        time.sleep(1)
    raise RuntimeError("the server did not start with the seeds aligned")


def _items(data: list | dict) -> list:  # type: ignore[type-arg]
    """The stories, whether /api/stories answers a list or a page of them ({"items": ...})."""
    return data["items"] if isinstance(data, dict) else data


def _targets(base: str) -> tuple[int, list[str]]:
    stories = _items(httpx.get(f"{base}/api/stories").json())
    story = max(stories, key=lambda s: len(s["documents"]))
    full = httpx.get(f"{base}/api/stories/{story['id']}/alignment").json()
    ids = []
    for doc in full["documents"]:
        n = len(doc["paragraphs"])
        ids += [f"p-{doc['id']}-{i}" for i in range(0, n, max(1, n // 10))]
    return story["id"], ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clicks", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = _serve(args.repo.resolve(), port, Path(tempfile.mkdtemp()) / "bench.db")
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base)
        story, ids = _targets(base)
        ids = (ids * (args.clicks // max(1, len(ids)) + 1))[: args.clicks]
        p50s, p90s, swaps, floors = [], [], [], []
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            for _ in range(args.runs):
                page = browser.new_page(viewport={"width": 1440, "height": 900})
                page.goto(f"{base}/stories/{story}")
                page.wait_for_load_state("load")
                page.click(f"#{ids[0]}")  # warm up htmx and the server
                page.wait_for_selector(f"#{ids[0]}.active")
                pairs = page.evaluate(CLICK, ids)
                floor = page.evaluate(FLOOR, 40)
                times = [lit for lit, _ in pairs]
                p50s.append(statistics.median(times))
                p90s.append(sorted(times)[int(0.9 * (len(times) - 1))])
                swaps.append(statistics.median([swapped for _, swapped in pairs]))
                floors.append(statistics.median(floor))
                page.close()
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"tree: {args.repo.resolve()}  clicks per run: {args.clicks}  runs: {args.runs}")
    print(f"click -> highlight p50 (median of runs): {statistics.median(p50s):.1f} ms")
    print(f"click -> highlight p90 (median of runs): {statistics.median(p90s):.1f} ms")
    print(f"click -> server fragment swapped p50: {statistics.median(swaps):.1f} ms")
    print(f"static fetch floor p50 (median of runs): {statistics.median(floors):.1f} ms")
    print(f"per run p50: {', '.join(f'{v:.1f}' for v in p50s)}")


if __name__ == "__main__":
    main()
