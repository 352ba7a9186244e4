"""Reading TMX files, Parallax's own and other tools', into an ``ImportedStory``.

Uploaded files are untrusted: the parser never resolves entities, never touches the
network and keeps libxml2's size limits, and a file that declares entities is refused.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePath

from lxml import etree

from app.exchange import tmxspec as spec
from app.exchange.model import (
    LINK_STATUSES,
    ExchangeError,
    ImportedDocument,
    ImportedLink,
    ImportedStory,
)
from app.exchange.selection import PARAGRAPH_SEPARATOR, normalise_lang
from app.exchange.tmx_extras import read_extras

logger = logging.getLogger(__name__)

# Inline codes hold the markup of the original format (``<b>``, ``{1}``), not text to read.
_CODE_TAGS = frozenset({"bpt", "ept", "it", "ph", "ut"})


def parse_untrusted_xml(data: bytes, *, source: str) -> etree._Element:
    """The root of ``data``, parsed without expanding entities or fetching anything.

    Raises:
        ExchangeError: the data is empty, not well-formed XML, or declares entities.
    """
    if not data.strip():
        raise ExchangeError(source, "the file is empty")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ExchangeError(source, f"not well-formed XML: {exc}") from exc
    internal = root.getroottree().docinfo.internalDTD
    if internal is not None and any(True for _ in internal.iterentities()):
        # Not expanded (resolve_entities=False), but no honest TMX needs them, and a file
        # that tries (file:// or "billion laughs") is best stopped with a clear message.
        raise ExchangeError(
            source, "declares entities in its DOCTYPE, which are refused for safety"
        )
    return root


def read_tmx(data: bytes, *, source: str) -> ImportedStory:
    """The story a TMX file holds.

    A file written by ``to_tmx`` (every tuv has its ``x-parallax-document`` and
    ``x-parallax-paragraphs`` props) gives back its documents and links, paragraphs
    renumbered from 0 in their original order (only linked paragraphs are in a TMX). Any
    other TMX gives one document per language, each tu adding one paragraph to each of its
    languages, linked from its source language (the tu's or header's srclang, else its
    first tuv) to the others as ``manual`` links of score 1: the pairing was made by
    whoever wrote the file, not guessed.

    Args:
        data: the file's bytes, in whatever encoding its XML declaration names.
        source: the file's name, for error messages and the default title.

    Raises:
        ExchangeError: the file is not XML, not TMX, has no tu, or a tu is unusable.
    """
    root = parse_untrusted_xml(data, source=source)
    name = etree.QName(root).localname
    if name != "tmx":
        raise ExchangeError(source, f"not a TMX file: the root element is <{name}>, not <tmx>")
    body = root.find("body")
    if body is None:
        raise ExchangeError(source, "not a TMX file: there is no <body>")
    # Sentence units repeat, sentence by sentence, what the paragraph units hold.
    tus = [tu for tu in body.findall("tu") if tu.get("segtype") != spec.SEGTYPE_SENTENCE]
    if not tus:
        raise ExchangeError(source, "no translation units: <body> has no <tu>")

    header = root.find("header")
    header_props = _props(header) if header is not None else {}
    header_src = header.get("srclang", "") if header is not None else ""
    title = header_props.get(spec.PROP_STORY_TITLE) or PurePath(source).stem or source
    units = [_read_unit(tu, number, source) for number, tu in enumerate(tus, start=1)]

    ours = all(
        spec.PROP_DOCUMENT in v.props and spec.PROP_PARAGRAPHS in v.props
        for unit in units
        for v in unit.variants
    )
    if ours:
        props = header.findall("prop") if header is not None else []
        values = [(p.get("type", ""), p.text or "") for p in props]
        story = _assemble_parallax(units, header_props, title, source, values)
    else:
        story = _assemble_generic(units, header_src, title, source)
    logger.info(
        "read %s (%s TMX): %d document(s), %d link(s)",
        source,
        "Parallax" if ours else "generic",
        len(story.documents),
        len(story.links),
    )
    return story


@dataclass
class _Variant:
    lang: str
    text: str
    props: dict[str, str]


@dataclass
class _Unit:
    label: str
    srclang: str
    props: dict[str, str]
    changeid: str | None
    changedate: str | None
    variants: list[_Variant]


def _read_unit(tu: etree._Element, number: int, source: str) -> _Unit:
    tuid = tu.get("tuid")
    label = f"<tu> #{number} (line {tu.sourceline}" + (f", tuid {tuid})" if tuid else ")")
    variants = []
    for tuv in tu.findall("tuv"):
        lang = (tuv.get(spec.XML_LANG) or tuv.get("lang") or "").strip()
        if not lang:
            raise ExchangeError(
                source, f"{label}: a <tuv> on line {tuv.sourceline} has no xml:lang"
            )
        seg = tuv.find("seg")
        if seg is None:
            raise ExchangeError(source, f"{label}: the {lang} <tuv> has no <seg>")
        variants.append(_Variant(lang, _seg_text(seg, source, label), _props(tuv)))
    # Two documents of a story may share a language (two French translations): Parallax's
    # own props tell their variants apart, so only other tools' files need two languages.
    ours = len(variants) >= 2 and all(spec.PROP_DOCUMENT in v.props for v in variants)
    if not ours:
        _require_two_languages([v.lang for v in variants], label, source)
    return _Unit(
        label=label,
        srclang=(tu.get("srclang") or "").strip(),
        props=_props(tu),
        changeid=tu.get("changeid"),
        changedate=tu.get("changedate"),
        variants=variants,
    )


def _require_two_languages(langs: list[str], label: str, source: str) -> None:
    if len({_primary(lang) for lang in langs}) < 2:
        shown = ", ".join(langs) or "none"
        raise ExchangeError(
            source, f"{label} has fewer than two languages ({shown}): nothing to align"
        )


def _seg_text(element: etree._Element, source: str, label: str) -> str:
    """The readable text of a seg (or hi): inline codes' content left out, their tails kept."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            raise ExchangeError(
                source, f"{label}: uses the entity {child.text}, which is not declared"
            )
        if isinstance(child.tag, str) and etree.QName(child).localname not in _CODE_TAGS:
            parts.append(_seg_text(child, source, label))
        parts.append(child.tail or "")
    return "".join(parts)


