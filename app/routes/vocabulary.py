"""Saved words: the account's vocabulary (GET/POST/DELETE /api/vocabulary), the browser's
local list imported into it, and either one as an Anki deck."""

import hashlib
import html
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import genanki
from fastapi import APIRouter, Body, Depends, HTTPException, status
from fastapi.responses import Response
from pydantic import BaseModel, Field

from app.auth import UserDep
from app.deps import SessionDep
from app.models import User, VocabularyItem
from app.security.openapi import errors
from app.words import vocabulary as vocab

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
LANG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
Status = Literal["new", "learning", "known"]


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


def anki_response(words: list[SavedWord]) -> Response:
    data = build_deck(words)
    digest = hashlib.sha1(data).hexdigest()[:8]  # noqa: S324 - a file name, not security
    return Response(
        data,
        media_type="application/apkg",
        headers={"Content-Disposition": f'attachment; filename="parallax-words-{digest}.apkg"'},
    )


@router.post("/api/vocabulary/anki", response_class=Response)
def anki_deck(words: Annotated[list[SavedWord], Body(max_length=5000)]) -> Response:
    """The posted words (a browser's local list) as an Anki package (.apkg)."""
    return anki_response(words)


# --- the account's vocabulary ---


def require_account(user: UserDep) -> User:
    """401 for anonymous readers: their words stay in the browser until they sign in."""
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in to keep your words on the server")
    return user


AccountDep = Annotated[User, Depends(require_account)]


class WordIn(BaseModel):
    """A word to keep: the sentence it came from and its counterpart in one language only."""

    word: str = Field(min_length=1, max_length=200)
    lang: str = Field(pattern=LANG, max_length=16)
    lemma: str = Field(default="", max_length=200)
    sentence: str = Field(default="", max_length=2000)
    counterpart: str = Field(default="", max_length=2000)
    counterpart_lang: str = Field(default="", pattern=r"^$|" + LANG, max_length=16)
    counterpart_words: str = Field(default="", max_length=400)
    story: int | None = Field(default=None, ge=1)
    paragraph: str = Field(default="", pattern=r"^$|^\d+-\d+$", max_length=32)
    status: Status = "new"
    saved: datetime | None = None


class WordOut(BaseModel):
    id: int
    word: str
    lemma: str
    lang: str
    sentence: str
    counterpart: str
    counterpart_lang: str
    counterpart_words: str
    story: int | None
    paragraph: str
    status: Status
    due: datetime
    created_at: datetime


class StatusIn(BaseModel):
    status: Status


class ImportOut(BaseModel):
    added: int
    updated: int


def word_out(row: VocabularyItem) -> WordOut:
    return WordOut(
        id=row.id or 0,
        word=row.word,
        lemma=row.lemma,
        lang=row.lang,
        sentence=row.sentence,
        counterpart=row.counterpart,
        counterpart_lang=row.counterpart_lang,
        counterpart_words=row.counterpart_words,
        story=row.story_id,
        paragraph=row.paragraph,
        status=row.status,  # type: ignore[arg-type]
        due=row.due,
        created_at=row.created_at,
    )


def _new(w: WordIn) -> vocab.NewWord:
    return vocab.NewWord(
        word=w.word,
        lang=w.lang,
        sentence=w.sentence,
        counterpart=w.counterpart,
        counterpart_lang=w.counterpart_lang,
        counterpart_words=w.counterpart_words,
        lemma=w.lemma,
        story_id=w.story,
        paragraph=w.paragraph,
        status=w.status,
        saved=w.saved,
    )


@router.get("/api/vocabulary", responses=errors(401))
def list_words(session: SessionDep, user: AccountDep) -> list[WordOut]:
    """The account's saved words, oldest first."""
    return [word_out(r) for r in vocab.items(session, user)]


@router.post("/api/vocabulary", status_code=201, responses=errors(401, 422))
def save_word(word: WordIn, session: SessionDep, user: AccountDep) -> WordOut:
    """Keep a word (saving the same word of the same sentence again updates it)."""
    row, _ = vocab.save(session, user, _new(word))
    session.commit()
    session.refresh(row)
    return word_out(row)


@router.post("/api/vocabulary/import", responses=errors(401, 422))
def import_words(
    words: Annotated[list[WordIn], Body(max_length=5000)], session: SessionDep, user: AccountDep
) -> ImportOut:
    """The browser's local list, kept before signing in, added to the account in one go."""
    added, updated = vocab.save_all(session, user, [_new(w) for w in words])
    return ImportOut(added=added, updated=updated)


def _owned(session: SessionDep, user: User, item_id: int) -> VocabularyItem:
    row = vocab.owned(session, user, item_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no saved word {item_id}")
    return row


@router.patch("/api/vocabulary/{item_id}", responses=errors(401, 404, 422))
def change_status(item_id: int, body: StatusIn, session: SessionDep, user: AccountDep) -> WordOut:
    """Mark a saved word new, learning or known (known words leave practice)."""
    return word_out(vocab.set_status(session, _owned(session, user, item_id), body.status))


@router.delete("/api/vocabulary/{item_id}", status_code=204, responses=errors(401, 404))
def delete_word(item_id: int, session: SessionDep, user: AccountDep) -> Response:
    """Forget a saved word."""
    session.delete(_owned(session, user, item_id))
    session.commit()
    return Response(status_code=204)


@router.get("/api/vocabulary/anki", response_class=Response, responses=errors(401))
def account_anki(session: SessionDep, user: AccountDep) -> Response:
    """The account's saved words as an Anki package (.apkg)."""
    words = [
        SavedWord(text=r.word, sentence=r.sentence, counterpart=r.counterpart, lang=r.lang)
        for r in vocab.items(session, user)
    ]
    return anki_response(words)
