"""The word layer: words and lemmas, counterpart words in aligned sentences, GET /api/lookup."""

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from app.words import align, evidence
from app.words.corpus import keys
from app.words.dictionary import dictionary
from app.words.frequency import UNLISTED, frequency
from app.words.lemma import lemma
from app.words.practice import GAP, cloze
from app.words.tokens import _icu, word_at, words
from tests.factories import login, make_user


def test_words_split_elisions_possessives_and_chinese_by_dictionary() -> None:
    assert [w.text for w in words("L'ambassade du sud-ouest", "fr")] == [
        "L'", "ambassade", "du", "sud-ouest",
    ]  # fmt: skip
    assert [w.text for w in words("Kurogi's offer", "en")] == ["Kurogi", "'s", "offer"]
    zh = "人人生而自由，在尊严和权利上一律平等。"
    found = words(zh, "zh")
    assert "权利" in [w.text for w in found] and "尊严" in [w.text for w in found]
    assert all(zh[w.start : w.end] == w.text for w in found)


def test_frequency_bands_from_wordfreq_without_a_tokenizer_for_chinese() -> None:
    assert frequency("the", "en").band == "very common"
    assert frequency("权利", "zh").zipf > 3
    assert frequency("qxzvkw", "en").band == UNLISTED


def test_cloze_blanks_the_whole_word_only() -> None:
    gap = cloze("Die Botschaft lehnte das Angebot ab.", "Botschaft", "de")
    assert gap is not None and gap.text == f"Die {GAP} lehnte das Angebot ab."
    assert cloze("Ein Satz.", "Botschaft", "de") is None


def test_ibm1_tables_find_the_counterpart_that_position_would_miss() -> None:
    corpus = [
        (["the", "house", "be", "small"], ["das", "haus", "ist", "klein"]),
        (["the", "house", "be", "old"], ["das", "haus", "ist", "alt"]),
        (["a", "old", "man"], ["ein", "alter", "mann"]),
        (["the", "book", "be", "small"], ["das", "buch", "ist", "klein"]),
        (["the", "man", "read", "a", "book"], ["der", "mann", "liest", "ein", "buch"]),
        (["small", "house"], ["kleines", "haus"]),
    ]
    lex = align.train(corpus)
    src = ["yesterday", "the", "small", "house", "be", "old"]
    tgt = ["das", "haus", "ist", "alt"]
    matrix = align.scores(lex, src, tgt)
    assert align.counterpart(matrix, 3) == [1]  # house -> haus
    assert align.proportional(len(src), len(tgt), 3) != [1]  # the baseline guesses wrong
    assert align.counterpart(matrix, 0) == []  # nothing translates "yesterday"


def _story(client: TestClient) -> dict:  # type: ignore[type-arg]
    stories = client.get("/api/stories").json()["items"]
    return next(s for s in stories if {"fr", "de"} <= set(s["languages"]))


def test_lookup_lights_the_counterpart_word_in_each_aligned_sentence(
    seeded_client: TestClient,
) -> None:
    story = _story(seeded_client)
    fr = next(d["id"] for d in story["documents"] if d["lang"] == "fr")
    de = next(d["id"] for d in story["documents"] if d["lang"] == "de")
    q = {"lang": "fr", "word": "ambassade", "story": story["id"], "p": f"{fr}-2"}
    card = seeded_client.get("/api/lookup", params=q).json()
    assert card["lemma"] == "ambassade" and card["frequency"]["band"] in ("common", "very common")
    assert "ambassade" in card["sentence_text"]
    assert card["sentence_text"][card["start"] :].startswith("ambassade")
    german = next(c for c in card["counterparts"] if c["document"] == de)
    assert [w["text"] for w in german["words"]] == ["Botschaft"]
    lit = german["words"][0]
    sent = next(s for s in german["sentences"] if s["sentence"] == lit["sentence"])
    assert sent["text"][lit["start"] : lit["end"]] == "Botschaft"
    only = seeded_client.get("/api/lookup", params={**q, "to": de}).json()
    assert [c["document"] for c in only["counterparts"]] == [de]
    assert {m["lang"] for m in only["meanings"]} == {"de"}  # and meanings in German only
    others = [d["id"] for d in story["documents"] if d["id"] != fr]
    both = seeded_client.get("/api/lookup", params=[*q.items(), *(("to", d) for d in others)])
    every = sorted(c["document"] for c in card["counterparts"])
    assert len(every) >= 2 and sorted(c["document"] for c in both.json()["counterparts"]) == every
    bad = seeded_client.get("/api/lookup", params={**q, "to": 0})
    assert bad.status_code == 422 and "to" in bad.text


