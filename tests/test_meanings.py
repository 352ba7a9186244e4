"""Meanings on the word card from the offline FreeDict dictionaries (scripts/dictionaries.sh)."""

import gzip
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.words.dictionary import ALPHABET, dictionary
from app.words.dictzip import DictFile
from app.words.meanings import meanings

DICTD = Settings().dictionary_dir


def _installed(pair: str) -> Path:
    path = DICTD / f"freedict-{pair}.dict.dz"
    assert path.exists(), f"{path} is missing: scripts/dictionaries.sh installs it"
    return path


def test_german_and_french_words_get_their_english_senses_by_form_and_lemma() -> None:
    _installed("deu-eng")
    _installed("fra-eng")
    house = meanings("Haus", "Haus", "de", "en")
    assert {m.text for m in house[:2]} == {"house", "home"}  # before "[adm.] establishment"
    assert house[0].lang == "en" and house[0].headword == "Haus"
    assert len(house) <= 3 and all("<" not in m.text and "{" not in m.text for m in house)
    # an inflected form: its own entry first, then its lemma's
    plural = meanings("Häuser", "Haus", "de", "en")
    assert {m.headword for m in plural} == {"Häuser", "Haus"} and plural[0].text == "houses"
    # the commoner rendering first: "go", not the entry order's "turn out"
    assert meanings("gehen", "gehen", "de", "en")[0].text == "go"
    assert [m.text for m in meanings("maison", "maison", "fr", "en")] == ["house"]
    # a counterpart word the aligner found puts its sense first
    assert meanings("homme", "homme", "fr", "en")[0].text == "man, human being"
    assert meanings("homme", "homme", "fr", "en", ("fellow",))[0].text == "fellow"
    assert meanings("Haus", "Haus", "de", "en", ("house",))[0].text == "house"


def test_definitions_in_the_headwords_language_are_not_senses() -> None:
    """German–French numbers its senses and follows each with a German definition."""
    _installed("deu-fra")
    found = meanings("Botschaft", "Botschaft", "de", "fr", ("ambassade",))
    assert [m.text for m in found] == ["ambassade", "message, annonce"]


def test_chinese_words_get_english_senses_from_cc_cedict_in_either_script() -> None:
    assert [m.text for m in meanings("大使馆", "大使馆", "zh-cn", "en")] == ["embassy"]
    simplified, traditional = (meanings(w, w, "zh", "en") for w in ("权利", "權利"))
    assert [m.text for m in simplified] == [m.text for m in traditional]
    assert simplified[0].text.startswith("right")  # before "(classical) power and wealth"
    assert all(not m.text.startswith("CL:") for m in meanings("房子", "房子", "zh", "en"))
    assert meanings("大使馆", "大使馆", "zh", "de") == []


def test_a_pair_without_a_dictionary_answers_an_empty_list(tmp_path: Path) -> None:
    assert dictionary("de", "ja") is None  # no dict-freedict-deu-jpn is installed
    assert meanings("Haus", "Haus", "de", "ja") == []
    assert meanings("Haus", "Haus", "de", "en", folder=tmp_path) == []
    assert meanings("Haus", "Haus", "xx-nope", "en") == []
    assert meanings("zzzqx", "zzzqx", "de", "en") == []  # installed, but not in it


def test_a_broken_dictionary_is_logged_and_answers_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "freedict-deu-eng.index").write_text("haus\tA\tZ\n", encoding="utf-8")
    (tmp_path / "freedict-deu-eng.dict.dz").write_bytes(b"not gzip at all")
    with caplog.at_level(logging.WARNING):
        assert meanings("Haus", "Haus", "de", "en", folder=tmp_path) == []
    assert "unreadable" in caplog.text


def _b64(n: int) -> str:
    out = ""
    while True:
        out = chr(ALPHABET[n % 64]) + out
        n //= 64
        if not n:
            return out


def test_a_plain_dictd_dictionary_is_read_too(tmp_path: Path) -> None:
    """An uncompressed .dict, and an index whose headword lines are in no particular order."""
    entries = {
        "welt": "Welt /vɛlt/ <n>\n1. world <n>\n   Synonym: {Erde}\n",
        "frei": 'frei <adj>\n [pol.] free <adj>\n      "frei sein"  - be free\n see: {Freiheit}\n',
    }
    text, index = "", []
    for key, body in entries.items():
        index.append(f"{key}\t{_b64(len(text.encode()))}\t{_b64(len(body.encode()))}")
        text += body
    (tmp_path / "freedict-deu-eng.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    (tmp_path / "freedict-deu-eng.dict").write_text(text, encoding="utf-8")
    assert [m.text for m in meanings("Welt", "Welt", "de", "en", folder=tmp_path)] == ["world"]
    assert [m.text for m in meanings("frei", "frei", "de", "en", folder=tmp_path)] == ["free"]


def test_dictzip_reads_across_its_chunks_as_the_whole_file_would() -> None:
    path = _installed("fra-eng")
    whole = gzip.decompress(path.read_bytes())
    book = DictFile(path)
    assert book._layout is not None and len(book._layout[1]) > 1  # really in chunks
    chunk = book._layout[0]
    for offset, length in [
        (0, 50),
        (chunk - 10, 40),
        (2 * chunk - 1, chunk + 5),
        (len(whole) - 7, 7),
    ]:
        assert book.read(offset, length) == whole[offset : offset + length]
    assert book.read(len(whole) + 10, 5) == b""


@pytest.fixture
def client_without_dictionaries(
    seeded_url: str, encoder: Encoder, tmp_path: Path
) -> Iterator[TestClient]:
    settings = Settings(database_url=seeded_url, queue_url="inline", dictionary_dir=tmp_path)
    with TestClient(create_app(settings, encoder=encoder)) as c:
        yield c


def _french(client: TestClient) -> tuple[dict, int]:  # type: ignore[type-arg]
    stories = client.get("/api/stories").json()["items"]
    story = next(s for s in stories if {"fr", "de"} <= set(s["languages"]))
    return story, next(d["id"] for d in story["documents"] if d["lang"] == "fr")


def test_lookup_gives_meanings_in_the_other_columns_languages(seeded_client: TestClient) -> None:
    _installed("fra-deu")
    story, fr = _french(seeded_client)
    q = {"lang": "fr", "word": "ambassade", "story": story["id"], "p": f"{fr}-2"}
    card = seeded_client.get("/api/lookup", params=q).json()
    assert "de" in card["dictionaries"] and "fr" not in card["dictionaries"]
    german = [m for m in card["meanings"] if m["lang"] == "de"]
    assert german[0] == {"lang": "de", "headword": "ambassade", "text": "Botschaft"}
    assert {m["lang"] for m in card["meanings"]} <= set(card["dictionaries"])
    de = next(d["id"] for d in story["documents"] if d["lang"] == "de")
    only = seeded_client.get("/api/lookup", params={**q, "to": de}).json()
    assert only["dictionaries"] == ["de"] and {m["lang"] for m in only["meanings"]} == {"de"}


def test_lookup_without_dictionaries_answers_empty_lists(
    client_without_dictionaries: TestClient,
) -> None:
    story, fr = _french(client_without_dictionaries)
    q = {"lang": "fr", "word": "ambassade", "story": story["id"], "p": f"{fr}-2"}
    answer = client_without_dictionaries.get("/api/lookup", params=q)
    assert answer.status_code == 200
    card = answer.json()
    assert card["meanings"] == [] and card["dictionaries"] == []
    assert card["counterparts"]  # the rest of the card is there