def _props(element: etree._Element) -> dict[str, str]:
    props: dict[str, str] = {}
    for prop in element.findall("prop"):
        props.setdefault(prop.get("type", ""), prop.text or "")
    return props


def _primary(lang: str) -> str:
    """The language subtag: Parallax documents are per language (ISO 639-1), not per region."""
    return normalise_lang(lang).split("-")[0]


@dataclass
class _DocumentBuilder:
    lang: str
    title: str
    source: str = ""
    paragraphs: dict[int, str] = field(default_factory=dict)


# (source document, its paragraphs, target document, its paragraphs, the <tu>)
_RawLink = tuple[int, tuple[int, ...], int, tuple[int, ...], _Unit]


def _assemble_parallax(
    units: list[_Unit],
    header_props: dict[str, str],
    title: str,
    source: str,
    header_values: list[tuple[str, str]],
) -> ImportedStory:
    docs: dict[int, _DocumentBuilder] = {}
    raw_links: list[_RawLink] = []
    for unit in units:
        sides = [
            _parallax_side(variant, unit, docs, header_props, title, source)
            for variant in unit.variants
        ]
        # The writer puts the link's source first.
        for target in sides[1:]:
            raw_links.append((*sides[0], *target, unit))

    # Only linked paragraphs travel in a TMX: number them afresh, in their original order.
    position = {doc_id: pos for pos, doc_id in enumerate(docs)}
    renumber = {
        doc_id: {index: new for new, index in enumerate(sorted(doc.paragraphs))}
        for doc_id, doc in docs.items()
    }
    documents = tuple(
        ImportedDocument(
            lang=doc.lang,
            title=doc.title,
            paragraphs=tuple(doc.paragraphs[i] for i in sorted(doc.paragraphs)),
            source=doc.source,
        )
        for doc in docs.values()
    )
    links = _renumbered_links(raw_links, position, renumber, source)
    related, marks = read_extras(header_values, position, renumber, source)
    return ImportedStory(
        title=title, documents=documents, links=(*links, *related), marks=tuple(marks)
    )


def _parallax_side(
    variant: _Variant,
    unit: _Unit,
    docs: dict[int, _DocumentBuilder],
    header_props: dict[str, str],
    title: str,
    source: str,
) -> tuple[int, tuple[int, ...]]:
    """One side of a Parallax <tu>: its document and paragraphs, the texts recorded in
    `docs` (a paragraph met again must read the same)."""
    doc_id = _int(variant.props[spec.PROP_DOCUMENT], source, unit, "document id")
    indexes = _indexes(variant.props[spec.PROP_PARAGRAPHS], source, unit)
    lang = _primary(variant.lang)
    doc = docs.setdefault(
        doc_id,
        _DocumentBuilder(
            lang=lang,
            title=header_props.get(f"{spec.PROP_DOCUMENT_TITLE}{doc_id}") or title,
            source=header_props.get(f"{spec.PROP_DOCUMENT_SOURCE}{doc_id}", ""),
        ),
    )
    if doc.lang != lang:
        raise ExchangeError(source, f"{unit.label}: document {doc_id} is in {doc.lang}, not {lang}")
    texts = _split(variant, len(indexes), source, unit)
    for index, text in zip(indexes, texts, strict=True):
        known = doc.paragraphs.setdefault(index, text)
        if known != text:
            raise ExchangeError(
                source,
                f"{unit.label}: paragraph {index} of document {doc_id} differs from "
                "the same paragraph in an earlier <tu>",
            )
    return doc_id, indexes


