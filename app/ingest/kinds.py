"""Paragraph kinds of plain text: text (body prose), heading, caption, boilerplate.

A small rule-based classifier over paragraph shape (length, lines, final punctuation, case)
and short multilingual cue words that pages put on their furniture. Rules are tried in the
order boilerplate, caption, heading; whatever matches none is text. Only short paragraphs are
ever taken out of the body, so a rule that misfires costs a caption or a button, not an
article paragraph.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

from app.ingest.script import ends_with_terminal, words

# What a paragraph is, for the reader (which renders each kind its own way) and the aligner
# (which never aligns code). The plain-text rules here give the first four; Markdown, EPUB and
# HTML structure gives list, code, quote and table.
KINDS = ("text", "heading", "caption", "boilerplate", "list", "code", "quote", "table")

_FLAGS = re.I | re.U
_WORD = re.compile(r"[^\W\d_]+", _FLAGS)
_SENTENCE_END = ".!?…;,:。！？"

# Share buttons and the names that follow them ('Share on Facebook', 'Partager : Twitter').
_SHARE = frozenset(
    """share partager teilen compartir condividi compartilhar partilhar delen udostępnij
    paylaş поделиться поділитися 分享 シェア 共有 공유 مشاركة bagikan sdílet megosztás""".split()
)
_SHARE_FILLER = frozenset(
    """this article story page post on via sur auf en su em op na link lien le la ce cet cette
    diesen artikel copy copier kopieren print imprimer drucken email mail e facebook twitter x
    linkedin whatsapp telegram reddit pinterest messenger threads bluesky mastodon line""".split()
)
_SOCIAL = frozenset("facebook twitter x linkedin whatsapp telegram reddit pinterest email".split())

# Headers of lists of links to other articles.
_RELATED = re.compile(
    r"^(related( coverage| articles?| stories| news| content| reading)?|read (more|also|next)"
    r"|see also|more on this( story| topic)?|more from|recommended|you may also like"
    r"|(à )?lire (aussi|également)|voir aussi|sur le même sujet|à voir aussi"
    r"|lesen sie auch|mehr zum thema|siehe auch|weitere artikel|das könnte sie auch interessieren"
    r"|leer más|lee también|ver también|noticias relacionadas|leia (mais|também)|veja também"
    r"|leggi anche|vedi anche|baca juga|berita terkait|lees ook|zie ook|czytaj (też|także)"
    r"|читайте также|ayrıca okuyun)\b\s*[:：]?",
    _FLAGS,
)
_COPYRIGHT = re.compile(
    r"^(©|\(c\)\s|copyright\b)|all rights reserved|tous droits réservés|alle rechte vorbehalten"
    r"|todos los derechos reservados|tutti i diritti riservati|todos os direitos reservados"
    r"|hak cipta dilindungi",
    _FLAGS,
)
# A machine-translation notice names both an automatic process and translating.
_AUTOMATIC = re.compile(
    r"\b(automatic(ally)?|machine|automatique(ment)?|automatisch|maschinell"
    r"|automátic[ao]|automáticamente|automatic[ao]|automaticamente|otomatis)\b",
    _FLAGS,
)
# Case-sensitive: 'ai' in "j'ai" is not artificial intelligence.
_AI = re.compile(r"\b(AI|IA|KI)\b")
_TRANSLATING = re.compile(r"translat|tradu|übersetz|traduz|vertaal|terjemah|tłumacz", _FLAGS)

# Captions: a picture cue at the start of a line, or a credit in parentheses after the last
# sentence of a line ('... in Kyiv. (Wikimedia Commons/Vasyatka1)', '... 2022. (Kyodo)').
_PICTURE_CUE = re.compile(
    r"^(file photo|photo d'archive|archivbild|archivfoto|symbolbild|illustrationsbild"
    r"|(photos?|fotos?|image|images|bild|picture|illustration|credit|crédit|caption|légende"
    r"|bildunterschrift|screenshot|capture d'écran|video|vidéo)"
    r"\s*([:/|—–-]|\b(of|de|du|des|d'|von|vom|der|shows|showing|taken)\b))",
    _FLAGS,
)
_CREDIT = re.compile(r"[.!?…][\"'»”’]?\s*\(([^()]{2,120})\)\s*\S{0,30}$", _FLAGS)
# A paragraph that is only a Markdown image: a picture, not a heading.
_IMAGE = re.compile(r"^!\[[^\]]*\]\([^)]*\)$")
_PUNCTUATION_MIN_PARAGRAPHS = 3
_LONG_PARAGRAPH_WORDS = 8
_UNPUNCTUATED_HEADING_SHARE = 0.5
_CAPTION_MAX_WORDS = 60
_HEADING_MAX_WORDS = 12
_HEADING_MAX_CHARS = 100
_LINK_TITLE_MAX_WORDS = 20
_NOTICE_MAX_WORDS = 80
# Site notices (share bars, disclaimers) sit at the top or the bottom of an article.
_NOTICE_EDGE = 3


def _words(text: str) -> list[str]:
    return [word.lower() for word in _WORD.findall(text)]


def _is_share(text: str) -> bool:
    words = _words(text)
    if not words or len(words) > 8:
        return False
    if words[0] in _SHARE:
        return all(word in _SHARE_FILLER for word in words[1:])
    return len(words) >= 2 and all(word in _SOCIAL for word in words)


def _is_related_header(text: str) -> bool:
    match = _RELATED.match(text)
    if not match:
        return False
    rest = text[match.end() :].strip()
    # 'Read more' alone, or 'Read more: <a headline>' on one line.
    return not rest or (text[match.end() - 1] in ":：" and _is_link_title(rest))


def _is_link_title(text: str) -> bool:
    text = text.lstrip("-•*·–— ")
    return (
        "\n" not in text
        and 0 < len(text.split()) <= _LINK_TITLE_MAX_WORDS
        and text[-1] not in ".!?…"
    )


def _is_notice(text: str, index: int, count: int) -> bool:
    near_edge = index < _NOTICE_EDGE or index >= count - _NOTICE_EDGE
    if not near_edge or len(text.split()) > _NOTICE_MAX_WORDS:
        return False
    if _COPYRIGHT.search(text):
        return True
    automatic = _AUTOMATIC.search(text) or _AI.search(text)
    return bool(automatic and _TRANSLATING.search(text))


def _is_credit(inner: str) -> bool:
    """'Kyodo', 'Wikimedia Commons/Vasyatka1', 'AP Photo/...': names, not a remark."""
    if "/" in inner or "©" in inner or re.search(r"\b(photo|foto|credit)\b", inner, _FLAGS):
        return True
    words = inner.split()
    return len(words) <= 5 and all(word[:1].isupper() for word in words)


def _is_caption(text: str) -> bool:
    if _IMAGE.match(text):
        return True
    if len(text.split()) > _CAPTION_MAX_WORDS:
        return False
    for line in text.split("\n"):
        if _PICTURE_CUE.match(line):
            return True
        credit = _CREDIT.search(line)
        if credit and _is_credit(credit.group(1)):
            return True
    return False


def _is_heading(text: str, max_chars: float = _HEADING_MAX_CHARS) -> bool:
    if text.startswith("#") and text.lstrip("#").startswith(" "):
        return True  # a Markdown heading
    letters = [ch for ch in text if ch.isalpha()]
    return (
        "\n" not in text
        and bool(letters)
        and len(text) <= max_chars
        and not _IMAGE.match(text)
        and not ends_with_terminal(text)
        and text[-1] not in _SENTENCE_END + "\"'»”’"
        and (letters[0].isupper() or not letters[0].islower())
        # ICU's words, so that Thai or Chinese written without spaces is counted right
        and len(words(text)) <= _HEADING_MAX_WORDS
    )


def _heading_max_chars(texts: Sequence[str]) -> float:
    """How long a heading may be in this document.

    Where most paragraphs end in punctuation, a short line without it is a heading. In a
    document whose paragraphs mostly do not (Thai marks no sentence end; lists of lines), a
    missing full stop says nothing, so a heading must also be much shorter than the
    document's typical paragraph.
    """
    long = [t for t in texts if len(words(t)) >= _LONG_PARAGRAPH_WORDS]
    if len(long) < _PUNCTUATION_MIN_PARAGRAPHS:
        return _HEADING_MAX_CHARS
    ended = sum(ends_with_terminal(t.rstrip("\"'»”’)")) for t in long)
    if ended * 2 >= len(long):
        return _HEADING_MAX_CHARS
    return min(_HEADING_MAX_CHARS, _UNPUNCTUATED_HEADING_SHARE * statistics.median(map(len, texts)))


def classify(
    texts: Sequence[str],
    headings: frozenset[str] = frozenset(),
    fixed: Sequence[str | None] | None = None,
) -> list[str]:
    """The kind of each normalized paragraph text, in order.

    Args:
        texts: the paragraphs of one document.
        headings: texts the source itself marks as headings.
        fixed: kinds the source itself gives (Markdown, HTML, EPUB structure), None where
            the rules decide; a list under a 'Related articles' header is still boilerplate.
    """
    fixed = fixed or [None] * len(texts)
    kinds: list[str] = []
    heading_chars = _heading_max_chars([t for t, f in zip(texts, fixed, strict=True) if not f])
    in_related_list = False
    for index, (text, given) in enumerate(zip(texts, fixed, strict=True)):
        if in_related_list and (given == "list" or (not given and _is_link_title(text))):
            kinds.append("boilerplate")
            continue
        in_related_list = False
        if given:
            in_related_list = given == "heading" and _is_related_header(text)
            kinds.append("boilerplate" if in_related_list else given)
            continue
        first_line = text.split("\n", 1)[0]
        if _is_related_header(first_line):
            in_related_list = True
            kinds.append("boilerplate")
        elif _is_share(text) or _is_notice(text, index, len(texts)):
            kinds.append("boilerplate")
        elif _is_caption(text):
            kinds.append("caption")
        elif text in headings or _is_heading(text, heading_chars):
            kinds.append("heading")
        else:
            kinds.append("text")
    return kinds
