"""The grouping gold of bench/library.py: Text+Berg and MAC-Dev cut into article-sized stories.

Each gold alignment is walked in order and cut at bead boundaries, so a chunk and its
counterpart hold the same sentences: one chunk in both languages is one story. Chunks of one
yearbook article or one novel chapter share their topic (the Alps, one plot), which is what
makes them hard to tell apart.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BENCH = Path("/work/shared/bench")


@dataclass(frozen=True)
class Article:
    """One article of the library; `story` is its gold story key."""

    story: str
    lang: str
    title: str
    text: str


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").split("\n")[:-1]


def _beads(path: Path) -> list[tuple[list[int], list[int]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            src, tgt = line.split(":")[:2]
            out.append((list(ast.literal_eval(src)), list(ast.literal_eval(tgt))))
    return out


def _sources() -> list[tuple[str, str, str, Path, Path, Path]]:
    """(name, src lang, tgt lang, src, tgt, gold) for every gold document."""
    out = []
    tb = BENCH / "textberg"
    for root, tag in ((tb, "tb"), (tb / "dev", "tbdev")):
        for gold in sorted((root / "gold").iterdir()):
            out.append(
                (
                    f"{tag}{gold.name}",
                    "de",
                    "fr",
                    root / "de" / gold.name,
                    root / "fr" / gold.name,
                    gold,
                )
            )
    mac = BENCH / "mac-dev"
    for gold in sorted((mac / "gold").iterdir()):
        out.append(
            (f"mac{gold.name}", "zh", "en", mac / "src" / gold.name, mac / "tgt" / gold.name, gold)
        )
    return out


def _join(lang: str, sentences: list[str]) -> str:
    return ("" if lang == "zh" else " ").join(s.strip() for s in sentences)


def _cut(paragraphs: Callable[[], int], sentences: Callable[[], int], tag: str) -> list[Article]:
    """Every gold document walked in bead order and cut into chunks: a paragraph closes once
    it holds `sentences()` source sentences, a chunk (one story, in both languages) once it
    holds `paragraphs()` paragraphs; each is drawn anew for the next one."""
    articles: list[Article] = []
    for name, sl, tl, src_path, tgt_path, gold_path in _sources():
        src, tgt = _lines(src_path), _lines(tgt_path)
        beads = sorted(
            _beads(gold_path), key=lambda b: min(b[0]) if b[0] else min(b[1]) if b[1] else 0
        )
        chunk: list[tuple[list[str], list[str]]] = []
        para_s: list[str] = []
        para_t: list[str] = []
        want_paras, want_sents = paragraphs(), sentences()
        for s_ids, t_ids in beads:
            para_s += [src[i] for i in s_ids]
            para_t += [tgt[j] for j in t_ids]
            if len(para_s) >= want_sents:
                if para_s and para_t:
                    chunk.append((para_s, para_t))
                para_s, para_t, want_sents = [], [], sentences()
            if len(chunk) == want_paras:
                key = f"{name}-{tag}{len(articles) // 2:04d}"
                for lang, side in ((sl, 0), (tl, 1)):
                    paras = [_join(lang, p[side]) for p in chunk]
                    articles.append(Article(key, lang, paras[0][:60], "\n\n".join(paras)))
                chunk, want_paras = [], paragraphs()
    return articles


def chunked_stories(sentences_per_paragraph: int = 3, paragraphs: int = 6) -> list[Article]:
    """Every gold document cut into stories of `paragraphs` paragraphs, in both languages."""
    return _cut(lambda: paragraphs, lambda: sentences_per_paragraph, "")


def varied_stories(seed: int = 0) -> list[Article]:
    """Every gold document cut into stories of varied size: 2-5 paragraphs of 1-2 sentences.

    Short news-like items, the hardest case for grouping (few paragraphs to outvote chance
    matches on the same topic); about 530 stories, 1,060 articles.
    """
    rng = random.Random(seed)
    return _cut(lambda: rng.randint(2, 5), lambda: rng.randint(1, 2), "v")


def written_stories(root: Path) -> list[Article]:
    """Texts written for the tests and the seeds, in more languages and genres than the gold.

    tests/data/grouping (three texts on one glacier, de/en/fr), grouping_short (two short
    local news items, de/fr), languages (he-en, uk-en) and the four seed reports of one event.
    """
    out: list[Article] = []
    data = root / "tests" / "data"
    for path in sorted((data / "grouping").glob("*.txt")) + sorted(
        (data / "grouping_short").glob("*.txt")
    ):
        key, lang = path.stem.rsplit("_", 1)
        out.append(Article(f"written-{key}", lang, key, path.read_text("utf-8")))
    for path in sorted((data / "languages").glob("*.txt")):
        key, lang = path.name.split(".")[:2]
        out.append(Article(f"written-{key}", lang, key, path.read_text("utf-8")))
    for path in sorted((BENCH.parent / "seeds").glob("*.txt")):
        out.append(Article("written-seeds", "", path.stem, path.read_text("utf-8")))
    return out
