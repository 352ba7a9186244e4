"""The learned sentence scorer and the lexical anchors (pure, no model)."""

from __future__ import annotations

import numpy as np
import pytest

from app.align.anchors import anchor_matrix, shared_evidence, unit_anchors
from app.align.core import SENTENCE_PARAMS
from app.align.monotonic import MonotonicParams, align_monotonic
from app.align.scoring import FEATURES, LEARNED, BeadWeights, bertalign_weights, link_features


def test_names_match_across_scripts_and_numbers_across_formats() -> None:
    zh = ["宝玉亦素喜袭人柔媚姣俏。", "刘老老道：“他是太太的陪房。”", "也有三百余口人。"]
    en = [
        "'She's the Mrs Zhou that came here with Her Ladyship,' said Grannie Liu.",
        "Young Bao-yu had long been attracted by Aroma's charms.",
        "The house held 300 people.",
    ]
    m = anchor_matrix(zh, en)
    assert m.shape == (3, 3)
    # 宝玉 = Bao-yu, 刘 = Liu: each Chinese line is closest to its English counterpart
    assert m[0].argmax() == 1 and m[1].argmax() == 0
    ru = ["Генсек Мацуно заявил в среду, что 60 000 человек подали заявки."]
    fr = ["Mercredi, M. Matsuno a dit que 60.000 personnes avaient postulé.", "Rien ici."]
    keys = unit_anchors(ru)[0] & unit_anchors(fr)[0]
    assert {"matsuno", "#60000"} <= keys
    assert anchor_matrix(ru, fr)[0, 1] == 0


def test_sentence_initial_words_and_lowercase_words_are_not_names() -> None:
    en = ["He went home.", "Then he said Tokyo was far.", "Tokyo is big."]
    keys = set().union(*unit_anchors(en))
    assert "tokyo" in keys and "he" not in keys and "then" not in keys


def test_shared_evidence_is_distinctive_and_readable() -> None:
    src = [
        "Chief Cabinet Secretary Hirokazu Matsuno spoke about Ukraine on Wednesday.",
        "About 60,000 people applied, the embassy in Ukraine said.",
        "Ukraine is at war, and Ukraine needs help.",
    ]
    tgt = [
        "Le porte-parole Hirokazu Matsuno parle de l'Ukraine.",
        "Quelque 60 000 personnes ont postulé.",
        "Le Japon et l'Ukraine.",
    ]
    ev = shared_evidence(src, tgt, [(0, 0), (1, 1), (2, 2)])
    assert set(ev[0]) == {"Hirokazu", "Matsuno"}
    assert ev[1] == ("60,000",)
    assert ev[2] == ()  # "Ukraine" is everywhere: it explains nothing


def test_weights_cover_every_feature() -> None:
    assert len(LEARNED.link) == len(FEATURES)
    with pytest.raises(ValueError):
        BeadWeights((1.0,), -0.1)
    assert BeadWeights.from_dict(LEARNED.as_dict()) == LEARNED
    rows = link_features(
        2, 1, np.array([0.5]), np.array([0.1]), np.array([1.0]), np.zeros(1), None, np.array([0.0])
    )
    named = dict(zip(FEATURES, rows[0], strict=True))
    assert named["t12"] == 1 and named["t11"] == 0
    assert named["base"] == pytest.approx(0.4) and named["sim_size"] == pytest.approx(0.75)
    assert named["weak_hinge"] == pytest.approx(0.2)


def _unit(x: np.ndarray) -> np.ndarray:
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def _spans(groups: list[list[int]], concepts: np.ndarray, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n, d = len(groups), concepts.shape[1]
    out = np.zeros((k, n, d), np.float32)
    for size in range(1, k + 1):
        for i in range(n - size + 1):
            v = concepts[sum(groups[i : i + size], [])].sum(axis=0)
            out[size - 1, i] = _unit(v + 0.4 * rng.standard_normal(d) / np.sqrt(d))
    return out


def test_bertalign_weights_reproduce_the_bertalign_scorer() -> None:
    concepts = _unit(np.random.default_rng(0).standard_normal((60, 128)))
    src = [[0], [1, 2], [3], [4], [5], [6], [7], [8, 9], [10]]
    tgt = [[0], [1], [2], [3, 4], [5], [6], [7], [8], [9], [10]]
    sv, tv = _spans(src, concepts, 4, 1), _spans(tgt, concepts, 4, 2)
    lens = np.full(len(src), 40.0), np.full(len(tgt), 40.0)
    plain = align_monotonic(sv, tv, src_lens=lens[0], tgt_lens=lens[1])
    as_weights = align_monotonic(
        sv,
        tv,
        src_lens=lens[0],
        tgt_lens=lens[1],
        params=MonotonicParams(scorer="learned"),
        weights=bertalign_weights(),
    )
    assert [(b.src, b.tgt) for b in plain] == [(b.src, b.tgt) for b in as_weights]


def test_learned_scorer_finds_merges_splits_and_names() -> None:
    concepts = _unit(np.random.default_rng(0).standard_normal((60, 128)))
    src = [[0], [1, 2], [3], [4], [5], [6], [7], [8, 9], [10]]
    tgt = [[0], [1], [2], [3, 4], [5], [6], [7], [8], [9], [10]]
    k = SENTENCE_PARAMS.max_align - 1
    sv, tv = _spans(src, concepts, k, 1), _spans(tgt, concepts, k, 2)
    beads = align_monotonic(
        sv, tv, src_lens=np.full(9, 40.0), tgt_lens=np.full(10, 40.0), params=SENTENCE_PARAMS
    )
    pairs = [(b.src, b.tgt) for b in beads]
    assert pairs == [
        ((0,), (0,)),
        ((1,), (1, 2)),
        ((2, 3), (3,)),
        ((4,), (4,)),
        ((5,), (5,)),
        ((6,), (6,)),
        ((7,), (7, 8)),
        ((8,), (9,)),
    ]


def test_lexical_evidence_moves_a_boundary() -> None:
    # target unit 1 says nothing the embeddings can place; a name it shares with one source
    # unit decides which bead it joins
    concepts = _unit(np.random.default_rng(4).standard_normal((10, 128)))
    k = SENTENCE_PARAMS.max_align - 1
    sv = _spans([[0], [1]], concepts, k, 1)
    tv = _spans([[0], [5], [1]], concepts, k, 2)
    for unit, expected in (
        (0, [((0,), (0, 1)), ((1,), (2,))]),
        (1, [((0,), (0,)), ((1,), (1, 2))]),
    ):
        lex = np.zeros((2, 3), np.float32)
        lex[unit, 1] = 1.0
        beads = align_monotonic(sv, tv, params=SENTENCE_PARAMS, lexical=lex)
        assert [(b.src, b.tgt) for b in beads] == expected
