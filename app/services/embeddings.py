"""An Encoder that keeps every embedding it computes in the database, keyed by text hash."""

import hashlib
from collections.abc import Sequence

import numpy as np
from sqlmodel import Session, col, select

from app.align.encoder import Encoder, encoder_for
from app.models import Embedding

# SQLite caps the number of bound parameters; look hashes up in slices below that.
_LOOKUP_CHUNK = 500


def text_hash(text: str) -> str:
    """The cache key of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class CachedEncoder:
    """Wraps an encoder; reads cached vectors and stores new ones in `session` (no commit)."""

    def __init__(self, encoder: Encoder, session: Session) -> None:
        self.inner = encoder
        self.session = session
        self.name = encoder.name
        self.dim = encoder.dim
        self.baseline = getattr(encoder, "baseline", None)

    def for_languages(self, *languages: str | None) -> "CachedEncoder":
        """The cached form of the encoder the inner one picks for these languages."""
        chosen = encoder_for(self.inner, *languages)
        return self if chosen is self.inner else CachedEncoder(chosen, self.session)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of `texts`, shape (len(texts), dim); only unseen texts reach the model."""
        hashes = [text_hash(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        unique = list(dict.fromkeys(hashes))
        for start in range(0, len(unique), _LOOKUP_CHUNK):
            rows = self.session.exec(
                select(Embedding.text_hash, Embedding.vector).where(
                    Embedding.encoder == self.name,
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
                self.session.add(Embedding(encoder=self.name, text_hash=h, vector=vec.tobytes()))
            self.session.flush()
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([found[h] for h in hashes])
