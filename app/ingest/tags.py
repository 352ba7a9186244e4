"""A document's BCP 47 tag: its language with the script or region where the text says so.

Processing keys on the language alone (`Document.lang`, ISO 639-1: the encoders, checks and
word lists do not tell Brazilian from European Portuguese); what readers see and what is
exported keeps the variant (`Document.tag`): two Chinese columns read "Chinese (Simplified)"
and "Chinese (Traditional)", not "Chinese" twice.

Where a variant comes from, first found wins:

1. the language the uploader gave, when it is a tag (`pt-BR`, `zh-Hant`, `zh-TW`);
2. the document's own declaration: `<html lang="...">` (or `xml:lang`) of an HTML page, a
   `lang:` / `language:` / `locale:` line of Markdown front matter;
3. the source's path, where sites keep their translations (`zh-tw/…`, `pt-BR_index.md`,
   `pt-br--about.md`): a segment (or a file name's leading part) that is a tag with a region or
   script, of the language the text was found to be in;
4. for Chinese only, the characters themselves: Traditional or Simplified forms
   (hanzidentifier); text whose characters are the same in both stays `zh`.

A declared variant of another language than the one found in the text is ignored: the text
decides the language, the declaration only refines it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

import hanzidentifier
import langcodes

MAX_TAG_LENGTH = 35  # the column's size; BCP 47 recommends supporting at least 35

# `<html lang="zh-Hant">`, `<html xml:lang='pt-BR'>`: the first html element's attribute.
_HTML_LANG = re.compile(
    r"<html\b[^>]*?\b(?:xml:)?lang\s*=\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)",
    re.IGNORECASE,
)
# A front-matter line naming the page's language.
_FRONT_LANG = re.compile(
    r"^(?:lang|language|locale)\s*:\s*[\"']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*)[\"']?\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\n(.*?\n)(?:---|\.\.\.)[ \t]*\n", re.DOTALL)
# Path parts that may be a tag: folders, and a file name's part before `--`, `_` or `.`.
_PATH_PARTS = re.compile(r"[/\\]")
_NAME_LEAD = re.compile(r"^([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,4})?)(?:--|[._ ])")


def language_of_tag(tag: str) -> str:
    """The language subtag of a tag, lower-cased: 'pt-BR' -> 'pt', 'zh_Hant' -> 'zh'."""
    return tag.strip().replace("_", "-").split("-")[0].lower()


def declared_tag(text: str, fmt: str) -> str | None:
    """The language tag an HTML page or a Markdown file declares for itself, if any."""
    if fmt == "html":
        found = _HTML_LANG.search(text[:20_000])
        return found.group(1) if found else None
    if fmt == "markdown":
        front = _FRONT_MATTER.match(text)
        found = _FRONT_LANG.search(front.group(1)) if front else None
        return found.group(1) if found else None
    return None


def path_tags(source: str) -> list[str]:
    """Candidate tags in a source's path: folder names and a file name's leading part."""
    path = urlsplit(source).path if "://" in source else source
    parts = [p for p in _PATH_PARTS.split(path) if p]
    found = parts[:-1]
    if parts:
        lead = _NAME_LEAD.match(parts[-1])
        if lead:
            found.append(lead.group(1))
    return found


def document_tag(
    lang: str,
    text: str,
    *,
    given: str | None = None,
    declared: str | None = None,
    source: str = "",
) -> str:
    """The BCP 47 tag of a document found to be in `lang` (ISO 639-1); see the module."""
    for candidate in _candidates(given, declared, path_tags(source)):
        tag = _variant_of(candidate, lang)
        if tag is not None:
            return tag
    if lang == "zh":
        return _chinese_by_characters(text)
    return lang


def _candidates(given: str | None, declared: str | None, in_path: list[str]) -> Iterable[str]:
    if given:
        yield given
    if declared:
        yield declared
    yield from in_path


def _variant_of(candidate: str, lang: str) -> str | None:
    """`candidate` as a normalised tag when it is a variant (script or region) of `lang`."""
    try:
        parsed = langcodes.Language.get(candidate.strip().replace("_", "-"))
    except (ValueError, LookupError):
        return None
    if parsed.language != lang or not (parsed.script or parsed.territory):
        return None
    if lang == "zh":  # Chinese varies by script: zh-TW and zh-HK are written in Hant
        script = parsed.script or parsed.maximize().script
        return f"zh-{script}" if script in ("Hans", "Hant") else None
    if parsed.script and parsed.script == langcodes.Language.get(lang).maximize().script:
        parsed = parsed.update_dict({"script": None})  # en-Latn says no more than en
    tag = parsed.to_tag()
    return tag if tag != lang and len(tag) <= MAX_TAG_LENGTH else None


def _chinese_by_characters(text: str) -> str:
    kind = hanzidentifier.identify(text)
    if kind == hanzidentifier.TRADITIONAL:
        return "zh-Hant"
    if kind == hanzidentifier.SIMPLIFIED:
        return "zh-Hans"
    if kind == hanzidentifier.MIXED:  # both kinds of forms: whichever most characters take
        trad = sum(hanzidentifier.is_traditional(ch) and not hanzidentifier.is_simplified(ch)
                   for ch in text)  # fmt: skip
        simp = sum(hanzidentifier.is_simplified(ch) and not hanzidentifier.is_traditional(ch)
                   for ch in text)  # fmt: skip
        if trad != simp:
            return "zh-Hant" if trad > simp else "zh-Hans"
    return "zh"
