"""Bead scores as a weighted sum of features, with weights learned on gold alignments.

Bertalign scores a bead ``(cos - neighbours) * length_penalty`` and a skip ``-0.1``:
weights guessed once for LaBSE. Those guesses decide every bead boundary: whether two
clean 1-1 pairs or one 2-2 bead win, whether a translator's added sentence stays
unaligned. Here the same evidence and a little more (shared names and numbers, how well
the weakest member of a merged bead fits, the bead's size, how similar a skipped unit is
to anything on the other side) are features, and their weights were fitted with an
averaged structured perceptron (Collins 2002) on the development gold sets, Text+Berg dev
(de-fr) and MAC-Dev (zh-en), by ``bench/learn.py``: decode with the current weights, move
them towards the features of the gold beads and away from those of the predicted ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Link features, in the order of :attr:`BeadWeights.link`.
FEATURES = (
    "sim",  # calibrated cosine of the two spans' embeddings
    "nb",  # mean calibrated cosine of each span with the units just outside the other
    "lenpen",  # log2(1 + short / long) of the char lengths (expansion-corrected)
    "base",  # (sim - nb) * lenpen: Bertalign's score
    "lex",  # weighted shared anchors (names, numbers, punctuation), app.align.anchors
    "weak",  # merged beads: lowest cosine of one member unit with the other span
    "abslogratio",  # |log(length ratio)|
    "t11",  # bead-type indicators: 1-1, 1-2/2-1, 2-2, 1-3/3-1, anything larger
    "t12",
    "t22",
    "t13",
    "tbig",
    "sim_multi",  # sim, for merged beads only
    "lex_multi",  # lex, for merged beads only
    "sim_size",  # sim * (a + b) / 2: compares a merge with its parts on a mean scale
    "base_size",  # base * (a + b) / 2
    "weak_hinge",  # merged beads: max(0, 0.2 - weak), a member that matches nothing
    "ibm",  # IBM-1 log-likelihood, both directions, centred, in units (app.align.lexicon)
    "ibm_multi",  # ibm, for merged beads only
    "ibm_weak",  # merged beads: the lowest per-unit IBM-1 mean of a member unit
)
#: the features that need a second pass (a lexicon learned from the first one)
LEXICON_FEATURES = ("ibm", "ibm_multi", "ibm_weak")
_COL = {name: k for k, name in enumerate(FEATURES)}
_WEAK_FLOOR = 0.2
_TYPE_COL = {(1, 1): _COL["t11"], (1, 2): _COL["t12"], (2, 2): _COL["t22"], (1, 3): _COL["t13"]}


@dataclass(frozen=True)
class BeadWeights:
    """Weights of :data:`FEATURES` for links, and of a skipped (1-0 or 0-1) unit.

    A skipped unit scores ``skip + skip_sim * s`` with ``s`` its best calibrated cosine
    with any unit of the other document: a sentence that resembles nothing is cheap to
    leave out, one with a close counterpart is not.
    """

    link: tuple[float, ...]
    skip: float
    skip_sim: float = 0.0

    def __post_init__(self) -> None:
        if len(self.link) != len(FEATURES):
            raise ValueError(f"expected {len(FEATURES)} link weights, got {len(self.link)}")

    @classmethod
    def from_dict(cls, values: dict[str, float]) -> BeadWeights:
        """Weights by feature name (missing ones are 0)."""
        return cls(
            tuple(float(values.get(f, 0.0)) for f in FEATURES),
            float(values.get("skip", 0.0)),
            float(values.get("skip_sim", 0.0)),
        )

    @property
    def uses_lexicon(self) -> bool:
        """Whether any IBM-1 feature has a weight (then sentences are aligned twice)."""
        return any(self.link[_COL[f]] != 0.0 for f in LEXICON_FEATURES)

    def as_dict(self) -> dict[str, float]:
        return {
            **dict(zip(FEATURES, self.link, strict=True)),
            "skip": self.skip,
            "skip_sim": self.skip_sim,
        }


def bertalign_weights(skip: float = -0.1) -> BeadWeights:
    """Bertalign's scoring as weights: the base score, a constant skip."""
    return BeadWeights.from_dict({"base": 1.0, "skip": skip})


