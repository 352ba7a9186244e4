"""Writing a story as TMX 1.4b, one translation unit per translation link."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime

from lxml import etree

from app.exchange import tmxspec as spec
from app.exchange.model import ExportDocument, ExportLink, ExportSentenceLink, ExportStory
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
        f"Exported by Parallax: {len(kept)} translation link(s), one paragraph <tu> each, "
        'then their sentence links as <tu segtype="sentence">. Not as units: '
        f"{related} 'related' link(s), which join passages on the same subject but are not "
        f"translations (listed in {spec.PROP_RELATED} props), and {rejected} rejected "
        f"link(s); editors' marks are {spec.PROP_MARK} props.",
    )
    _prop(header, spec.PROP_STORY, str(story.id))
    _prop(header, spec.PROP_STORY_TITLE, story.title)
    for doc in chosen:
        _prop(header, f"{spec.PROP_DOCUMENT_TITLE}{doc.id}", doc.title, lang=doc.lang)
        _prop(header, f"{spec.PROP_DOCUMENT_SOURCE}{doc.id}", doc.source)

    _write_related_and_marks(header, story, rows, chosen)
    body = etree.SubElement(root, "body")
    for number, row in enumerate(kept, start=1):
        _write_unit(body, number, row)
    sentences = _sentence_rows(story, chosen, documents)
    for number, (link, src, tgt) in enumerate(sentences, start=len(kept) + 1):
        _write_sentence_unit(body, number, link, src, tgt)

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


def _write_related_and_marks(
    header: etree._Element,
    story: ExportStory,
    rows: list[Row],
    chosen: tuple[ExportDocument, ...],
) -> None:
    """Related links and paragraph marks as header props: kept, but not translation units."""
    for row in rows:
        if row.link.relation != "related" or row.link.status == "rejected":
            continue
        src = "+".join(str(i) for i in row.source.paragraphs)
        tgt = "+".join(str(i) for i in row.target.paragraphs)
        _prop(
            header,
            spec.PROP_RELATED,
            f"{row.source.document.id}:{src} {row.target.document.id}:{tgt} "
            f"{float(row.link.score)!r} {row.link.status}",
        )
    ids = {d.id for d in chosen}
    for mark in story.marks:
        if mark.document not in ids:
            continue
        target = f" {mark.target_document}" if mark.target_document is not None else ""
        _prop(header, spec.PROP_MARK, f"{mark.document}:{mark.paragraph} {mark.mark}{target}")


@dataclass(frozen=True)
class _Sentences:
    """One side of a sentence unit: (paragraph, sentence) keys and their texts."""

    document: ExportDocument
    keys: tuple[tuple[int, int], ...]
    texts: tuple[str, ...]


def _sentence_rows(
    story: ExportStory, chosen: tuple[ExportDocument, ...], documents: tuple[int, int] | None
) -> list[tuple[ExportSentenceLink, _Sentences, _Sentences]]:
    """Sentence links of translation links, oriented like the paragraph units, with texts."""
    by_id = {d.id: d for d in chosen}
    out = []
    for sl in story.sentence_links:
        if sl.relation != "translation" or sl.status == "rejected":
            continue
        a, b = sl.source_document, sl.target_document
        a_sents, b_sents = sl.source_sentences, sl.target_sentences
        if documents is not None and (a, b) == (documents[1], documents[0]):
            a, b, a_sents, b_sents = b, a, b_sents, a_sents
        if a not in by_id or b not in by_id:
            continue
        src, tgt = _sentence_side(by_id[a], a_sents), _sentence_side(by_id[b], b_sents)
        if src is not None and tgt is not None:
            out.append((sl, src, tgt))
    order = {d.id: n for n, d in enumerate(chosen)}
    out.sort(key=lambda r: (order[r[1].document.id], order[r[2].document.id], r[1].keys))
    return out


def _sentence_side(
    doc: ExportDocument, sentences: tuple[tuple[int, int], ...]
) -> _Sentences | None:
    texts = []
    for para, index in sentences:
        text = dict(doc.sentences[para]).get(index) if para < len(doc.sentences) else None
        if text is None:
            return None
        texts.append(text)
    return _Sentences(doc, tuple(sentences), tuple(texts)) if texts else None


def _write_sentence_unit(
    body: etree._Element,
    number: int,
    link: ExportSentenceLink,
    src: _Sentences,
    tgt: _Sentences,
) -> None:
    tu = etree.SubElement(
        body,
        "tu",
        {
            "tuid": str(number),
            "segtype": spec.SEGTYPE_SENTENCE,
            "srclang": normalise_lang(src.document.lang),
        },
    )
    _prop(tu, spec.PROP_STATUS, link.status)
    _prop(tu, spec.PROP_SCORE, repr(float(link.score)))
    for side in (src, tgt):
        tuv = etree.SubElement(tu, "tuv", {spec.XML_LANG: normalise_lang(side.document.lang)})
        _prop(tuv, spec.PROP_DOCUMENT, str(side.document.id))
        _prop(tuv, spec.PROP_SENTENCES, " ".join(f"{p}:{i}" for p, i in side.keys))
        _text_child(tuv, "seg", " ".join(xml_safe(t) for t in side.texts))
