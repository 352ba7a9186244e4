"""Checks in every script: ICU word boundaries, CLDR scale words, names across scripts."""

from decimal import Decimal

import pytest

from app.checks import CheckLink, CheckPair, CheckParagraph, run_checks
from app.checks.lexicon import bag
from app.checks.names import similar
from app.checks.numbers import extract
from app.ingest.script import word_list


def test_words_keep_their_combining_marks() -> None:
    # Python's \w leaves Thai vowel signs and Arabic harakat out, cutting words apart.
    assert word_list("กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย", "th") == [
        "กรุงเทพมหานคร", "เป็น", "เมือง", "หลวง", "ของ", "ประเทศไทย",
    ]  # fmt: skip
    assert word_list("ذهبَ الولدُ إلى المدرسةِ", "ar") == ["ذهبَ", "الولدُ", "إلى", "المدرسةِ"]
    assert word_list("मंत्री ने कहा", "hi") == ["मंत्री", "ने", "कहा"]
    assert "เมือง" in bag("กรุงเทพมหานครเป็นเมืองหลวงของประเทศไทย", "th").surface.values()


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        ("100万", "zh", 1_000_000),
        ("100万人が参加した", "ja", 1_000_000),
        ("3億円", "ja", 300_000_000),
        ("100만 명", "ko", 1_000_000),
        ("1,5 млн", "ru", 1_500_000),
        ("1,5 млрд гривень", "uk", 1_500_000_000),
        ("10 लाख", "hi", 1_000_000),
        ("5 מיליון", "he", 5_000_000),
        ("3 مليون", "ar", 3_000_000),
        ("500 εκατ. ευρώ", "el", 500_000_000),
        ("5 tỷ đồng", "vi", 5_000_000_000),
        ("17 Millionen", "de", 17_000_000),
        ("2 billion yen", "en", 2_000_000_000),
    ],
)
def test_scale_words_of_every_locale(text: str, lang: str, value: int) -> None:
    assert extract(text, lang)[0].values[0] == Decimal(value)


def test_a_word_that_only_starts_like_a_scale_word_does_not_scale() -> None:
    assert extract("5 millionaires", "en")[0].values[0] == Decimal(5)


@pytest.mark.parametrize(
    ("text", "lang", "found"),
    [
        # A MAC-Dev chapter: the countdown the English translation keeps as "1108".
        ("这是1108：21：37。还剩1108小时？", "zh", [1108, 21, 37, 1108]),
        ("第3章で100万人が参加した", "ja", [3, 1_000_000]),
        ("v24 and A4 are names, 24 is a number", "en", [24]),
    ],
)
def test_numbers_run_into_words_of_unspaced_scripts(text: str, lang: str, found: list[int]) -> None:
    assert [n.values[0] for n in extract(text, lang)] == [Decimal(v) for v in found]


@pytest.mark.parametrize(
    ("text", "lang", "value"),
    [
        # Text+Berg's yearbook: a height in metres is no million (the French side read
        # "8611 m" as 8.611e9 and refuted a true translation for "figures differ").
        ("K2 , 8611 m , Leiter A.Desio", "de", 8611),
        ("K2 , 8611 m. Chef A. Desio", "fr", 8611),
        ("a climb to 8000 m on the ridge", "en", 8000),
        ("a £5m budget", "en", 5_000_000),
        ("un budget de 5 M€", "fr", 5_000_000),
        ("5k views", "en", 5_000),
    ],
)
def test_a_lone_small_letter_after_a_space_is_a_unit(text: str, lang: str, value: int) -> None:
    assert extract(text, lang)[0].values[0] == Decimal(value)


def _pair(a: str, a_lang: str, b: str, b_lang: str) -> list:  # type: ignore[type-arg]
    paragraphs = [
        CheckParagraph(0, 0, a, "text", a_lang, a_lang, (a,), (a_lang,)),
        CheckParagraph(1, 0, b, "text", b_lang, b_lang, (b,), (b_lang,)),
    ]
    links = [CheckLink(0, (0,), 1, (0,), "translation", "confirmed", 1.0)]
    return run_checks(paragraphs, links, [CheckPair(0, 1, "translation")])


def test_scaled_numbers_match_across_scripts() -> None:
    assert not [
        f for f in _pair("Ремонт коштував 1,5 млн гривень.", "uk",
                         "The repairs cost 1.5 million hryvnias.", "en")
        if f.check == "numbers"
    ]  # fmt: skip
    changed = _pair("参加者は100万人だった。", "ja", "There were 10 million participants.", "en")
    assert {f.check for f in changed} >= {"numbers"}


def test_names_match_across_scripts() -> None:
    assert similar("Matsuno", "Мацуно")
    assert similar("Kovalenko", "Коваленко")
    assert similar("Kyriakos", "Κυριάκος")
    assert not similar("Matsuno", "Коваленко")


def test_a_name_is_confirmed_and_found_in_another_script() -> None:
    """'Kovalenko' is a name because the Ukrainian version capitalises 'Коваленко' too; it is
    present in the first Ukrainian paragraph and missing from the second."""
    uk = [
        "Директорка школи Олена Коваленко сказала, що діти раді.",
        "Директорка додала, що бібліотека відкриється навесні.",
    ]
    en = ["Headmistress Olena Kovalenko said that the children were happy.",
          "Later, Kovalenko added that the library would open in the spring."]  # fmt: skip
    paragraphs = [
        CheckParagraph(doc, i, text, "text", lang, lang, (text,), (lang,))
        for doc, lang, texts in ((0, "uk", uk), (1, "en", en))
        for i, text in enumerate(texts)
    ]
    links = [CheckLink(0, (i,), 1, (i,), "translation", "confirmed", 1.0) for i in (0, 1)]
    found = run_checks(paragraphs, links, [CheckPair(0, 1, "translation")])
    names = [(f.document, f.paragraph) for f in found if f.check == "names"]
    assert names == [(1, 1)]
