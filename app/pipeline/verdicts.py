"""The pair alignment that confirms a grouping join, kept to be stored when the join happens.

Grouping's paragraph evidence finds the story a document most likely belongs to; the
aligner then judges the pair (the document and that story's best candidate) as a whole:
`translation` or `partial` confirm the join; `comparable` confirms it only as a report of
the same event, when enough of the shorter text is tied to the other by related links that
share a fact (a number, or two names together: `_is_fact`). A translation whose linked
paragraphs carry other figures is one template filled twice (`_figures_differ`); within one
language a single such pair is enough, and a shared "fact" that comes with figures each side
lacks is that template too (`_contradicted`). On a real site's pages the aligner
called every same-page pair translation/partial and every different-page pair comparable
(issue 21), where the vector evidence could not tell pages on one subject apart.

The plan of a confirming alignment is written when the document joins (`apply_verified`),
so the pair is not aligned twice.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from typing import Any

from sqlmodel import Session, col, select

from app.align.anchors import shared_evidence
from app.align.encoder import Encoder
from app.checks.numbers import extract, word_values
from app.ingest.normal import normalised
from app.models import Document, Paragraph
from app.pipeline.alignment import PairPlan, PairReport, apply_pair, plan_pair
from app.pipeline.grouping import GroupingResult, Verdict, linkable_paragraphs
from app.statuses import TRANSLATED_KINDS, Relation

log = logging.getLogger(__name__)

# A comparable pair is a report of the same event when related links that share a fact
# reach this share of the shorter document's linkable paragraphs (the seeds' separate
# report: 2 of 9 paragraphs, .22; two pages of one site: none).
SAME_EVENT_SHARE = 0.2
# A translation keeps its figures. When at least FIGURES_MIN translation links carry numbers
# on both sides and in this share of them each side has a number the other lacks (a changed
# figure, not a dropped one), the pair is one template filled with other figures (two
# release notes, two monthly reports), not one text.
FIGURES_DIFFER = 0.5
FIGURES_MIN = 3
# Within one language both sides' numbers are read the same way, so a changed figure is never
# a reading artefact: one linked pair of paragraphs with numbers is enough to judge (two
# release notes in English share their template, and only their header and lists carry
# numbers, all of them different; a revised article keeps most of its figures).
FIGURES_MIN_ONE_LANGUAGE = 1
DIGITS = re.compile(r"\d+")


class Verifier:
    """Aligns a document with grouping's candidates, remembering each plan (so a decision
    taken again under the grouping lock does not align again)."""

    def __init__(self, encoder: Encoder, document_id: int) -> None:
        self.encoder = encoder
        self.document_id = document_id
        self.plans: dict[int, PairPlan] = {}
        self.verdicts: dict[int, Verdict] = {}

    def bind(self, session: Session) -> _Bound:
        """The `verify` callable `grouping.decide` takes, reading through `session`."""
        return _Bound(self, session)

    def verdict(self, session: Session, other_id: int) -> Verdict:
        """The pair alignment's verdict on the document and `other_id` (aligned once)."""
        if other_id in self.verdicts:
            return self.verdicts[other_id]
        doc, other = session.get(Document, self.document_id), session.get(Document, other_id)
        if doc is None or other is None:
            return Verdict(other_id, "gone", 0.0, False)
        source, target = (doc, other) if (doc.id or 0) < (other.id or 0) else (other, doc)
        plan = plan_pair(session=session, encoder=self.encoder, source=source, target=target)
        related = _same_event_share(session, plan, source, target)
        differ = _figures_differ(session, plan, source, target)
        joins = (plan.kind in TRANSLATED_KINDS and differ < FIGURES_DIFFER) or (
            related >= SAME_EVENT_SHARE
        )
        verdict = Verdict(other_id, plan.kind, plan.score, joins, round(related, 4))
        log.info(
            "document %s with %s: %s (score %.3f, related %.2f, figures differ %.2f) -> %s",
            self.document_id,
            other_id,
            plan.kind,
            plan.score,
            related,
            differ,
            "joins" if joins else "refuted",
        )
        self.plans[other_id] = plan
        self.verdicts[other_id] = verdict
        return verdict


class _Bound:
    def __init__(self, verifier: Verifier, session: Session) -> None:
        self.verifier, self.session = verifier, session

    def __call__(self, other_id: int) -> Verdict:
        return self.verifier.verdict(self.session, other_id)


