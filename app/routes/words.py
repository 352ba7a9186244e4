"""GET /api/lookup: a word of the reader, with its lemma, frequency, counterpart words and
meanings.

It answers for anyone who may read the story (anonymous readers too)."""

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, HTTPException, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import select

from app.auth import UserDep
from app.deps import SessionDep, SettingsDep
from app.library.visibility import may_read
from app.models import Document, Story
from app.security.openapi import errors
from app.words.dictionary import dictionary
from app.words.frequency import frequency
from app.words.lemma import lemma
from app.words.lookup import Lookup, LookupError_, define, lookup

router = APIRouter(tags=["learn"])

LANG = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$"
PARA = r"^\d+-\d+$"
# --- lookup ---


class FrequencyOut(BaseModel):
    zipf: float = Field(description="wordfreq's Zipf value: log10 of uses per billion words")
    band: str


class LitWordOut(BaseModel):
    paragraph: int
    sentence: int
    text: str
    start: int = Field(description="offset in the sentence's text")
    end: int
    score: float


class CounterpartSentenceOut(BaseModel):
    paragraph: int
    sentence: int
    text: str


class CounterpartOut(BaseModel):
    document: int
    lang: str
    text: str = Field(description="the aligned sentence(s), joined")
    sentences: list[CounterpartSentenceOut]
    words: list[LitWordOut] = Field(description="the counterpart word(s); empty when unsure")


class MeaningOut(BaseModel):
    lang: str = Field(description="the sense's language (a document's language code)")
    headword: str = Field(description="the entry it comes from: the word's form or lemma")
    text: str = Field(description="one sense: a translation or a few, comma-separated")


class LookupOut(BaseModel):
    word: str
    lang: str
    lemma: str
    frequency: FrequencyOut
    story: int
    document: int
    paragraph: int
    sentence: int | None
    sentence_text: str
    start: int | None = Field(description="the word's offset in its sentence")
    counterparts: list[CounterpartOut]
    meanings: list[MeaningOut] = Field(
        default_factory=list,
        description="a few short senses, from the offline dictionaries (FreeDict) installed "
        "for the word's language into the languages of the story's other documents "
        "(or of the `to` documents); empty when none is installed or the word is not in it",
    )
    dictionaries: list[str] = Field(
        default_factory=list,
        description="the languages (of those documents) a dictionary from the word's "
        "language is installed for: a language not listed has no dictionary for the pair",
    )


def _lookup_out(card: Lookup, story: int) -> LookupOut:
    sides = [
        CounterpartOut(
            document=c.document,
            lang=c.lang,
            text=" ".join(t for _, t in c.sentences),
            sentences=[
                CounterpartSentenceOut(paragraph=k[0], sentence=k[1], text=t)
                for k, t in c.sentences
            ],
            words=[LitWordOut(**w.__dict__) for w in c.words],
        )
        for c in card.counterparts
    ]
    return LookupOut(
        word=card.word,
        lang=card.lang,
        lemma=card.lemma,
        frequency=FrequencyOut(zipf=card.frequency.zipf, band=card.frequency.band),
        story=story,
        document=card.document,
        paragraph=card.paragraph,
        sentence=card.sentence,
        sentence_text=card.sentence_text,
        start=card.start,
        counterparts=sides,
        meanings=[MeaningOut(**m.__dict__) for m in card.meanings],
        dictionaries=card.dictionaries,
    )


@router.get("/api/lookup", responses=errors(404, 422))
def lookup_word(
    session: SessionDep,
    settings: SettingsDep,
    user: UserDep,
    lang: Annotated[str, Query(pattern=LANG, description="the word's language")],
    word: Annotated[str, Query(min_length=1, max_length=120)],
    story: Annotated[int, Query(ge=1)],
    p: Annotated[str, Query(pattern=PARA, description="the paragraph, as document-index")],
    s: Annotated[int | None, Query(ge=0, description="the sentence in it, if known")] = None,
    to: Annotated[
        list[Annotated[int, Field(ge=1)]] | None,
        Query(max_length=64, description="only these documents' counterparts (repeatable)"),
    ] = None,
) -> LookupOut:
    """A word of a story's paragraph: its lemma, frequency band and counterpart words in the
    aligned sentences of the other documents (or of the `to` documents only: the reader asks
    for the columns it shows)."""
    doc, index = (int(x) for x in p.split("-"))
    try:
        card = lookup(
            session,
            user,
            story_id=story,
            document_id=doc,
            index=index,
            lang=lang,
            word=word,
            sentence=s,
            to=to,
        )
    except LookupError_ as err:
        raise HTTPException(status.HTTP_404_NOT_FOUND, err.detail) from err
    return _lookup_out(define(card, settings.dictionary_dir), story)


def _warm(langs: list[str], folder: Path) -> None:
    for lang in langs:
        lemma("warm", lang)
        frequency("warm", lang)
    for src in langs:  # opening a dictionary builds its headword table (0.5-1 s for German)
        for into in langs:
            if src != into:
                dictionary(src, into, folder)


@router.get("/api/lookup/warm", status_code=204, responses=errors(404, 422))
def warm(
    session: SessionDep,
    settings: SettingsDep,
    user: UserDep,
    background: BackgroundTasks,
    story: Annotated[int, Query(ge=1)],
) -> Response:
    """Load the lemma and frequency tables and the dictionaries of a story's languages after
    answering, so that the first word looked up does not wait for them (German's lemma table
    takes seconds)."""
    if not may_read(session.get(Story, story), user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no story {story}")
    langs = session.exec(select(Document.lang).where(Document.story_id == story).distinct()).all()
    background.add_task(_warm, sorted(set(langs)), settings.dictionary_dir)
    return Response(status_code=204)
