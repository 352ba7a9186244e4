"""/practice: the account's saved words as cloze cards, scheduled by FSRS."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from app.auth import UserDep
from app.deps import SessionDep
from app.models import VocabularyItem
from app.routes.vocabulary import AccountDep, _owned
from app.security.openapi import errors
from app.templating import templates
from app.words import practice

router = APIRouter(tags=["learn"])


class CardOut(BaseModel):
    """A cloze card: the learner's sentence with the word blanked, the counterpart as hint."""

    id: int
    word: str
    lemma: str
    lang: str
    before: str = Field(description="the sentence up to the blank")
    after: str = Field(description="the sentence after the blank")
    hint: str = Field(description="the counterpart sentence")
    hint_lang: str
    hint_words: str
    status: str


class AnswerIn(BaseModel):
    rating: Literal["again", "hard", "good", "easy"]


class AnswerOut(BaseModel):
    id: int
    status: str
    due: datetime
    days: float = Field(description="days until the word is due again")


def card_out(row: VocabularyItem) -> CardOut:
    gap = practice.cloze(row.sentence, row.word, row.lang)
    before, after = (gap.before, gap.after) if gap else ("", "")
    return CardOut(
        id=row.id or 0,
        word=row.word,
        lemma=row.lemma,
        lang=row.lang,
        before=before,
        after=after,
        hint=row.counterpart,
        hint_lang=row.counterpart_lang,
        hint_words=row.counterpart_words,
        status=row.status,
    )


@router.get("/api/practice", responses=errors(401))
def due_cards(session: SessionDep, user: AccountDep) -> list[CardOut]:
    """The saved words due now (not those marked known), as cloze cards."""
    return [card_out(r) for r in practice.due(session, user)]


@router.post("/api/practice/{item_id}", responses=errors(401, 404, 422))
def answer(item_id: int, body: AnswerIn, session: SessionDep, user: AccountDep) -> AnswerOut:
    """Record how well the word was recalled; FSRS sets when it comes back."""
    row = practice.review(session, _owned(session, user, item_id), body.rating)
    return AnswerOut(
        id=row.id or 0,
        status=row.status,
        due=row.due,
        days=round(practice.next_interval(row).total_seconds() / 86400, 2),
    )


@router.get("/practice", response_class=HTMLResponse, include_in_schema=False)
def practice_page(request: Request, session: SessionDep, user: UserDep) -> HTMLResponse:
    """Practice: cloze cards of the learner's own sentences."""
    count = len(practice.due(session, user)) if user else 0
    return templates.TemplateResponse(request, "practice.html", {"due": count})
