"""Language id, paragraph kinds, sentences and words across scripts, on fixtures written
for these tests (tests/data/languages/langid.json; bench/languages.py scores the same set)."""

import json
from pathlib import Path

import pytest

from app.ingest import SUPPORTED_LANGUAGES, IngestError, parse_text
from app.ingest.language import id_text, segment_candidates, segment_language
from app.ingest.script import ends_with_terminal, script_fit, words

FIXTURES = json.loads(
    (Path(__file__).resolve().parent / "data" / "languages" / "langid.json").read_text("utf-8")
)


SWEEP = json.loads(
    (Path(__file__).resolve().parent / "data" / "languages" / "sweep.json").read_text("utf-8")
)


@pytest.mark.parametrize(("lang", "text"), sorted(SWEEP.items()), ids=sorted(SWEEP))
def test_the_same_news_item_in_55_languages_is_accepted_and_identified(
    lang: str, text: str
) -> None:
    assert parse_text(text, source=f"{lang}.txt").lang == lang


@pytest.mark.parametrize("case", FIXTURES, ids=[c["id"] for c in FIXTURES])
def test_document_and_paragraph_languages_and_kinds(case: dict) -> None:  # type: ignore[type-arg]
    doc = parse_text(case["text"], source=f"{case['id']}.txt")
    assert doc.lang == case["lang"]
    got = [[p.lang, p.kind] for p in doc.paragraphs]
    assert got == case["paragraphs"]


def test_a_one_word_document_is_too_short_to_tell_unless_its_language_is_given() -> None:
    with pytest.raises(IngestError, match="too short to tell its language") as caught:
        parse_text("Hello", source="hello.txt")
    assert caught.value.status == 422
    assert parse_text("Hello", source="hello.txt", lang="en").lang == "en"


def test_a_short_piece_keeps_its_documents_language_unless_lingua_is_sure() -> None:
    candidates = segment_candidates(SUPPORTED_LANGUAGES, "fr")
    assert segment_language("Hello", "fr", candidates) == "fr"  # lingua: Italian at .31
    assert segment_language("Merci beaucoup", "en", candidates) == "fr"
    # Another script is evidence enough, however short.
    assert segment_language("Москва", "en", segment_candidates(("en", "ru"), "en")) == "ru"


def test_anchors_links_and_urls_are_not_language_evidence() -> None:
    assert id_text("Введение { #introduction }").strip() == "Введение"
    assert id_text("Voir [la carte](https://example.org/map) ici").split() == [
        "Voir", "la", "carte", "ici",
    ]  # fmt: skip
    cands = segment_candidates(("en", "ko", "de"), "ko")
    assert segment_language("설치 방법 { #installation }", "ko", cands) == "ko"


def test_kanji_only_pieces_keep_the_japanese_documents_language() -> None:
    cands = segment_candidates(("ja", "zh", "en"), "ja")
    assert segment_language("東京都知事選挙", "ja", cands) == "ja"
    # ... while a Chinese document's line in the same characters stays Chinese.
    assert segment_language("东京都知事选举结果", "zh", cands) == "zh"


def test_script_fit_counts_words_not_letters() -> None:
    mixed = (
        "Ministry of Electronics and IT के अनुसार यह नीति startups और research labs को funding देगी"
    )
    fit = script_fit(mixed, ("hi", "en"))
    assert 0.4 < fit["hi"] < 0.5 and fit["en"] > fit["hi"]
    doc = parse_text("भारत सरकार ने आज नई नीति की घोषणा की। " + mixed + "।", source="hi.txt")
    assert doc.lang == "hi" and {s.lang for p in doc.paragraphs for s in p.sentences} == {"hi"}


@pytest.mark.parametrize(
    ("text", "lang", "sentences"),
    [
        ("北京市政府今天公布了新的交通管理措施。市民普遍表示欢迎！", "zh", 2),
        ("東京で選挙が行われた。投票率は上がった。", "ja", 2),
        ("भारत सरकार ने आज नई नीति की घोषणा की। मंत्री ने कहा कि कार्यक्रम जारी रहेगा।", "hi", 2),
        ("هل ستفتح المدرسة غدا؟ قال الوزير إن المدرسة ستفتح.", "ar", 2),
        ("עיריית תל אביב הודיעה היום. הספרייה תהיה פתוחה.", "he", 2),
        ("Київ, 12 березня. У столиці відкрили новий міст.", "uk", 2),
        ("Η κυβέρνηση ανακοίνωσε νέα μέτρα; Ο υπουργός δήλωσε ότι θα κοστίσουν πολύ.", "el", 2),
        # Thai ends a sentence with a space, but not the spaces around a foreign word.
        ("เทศบาลเปิดห้องสมุดแห่งใหม่เมื่อวันจันทร์ อาคารมีหนังสือหลายภาษาและเปิดถึงสี่ทุ่ม", "th", 2),
        ("วันนี้ผมใช้ iPhone รุ่นใหม่ ถ่ายรูปสวยมาก", "th", 2),
    ],
)
def test_sentences_split_at_each_scripts_full_stops(text: str, lang: str, sentences: int) -> None:
    doc = parse_text(text, source="s.txt")
    assert doc.lang == lang
    assert len([s for p in doc.paragraphs for s in p.sentences]) == sentences


def test_words_keep_combining_marks_and_split_unspaced_scripts() -> None:
    assert words("กรุงเทพมหานครเป็นเมืองหลวง", "th") == ["กรุงเทพมหานคร", "เป็น", "เมือง", "หลวง"]
    assert words("ذهبَ الولدُ إلى المدرسةِ", "ar") == ["ذهبَ", "الولدُ", "إلى", "المدرسةِ"]
    assert "選挙" in words("東京都知事選挙が行われた", "ja")
    assert words("Hello, world! It's 3.5 km.", "en") == ["Hello", "world", "It's", "3.5", "km"]


def test_terminal_punctuation_of_every_script() -> None:
    for text in ("如下：", "की।", "ہے۔", "غدا؟", "suivant :", "fin…"):
        assert ends_with_terminal(text), text
    assert not ends_with_terminal("東京都知事選挙")
