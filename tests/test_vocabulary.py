"""Saved words become an Anki package: one note per word, article text escaped."""

import sqlite3
import zipfile
from io import BytesIO
from pathlib import Path

from fastapi.testclient import TestClient


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
