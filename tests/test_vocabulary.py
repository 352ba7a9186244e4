"""Saved words: the account's vocabulary, its import from the browser, Anki decks, practice."""

import sqlite3
import zipfile
from io import BytesIO
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine

from tests.factories import login, make_user


def test_saved_words_download_as_an_anki_package(client: TestClient, tmp_path: Path) -> None:
    words = [
        {
            "text": "ambassade",
            "sentence": "L'ambassade a décliné la proposition <b>de Kurogi</b>.",
            "counterpart": "Die Botschaft lehnte Kurogis Angebot ab.",
            "lang": "fr",
        },
        {"text": "Freiwillige", "sentence": "", "counterpart": "", "lang": "de"},
    ]
    response = client.post("/api/vocabulary/anki", json=words)
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith('.apkg"')
    with zipfile.ZipFile(BytesIO(response.content)) as apkg:
        (tmp_path / "collection.anki2").write_bytes(apkg.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "collection.anki2") as db:
        notes = [row[0].split("\x1f") for row in db.execute("select flds from notes order by id")]
    assert len(notes) == 2
    first = next(n for n in notes if n[0] == "ambassade")
    assert "&lt;b&gt;de Kurogi&lt;/b&gt;" in first[1] and "Botschaft" in first[2]
    assert first[3] == "fr"
    assert client.post("/api/vocabulary/anki", json=[{"text": ""}]).status_code == 422


def _word(**extra: object) -> dict[str, object]:
    return {
        "word": "Botschaft",
        "lang": "de",
        "sentence": "Die Botschaft lehnte <b>Kurogis</b> Angebot ab.",
        "counterpart": "The embassy refuses Kurogi's offer.",
        "counterpart_lang": "en",
        "counterpart_words": "embassy",
        **extra,
    }


def test_the_vocabulary_is_the_accounts_own(client: TestClient, engine: Engine) -> None:
    make_user(engine, "lea", role="reader")
    make_user(engine, "max", role="reader")
    assert client.get("/api/vocabulary").status_code == 401
    login(client, "lea")
    made = client.post("/api/vocabulary", json=_word())
    assert made.status_code == 201, made.text
    row = made.json()
    assert (
        row["lemma"] == "Botschaft" and row["status"] == "new" and row["counterpart_lang"] == "en"
    )
    again = client.post("/api/vocabulary", json=_word(status="learning")).json()
    assert again["id"] == row["id"] and again["status"] == "learning"  # the same word, updated
    assert [w["word"] for w in client.get("/api/vocabulary").json()] == ["Botschaft"]
    other = TestClient(client.app)
    login(other, "max")
    assert other.get("/api/vocabulary").json() == []
    assert other.delete(f"/api/vocabulary/{row['id']}").status_code == 404
    patched = client.patch(f"/api/vocabulary/{row['id']}", json={"status": "known"})
    assert patched.json()["status"] == "known"
    assert client.patch(f"/api/vocabulary/{row['id']}", json={"status": "sure"}).status_code == 422
    assert client.delete(f"/api/vocabulary/{row['id']}").status_code == 204
    assert client.get("/api/vocabulary").json() == []


def test_bad_words_are_refused_and_leave_the_list_as_it_was(
    client: TestClient, engine: Engine
) -> None:
    make_user(engine, "lea", role="reader")
    login(client, "lea")
    client.post("/api/vocabulary", json=_word())
    for bad in (_word(word=""), _word(lang="german!"), _word(paragraph="p3"), _word(status="x")):
        response = client.post("/api/vocabulary", json=bad)
        assert response.status_code == 422, bad
    # an import with one bad item stores none of it
    batch = [_word(word="Angebot"), _word(word="x" * 201)]
    refused = client.post("/api/vocabulary/import", json=batch)
    assert refused.status_code == 422 and "word" in refused.text
    assert [w["word"] for w in client.get("/api/vocabulary").json()] == ["Botschaft"]


def test_the_local_list_is_imported_once_and_exported_to_anki(
    client: TestClient, engine: Engine, tmp_path: Path
) -> None:
    make_user(engine, "lea", role="reader")
    login(client, "lea")
    local = [_word(), _word(word="Angebot", saved="2026-01-02T03:04:05Z")]
    assert client.post("/api/vocabulary/import", json=local).json() == {"added": 2, "updated": 0}
    assert client.post("/api/vocabulary/import", json=local).json() == {"added": 0, "updated": 2}
    deck = client.get("/api/vocabulary/anki")
    assert deck.status_code == 200
    with zipfile.ZipFile(BytesIO(deck.content)) as apkg:
        (tmp_path / "c.anki2").write_bytes(apkg.read("collection.anki2"))
    with sqlite3.connect(tmp_path / "c.anki2") as db:
        notes = sorted(row[0].split("\x1f") for row in db.execute("select flds from notes"))
    assert [n[0] for n in notes] == ["Angebot", "Botschaft"]
    assert "&lt;b&gt;Kurogis&lt;/b&gt;" in notes[1][1] and notes[1][2].startswith("The embassy")


def test_practice_schedules_cloze_cards_with_fsrs(client: TestClient, engine: Engine) -> None:
    make_user(engine, "lea", role="reader")
    login(client, "lea")
    assert client.get("/practice").status_code == 200
    row = client.post("/api/vocabulary", json=_word()).json()
    cards = client.get("/api/practice").json()
    assert len(cards) == 1
    card = cards[0]
    assert card["before"] == "Die " and card["after"].startswith(" lehnte")
    assert card["hint"].startswith("The embassy")
    good = client.post(f"/api/practice/{row['id']}", json={"rating": "good"}).json()
    assert good["status"] == "learning" and good["days"] > 0
    assert client.get("/api/practice").json() == []  # not due again yet
    assert client.post(f"/api/practice/{row['id']}", json={"rating": "maybe"}).status_code == 422
    assert client.post("/api/practice/999999", json={"rating": "good"}).status_code == 404
