"""Wrong language: a paragraph, or a line or sentence in it, not in its document's language.

The languages come from ingest (per sentence and per paragraph), so this check only reads
them: an untranslated line left in a machine translation ('Partager:'), a caption's tag line
in the outlet's language, a quote kept in the original.
"""

from __future__ import annotations

import logging

from app.checks.model import Corpus, Finding, shorten
from app.checks.text import language_name

log = logging.getLogger(__name__)

SEVERITY = {"text": 0.7, "heading": 0.6, "caption": 0.5, "boilerplate": 0.45, "list": 0.6,
            "quote": 0.6, "table": 0.5}  # fmt: skip
# Code is in no human language: never a wrong-language finding.
SKIPPED_KINDS = frozenset({"code"})
# A foreign sentence inside a paragraph in the right language is a smaller slip.
LINE_FACTOR = 0.85
QUOTE_CHARS = 60


def check_language(corpus: Corpus) -> list[Finding]:
    """One `wrong_language` finding per paragraph that is, or holds a line, in another language."""
    findings: list[Finding] = []
    for (doc, index), para in sorted(corpus.paragraphs.items()):
        if para.kind in SKIPPED_KINDS:
            continue
        severity = SEVERITY.get(para.kind, 0.5)
        if para.lang and para.lang != para.doc_lang:
            detail = (
                f"{para.kind} in {language_name(para.lang)} ({para.lang}) in a "
                f"{language_name(para.doc_lang)} document: “{shorten(para.text, QUOTE_CHARS)}”"
            )
            findings.append(Finding("wrong_language", doc, index, None, detail, severity))
            continue
        foreign = [
            (text, lang)
            for text, lang in zip(para.sentences, para.sentence_langs, strict=False)
            if lang and lang != para.doc_lang
        ]
        if not foreign:
            continue
        quoted = "; ".join(
            f"{language_name(lang)} ({lang}) “{shorten(text, QUOTE_CHARS)}”"
            for text, lang in foreign
        )
        detail = f"{len(foreign)} of {len(para.sentences)} lines not in {para.doc_lang}: {quoted}"
        findings.append(
            Finding("wrong_language", doc, index, None, detail, round(severity * LINE_FACTOR, 3))
        )
    log.debug("wrong_language: %d findings", len(findings))
    return findings
