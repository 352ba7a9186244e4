"""Bytes to text: size limit, file type, encoding, and plain text versus HTML."""

from __future__ import annotations

import logging
import re
from pathlib import PurePosixPath

from app.ingest.errors import IngestError

log = logging.getLogger(__name__)

TEXT_EXTENSIONS = frozenset({".txt", ".text"})
MARKDOWN_EXTENSIONS = frozenset({".md", ".markdown", ".mdx"})
HTML_EXTENSIONS = frozenset({".html", ".htm", ".xhtml"})
EPUB_EXTENSIONS = frozenset({".epub"})
ALL_EXTENSIONS = TEXT_EXTENSIONS | MARKDOWN_EXTENSIONS | HTML_EXTENSIONS | EPUB_EXTENSIONS
# Formats of decoded text; EPUB is read from its bytes.
TEXT_FORMATS = ("text", "markdown", "html")
FORMATS = (*TEXT_FORMATS, "epub")

# Signatures of the binary formats people most often upload by mistake, so the message can
# say what the file is rather than only that it is not text.
_MAGIC = (
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx, .odt)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)
# A real suffix is short and alphanumeric; "U.S. report" or "pasted" have none.
_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,10}$")
# C0 controls other than tab, newline, vertical tab, form feed and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
_HTML_START = re.compile(r"^\s*(<!doctype\s+html|<html[\s>]|<\?xml[^>]*>\s*<html)", re.I)
_HTML_TAG = re.compile(
    r"</(p|div|span|body|article|section|h[1-6]|li|ul|table|a|b|i|em|strong)>|<br\s*/?>", re.I
)


def extension(source: str) -> str:
    """The lower-cased file extension of `source`, or "" when it has none."""
    suffix = PurePosixPath(source.replace("\\", "/")).suffix
    return suffix.lower() if _SUFFIX.match(suffix) else ""


def format_from_extension(source: str) -> str | None:
    """'text', 'markdown', 'html' or 'epub' from the extension; None when there is none.

    Raises:
        IngestError: 415 when the extension names a type we do not read.
    """
    ext = extension(source)
    if not ext:
        return None
    if ext in TEXT_EXTENSIONS:
        return "text"
    if ext in MARKDOWN_EXTENSIONS:
        return "markdown"
    if ext in HTML_EXTENSIONS:
        return "html"
    if ext in EPUB_EXTENSIONS:
        return "epub"
    allowed = ", ".join(sorted(ALL_EXTENSIONS))
    raise IngestError(source, f"unsupported file type '{ext}'; upload {allowed}", status=415)


def sniff_format(text: str) -> str:
    """'html' when the text looks like a web page or fragment, else 'text'."""
    head = text[:4096]
    if _HTML_START.match(head) or (head.lstrip().startswith("<") and _HTML_TAG.search(head)):
        return "html"
    return "text"


def check_size(data: bytes, *, source: str, max_bytes: int) -> None:
    """Raises IngestError (413) when the upload is over `max_bytes`."""
    if len(data) > max_bytes:
        raise IngestError(
            source,
            f"file is {len(data):,} bytes, over the limit of {max_bytes:,} bytes",
            status=413,
        )


def decode(data: bytes, *, source: str, max_bytes: int) -> str:
    """Decode an upload as UTF-8 (BOM optional), refusing anything that is not text.

    Raises:
        IngestError: 413 over `max_bytes`; 415 for a known binary format (PDF, ZIP, images);
            422 for other binary data, other encodings and files with nothing but whitespace.
    """
    check_size(data, source=source, max_bytes=max_bytes)
    if not data.strip():
        reason = "file is empty" if not data else "file is empty (only whitespace)"
        raise IngestError(source, reason)
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise IngestError(
                source, f"this is {what}, not text; upload text, Markdown, HTML or EPUB", status=415
            )
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(source, "file is UTF-16; save the file as UTF-8")
    nul = data.find(b"\x00")
    if nul >= 0:
        raise IngestError(source, f"binary data (NUL byte at offset {nul}), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        bad = data[err.start]
        raise IngestError(
            source,
            f"not valid UTF-8 (byte 0x{bad:02x} at offset {err.start}); save the file as UTF-8",
        ) from None
    control = _CONTROL.search(text)
    if control:
        raise IngestError(
            source,
            f"binary data (control character U+{ord(control.group()):04X} "
            f"at character {control.start()}), not text",
        )
    log.debug("decoded %s: %d bytes, %d characters", source, len(data), len(text))
    return text


def strip_bom(text: str) -> str:
    """Text without a leading byte-order mark (pasted text sometimes still carries one)."""
    return text[1:] if text.startswith("\ufeff") else text