def test_lookup_says_what_is_wrong(seeded_client: TestClient) -> None:
    story = _story(seeded_client)
    fr = next(d["id"] for d in story["documents"] if d["lang"] == "fr")
    q = {"lang": "fr", "word": "ambassade", "story": story["id"], "p": f"{fr}-2"}
    assert seeded_client.get("/api/lookup", params={**q, "p": "2"}).status_code == 422
    assert seeded_client.get("/api/lookup", params={**q, "lang": "f r"}).status_code == 422
    missing = seeded_client.get("/api/lookup", params={**q, "p": f"{fr}-9999"})
    assert missing.status_code == 404 and f"{fr}-9999" in missing.json()["detail"]
    other = seeded_client.get("/api/lookup", params={**q, "story": story["id"] + 1000})
    assert other.status_code == 404
    absent = seeded_client.get("/api/lookup", params={**q, "word": "zzzz"}).json()
    assert absent["sentence"] is None and absent["counterparts"] == []


def test_a_private_story_is_not_looked_up_nor_kept_with_a_word_by_others(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    from tests.security.test_private_reads import make_private

    story = _story(seeded_client)
    fr = next(d["id"] for d in story["documents"] if d["lang"] == "fr")
    make_user(seeded_engine, "olga", role="reader")
    make_user(seeded_engine, "rita", role="reader")
    make_private(seeded_engine, story["id"], "olga")
    q = {"lang": "fr", "word": "ambassade", "story": story["id"], "p": f"{fr}-2"}
    assert seeded_client.get("/api/lookup", params=q).status_code == 404
    login(seeded_client, "rita")
    assert seeded_client.get("/api/lookup", params=q).status_code == 404
    saved = seeded_client.post(
        "/api/vocabulary", json={"word": "ambassade", "lang": "fr", "story": story["id"]}
    )
    assert saved.status_code == 201 and saved.json()["story"] is None
    login(seeded_client, "olga")
    assert seeded_client.get("/api/lookup", params=q).status_code == 200


def test_warming_a_story_loads_its_languages_tables_and_hides_private_stories(
    seeded_client: TestClient, seeded_engine: Engine
) -> None:
    from tests.security.test_private_reads import make_private

    story = _story(seeded_client)
    lemma.cache_clear()
    assert seeded_client.get("/api/lookup/warm", params={"story": story["id"]}).status_code == 204
    assert lemma.cache_info().currsize >= len(story["languages"])  # ran after the answer
    make_user(seeded_engine, "olga", role="reader")
    make_private(seeded_engine, story["id"], "olga")
    assert seeded_client.get("/api/lookup/warm", params={"story": story["id"]}).status_code == 404


def test_chinese_and_japanese_words_are_cut_on_the_dictionarys_headwords() -> None:
    zh = "这座老图书馆位于小镇中心的河边。"
    assert "图书" in _icu(zh[3:], "zh")  # ICU alone cuts "library" into "book" + "building"
    found = words(zh, "zh")
    assert {"图书馆", "小镇", "河边"} <= {w.text for w in found}
    assert all(zh[w.start : w.end] == w.text for w in found)
    ja = "子どもたちは放課後に絵を描く。"
    cut = [w.text for w in words(ja, "ja")]
    assert "子どもたち" in cut and "放課後" in cut  # not "子ども" + "たち" as ICU cuts it
    assert "たち" in _icu(ja, "ja")
    assert cut[-3:] == ["絵", "を", "描く"]  # a particle is never merged into a word
    assert [w.text for w in words("1620年に", "ja")] == ["1620", "年", "に"]


def test_japanese_words_carry_the_dictionary_form_read_in_their_sentence() -> None:
    ja = "町の人々は署名を集めた。司書が本を読み、扉の前に立っている。"
    found = words(ja, "ja")
    assert all(ja[w.start : w.end] == w.text for w in found)
    assert {"立", "って"} <= set(_icu(ja[17:], "ja"))  # ICU: a stem with no dictionary form
    base = {w.text: w.base for w in found}
    assert (base["集め"], base["立っ"]) == ("集める", "立つ")
    assert base["読み"] == "読む"  # the verb of its sentence; alone, 読み is the noun "reading"
    assert lemma("読み", "ja") == "読み" and lemma("集め", "ja") == "集める"
    assert "読む" in keys(ja, "ja") and "集める" in keys(ja, "ja")
    tgt = words("They gathered signatures; the librarian stands.", "en")
    matrix = evidence.prior(found, "ja", tgt, "en")
    i = next(n for n, w in enumerate(found) if w.text == "集め")
    assert [tgt[j].text for j in matrix[i].nonzero()[0]] == ["gathered"]


def test_a_japanese_run_longer_than_the_analyser_takes_is_read_in_parts() -> None:
    run = "古い図書館は町の中心の川のそばに立っている" * 2000  # 40,000 characters, no punctuation
    found = words(run + "。", "ja")
    assert "".join(w.text for w in found) == run
    assert [w.text for w in found[:3]] == ["古い", "図書館", "は"]


def test_a_selection_cut_otherwise_finds_the_word_it_starts() -> None:
    zh = "这座老图书馆位于小镇中心的河边。"
    hit = word_at(zh, "zh", "图书")  # what Chromium's double-click selects
    assert hit is not None and (hit.text, hit.start) == ("图书馆", 3)
    assert word_at(zh, "zh", "书店") is None


def test_dictionary_evidence_links_words_the_tables_never_saw() -> None:
    empty = align.Lexicon({}, {})
    for lang, text, want in (
        ("de", "Die alte Bibliothek steht am Fluss.", ("Bibliothek", "library")),
        ("zh", "这座老图书馆位于河边。", ("图书馆", "library")),
    ):
        src, tgt = words(text, lang), words("The old library stands by the river.", "en")
        keys_s, keys_t = [w.key for w in src], [w.key for w in tgt]
        i = next(n for n, w in enumerate(src) if w.text == want[0])
        assert align.counterpart(align.scores(empty, keys_s, keys_t), i) == []
        matrix = align.scores(
            empty, keys_s, keys_t, evidence.prior(src, lang, tgt, "en"), evidence.common(src, lang)
        )
        assert [tgt[j].text for j in align.counterpart(matrix, i)] == [want[1]]


def test_the_commonest_words_need_strong_evidence() -> None:
    src = words("図書館は古い", "ja")
    assert evidence.common(src, "ja").tolist() == [False, True, False]
    weak = align.Lexicon({("は", "the"): 0.3}, {("the", "は"): 0.3})
    keys = [w.key for w in src]
    assert align.scores(weak, keys, ["the"])[1, 0] > 0
    assert align.scores(weak, keys, ["the"], common=evidence.common(src, "ja"))[1, 0] == 0


def test_a_conjugated_japanese_verb_is_looked_up_by_its_dictionary_form() -> None:
    book = dictionary("ja", "en")
    assert book is not None and book.entries("配っ") == []  # 配っ(て): no headword
    assert "distribute" in evidence.translations("配っ", "ja", "en")  # 配る's senses
    assert "write" in evidence.translations("書き", "ja", "en")  # 書く
    assert "distribute" not in evidence.translations("配っ", "zh", "en")  # Japanese only