def _renumbered_links(
    raw_links: list[_RawLink],
    position: dict[int, int],
    renumber: dict[int, dict[int, int]],
    source: str,
) -> tuple[ImportedLink, ...]:
    """The links with documents by position and paragraphs numbered afresh."""
    return tuple(
        ImportedLink(
            source_document=position[src],
            source_paragraphs=tuple(renumber[src][i] for i in src_idx),
            target_document=position[tgt],
            target_paragraphs=tuple(renumber[tgt][i] for i in tgt_idx),
            status=_status(unit, source),
            score=_score(unit, source),
            reviewed_by=unit.changeid,
            reviewed_at=_changedate(unit, source),
        )
        for src, src_idx, tgt, tgt_idx, unit in raw_links
    )


def _assemble_generic(
    units: list[_Unit], header_src: str, title: str, source: str
) -> ImportedStory:
    paragraphs: dict[str, list[str]] = {}
    header_lang = "" if header_src in ("", "*all*") else _primary(header_src)
    if header_lang:
        paragraphs[header_lang] = []  # the source language's document comes first
    raw_links: list[tuple[str, int, str, int]] = []
    for unit in units:
        texts: dict[str, str] = {}
        for variant in unit.variants:
            lang = _primary(variant.lang)
            if lang in texts:
                logger.warning("%s: %s: second %s variant ignored", source, unit.label, lang)
                continue
            texts[lang] = variant.text
        _require_two_languages(list(texts), unit.label, source)
        candidates = [_primary(unit.srclang)] if unit.srclang not in ("", "*all*") else []
        candidates += [header_lang, next(iter(texts))]
        src = next(lang for lang in candidates if lang in texts)
        at = {}
        for lang, text in texts.items():
            column = paragraphs.setdefault(lang, [])
            at[lang] = len(column)
            column.append(text)
        raw_links.extend((src, at[src], lang, at[lang]) for lang in texts if lang != src)

    langs = [lang for lang, column in paragraphs.items() if column]
    position = {lang: pos for pos, lang in enumerate(langs)}
    documents = tuple(
        ImportedDocument(lang=lang, title=title, paragraphs=tuple(paragraphs[lang]))
        for lang in langs
    )
    links = tuple(
        ImportedLink(
            source_document=position[src],
            source_paragraphs=(src_at,),
            target_document=position[tgt],
            target_paragraphs=(tgt_at,),
        )
        for src, src_at, tgt, tgt_at in raw_links
    )
    return ImportedStory(title=title, documents=documents, links=links)


def _split(variant: _Variant, count: int, source: str, unit: _Unit) -> list[str]:
    """The segment cut back into its ``count`` paragraphs."""
    text = variant.text
    if count == 1:
        return [text]
    lengths_prop = variant.props.get(spec.PROP_LENGTHS)
    if lengths_prop is not None:
        lengths = [_int(n, source, unit, "paragraph length") for n in lengths_prop.split()]
        if len(lengths) == count and sum(lengths) + len(PARAGRAPH_SEPARATOR) * (count - 1) == len(
            text
        ):
            parts, start = [], 0
            for length in lengths:
                parts.append(text[start : start + length])
                start += length + len(PARAGRAPH_SEPARATOR)
            return parts
    # Lengths missing or stale (the segment was edited elsewhere): trust the line breaks.
    parts = text.split(PARAGRAPH_SEPARATOR)
    if len(parts) == count:
        return parts
    raise ExchangeError(
        source,
        f"{unit.label}: the {variant.lang} segment should hold {count} paragraphs "
        f"but cannot be split into them",
    )


def _int(text: str, source: str, unit: _Unit, what: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        raise ExchangeError(source, f"{unit.label}: {what} {text!r} is not a number") from None
    if value < 0:
        raise ExchangeError(source, f"{unit.label}: {what} {value} is negative")
    return value


def _indexes(text: str, source: str, unit: _Unit) -> tuple[int, ...]:
    indexes = tuple(_int(n, source, unit, "paragraph index") for n in text.split())
    if not indexes:
        raise ExchangeError(source, f"{unit.label}: a <tuv> lists no paragraph")
    return indexes


def _status(unit: _Unit, source: str) -> str:
    status = unit.props.get(spec.PROP_STATUS, "manual").strip()
    if status not in LINK_STATUSES:
        raise ExchangeError(source, f"{unit.label}: unknown link status {status!r}")
    return status


def _score(unit: _Unit, source: str) -> float:
    text = unit.props.get(spec.PROP_SCORE)
    if text is None:
        return 1.0
    try:
        score = float(text)
    except ValueError:
        score = math.nan
    if not math.isfinite(score):
        raise ExchangeError(source, f"{unit.label}: score {text!r} is not a number")
    return score


def _changedate(unit: _Unit, source: str) -> datetime | None:
    if not unit.changedate:
        return None
    try:
        return spec.parse_tmx_date(unit.changedate)
    except ValueError:
        raise ExchangeError(
            source, f"{unit.label}: changedate {unit.changedate!r} is not YYYYMMDDThhmmssZ"
        ) from None
