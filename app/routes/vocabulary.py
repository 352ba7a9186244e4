"""Saved words as an Anki deck: the reader's list (kept in the browser) in, an .apkg out."""

import hashlib
import html
import tempfile
from pathlib import Path
from typing import Annotated

import genanki
from fastapi import APIRouter, Body
from fastapi.responses import Response
from pydantic import BaseModel, Field

router = APIRouter(tags=["learn"])

# Fixed ids: Anki recognises a re-imported deck and note type instead of duplicating them.
MODEL_ID = 1_607_392_310
DECK_ID = 2_059_400_110

MODEL = genanki.Model(
    MODEL_ID,
    "Parallax word",
    fields=[{"name": "Word"}, {"name": "Sentence"}, {"name": "Counterpart"}, {"name": "Language"}],
    templates=[
        {
            "name": "Word in context",
            "qfmt": '<div class="w">{{Word}}</div><div class="s">{{Sentence}}</div>',
            "afmt": '{{FrontSide}}<hr id="answer"><div class="c">{{Counterpart}}</div>',
        }
    ],
    css=".card{font-family:sans-serif;font-size:20px;text-align:center}"
    ".w{font-size:28px;font-weight:700}.s,.c{margin-top:12px;color:#444}",
)


class SavedWord(BaseModel):
    """A word or phrase with the sentence it came from and that sentence's counterpart."""

    text: str = Field(min_length=1, max_length=200)
    sentence: str = Field(default="", max_length=2000)
    counterpart: str = Field(default="", max_length=4000)
    lang: str = Field(default="", max_length=16)


def build_deck(words: list[SavedWord], *, name: str = "Parallax words") -> bytes:
    """An .apkg file with one note per word; article text is escaped (Anki fields are HTML)."""
    deck = genanki.Deck(DECK_ID, name)
    for w in words:
        fields = [html.escape(v) for v in (w.text, w.sentence, w.counterpart, w.lang)]
        guid = genanki.guid_for(w.text, w.sentence)
        deck.add_note(genanki.Note(model=MODEL, fields=fields, guid=guid))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        genanki.Package(deck).write_to_file(str(path))
        return path.read_bytes()


@router.post("/api/vocabulary/anki", response_class=Response)
def anki_deck(words: Annotated[list[SavedWord], Body(max_length=5000)]) -> Response:
    """The posted words as an Anki package (.apkg) to import into Anki."""
    data = build_deck(words)
    digest = hashlib.sha1(data).hexdigest()[:8]  # noqa: S324 - a file name, not security
    return Response(
        data,
        media_type="application/apkg",
        headers={"Content-Disposition": f'attachment; filename="parallax-words-{digest}.apkg"'},
    )
