"""Short texts are judged among many languages without keeping every language's full models."""

from __future__ import annotations

import pytest

from app.ingest import SUPPORTED_LANGUAGES, detectors, parse_text
from app.ingest.language import document_language, segment_candidates, segment_language
from app.ingest.script import letter_count


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Kaupunki avasi maanantaina uuden kirjaston keskustaan.", "fi"),
        ("Kommunen öppnade ett nytt bibliotek i måndags.", "sv"),
        ("Watoto wanaenda shuleni kila asubuhi na kujifunza kusoma.", "sw"),
        ("Der Gemeinderat hat am Dienstag das neue Budget beschlossen.", "de"),
    ],
)
def test_a_short_document_in_a_rare_language_is_still_named(text: str, lang: str) -> None:
    assert len(text) < detectors.TRIGRAM_LETTERS
    assert document_language(text, SUPPORTED_LANGUAGES) == lang


def test_a_short_document_is_scored_in_full_among_its_shortlist_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scored: list[frozenset[str]] = []
    full = detectors.confidences

    def spy(text: str, codes: frozenset[str]) -> dict[str, float]:
        scored.append(codes)
        return full(text, codes)

    monkeypatch.setattr(detectors, "confidences", spy)
    common = frozenset({"de", "en", "fr"})
    codes = detectors.all_codes()
    text = "Kommunen öppnade ett nytt bibliotek i måndags."
    found = detectors.document_confidences(text, codes, 40, common)
    assert max(found, key=found.__getitem__) == "sv"
    (shortlist,) = scored
    assert common <= shortlist and "sv" in shortlist
    assert len(shortlist) <= len(common) + detectors.SHORTLIST
    assert set(found) == set(codes)  # the others score 0.0
    # a long text is scored among all of them, as lingua does (trigrams only)
    scored.clear()
    detectors.document_confidences(text * 4, codes, 160, common)
    assert scored == [codes]


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[frozenset[str]]:
    scored: list[frozenset[str]] = []
    full = detectors.confidences

    def spy(text: str, codes: frozenset[str]) -> dict[str, float]:
        scored.append(codes)
        return full(text, codes)

    monkeypatch.setattr(detectors, "confidences", spy)
    return scored


LINES = [
    ("de", "Der Rat hat das Budget beschlossen."),
    ("de", "Bonjour à tous et merci beaucoup."),
    ("fr", "Le conseil a voté le budget hier soir."),
    ("fr", "The council passed the budget last night."),
    ("en", "Branding of Node.js"),
    ("en", "JAPAN SPENDET Geld für neue Schulen."),
]


def test_a_short_line_is_scored_in_full_among_its_prior_and_shortlist_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    scored = _spy(monkeypatch)
    candidates = segment_candidates(SUPPORTED_LANGUAGES, "de")
    assert segment_language("Bonjour à tous et merci beaucoup.", "de", candidates) == "fr"
    (shortlist,) = scored
    assert "de" in shortlist and "fr" in shortlist
    assert len(shortlist) <= detectors.SHORTLIST + 1 < len(candidates)


@pytest.mark.parametrize(("prior", "text"), LINES)
def test_the_shortlist_finds_what_scoring_among_all_candidates_finds(prior: str, text: str) -> None:
    codes = segment_candidates(SUPPORTED_LANGUAGES, prior)
    letters = letter_count(text)
    every = detectors.confidences(text, codes)
    short = detectors.shortlisted_confidences(text, codes, letters, frozenset({prior}))
    best = max(every, key=every.__getitem__)
    assert max(short, key=short.__getitem__) == best
    # the shortlist's confidences differ only by what the languages left out held
    assert short[best] >= every[best]
    assert short[prior] / short[best] == pytest.approx(every[prior] / every[best], rel=1e-6)


def test_full_models_unused_for_keep_documents_are_unloaded() -> None:
    candidates = segment_candidates(SUPPORTED_LANGUAGES)
    before = [segment_language(text, prior, candidates) for prior, text in LINES]
    used = set(detectors.loaded_languages())
    assert len(used) > 2
    detectors.settle(keep=1)  # the document that used them
    assert set(detectors.loaded_languages()) == used
    segment_language("Der Rat hat das Budget beschlossen.", "de", candidates)
    detectors.settle(keep=1)  # a document that used de and its rivals only
    left = set(detectors.loaded_languages())
    assert "de" in left and left < used
    # models unloaded are loaded again when needed: the same languages
    assert [segment_language(text, prior, candidates) for prior, text in LINES] == before


def test_parsing_a_document_settles_its_languages() -> None:
    text = "\n\n".join(line for _prior, line in LINES) + "\n\nDas ist der letzte Absatz hier."
    parse_text(text, source="mixed.txt", lang="de")
    used = set(detectors.loaded_languages())
    assert "de" in used
    for _ in range(detectors.KEEP_DOCUMENTS):
        parse_text("这是一个中文句子。", source="zh.txt", lang="zh")
    assert not used & set(detectors.loaded_languages())
