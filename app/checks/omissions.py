"""Omissions and additions: paragraphs with no translation in the other version.

For each pair of kind translation or partial, a prose paragraph (text, heading, list, quote,
table) of the source with no translation link to the target is an `omission` (the target
lacks it), and one of the target with no translation link to the source is an `addition`.
An addition is reported once per paragraph, naming every source it is missing from.
Captions and boilerplate are page furniture: not reported. Comparable pairs share facts,
not paragraphs: not checked.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from app.checks.model import TEXT_KINDS, Corpus, Finding, label, marked, shorten
from app.paranum import para_no, para_nos
from app.statuses import TRANSLATED_KINDS

log = logging.getLogger(__name__)

SEVERITY = {"text": 0.7, "heading": 0.4, "list": 0.6, "quote": 0.6, "table": 0.5}
# A related link means the other version carries similar facts, told its own way.
RELATED_FACTOR = 0.5
# An addition is often deliberate (an outlet's own context); an omission rarely is.
ADDITION_FACTOR = 0.7
CONFIRMED_SEVERITY = 0.1


def check_omissions(corpus: Corpus, marks: Mapping[tuple[int, int], str]) -> list[Finding]:
    """`omission` findings on source paragraphs and `addition` findings on target ones."""
    findings: list[Finding] = []
    additions: dict[tuple[int, int], list[int]] = {}
    for pair in corpus.pairs:
        if pair.kind not in TRANSLATED_KINDS:
            continue
        linked = _linked(corpus, pair.source, pair.target)
        for (doc, index), para in sorted(corpus.paragraphs.items()):
            if para.kind not in TEXT_KINDS or (doc, index) in linked:
                continue
            if doc == pair.source:
                findings.append(_omission(corpus, marks, doc, index, pair.target))
            elif doc == pair.target:
                additions.setdefault((doc, index), []).append(pair.source)
    for (doc, index), sources in sorted(additions.items()):
        findings.append(_addition(corpus, marks, doc, index, sources))
    log.debug("omissions: %d findings over %d pairs", len(findings), len(corpus.pairs))
    return findings


def _linked(corpus: Corpus, a: int, b: int) -> set[tuple[int, int]]:
    """Paragraphs of documents a and b that have a translation link between them."""
    out: set[tuple[int, int]] = set()
    for group in corpus.groups:
        if {group.a_doc, group.b_doc} == {a, b}:
            out.update((group.a_doc, i) for i in group.a_paras)
            out.update((group.b_doc, i) for i in group.b_paras)
    return out


def _related(corpus: Corpus, doc: int, index: int, other: int) -> tuple[int, ...]:
    """Paragraphs of `other` that a related link ties to (doc, index)."""
    out: set[int] = set()
    for link in corpus.links:
        if link.relation != "related":
            continue
        if link.source_document == doc and link.target_document == other:
            if index in link.source_paragraphs:
                out.update(link.target_paragraphs)
        elif link.target_document == doc and link.source_document == other:
            if index in link.target_paragraphs:
                out.update(link.source_paragraphs)
    return tuple(sorted(out))


def _omission(
    corpus: Corpus,
    marks: Mapping[tuple[int, int], str],
    doc: int,
    index: int,
    target: int,
) -> Finding:
    para = corpus.paragraphs[(doc, index)]
    severity = SEVERITY.get(para.kind, 0.5)
    detail = f"not in {label(corpus, target)}"
    place = _between(corpus, doc, index, target)
    if place:
        detail += f" (would come {place})"
    related = _related(corpus, doc, index, target)
    if related:
        detail += f"; only related to {para_nos(related)}"
        severity *= RELATED_FACTOR
    mark = marked(marks, doc, index)
    if mark:
        detail += f"; confirmed by an editor ({mark})"
        severity = CONFIRMED_SEVERITY
    detail += f": “{shorten(para.text, 70)}”"
    return Finding("omission", doc, index, (target, ()), detail, round(severity, 3))


def _addition(
    corpus: Corpus, marks: Mapping[tuple[int, int], str], doc: int, index: int, sources: list[int]
) -> Finding:
    para = corpus.paragraphs[(doc, index)]
    severity = SEVERITY.get(para.kind, 0.5) * ADDITION_FACTOR
    names = ", ".join(label(corpus, s) for s in sources)
    detail = f"no counterpart in {names}"
    related = [(s, r) for s in sources if (r := _related(corpus, doc, index, s))]
    if related:
        detail += "; only related to " + ", ".join(label(corpus, s, r) for s, r in related)
        severity *= RELATED_FACTOR
    mark = marked(marks, doc, index)
    if mark:
        detail += f"; confirmed by an editor ({mark})"
        severity = CONFIRMED_SEVERITY
    detail += f": “{shorten(para.text, 70)}”"
    counterpart = (sources[0], ()) if len(sources) == 1 else None
    return Finding("addition", doc, index, counterpart, detail, round(severity, 3))


def _between(corpus: Corpus, doc: int, index: int, target: int) -> str:
    """Where the missing paragraph would sit in the target: 'between ¶25 and ¶26'."""
    before = after = None
    for group in corpus.groups:
        if {group.a_doc, group.b_doc} != {doc, target}:
            continue
        mine, theirs = group.side(doc), group.other(doc)[1]
        if not theirs:
            continue
        if max(mine) < index and (before is None or max(mine) > before[0]):
            before = (max(mine), max(theirs))
        if min(mine) > index and (after is None or min(mine) < after[0]):
            after = (min(mine), min(theirs))
    if before and after:
        return f"between {para_no(before[1])} and {para_no(after[1])}"
    if before:
        return f"after {para_no(before[1])}"
    if after:
        return f"before {para_no(after[1])}"
    return ""
