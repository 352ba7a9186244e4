"""run_checks: every check over a story's paragraphs and links, as one review queue."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from types import MappingProxyType

from app.align.encoder import Encoder
from app.checks.divergence import check_divergence
from app.checks.language import check_language
from app.checks.model import CheckLink, CheckPair, CheckParagraph, Corpus, Finding
from app.checks.names import check_names
from app.checks.numbers import check_numbers
from app.checks.omissions import check_omissions

log = logging.getLogger(__name__)

_NO_MARKS: Mapping[tuple[int, int], str] = MappingProxyType({})


def run_checks(
    paragraphs: Sequence[CheckParagraph],
    links: Sequence[CheckLink],
    pairs: Sequence[CheckPair],
    *,
    encoder: Encoder | None = None,
    marks: Mapping[tuple[int, int], str] = _NO_MARKS,
) -> list[Finding]:
    """Run every check; findings sorted by severity (highest first), then by place.

    Args:
        paragraphs: the story's paragraphs, all documents together.
        links: alignment links; rejected ones are ignored, related ones only soften omissions.
        pairs: how each pair of documents relates (translation, partial, comparable).
        encoder: the sentence encoder; without it divergence keeps only its lexical and
            length signals.
        marks: editor marks per (document, paragraph), "not_translated" or "added": such
            omissions and additions are still listed, as confirmed and at low severity.
    """
    corpus = Corpus(paragraphs, links, pairs)
    findings = [
        *check_numbers(corpus),
        *check_omissions(corpus, marks),
        *check_language(corpus),
        *check_divergence(corpus, encoder),
        *check_names(corpus),
    ]
    findings.sort(key=lambda f: (-f.severity, f.document, f.paragraph, f.check, f.detail))
    log.info(
        "checks: %d findings on %d paragraphs, %d links", len(findings), len(paragraphs), len(links)
    )
    return findings
