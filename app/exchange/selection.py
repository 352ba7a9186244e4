"""Choosing, checking and ordering the links an export writes, shared by every format."""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass

from app.exchange.model import ExchangeError, ExportDocument, ExportLink, ExportStory

logger = logging.getLogger(__name__)

# Between the paragraphs of a multi-paragraph side (a 2-1 link), in TMX segments and TSV cells.
PARAGRAPH_SEPARATOR = "\n"

# Everything XML 1.0 allows (its Char production); lone surrogates cannot even be encoded.
_XML_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class Side:
    """One side of a link: its document, paragraph indexes and their texts."""

    document: ExportDocument
    paragraphs: tuple[int, ...]
    texts: tuple[str, ...]

    @property
    def text(self) -> str:
        """The side's paragraphs as one text, joined by ``PARAGRAPH_SEPARATOR``."""
        return PARAGRAPH_SEPARATOR.join(self.texts)


@dataclass(frozen=True)
class Row:
    """A link with both sides resolved, oriented as the export presents it."""

    link: ExportLink
    source: Side
    target: Side


def story_label(story: ExportStory) -> str:
    """How export errors name the story."""
    return f"story {story.id}"


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 forbids (NUL, most C0 controls, U+FFFE...)."""
    cleaned, count = _XML_FORBIDDEN.subn("", text)
    if count:
        # Extracted article text sometimes carries stray control bytes; they carry no
        # meaning, and an XML writer would refuse the whole document because of them.
        logger.debug("stripped %d character(s) that XML 1.0 forbids", count)
    return cleaned


def normalise_lang(lang: str) -> str:
    """A BCP 47 tag as TMX expects it: ``fr``, ``pt-BR``; ``und`` when unknown."""
    subtags = [s for s in lang.strip().replace("_", "-").split("-") if s]
    if not subtags:
        return "und"
    out = [subtags[0].lower()]
    for sub in subtags[1:]:
        if len(sub) == 2 and sub.isalpha():
            out.append(sub.upper())
        elif len(sub) == 4 and sub.isalpha():
            out.append(sub.title())
        else:
            out.append(sub.lower())
    return "-".join(out)


def select(
    story: ExportStory, documents: tuple[int, int] | None
) -> tuple[tuple[ExportDocument, ...], list[Row]]:
    """The documents and links an export covers, checked and in reading order.

    With ``documents=(a, b)`` only links between ``a`` and ``b`` are kept, and each is
    oriented from ``a`` to ``b`` whichever way it was stored, so that the columns of a
    pair export are always the same language.

    Raises:
        ExchangeError: an unknown document in ``documents``, or a link pointing at a
            document or paragraph the story does not have.
    """
    label = story_label(story)
    by_id = {doc.id: doc for doc in story.documents}
    order = {doc.id: pos for pos, doc in enumerate(story.documents)}
    if documents is None:
        chosen = story.documents
    else:
        first, second = documents
        for doc_id in documents:
            if doc_id not in by_id:
                raise ExchangeError(label, f"has no document {doc_id}")
        if first == second:
            raise ExchangeError(label, f"a pair needs two different documents, not {first} twice")
        chosen = (by_id[first], by_id[second])
        # The pair's own order decides the sort below, not the story's.
        order = {first: 0, second: 1}

    rows: list[Row] = []
    for link in story.links:
        if documents is not None:
            if (link.source_document, link.target_document) == (documents[1], documents[0]):
                link = _reversed(link)
            elif (link.source_document, link.target_document) != documents:
                continue
        rows.append(
            Row(
                link=link,
                source=_side(label, by_id, link.source_document, link.source_paragraphs),
                target=_side(label, by_id, link.target_document, link.target_paragraphs),
            )
        )
    rows.sort(
        key=lambda r: (
            order[r.source.document.id],
            order[r.target.document.id],
            r.source.paragraphs,
            r.target.paragraphs,
        )
    )
    return chosen, rows


def _reversed(link: ExportLink) -> ExportLink:
    return dataclasses.replace(
        link,
        source_document=link.target_document,
        source_paragraphs=link.target_paragraphs,
        target_document=link.source_document,
        target_paragraphs=link.source_paragraphs,
    )


def _side(
    label: str, by_id: dict[int, ExportDocument], doc_id: int, paragraphs: tuple[int, ...]
) -> Side:
    doc = by_id.get(doc_id)
    if doc is None:
        raise ExchangeError(label, f"a link points at document {doc_id}, which it does not have")
    if not paragraphs:
        raise ExchangeError(label, f"a link has no paragraph in document {doc_id}")
    for index in paragraphs:
        if not 0 <= index < len(doc.paragraphs):
            raise ExchangeError(
                label,
                f"a link points at paragraph {index} of document {doc_id}, "
                f"which has {len(doc.paragraphs)}",
            )
    return Side(doc, tuple(paragraphs), tuple(doc.paragraphs[i] for i in paragraphs))