def _same_event_share(
    session: Session, plan: PairPlan, source: Document, target: Document
) -> float:
    """For a comparable pair: the share of the shorter document's linkable paragraphs in
    related links that share a fact (`_is_fact` of `shared_evidence`) and are not the same
    text (a footer or heading both pages carry is no fact of an event)."""
    if plan.kind != "comparable":
        return 0.0
    src, tgt = _texts(session, source), _texts(session, target)
    shorter = min(
        len(linkable_paragraphs(session, source)), len(linkable_paragraphs(session, target))
    )
    related = [(lk.src[0], lk.tgt[0]) for lk in plan.links if lk.relation == Relation.RELATED]
    if not related or shorter == 0:
        return 0.0
    evidence = shared_evidence(src, tgt, related)
    one_language = source.lang == target.lang
    facts = [
        (i, j)
        for (i, j), ev in zip(related, evidence, strict=True)
        if _is_fact(ev)
        and normalised(src[i]) != normalised(tgt[j])
        and not (one_language and _contradicted(src[i], tgt[j]))
    ]
    log.debug("same-event facts %s of related %s", facts, related)
    return min(len({i for i, _ in facts}), len({j for _, j in facts})) / shorter


def _figures_differ(session: Session, plan: PairPlan, source: Document, target: Document) -> float:
    """Of the translation links with numbers on both sides, the share where each side has a
    number the other lacks (0 when fewer than FIGURES_MIN links carry numbers on both sides).
    Numbers are read per language (`60 000`, `60.000` and `60,000` are one number), and across
    languages a number one side writes in words is not missing from it."""
    if plan.kind not in TRANSLATED_KINDS:
        return 0.0
    src, tgt = _texts(session, source), _texts(session, target)
    one_language = source.lang == target.lang
    numeric = differing = 0
    mine: set[Any]
    other: set[Any]
    for link in plan.links:
        if link.relation != Relation.TRANSLATION:
            continue
        ours, theirs = (" ".join(src[i] for i in link.src), " ".join(tgt[j] for j in link.tgt))
        if one_language:
            mine, other = _digits(ours), _digits(theirs)
        else:
            mine, other = _values(ours, source.lang), _values(theirs, target.lang)
        if mine and other:
            numeric += 1
            if one_language:
                differing += _each_lacks(mine, other)
            else:  # "seven centimeters" covers "7cm", "November" covers "11月"
                here = mine - other - word_values(theirs, target.lang)
                there = other - mine - word_values(ours, source.lang)
                differing += bool(here) and bool(there)
    least = FIGURES_MIN_ONE_LANGUAGE if one_language else FIGURES_MIN
    return differing / numeric if numeric >= least else 0.0


def _contradicted(ours: str, theirs: str) -> bool:
    """Whether each of two paragraphs in one language has a number the other lacks: what they
    share then is a template filled twice ("2025-10-15, Version 25.0.0" and "2025-10-28,
    Version 25.1.0" share a year, a month and a word), not a fact both report. In one language
    a number is written alike on both sides, so every run of digits counts, those in links
    and file names too ("node-v24.8.0-x64.msi")."""
    return _each_lacks(_digits(ours), _digits(theirs))


def _each_lacks(mine: set[Any], other: set[Any]) -> bool:
    """Whether each side has a figure the other lacks (a changed figure, not a dropped one)."""
    return bool(mine - other) and bool(other - mine)


def _digits(text: str) -> set[str]:
    return set(DIGITS.findall(text))


def _values(text: str, lang: str) -> set[object]:
    """The values a text's numbers may stand for, with and without their scale word: one
    language reads "3K" as 3,000 where another has no such abbreviation and reads 3 (the
    same "3K glasses" in a MAC-Dev chapter and its Chinese original)."""
    return {v for number in extract(text, lang) for v in (*number.values, *number.base)}


def _is_fact(evidence: tuple[str, ...]) -> bool:
    """Whether what two paragraphs share is a fact of an event: a number, or two names
    together ("Cabinet Secretary Hirokazu Matsuno", "60 000"). One name alone ("GitHub",
    "URL") is what any two pages on one subject share."""
    return len(evidence) >= 2 or any(ch.isdigit() for item in evidence for ch in item)


def _texts(session: Session, doc: Document) -> list[str]:
    rows = session.exec(
        select(Paragraph.text).where(Paragraph.document_id == doc.id).order_by(col(Paragraph.index))
    ).all()
    return list(rows)


def apply_verified(
    session: Session, verifier: Verifier, result: GroupingResult, story_id: int
) -> list[PairReport]:
    """Write the confirming alignment of the document that joined `story_id` (no commit);
    returns its report (none when the document did not join on a verified candidate)."""
    chosen = result.candidates[0] if result.story_id is not None and result.candidates else None
    if chosen is None or chosen.document not in verifier.plans:
        return []
    if not verifier.verdicts[chosen.document].joins:
        return []
    report = apply_pair(session, replace(verifier.plans[chosen.document], story_id=story_id))
    return [] if report is None else [report]  # None: an editor changed the pair meanwhile
