"""Names people understand: language names and directions (Babel), sources, machine translation."""

import re
from functools import lru_cache
from urllib.parse import urlparse

from babel import Locale, UnknownLocaleError

# Disclosures that a text was machine translated, in the words publishers use for it. A pattern
# per language family rather than a list of known sites, so unseen documents are caught too.
_MT_DISCLOSURE = re.compile(
    r"machine[- ]translat|automatically (?:generated|translated)|(?:generated|translated) "
    r"(?:automatically|by (?:an |the )?(?:ai|machine|artificial intelligence))|"
    r"traduction automatique|traduit automatiquement|(?:générée?s?|traduite?s?) par (?:l')?ia|"
    r"maschinell übersetzt|automatisch übersetzt|maschinelle übersetzung|"
    r"traducción automática|traducido automáticamente|traduzione automatica|"
    r"tradução automática|machinaal vertaald|"
    r"機械翻訳|自動翻訳|机器翻译|機器翻譯|自动翻译|الترجمة الآلية|ترجمة آلية|תרגום מכונה",
    re.IGNORECASE,
)


@lru_cache(maxsize=256)
def _locale(code: str | None) -> Locale | None:
    if not code:
        return None
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


@lru_cache(maxsize=1024)
def language_name(code: str | None, *, in_lang: str = "en") -> str:
    """'de' → 'German'; an unknown code is shown as it is."""
    loc = _locale(code)
    if loc is None:
        return code or "unknown language"
    name = loc.get_display_name(in_lang) or code or ""
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=512)
def autonym(code: str | None) -> str:
    """'de' → 'Deutsch': the language's name for itself."""
    loc = _locale(code)
    name = (loc.get_display_name() if loc else None) or code or ""
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=512)
def text_direction(code: str | None) -> str:
    """'rtl' for Arabic, Hebrew, Persian, Urdu...; 'ltr' otherwise (and when unknown)."""
    loc = _locale(code)
    return loc.text_direction if loc is not None else "ltr"


@lru_cache(maxsize=4096)
def source_label(source: str) -> str:
    """A URL's host, or a file name without its folders and extension."""
    parsed = urlparse(source)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        return parsed.netloc.removeprefix("www.")
    name = source.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = name.rpartition(".")
    return stem if dot and stem and len(ext) <= 5 else name


def machine_translation_note(texts: list[str]) -> str | None:
    """The sentence in which a document says it was machine translated, if it does."""
    for text in texts:
        match = _MT_DISCLOSURE.search(text)
        if match:
            start = max(text.rfind(".", 0, match.start()) + 1, 0)
            end = text.find(".", match.end())
            return text[start : end + 1 if end >= 0 else len(text)].strip()
    return None


class DocLabel:
    """How a column introduces its document.

    The machine-translation note is stored at ingest (`Document.mt_note`) and passed as
    `note`; `texts` finds it here instead, for documents that are not stored (exports).
    """

    def __init__(
        self,
        *,
        lang: str,
        source: str,
        title: str,
        texts: list[str] | None = None,
        note: str | None = None,
    ) -> None:
        self.lang_name = language_name(lang)
        self.autonym = autonym(lang)
        self.dir = text_direction(lang)
        self.source = source_label(source)
        self.title = title
        self.machine_translation = note if texts is None else machine_translation_note(texts)
