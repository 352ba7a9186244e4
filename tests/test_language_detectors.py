"""A short document is judged among every language without keeping every full model."""

from __future__ import annotations

import pytest

from app.ingest import SUPPORTED_LANGUAGES, detectors
from app.ingest.language import document_language


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
