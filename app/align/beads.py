"""The values the alignment engine hands back: beads and a document pair's verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

PairKind = Literal["translation", "partial", "comparable"]


@dataclass(frozen=True)
class Bead:
    """One link between consecutive units of two documents.

    ``src``/``tgt`` are 0-based unit indices (either may be empty: a deletion or an
    insertion). ``score`` is a calibrated similarity, about 0 for unrelated text and
    1 for a perfect match, meant to be shown to users. ``evidence`` says why two units
    are related when the engine knows: the distinctive names and numbers they share, as
    the source writes them (filled for related links).
    """

    src: tuple[int, ...]
    tgt: tuple[int, ...]
    score: float
    evidence: tuple[str, ...] = ()

    @property
    def is_link(self) -> bool:
        """True when both sides are non-empty (a real link, not a skip)."""
        return bool(self.src) and bool(self.tgt)


@dataclass(frozen=True)
class PairAlignment:
    """What a document pair is, and its links.

    ``translation_beads`` are monotonic, confident links (shown as translations);
    ``related_beads`` are non-monotonic "see also" links between the units that the
    translation links leave over.
    """

    kind: PairKind
    translation_beads: list[Bead] = field(default_factory=list)
    related_beads: list[Bead] = field(default_factory=list)
    coverage: float = 0.0
    mean_score: float = 0.0
