"""Spaced practice of saved words: FSRS schedules, cloze cards from the learner's sentences."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler
from sqlmodel import Session, col, select

from app.models import User, VocabularyItem, utcnow
from app.words.tokens import words

#: a card whose stability reaches this many days counts as known
KNOWN_AFTER_DAYS = 21.0
RATINGS = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
_SCHEDULER = Scheduler(enable_fuzzing=False)
GAP = "＿＿＿"


@dataclass(frozen=True)
class Cloze:
    """The sentence with the word blanked: ``before + GAP + after``."""

    before: str
    after: str

    @property
    def text(self) -> str:
        return self.before + GAP + self.after


def cloze(sentence: str, word: str, lang: str) -> Cloze | None:
    """Blank the first occurrence of `word` (its whole words) in `sentence`; None if absent."""
    wanted = [w.key for w in words(word, lang)]
    found = words(sentence, lang)
    keys = [w.key for w in found]
    for i in range(len(found) - len(wanted) + 1):
        if wanted and keys[i : i + len(wanted)] == wanted:
            start, end = found[i].start, found[i + len(wanted) - 1].end
            return Cloze(sentence[:start], sentence[end:])
    at = sentence.lower().find(word.strip().lower())
    if at < 0 or not word.strip():
        return None
    return Cloze(sentence[:at], sentence[at + len(word.strip()) :])


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def due(
    session: Session, user: User, now: datetime | None = None, limit: int = 50
) -> list[VocabularyItem]:
    """The account's words due for practice now (known words are left out), oldest due first."""
    moment = now or utcnow()
    return list(
        session.exec(
            select(VocabularyItem)
            .where(
                VocabularyItem.user_id == user.id,
                VocabularyItem.status != "known",
                col(VocabularyItem.due) <= moment,
            )
            .order_by(col(VocabularyItem.due), col(VocabularyItem.id))
            .limit(limit)
        ).all()
    )


def review(
    session: Session, row: VocabularyItem, rating: str, now: datetime | None = None
) -> VocabularyItem:
    """Record one answer: FSRS updates the card and its due time; the status follows it."""
    moment = _aware(now or utcnow())
    card = Card.from_dict(row.card) if row.card else Card()  # type: ignore[arg-type]
    card, _ = _SCHEDULER.review_card(card, RATINGS[rating], review_datetime=moment)
    row.card = card.to_dict()  # type: ignore[assignment]
    row.due = card.due
    stability = card.stability or 0.0
    row.status = "known" if stability >= KNOWN_AFTER_DAYS else "learning"
    row.updated_at = moment
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def next_interval(row: VocabularyItem, now: datetime | None = None) -> timedelta:
    """How long until the word is due again."""
    return _aware(row.due) - _aware(now or utcnow())
