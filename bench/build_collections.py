"""Build the grouping collections of other genres under bench/collections/ (issue 21).

- `textberg-articles/`: the eight Text+Berg yearbook articles (Swiss Alpine Club, 1957 and
  1989: mountains, huts, glaciers), each whole in German and French: 8 stories.
- `mac-chapters/`: the six MAC-Dev novel chapters (one per novel), each whole in Chinese and
  English: 6 stories.

The sources hold one sentence per line and no paragraphs; paragraphs are cut at every
`--beads`-th gold bead, so that each version has the same paragraphs (as a translation has).
Each collection gets `files/`, `manifest.tsv` (file, story, lang_dir) and the source's
licence and origin. Run: `python bench/build_collections.py` (from ../shared/bench/).
"""

from __future__ import annotations

import argparse
import ast
import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHARED = HERE.parent.parent.parent / "shared" / "bench"


def _beads(gold: Path) -> list[tuple[list[int], list[int]]]:
    out = []
    for line in gold.read_text(encoding="utf-8").splitlines():
        if line.strip():
            src, tgt = line.split(":")
            out.append((ast.literal_eval(src), ast.literal_eval(tgt)))
    return out


def _paragraphs(
    lines: list[str], beads: list[tuple[list[int], list[int]]], side: int, every: int, joiner: str
) -> str:
    """The text cut into paragraphs at every `every`-th bead that has sentences on both sides."""
    paras: list[list[str]] = [[]]
    count = 0
    for bead in beads:
        paras[-1].extend(lines[i] for i in bead[side])
        if bead[0] and bead[1]:
            count += 1
            if count % every == 0:
                paras.append([])
    return "\n\n".join(joiner.join(p) for p in paras if p) + "\n"


def _write(
    name: str, stories: list[tuple[str, dict[str, str]]], licence: Path, readme: str
) -> None:
    root = HERE / "collections" / name
    shutil.rmtree(root, ignore_errors=True)
    (root / "files").mkdir(parents=True)
    rows = ["file\tstory\tlang_dir"]
    for story, versions in stories:
        for lang, text in versions.items():
            fname = f"{lang}--{story}.txt"
            (root / "files" / fname).write_text(text, encoding="utf-8")
            rows.append(f"{fname}\t{story}\t{lang}")
    (root / "manifest.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    shutil.copy(licence, root / licence.name)
    (root / "README.md").write_text(readme, encoding="utf-8")


def build(every: int) -> None:
    tb = SHARED / "textberg"
    articles = [
        (f"article-{p.name}", p, tb / "de" / p.name, tb / "fr" / p.name)
        for p in sorted((tb / "gold").iterdir())
    ]
    articles.append(
        (
            "article-dev-001",
            tb / "dev" / "gold" / "001",
            tb / "dev" / "de" / "001",
            tb / "dev" / "fr" / "001",
        )
    )
    stories = []
    for story, gold, de, fr in articles:
        beads = _beads(gold)
        de_lines = de.read_text(encoding="utf-8").splitlines()
        fr_lines = fr.read_text(encoding="utf-8").splitlines()
        stories.append(
            (
                story,
                {
                    "de": _paragraphs(de_lines, beads, 0, every, " "),
                    "fr": _paragraphs(fr_lines, beads, 1, every, " "),
                },
            )
        )
    _write("textberg-articles", stories, tb / "LICENSE.GPL-2.0", README_TB.format(every=every))
    mac = SHARED / "mac-dev"
    stories = []
    for gold in sorted((mac / "gold").iterdir()):
        beads = _beads(gold)
        zh = (mac / "src" / gold.name).read_text(encoding="utf-8").splitlines()
        en = (mac / "tgt" / gold.name).read_text(encoding="utf-8").splitlines()
        stories.append(
            (
                f"chapter-{gold.name}",
                {
                    "zh": _paragraphs(zh, beads, 0, every, ""),
                    "en": _paragraphs(en, beads, 1, every, " "),
                },
            )
        )
    _write("mac-chapters", stories, mac / "LICENSE.GPL-3.0", README_MAC.format(every=every))


README_TB = """# textberg-articles: whole yearbook articles in German and French

The eight articles of the Text+Berg gold set (Swiss Alpine Club yearbooks 1989 and 1957; the
test articles 001-007 and the dev article), each whole in German and French: one story per
article, all of one genre and subject (mountaineering, huts, glaciers). Built by
`bench/build_collections.py` from `../shared/bench/textberg/` (GPL-2.0, `LICENSE.GPL-2.0`;
origin and citation: Sennrich & Volk 2010, see that folder's README). Sentences are the
source's (tokenised OCR); paragraphs are cut at every {every}th gold bead, on both sides.
"""

README_MAC = """# mac-chapters: whole novel chapters in Chinese and English

The six chapters of MAC-Dev (one from each of six Chinese novels and its published English
translation), each whole: one story per chapter. Built by `bench/build_collections.py` from
`../shared/bench/mac-dev/` (GPL-3.0, `LICENSE.GPL-3.0`; origin: bfsujason/mac, see that
folder's README). Paragraphs are cut at every {every}th gold bead, on both sides.
"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beads", type=int, default=4, help="gold beads per paragraph")
    build(parser.parse_args().beads)
