"""Meanings of a word from offline bilingual dictionaries: FreeDict, in dictd's format.

scripts/dictionaries.sh installs Debian's `dict-freedict-<src>-<tgt>` packages, which put
`freedict-deu-eng.index` and `freedict-deu-eng.dict.dz` (ISO 639-3 codes) in
/usr/share/dictd (the setting `dictionary_dir`). Nothing is fetched at run time; a pair
without files simply has no meanings.

The index is one line per headword: the headword lowercased, a tab, the entry's offset and
length in the .dict file in dictd's base64, a tab. It is memory-mapped (the German–English
index is 12 MB; the operating system shares its pages between processes); a table of its
headwords' hashes, built on first use, finds a headword's lines. Chinese–English, which
FreeDict lacks, comes from CC-CEDICT (app.words.cedict).
"""

from __future__ import annotations

import logging
import mmap
import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import langcodes
import numpy as np
import numpy.typing as npt

from app.config import get_settings
from app.words.dictzip import DictFile, DictZipError

logger = logging.getLogger(__name__)

ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
B64 = {c: n for n, c in enumerate(ALPHABET)}


def _b64(field: bytes) -> int:
    n = 0
    for c in field:
        n = n * 64 + B64[c]
    return n


def _hash_lines(m: mmap.mmap) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.int64]]:
    """The CRC-32 of each index line's headword and the line's start, sorted by hash.

    Built once per dictionary (0.5 s and 6 MB for the German–English index's 519,000 lines);
    a lookup is then a binary search, whatever order dictd sorted the file in.
    """
    raw = np.frombuffer(m, dtype=np.uint8)
    starts = np.concatenate(([0], np.flatnonzero(raw == 10) + 1)).astype(np.int64)
    starts = starts[starts < len(raw)]
    tabs = np.flatnonzero(raw == 9)
    ends = tabs[np.minimum(np.searchsorted(tabs, starts), len(tabs) - 1)] if len(tabs) else starts
    hashes = np.fromiter(
        (zlib.crc32(m[a:b]) for a, b in zip(starts.tolist(), ends.tolist(), strict=True)),
        dtype=np.uint32,
        count=len(starts),
    )
    del raw
    order = np.argsort(hashes, kind="stable")
    return hashes[order], starts[order]


@dataclass(frozen=True)
class Entry:
    headword: str  # as the entry writes it (with its case)
    text: str  # the entry without its headword line


class Dictionary:
    """One dictd dictionary: its memory-mapped index and its (dictzip) text."""

    def __init__(self, index: Path, data: Path) -> None:
        with index.open("rb") as f:
            self._index = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        self._data = DictFile(data)
        self._hashes, self._starts = _hash_lines(self._index)

    def _positions(self, key: bytes) -> list[tuple[int, int]]:
        """(offset, length) of each entry whose index headword is `key`."""
        m, h = self._index, zlib.crc32(key)
        lo, hi = np.searchsorted(self._hashes, [h, h + 1])
        found = []
        for start in sorted(int(s) for s in self._starts[lo:hi]):
            end = m.find(b"\n", start)
            parts = m[start : end if end >= 0 else len(m)].split(b"\t")
            if len(parts) >= 3 and parts[0] == key:
                found.append((_b64(parts[1]), _b64(parts[2])))
        return found

    def has(self, word: str) -> bool:
        """Whether `word` is a headword (read from the index only)."""
        key = " ".join(word.split()).lower().encode()
        return bool(key) and bool(self._positions(key))

    def entries(self, word: str) -> list[Entry]:
        key = " ".join(word.split()).lower().encode()
        if not key or key.startswith(b"00database"):
            return []
        out = []
        for offset, length in self._positions(key):
            text = self._data.read(offset, length).decode("utf-8", "replace")
            head, _, body = text.partition("\n")
            out.append(Entry(_headword(head), body))
        return out


def _headword(line: str) -> str:
    """The headword of an entry's first line ("Haus /hˈaʊs/ <neut, n, sg>")."""
    line = re.sub(r"\[[^\]]*\]", "", line).strip()
    return re.split(r" /| <|,", line, maxsplit=1)[0].strip()


def code(lang: str) -> str | None:
    """The ISO 639-3 code FreeDict names its files with ("de" → "deu"), or None."""
    try:
        return langcodes.Language.get(lang).to_alpha3()
    except (LookupError, ValueError):
        return None


class Book(Protocol):
    """A bilingual dictionary: the entries of a headword."""

    def entries(self, word: str) -> list[Entry]: ...


@lru_cache(maxsize=1)
def _cedict() -> Book | None:
    from app.words.cedict import load

    return load()


@lru_cache(maxsize=64)
def _open(folder: str, src: str, tgt: str) -> Dictionary | None:
    base = Path(folder) / f"freedict-{src}-{tgt}"
    index, data = Path(f"{base}.index"), Path(f"{base}.dict.dz")
    if not data.exists():
        data = Path(f"{base}.dict")
    if not index.exists() or not data.exists():
        return None
    try:
        return Dictionary(index, data)
    except (OSError, ValueError, DictZipError) as err:
        logger.warning("dictionary %s unreadable: %s", base, err)
        return None


def dictionary(src_lang: str, tgt_lang: str, folder: Path | None = None) -> Book | None:
    """The installed dictionary from one language into another (FreeDict's in `folder`, by
    default the setting `dictionary_dir`; Chinese–English: CC-CEDICT), or None."""
    src, tgt = code(src_lang), code(tgt_lang)
    if src is None or tgt is None or src == tgt:
        return None
    found = _open(str(folder or get_settings().dictionary_dir), src, tgt)
    if found is None and (src, tgt) == ("zho", "eng"):
        return _cedict()
    return found
