"""A learner's saved words, kept per account, with their practice schedule."""

from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from app.models.content import utcnow

WORD_STATUSES = ("new", "learning", "known")


class VocabularyItem(SQLModel, table=True):
    """A word or phrase saved from a sentence, with that sentence's counterpart in one language.

    ``key`` identifies the word in its sentence for its owner (saving it again updates the
    row); ``card`` is the FSRS scheduler's card state and ``due`` when it is next practised.
    """

    __tablename__ = "vocabulary_item"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_vocabulary_item_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("user.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    key: str = Field(max_length=64)
    word: str = Field(max_length=200)
    lemma: str = Field(default="", max_length=200)
    lang: str = Field(max_length=16)
    sentence: str = Field(default="", max_length=2000)
    counterpart: str = Field(default="", max_length=2000)
    counterpart_lang: str = Field(default="", max_length=16)
    counterpart_words: str = Field(default="", max_length=400)
    story_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("story.id", ondelete="SET NULL"), nullable=True),
    )
    paragraph: str = Field(default="", max_length=32)
    status: str = Field(default="new", max_length=16)
    card: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    due: datetime = Field(default_factory=utcnow, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
