"""Writing a story as TMX 1.4b, one translation unit per translation link."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from lxml import etree

from app.exchange import tmxspec as spec
from app.exchange.model import ExportDocument, ExportLink, ExportStory
from app.exchange.selection import (
    PARAGRAPH_SEPARATOR,
    Row,
    Side,
    normalise_lang,
    select,
    xml_safe,
)

logger = logging.getLogger(__name__)


def to_tmx(
    story: ExportStory,
    *,
    documents: tuple[int, int] | None = None,
    created: datetime | None = None,
) -> bytes:
    """The story's translation links as a TMX 1.4b document, valid against tmx14.dtd.

    Rejected links and ``related`` links (same subject, not a translation) are left out; the
    header's note says how many. Each side's segment is its paragraphs joined by a newline,
    and ``x-parallax-*`` props record the documents, paragraphs, status and score so that
    ``read_tmx`` gives the story back. Who reviewed a link and when go in the tu's
    ``changeid`` and ``changedate``, and for a confirmed link in a note as well.

    Args:
        story: the story to write.
        documents: ``(a, b)`` to write only the links between documents a and b, a's
            segment first; all the story's links otherwise.
        created: the header's creationdate (now when omitted; naive means UTC).

    Raises:
        ExchangeError: ``documents`` or a link names something the story does not have.
    """
    chosen, rows = select(story, documents)
    kept = [r for r in rows if r.link.relation == "translation" and r.link.status != "rejected"]
    related = sum(1 for r in rows if r.link.relation == "related")
    rejected = sum(1 for r in rows if r.link.relation != "related" and r.link.status == "rejected")

    root = etree.Element("tmx", version="1.4")
    header = etree.SubElement(
        root,
        "header",
        {
            "creationtool": spec.CREATION_TOOL,
            "creationtoolversion": spec.CREATION_TOOL_VERSION,
            "segtype": "paragraph",
            "o-tmf": spec.O_TMF,
            "adminlang": "en",
            "srclang": _header_srclang(story, chosen, kept, pair=documents is not None),
            "datatype": "plaintext",
            "creationdate": spec.format_tmx_date(created or datetime.now(UTC)),
        },
    )
    _text_child(
        header,
        "note",
        f"Exported by Parallax: {len(kept)} translation link(s), one <tu> each. Left out: "
        f"{related} 'related' link(s), which join passages on the same subject but are not "
        f"translations, and {rejected} rejected link(s).",
    )
    _prop(header, spec.PROP_STORY, str(story.id))
    _prop(header, spec.PROP_STORY_TITLE, story.title)
    for doc in chosen:
        _prop(header, f"{spec.PROP_DOCUMENT_TITLE}{doc.id}", doc.title, lang=doc.lang)
        _prop(header, f"{spec.PROP_DOCUMENT_SOURCE}{doc.id}", doc.source)

    body = etree.SubElement(root, "body")
    for number, row in enumerate(kept, start=1):
        _write_unit(body, number, row)

    logger.info(
        "TMX for story %s: %d unit(s), %d related and %d rejected link(s) left out",
        story.id,
        len(kept),
        related,
        rejected,
    )
    xml = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    prolog = f"{spec.XML_DECLARATION}\n{spec.DOCTYPE}\n".encode()
    return prolog + xml


def _header_srclang(
    story: ExportStory, chosen: tuple[ExportDocument, ...], kept: list[Row], *, pair: bool
) -> str:
    """The pair's first language; for a whole story, its links' common source language.

    TMX's ``*all*`` says any language may be the source, which is the truth when a story's
    links start from several languages; each tu then names its own srclang.
    """
    if pair:
        return normalise_lang(chosen[0].lang)
    langs = {normalise_lang(r.source.document.lang) for r in kept}
    if len(langs) == 1:
        return langs.pop()
    if not langs:
        return normalise_lang(story.documents[0].lang) if story.documents else "und"
    return "*all*"


def _write_unit(body: etree._Element, number: int, row: Row) -> None:
    link = row.link
    attrib = {"tuid": str(number), "srclang": normalise_lang(row.source.document.lang)}
    if link.reviewed_by:
        attrib["changeid"] = xml_safe(link.reviewed_by)
    if link.reviewed_at is not None:
        attrib["changedate"] = spec.format_tmx_date(link.reviewed_at)
    tu = etree.SubElement(body, "tu", attrib)
    note = _review_note(link)
    if note:
        _text_child(tu, "note", note)
    _prop(tu, spec.PROP_STATUS, link.status)
    # repr gives the shortest text that reads back as the same float
    _prop(tu, spec.PROP_SCORE, repr(float(link.score)))
    for side in (row.source, row.target):
        _write_variant(tu, side)


def _review_note(link: ExportLink) -> str | None:
    verbs = {"confirmed": "Confirmed", "manual": "Linked by hand"}
    verb = verbs.get(link.status)
    if verb is None or (link.reviewed_by is None and link.reviewed_at is None):
        return None
    who = f" by {link.reviewed_by}" if link.reviewed_by else ""
    when = ""
    if link.reviewed_at is not None:
        moment = link.reviewed_at
        if moment.tzinfo is not None:
            moment = moment.astimezone(UTC)
        when = f" on {moment:%Y-%m-%d %H:%M} UTC"
    return f"{verb}{who}{when}."


def _write_variant(tu: etree._Element, side: Side) -> None:
    tuv = etree.SubElement(tu, "tuv", {spec.XML_LANG: normalise_lang(side.document.lang)})
    _prop(tuv, spec.PROP_DOCUMENT, str(side.document.id))
    _prop(tuv, spec.PROP_PARAGRAPHS, " ".join(str(i) for i in side.paragraphs))
    texts = [xml_safe(t) for t in side.texts]
    if len(texts) > 1:
        # A paragraph may itself hold a newline, so the separator alone cannot split the
        # segment back; the lengths can.
        _prop(tuv, spec.PROP_LENGTHS, " ".join(str(len(t)) for t in texts))
    _text_child(tuv, "seg", PARAGRAPH_SEPARATOR.join(texts))


def _prop(parent: etree._Element, kind: str, value: str, *, lang: str | None = None) -> None:
    attrib = {"type": kind}
    if lang is not None:
        attrib[spec.XML_LANG] = normalise_lang(lang)
    prop = etree.SubElement(parent, "prop", attrib)
    prop.text = xml_safe(value)


def _text_child(parent: etree._Element, tag: str, text: str) -> etree._Element:
    child = etree.SubElement(parent, tag)
    child.text = xml_safe(text)
    return child
