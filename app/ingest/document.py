"""parse_text and parse_bytes: the pipeline assembled into a ParsedDocument."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.ingest import epub, kinds, language, reading, tags
from app.ingest.blocks import Block
from app.ingest.errors import IngestError
from app.ingest.extract import extract_html
from app.ingest.markdown import markdown_page
from app.ingest.paragraphs import RawParagraph, Span, normalize, split_paragraphs
from app.ingest.script import letter_count
from app.ingest.sentences import split_sentences

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = language.SUPPORTED_LANGUAGES
TITLE_MAX_CHARS = 120
# Kinds whose display text keeps its layout (items, rows, code lines) rather than being
# normalized like prose.
UNNORMALIZED_KINDS = frozenset({"list", "table", "code"})


@dataclass(frozen=True)
class SentenceSpan:
    """One sentence; `text` is normalize(original[start:end])."""

    index: int
    text: str
    start: int
    end: int
    lang: str | None


@dataclass(frozen=True)
class ParagraphSpan:
    """One paragraph; `kind` one of KINDS; `text` is normalize(original[start:end]), except
    for lists, tables and code, whose text is original[start:end] as laid out."""

    index: int
    text: str
    kind: str
    lang: str | None
    start: int
    end: int
    sentences: tuple[SentenceSpan, ...]


@dataclass(frozen=True)
class ParsedDocument:
    """A source split into paragraphs and sentences with offsets into `original`."""

    source: str
    title: str
    lang: str
    original: str
    content_hash: str
    paragraphs: tuple[ParagraphSpan, ...]
    tag: str = ""  # the BCP 47 tag (app.ingest.tags); `lang` when the text says no more


def parse_bytes(
    data: bytes,
    *,
    source: str,
    lang: str | None = None,
    title: str | None = None,
    max_bytes: int = 2_000_000,
    languages: Sequence[str] = SUPPORTED_LANGUAGES,
) -> ParsedDocument:
    """Parse an uploaded file: UTF-8 plain text (.txt), Markdown (.md), HTML (.html, .htm) or
    an EPUB book (.epub).

    The format comes from the extension of `source`, or from the content when it has none.

    Raises:
        IngestError: the file cannot be read or is in an unsupported language.
    """
    fmt = reading.format_from_extension(source)
    if fmt == "epub" or (fmt is None and epub.is_epub(data)):
        reading.check_size(data, source=source, max_bytes=max_bytes)
        book = epub.read_epub(data, source=source)
        return parse_blocks(
            list(book.blocks),
            source=source,
            lang=lang,
            title=title,
            page_title=book.title,
            languages=languages,
        )
    text = reading.decode(data, source=source, max_bytes=max_bytes)
    return parse_text(
        text,
        source=source,
        lang=lang,
        title=title,
        languages=languages,
        fmt=fmt or reading.sniff_format(text),
    )


def parse_text(
    text: str,
    *,
    source: str,
    lang: str | None = None,
    title: str | None = None,
    languages: Sequence[str] = SUPPORTED_LANGUAGES,
    fmt: str = "text",
) -> ParsedDocument:
    """Parse already decoded text; `fmt` is 'text', 'markdown', 'html' or 'auto' (sniffed).

    Args:
        lang: the document's language if the caller knows it (trusted, but must be supported).
        title: the title to keep; derived from the content when None or blank.
        languages: ISO 639-1 codes a document may be in.

    Raises:
        IngestError: empty text, no main text in HTML, or an unsupported language.
    """
    if fmt == "auto":
        fmt = reading.sniff_format(text)
    if fmt not in reading.TEXT_FORMATS:
        expected = ", ".join(reading.TEXT_FORMATS)
        raise IngestError(source, f"unknown format {fmt!r} (expected {expected} or auto)")
    text = reading.strip_bom(text)
    if not text.strip():
        reason = "file is empty" if not text else "file is empty (only whitespace)"
        raise IngestError(source, reason)
    args = {
        "source": source,
        "lang": lang,
        "title": title,
        "languages": languages,
        "declared": tags.declared_tag(text, fmt),
    }
    if fmt == "html":
        extracted = extract_html(text, source=source)
        return parse_blocks(list(extracted.blocks), page_title=extracted.title, **args)  # type: ignore[arg-type]
    if fmt == "markdown":
        blocks, page_title = markdown_page(text)
        if not blocks:
            raise IngestError(source, "no text found in the Markdown")
        return parse_blocks(blocks, page_title=page_title, **args)  # type: ignore[arg-type]
    raw = split_paragraphs(text)
    return _assemble(text, raw, [None] * len(raw), page_title=None, **args)  # type: ignore[arg-type]


def parse_blocks(
    blocks: list[Block],
    *,
    source: str,
    lang: str | None = None,
    title: str | None = None,
    page_title: str | None = None,
    languages: Sequence[str] = SUPPORTED_LANGUAGES,
    declared: str | None = None,
) -> ParsedDocument:
    """Parse a structured source's blocks (see app.ingest.blocks) into a document whose
    `original` is the blocks' display text, separated by blank lines; `declared`: the
    language tag the source declares for itself, if any."""
    original, raw, fixed = _layout(blocks)
    return _assemble(
        original, raw, fixed, source=source, lang=lang, title=title, page_title=page_title,
        languages=languages, declared=declared,
    )  # fmt: skip


def _layout(blocks: list[Block]) -> tuple[str, list[RawParagraph], list[str | None]]:
    """The blocks laid out as one text, with each paragraph's span, lines and given kind.

    A list, table or code block is one paragraph whose lines are its items, rows or (for
    code) the whole block. A prose block is split like plain text, except that its lines are
    never taken for separate paragraphs only because it has no blank line.
    """
    parts: list[str] = []
    raw: list[RawParagraph] = []
    fixed: list[str | None] = []
    offset = 0
    for block in blocks:
        text = block.text
        if block.kind == "code":
            span = Span(offset, offset + len(text))
            found = [RawParagraph(span, (span,))]
        elif block.kind in ("list", "table"):
            found = [RawParagraph(Span(offset, offset + len(text)), _line_spans(text, offset))]
        else:
            found = [_shift(p, offset) for p in split_paragraphs(text, lines_as_paragraphs=False)]
        raw.extend(found)
        fixed.extend([block.kind] * len(found))
        parts.append(text)
        offset += len(text) + 2
    return "\n\n".join(parts), raw, fixed


def _line_spans(text: str, offset: int) -> tuple[Span, ...]:
    spans: list[Span] = []
    start = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append(Span(offset + start + lead, offset + start + lead + len(stripped)))
        start += len(line) + 1
    return tuple(spans)


def _shift(para: RawParagraph, offset: int) -> RawParagraph:
    def move(span: Span) -> Span:
        return Span(span.start + offset, span.end + offset)

    return RawParagraph(move(para.span), tuple(move(line) for line in para.lines))


def _paragraph_text(original: str, para: RawParagraph, kind: str | None) -> str:
    """Display text: code, lists and tables as laid out; prose normalized."""
    raw = original[para.span.start : para.span.end]
    return raw if kind in UNNORMALIZED_KINDS else normalize(raw)


def _assemble(
    original: str,
    raw: list[RawParagraph],
    fixed: list[str | None],
    *,
    source: str,
    lang: str | None,
    title: str | None,
    page_title: str | None,
    languages: Sequence[str],
    declared: str | None = None,
) -> ParsedDocument:
    supported = _check_languages(languages)
    texts = [_paragraph_text(original, p, k) for p, k in zip(raw, fixed, strict=True)]
    prose = "\n\n".join(t for t, k in zip(texts, fixed, strict=True) if k != "code")
    doc_lang = _document_language(source, prose, lang, supported)
    candidates = language.segment_candidates(supported, doc_lang)
    paragraph_kinds = kinds.classify(texts, fixed=fixed)
    paragraphs: list[ParagraphSpan] = []
    sentence_index = 0
    for index, (para, para_text, kind) in enumerate(zip(raw, texts, paragraph_kinds, strict=True)):
        if kind == "code":  # no language, one "sentence": code is never aligned
            sentences = [
                SentenceSpan(sentence_index, para_text, para.span.start, para.span.end, None)
            ]
        else:
            sentences = _sentences(original, para, doc_lang, candidates, first_index=sentence_index)
        sentence_index += len(sentences)
        paragraphs.append(
            ParagraphSpan(
                index=index,
                text=para_text,
                kind=kind,
                lang=None if kind == "code" else _paragraph_language(sentences, doc_lang),
                start=para.span.start,
                end=para.span.end,
                sentences=tuple(sentences),
            )
        )
    digest = hashlib.sha256("\n\n".join(texts).encode("utf-8")).hexdigest()
    log.info(
        "parsed %s: %s, %d paragraphs, %d sentences", source, doc_lang, len(raw), sentence_index
    )
    return ParsedDocument(
        source=source,
        title=_title(title, page_title, paragraphs),
        lang=doc_lang,
        original=original,
        content_hash=digest,
        paragraphs=tuple(paragraphs),
        tag=tags.document_tag(doc_lang, prose, given=lang, declared=declared, source=source),
    )


def _check_languages(languages: Sequence[str]) -> tuple[str, ...]:
    codes = tuple(dict.fromkeys(code.lower() for code in languages))
    if not codes:
        raise ValueError("languages must name at least one language")
    for code in codes:
        language.language_of(code)  # raises ValueError on a code lingua does not know
    return codes


def _document_language(source: str, text: str, lang: str | None, supported: tuple[str, ...]) -> str:
    listed = ", ".join(supported)
    if lang:
        code = tags.language_of_tag(lang)  # "pt-BR" is Portuguese; the tag is kept apart
        if code not in supported:
            raise IngestError(source, f"language {code!r} is not supported (supported: {listed})")
        return code
    detected = language.document_language(text, supported)
    if detected is None:
        letters = letter_count(language.id_text(text))
        if letters < 2:
            raise IngestError(source, "no text in a recognisable language (no words found)")
        raise IngestError(
            source, f"too short to tell its language ({letters} letters); give its language"
        )
    if detected not in supported:
        name = language.language_name(detected)
        raise IngestError(
            source, f"language {name} ({detected}) is not supported (supported: {listed})"
        )
    return detected


def _sentences(
    text: str, para: RawParagraph, doc_lang: str, candidates: frozenset[str], *, first_index: int
) -> list[SentenceSpan]:
    """Sentences of a paragraph, line by line: a line break always ends a sentence.

    Each line is judged against the document's language, each sentence against its line's.
    """
    out: list[SentenceSpan] = []
    for line in para.lines:
        line_text = normalize(text[line.start : line.end])
        line_lang = language.segment_language(line_text, doc_lang, candidates)
        spans = split_sentences(text, line, line_lang)
        for span in spans:
            sentence = normalize(text[span.start : span.end])
            lang = line_lang
            if len(spans) > 1:
                lang = language.segment_language(
                    sentence, line_lang, candidates, min_words=language.MIN_SENTENCE_WORDS
                )
            out.append(SentenceSpan(first_index + len(out), sentence, span.start, span.end, lang))
    return out


def _paragraph_language(sentences: list[SentenceSpan], doc_lang: str) -> str | None:
    """The language most of the paragraph's letters are in; the document's on a tie.

    So a caption whose tag line is Indonesian and whose text is English is English, while a
    paragraph that is all French in an English document is French.
    """
    letters: Counter[str] = Counter()
    for sentence in sentences:
        if sentence.lang:
            letters[sentence.lang] += sum(ch.isalpha() for ch in sentence.text)
    if not letters:
        return None
    top = max(letters.values())
    if letters.get(doc_lang) == top:
        return doc_lang
    return max(letters, key=letters.__getitem__)


def _title(given: str | None, page_title: str | None, paragraphs: list[ParagraphSpan]) -> str:
    """The caller's title as given; else the page's, a leading heading or the first body
    sentence, shortened to TITLE_MAX_CHARS on a word boundary."""
    if given and given.strip():
        return " ".join(given.split())
    if page_title and page_title.strip():
        return _shorten(page_title)
    if not paragraphs:
        return ""
    # Share bars and notices come before the headline on many pages.
    first = next((p for p in paragraphs if p.kind != "boilerplate"), paragraphs[0])
    if first.kind == "heading":
        return _shorten(first.text.lstrip("# "))
    body = next((p for p in paragraphs if p.kind == "text"), first)
    return _shorten(body.sentences[0].text if body.sentences else body.text)


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= TITLE_MAX_CHARS:
        return text
    cut = text[: TITLE_MAX_CHARS - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"
