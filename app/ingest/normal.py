"""A paragraph's normalised text as a 64-bit key: what the library's repeated paragraphs
(a site's recurring headings, notes and footers) are counted by.

Case, accents' composition, punctuation, symbols and digits are ignored, so "Recap",
"recap:" and "Node.js 24.10.0 released" / "Node.js 24.11.1 released" are each one key.
"""

from __future__ import annotations

import hashlib
import unicodedata

import regex

_NOT_LETTERS = regex.compile(r"[^\p{L}\p{M}]+")


def normalised(text: str) -> str:
    """Letters only (lower case, NFKC), words separated by one space."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NOT_LETTERS.split(folded)).strip()


def norm_key(text: str) -> int | None:
    """A signed 64-bit key of the normalised text (None: no letters at all)."""
    norm = normalised(text)
    if not norm:
        return None
    digest = hashlib.blake2b(norm.encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)
