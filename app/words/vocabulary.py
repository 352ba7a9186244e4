"""A learner's saved words, per account: save (or update), list, change status, remove."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from app.library.visibility import may_read
from app.models import Story, User, VocabularyItem, utcnow
from app.words.lemma import lemma

STATUSES = ("new", "learning", "known")


@dataclass(frozen=True)
class NewWord:
    """What the reader sends for a word it saves."""

    word: str
    lang: str
    sentence: str = ""
    counterpart: str = ""
    counterpart_lang: str = ""
    counterpart_words: str = ""
    lemma: str = ""
    story_id: int | None = None
    paragraph: str = ""
    status: str = "new"
    saved: datetime | None = None


def item_key(word: str, lang: str, sentence: str) -> str:
    """One row per word in its sentence for an account."""
    raw = "\x1f".join((lang.lower(), word.strip().lower(), " ".join(sentence.split())))
    return hashlib.sha256(raw.encode()).hexdigest()


def items(session: Session, user: User) -> list[VocabularyItem]:
    return list(
        session.exec(
            select(VocabularyItem)
            .where(VocabularyItem.user_id == user.id)
            .order_by(col(VocabularyItem.created_at), col(VocabularyItem.id))
        ).all()
    )


def _story_for(session: Session, user: User, story_id: int | None) -> int | None:
    """The story a word came from, if the account may read it (else none is kept)."""
    if story_id is None:
        return None
    return story_id if may_read(session.get(Story, story_id), user) else None


def save(session: Session, user: User, new: NewWord) -> tuple[VocabularyItem, bool]:
    """Add the word, or update the row already saved for it; (row, created). Not committed."""
    assert user.id is not None
    key = item_key(new.word, new.lang, new.sentence)
    row = session.exec(
        select(VocabularyItem).where(VocabularyItem.user_id == user.id, VocabularyItem.key == key)
    ).first()
    created = row is None
    if row is None:
        row = VocabularyItem(user_id=user.id, key=key, word=new.word.strip(), lang=new.lang)
        if new.saved is not None:
            row.created_at = new.saved
    row.lemma = new.lemma or row.lemma or lemma(new.word.strip(), new.lang)
    row.sentence = new.sentence
    if new.counterpart or not row.counterpart:
        row.counterpart = new.counterpart
        row.counterpart_lang = new.counterpart_lang
        row.counterpart_words = new.counterpart_words
    row.story_id = _story_for(session, user, new.story_id) or row.story_id
    row.paragraph = new.paragraph or row.paragraph
    if created or new.status != "new":
        row.status = new.status
    row.updated_at = utcnow()
    session.add(row)
    return row, created


def save_all(session: Session, user: User, news: Sequence[NewWord]) -> tuple[int, int]:
    """Import a list (the browser's local one); (added, updated). One transaction."""
    added = updated = 0
    for new in news:
        _, created = save(session, user, new)
        session.flush()
        added += created
        updated += not created
    session.commit()
    return added, updated


def owned(session: Session, user: User, item_id: int) -> VocabularyItem | None:
    row = session.get(VocabularyItem, item_id)
    return row if row is not None and row.user_id == user.id else None


def set_status(session: Session, row: VocabularyItem, status: str) -> VocabularyItem:
    row.status = status
    row.updated_at = utcnow()
    session.add(row)
    session.commit()
    session.refresh(row)
    return row
