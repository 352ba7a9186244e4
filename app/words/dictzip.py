"""Random access to a dictd `.dict.dz` file (dictzip: gzip in independently inflatable chunks).

A dictzip file is a gzip file whose header carries an "RA" extra field: the length of an
uncompressed chunk and the compressed size of each chunk (dictzip(1)). Reading the bytes at
an offset then inflates one or two chunks instead of the whole file (the German–English
FreeDict inflates to 100 MB). A plain gzip file without that field, or an uncompressed
`.dict`, is read whole once instead.
"""

from __future__ import annotations

import gzip
import struct
import threading
import zlib
from pathlib import Path

FEXTRA, FNAME, FCOMMENT, FHCRC = 4, 8, 16, 2
#: inflated chunks kept per file (dictzip's are about 58 KB)
CACHED_CHUNKS = 32


class DictZipError(ValueError):
    """The file is not a gzip file this reader understands."""


def _skip_zero_terminated(head: bytes, at: int) -> int:
    end = head.index(b"\0", at)
    return end + 1


def _chunks(head: bytes) -> tuple[int, list[int], int] | None:
    """(chunk length, compressed chunk sizes, offset of the first chunk), or None without RA."""
    if head[:3] != b"\x1f\x8b\x08":
        raise DictZipError("not a gzip file")
    flags = head[3]
    if not flags & FEXTRA:
        return None
    (xlen,) = struct.unpack_from("<H", head, 10)
    extra, at, found = head[12 : 12 + xlen], 0, None
    while at + 4 <= len(extra):
        sub, (size,) = extra[at : at + 2], struct.unpack_from("<H", extra, at + 2)
        if sub == b"RA":
            _version, length, count = struct.unpack_from("<HHH", extra, at + 4)
            found = (length, list(struct.unpack_from(f"<{count}H", extra, at + 10)))
        at += 4 + size
    pos = 12 + xlen
    if flags & FNAME:
        pos = _skip_zero_terminated(head, pos)
    if flags & FCOMMENT:
        pos = _skip_zero_terminated(head, pos)
    if flags & FHCRC:
        pos += 2
    return (found[0], found[1], pos) if found else None


class DictFile:
    """The text of a dictd `.dict` or `.dict.dz` file, read by (offset, length)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._whole: bytes | None = None
        self._layout: tuple[int, list[int], list[int]] | None = None
        self._cache: dict[int, bytes] = {}
        self._lock = threading.Lock()
        if path.suffix != ".dz":
            self._whole = path.read_bytes()
            return
        with path.open("rb") as f:
            head = f.read(12)
            if len(head) < 12:
                raise DictZipError("truncated gzip header")
            xlen = struct.unpack_from("<H", head, 10)[0] if head[3] & FEXTRA else 0
            head += f.read(xlen + 4096)
        try:
            chunks = _chunks(head)
        except (struct.error, ValueError, IndexError) as err:
            raise DictZipError(f"bad dictzip header in {path.name}: {err}") from err
        if chunks is None:
            self._whole = gzip.decompress(path.read_bytes())
            return
        length, sizes, start = chunks
        starts = [start]
        for size in sizes:
            starts.append(starts[-1] + size)
        self._layout = (length, sizes, starts)

    def _chunk(self, n: int) -> bytes:
        with self._lock:  # lookups run in the web server's threads
            cached = self._cache.pop(n, None)
        if cached is None:
            assert self._layout is not None
            _length, sizes, starts = self._layout
            with self.path.open("rb") as f:
                f.seek(starts[n])
                cached = zlib.decompressobj(-zlib.MAX_WBITS).decompress(f.read(sizes[n]))
        with self._lock:
            self._cache[n] = cached  # most recently used last
            while len(self._cache) > CACHED_CHUNKS:
                self._cache.pop(next(iter(self._cache)))
        return cached

    def read(self, offset: int, length: int) -> bytes:
        """The uncompressed bytes [offset, offset + length)."""
        if self._whole is not None:
            return self._whole[offset : offset + length]
        assert self._layout is not None
        chunk_len, sizes, starts = self._layout
        first, last = offset // chunk_len, (offset + length - 1) // chunk_len
        if length <= 0 or first >= len(sizes):
            return b""
        out = bytearray()
        for n in range(first, min(last, len(sizes) - 1) + 1):
            out += self._chunk(n)
        skip = offset - first * chunk_len
        return bytes(out[skip : skip + length])
