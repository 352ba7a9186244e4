"""Double-click (or touch long-press) on a word -> its word card, in a real browser.

Usage: .venv/bin/python bench/wordcard.py [--runs 3] [--repo PATH]

Serves a fresh database with the seeds (as bench/browser.py does), opens the story with the
most documents in Debian's Chromium (headless) and picks words spread over its paragraphs:

- 1440x900, mouse: a double-click on a word (Playwright's real mouse events), first in a
  paragraph not yet active ("cold paragraph": the double-click's first click also activates
  the paragraph, htmx fetching its counterparts), then another word of the same, now active,
  paragraph;
- 390x844, touch: a long-press on a word, and a tap on a word of the active paragraph.
  Headless Chromium makes no long-press gesture from synthetic touches (DevTools'
  ``Input.synthesizeTapGesture`` held 800 ms and ``dispatchTouchEvent`` select nothing, and
  mouse-driven touch emulation hangs), so the long-press is what it does on a phone done by
  script: the word under the finger becomes the selection; the tap is a real touch tap.

Each figure is measured in the page, on performance.now()'s clock. It starts at the first
``pointerdown`` of the double-click or tap, and at the ``selectionchange`` of the long-press
(the moment the held finger has selected the word). "card" is when the card is drawn filled
(counterparts and meanings) and painted: the animation frame after words.js's
``parallax:card`` mark. "first shown" is words.js's stub, drawn before the lookup answers.
Median over the words of a run, then median of the runs. In the cold case words.js sends the
word's lookup on the double-click's first press (ahead of htmx's request for the paragraph);
the clock starts at that press all the same.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.browser import CHROMIUM, REPO, _free_port, _items, _serve, _wait  # noqa: E402

# Window state reset before each word; the listeners stay for the page's life.
PREPARE = """() => {
  if (!window.__wc) {
    window.__wc = {};
    document.addEventListener('pointerdown', (e) => {
      if (window.__wc.mode !== 'select' && window.__wc.t0 === null) window.__wc.t0 = e.timeStamp;
    }, true);
    document.addEventListener('selectionchange', () => {
      const wc = window.__wc;
      if (wc.mode === 'select' && wc.t0 === null) wc.t0 = performance.now();
    });
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const wc = window.__wc;
        if (e.name === 'parallax:word' && wc.shown === null) wc.shown = e.startTime;
        if (e.name === 'parallax:card' && window.__wc.card === null)
          requestAnimationFrame(() => { window.__wc.card = performance.now(); });
      }
    }).observe({ entryTypes: ['mark'] });
  }
  const card = document.getElementById('word-card');
  if (card && !card.hidden) card.querySelector('.wc-close')?.click();
  window.getSelection().removeAllRanges();
  Object.assign(window.__wc, { t0: null, shown: null, card: null, mode: '' });
}"""

# What a long-press does on a phone: the word under the finger becomes the selection.
SELECT = """([x, y]) => {
  window.__wc.mode = 'select';
  const pos = document.caretPositionFromPoint(x, y);
  const seg = new Intl.Segmenter(undefined, { granularity: 'word' });
  const hit = [...seg.segment(pos.offsetNode.data)].find(
    (s) => s.index <= pos.offset && pos.offset < s.index + s.segment.length);
  const r = document.createRange();
  r.setStart(pos.offsetNode, hit.index); r.setEnd(pos.offsetNode, hit.index + hit.segment.length);
  const sel = window.getSelection(); sel.removeAllRanges(); sel.addRange(r);
}"""

# The centre of the n-th word of four letters or more in a paragraph (scrolled into view).
WORD_AT = """([id, n]) => {
  const para = document.getElementById(id);
  para.scrollIntoView({ block: 'center' });
  const walker = document.createTreeWalker(para, NodeFilter.SHOW_TEXT);
  const lang = para.closest('[lang]')?.lang || undefined;
  const seg = new Intl.Segmenter(lang, { granularity: 'word' });
  let seen = 0;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('.pnum, .gap')) continue;
    for (const s of seg.segment(node.data)) {
      if (!s.isWordLike || s.segment.length < 4 || seen++ < n) continue;
      const r = document.createRange();
      r.setStart(node, s.index); r.setEnd(node, s.index + s.segment.length);
      const b = r.getBoundingClientRect();
      if (b.width && b.top > 60 && b.bottom < innerHeight - 60)
        return { x: b.left + b.width / 2, y: b.top + b.height / 2, word: s.segment };
    }
  }
  return null;
}"""

RESULT = """() => window.__wc.card === null ? null
  : { shown: window.__wc.shown - window.__wc.t0, card: window.__wc.card - window.__wc.t0 }"""


def _paragraphs(base: str) -> tuple[int, list[str]]:
    """The story with the most documents and paragraph ids spread over its documents."""
    story = max(_items(httpx.get(f"{base}/api/stories").json()), key=lambda s: len(s["documents"]))
    full = httpx.get(f"{base}/api/stories/{story['id']}/alignment").json()
    ids = []
    for doc in full["documents"]:
        body = [p["index"] for p in doc["paragraphs"] if p["kind"] == "text"]
        ids += [f"p-{doc['id']}-{i}" for i in body[1 :: max(1, len(body) // 4)]]
    return story["id"], ids


def _one(page: Any, para: str, n: int, touch: bool) -> dict[str, float] | None:
    page.evaluate(PREPARE)
    spot = page.evaluate(WORD_AT, [para, n])
    if spot is None:
        return None
    if touch and n == 0:
        page.evaluate(SELECT, [spot["x"], spot["y"]])
    elif touch:  # a tap on a word of the active paragraph: activate it with a first tap
        page.touchscreen.tap(spot["x"], spot["y"])
        page.wait_for_selector(f"#{para}.active")
        page.wait_for_timeout(300)
        page.evaluate(PREPARE)
        spot = page.evaluate(WORD_AT, [para, n])
        page.touchscreen.tap(spot["x"], spot["y"])
    else:
        page.mouse.dblclick(spot["x"], spot["y"])
    try:
        page.wait_for_function("() => window.__wc.card !== null", timeout=10_000)
    except Exception:  # noqa: BLE001 - a word whose card never came is counted, not fatal
        return None
    result: dict[str, float] | None = page.evaluate(RESULT)
    page.wait_for_timeout(150)
    return result


def _run(browser: Any, base: str, story: int, ids: list[str], touch: bool) -> dict[str, Any]:
    size = {"width": 390, "height": 844} if touch else {"width": 1440, "height": 900}
    context = browser.new_context(viewport=size, has_touch=touch, is_mobile=touch)
    page = context.new_page()
    page.goto(f"{base}/stories/{story}")
    page.wait_for_load_state("networkidle")
    # the paragraphs a reader sees: the story opens in two columns, one on a phone
    ids = page.evaluate(
        "(ids) => ids.filter((id) => document.getElementById(id)?.offsetParent)", ids
    )
    _one(page, ids[0], 0, touch)  # warm-up: the server's tables and dictionaries
    cold: list[dict[str, float]] = []
    warm: list[dict[str, float]] = []
    missed = 0
    for para in ids[1:]:
        for bucket, n in ((cold, 0), (warm, 2)):
            got = _one(page, para, n, touch)
            if got is None:
                missed += 1
            else:
                bucket.append(got)
    context.close()
    return {"cold": cold, "warm": warm, "missed": missed}


def _median(runs: list[dict[str, Any]], bucket: str, key: str) -> float | None:
    per_run = [statistics.median(x[key] for x in r[bucket]) for r in runs if r[bucket]]
    return round(statistics.median(per_run), 1) if per_run else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=REPO)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = _free_port()
    server = _serve(args.repo.resolve(), port, Path(tempfile.mkdtemp()) / "bench.db")
    base = f"http://127.0.0.1:{port}"
    results: dict[str, list[dict[str, Any]]] = {"mouse": [], "touch": []}
    try:
        _wait(base)
        story, ids = _paragraphs(base)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
            )
            for _ in range(args.runs):
                for kind in results:
                    results[kind].append(_run(browser, base, story, ids, kind == "touch"))
            browser.close()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    print(f"tree: {args.repo.resolve()}  runs: {args.runs}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    names = {
        ("mouse", "cold"): "1440x900 double-click, paragraph not yet active",
        ("mouse", "warm"): "1440x900 double-click, active paragraph",
        ("touch", "cold"): "390x844 long-press (selection by script)",
        ("touch", "warm"): "390x844 tap on a word of the active paragraph",
    }
    for kind, runs in results.items():
        for bucket in ("cold", "warm"):
            print(
                f"{names[kind, bucket]}: card p50 {_median(runs, bucket, 'card')} ms, "
                f"first shown p50 {_median(runs, bucket, 'shown')} ms "
                f"({sum(len(r[bucket]) for r in runs)} words)"
            )
        print(f"{kind}: words without a card: {sum(r['missed'] for r in runs)}")


if __name__ == "__main__":
    main()
