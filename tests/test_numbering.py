"""Numbering letters in headings are read as the numbers they are (see app/align/numbering)."""

import pytest

from app.align.numbering import read_numbering


@pytest.mark.parametrize(
    ("heading", "read"),
    [
        ("סעיף א.", "סעיף 1."),
        ("סעיף יא.", "סעיף 11."),
        ("פרק טו.", "פרק 15."),
        ("סעיף י״א", "סעיף 11"),
        ("פרק ב׳", "פרק 2"),
        ("Article IV.", "Article 4."),
        ("Chapter XII: The End", "Chapter 12: The End"),
        ("Part I", "Part 1"),
        ("Άρθρο βʹ", "Άρθρο 2"),
    ],
)
def test_numbering_letters_become_digits(heading: str, read: str) -> None:
    assert read_numbering(heading) == read


@pytest.mark.parametrize(
    "text",
    [
        "Article 3.",
        "אמנה זו",  # a short Hebrew word ending a heading is a word
        "I went home.",
        "CIVIL RIGHTS",  # not a canonical Roman numeral
        "MIX",
        "A sentence of many words ends with IV.",  # only short units are headings
        "כל תושב העיר רשאי לשאול ספרים מן הספרייה ללא תשלום, יהיו גילו ומוצאו אשר יהיו.",
    ],
)
def test_words_and_long_units_are_left_alone(text: str) -> None:
    assert read_numbering(text) == text