def link_features(
    a: int,
    b: int,
    sim: np.ndarray,
    nb: np.ndarray,
    lenpen: np.ndarray,
    abslogratio: np.ndarray,
    lex: np.ndarray | None,
    weak: np.ndarray | None,
    ibm: tuple[np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Feature rows of candidate a-b beads.

    Args:
        a, b: units on each side.
        sim, nb, lenpen, abslogratio: (L,) per candidate, see :data:`FEATURES`.
        lex: (L,) shared-anchor sums or None (0).
        weak: (L,) weakest-member cosine for merged beads, or None (0).
        ibm: ((L,) bead sum, (L,) weakest member) IBM-1 evidence
            (:meth:`app.align.lexicon.PairLexicon.bead`), or None (0).

    Returns:
        (L, len(FEATURES)) float64.
    """
    out = np.zeros((sim.shape[0], len(FEATURES)))
    base = (sim - nb) * lenpen
    size = (a + b) / 2.0
    out[:, _COL["sim"]] = sim
    out[:, _COL["nb"]] = nb
    out[:, _COL["lenpen"]] = lenpen
    out[:, _COL["base"]] = base
    out[:, _COL["abslogratio"]] = abslogratio
    if lex is not None:
        out[:, _COL["lex"]] = lex
    out[:, _TYPE_COL.get((min(a, b), max(a, b)), _COL["tbig"])] = 1.0
    if a + b > 2:
        if weak is not None:
            out[:, _COL["weak"]] = weak
            out[:, _COL["weak_hinge"]] = np.maximum(_WEAK_FLOOR - weak, 0.0)
        out[:, _COL["sim_multi"]] = sim
        if lex is not None:
            out[:, _COL["lex_multi"]] = lex
    if ibm is not None:
        out[:, _COL["ibm"]] = ibm[0]
        if a + b > 2:
            out[:, _COL["ibm_multi"]] = ibm[0]
            out[:, _COL["ibm_weak"]] = ibm[1]
    out[:, _COL["sim_size"]] = sim * size
    out[:, _COL["base_size"]] = base * size
    return out


# Learned by bench/learn.py (see bench/README.md for the command and the figures).
#: Weights of the first pass, without the lexicon (the scorer before issue 11's IBM-1 step);
#: its confident links train the pair's IBM-1 tables.
FIRST_PASS = BeadWeights.from_dict(
    {
        "sim": 0.1667,
        "nb": 0.3572,
        "lenpen": 0.2967,
        "base": 0.8394,
        "lex": 0.3231,
        "weak": 0.1465,
        "abslogratio": 0.0368,
        "t11": 0.0483,
        "t12": 0.1068,
        "t22": 0.0873,
        "t13": 0.1242,
        "tbig": 0.1662,
        "sim_multi": -0.0549,
        "lex_multi": -0.0058,
        "sim_size": 0.5088,
        "base_size": 0.1376,
        "weak_hinge": -0.2586,
        "skip": -0.1911,
        "skip_sim": 0.1537,
    }
)

#: The shipped sentence scorer: the first pass's features plus the IBM-1 ones, fitted
#: together (``bench/learn.py``, defaults), applied in the second pass.
LEARNED = BeadWeights.from_dict(
    {
        "sim": 0.2097,
        "nb": 0.3712,
        "lenpen": 0.3154,
        "base": 0.8702,
        "lex": 0.2574,
        "weak": 0.1508,
        "abslogratio": 0.0217,
        "t11": 0.0777,
        "t12": 0.1249,
        "t22": 0.0943,
        "t13": 0.1261,
        "tbig": 0.1706,
        "sim_multi": -0.0324,
        "lex_multi": 0.0026,
        "sim_size": 0.527,
        "base_size": 0.1933,
        "weak_hinge": -0.3162,
        "ibm": -0.0874,
        "ibm_multi": 0.0064,
        "ibm_weak": 0.0061,
        "skip": -0.2139,
        "skip_sim": 0.1668,
    }
)
