"""Checking a TMX document against the TMX 1.4b DTD shipped next to this module."""

from __future__ import annotations

import functools
import io
from importlib import resources

from lxml import etree

from app.exchange.model import ExchangeError
from app.exchange.tmx_reader import parse_untrusted_xml


@functools.cache
def _dtd_bytes() -> bytes:
    return resources.files(__package__).joinpath("tmx14.dtd").read_bytes()


def validate_tmx(data: bytes) -> list[str]:
    """What makes ``data`` invalid TMX 1.4b, one message per problem; empty when valid.

    The DTD is the local copy (the file's DOCTYPE is never followed), and the document is
    parsed as safely as an upload.
    """
    try:
        root = parse_untrusted_xml(data, source="TMX")
    except ExchangeError as exc:
        return [exc.reason]
    # A fresh DTD object per call: its error_log is per object, and requests run in threads.
    dtd = etree.DTD(io.BytesIO(_dtd_bytes()))
    dtd.validate(root)
    # Warnings count too: libxml2 reports a tuv with the legacy lang but no xml:lang, which
    # the DTD requires, as a mere warning (DTD_NO_PREFIX) and calls the document valid.
    return [
        f"line {error.line}: {error.level_name.lower()}: {error.message}" for error in dtd.error_log
    ]
