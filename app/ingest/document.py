"""parse_text and parse_bytes: the pipeline assembled into a ParsedDocument."""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from app.ingest import kinds, language, reading
from app.ingest.errors import IngestError
from app.ingest.extract import extract_html
from app.ingest.paragraphs import RawParagraph, normalize, split_paragraphs
from app.ingest.script import letter_count
from app.ingest.sentences import split_sentences

log = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = language.SUPPORTED_LANGUAGES
TITLE_MAX_CHARS = 120


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
    """One paragraph; `text` is normalize(original[start:end]), `kind` one of KINDS."""

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


def parse_bytes(
    data: bytes,
    *,
    source: str,
    lang: str | None = None,
    title: str | None = None,
    max_bytes: int = 2_000_000,
    languages: Sequence[str] = SUPPORTED_LANGUAGES,
) -> ParsedDocument:
    """Parse an uploaded file: UTF-8 plain text (.txt, .md) or HTML (.html, .htm).

    The format comes from the extension of `source`, or from the content when it has none.

    Raises:
        IngestError: the file cannot be read or is in an unsupported language.
    """
    fmt = reading.format_from_extension(source)
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
    """Parse already decoded text; `fmt` is 'text', 'html' or 'auto' (sniffed from the text).

    Args:
        lang: the document's language if the caller knows it (trusted, but must be supported).
        title: the title to keep; derived from the content when None or blank.
        languages: ISO 639-1 codes a document may be in.

    Raises:
        IngestError: empty text, no main text in HTML, or an unsupported language.
    """
    if fmt == "auto":
        fmt = reading.sniff_format(text)
    if fmt not in reading.FORMATS:
        raise IngestError(source, f"unknown format {fmt!r} (expected text, html or auto)")
    supported = _check_languages(languages)
    text = reading.strip_bom(text)
    if not text.strip():
        reason = "file is empty" if not text else "file is empty (only whitespace)"
        raise IngestError(source, reason)
    headings: frozenset[str] = frozenset()
    page_title: str | None = None
    if fmt == "html":
        extracted = extract_html(text, source=source)
        text, headings, page_title = extracted.text, extracted.headings, extracted.title

    raw = split_paragraphs(text)
    texts = [normalize(text[p.span.start : p.span.end]) for p in raw]
    doc_lang = _document_language(source, "\n\n".join(texts), lang, supported)
    candidates = language.segment_candidates(supported, doc_lang)
    paragraph_kinds = kinds.classify(texts, headings)
    paragraphs: list[ParagraphSpan] = []
    sentence_index = 0
    for index, (para, para_text, kind) in enumerate(zip(raw, texts, paragraph_kinds, strict=True)):
        sentences = _sentences(text, para, doc_lang, candidates, first_index=sentence_index)
        sentence_index += len(sentences)
        paragraphs.append(
            ParagraphSpan(
                index=index,
                text=para_text,
                kind=kind,
                lang=_paragraph_language(sentences, doc_lang),
                start=para.span.start,
                end=para.span.end,
                sentences=tuple(sentences),
            )
        )
    digest = hashlib.sha256("\n\n".join(texts).encode("utf-8")).hexdigest()
    doc = ParsedDocument(
        source=source,
        title=_title(title, page_title, paragraphs),
        lang=doc_lang,
        original=text,
        content_hash=digest,
        paragraphs=tuple(paragraphs),
    )
    log.info(
        "parsed %s: %s, %d paragraphs, %d sentences", source, doc_lang, len(raw), sentence_index
    )
    return doc


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
        code = lang.strip().lower()
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
