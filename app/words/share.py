"""How many of a story's words are new to a learner: for the story list.

The learner's language is the one most of their saved words are in. A story's text in that
language (its first document in it) counts its different words by lemma, numbers left out; a
word is known when its lemma or form is among the learner's words marked "known". The share
of the rest ("new": not saved, or saved and still being learned) is what the list shows.
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from app.library.stories import StoryDocuments
from app.models import Document, Paragraph, User, VocabularyItem
from app.words.lemma import lemma, lemma_of
from app.words.tokens import words


@dataclass(frozen=True)
class Share:
    lang: str  # the learner's language (as the document writes it)
    new: int  # different words (lemmas) not known
    total: int  # different words (lemmas) of the text

    @property
    def percent(self) -> int:
        """Rounded, but 100 only when every word is new and 0 only when none is."""
        if not self.total:
            return 0
        return max(
            min(round(100 * self.new / self.total), 99 if self.new < self.total else 100),
            1 if self.new else 0,
        )


def _base(lang: str) -> str:
    return lang.lower().split("-")[0]


CACHED = 512
_types_cache: OrderedDict[tuple[int, int], frozenset[str]] = OrderedDict()
_lock = threading.Lock()


def _types(session: Session, doc: Document, version: int) -> frozenset[str]:
    """The different words of a document's text by lemma, kept per document and story
    version (which every edit of a paragraph's text bumps)."""
    assert doc.id is not None
    key = (doc.id, version)
    with _lock:
        hit = _types_cache.get(key)
        if hit is not None:
            _types_cache.move_to_end(key)
            return hit
    text = _text(session, doc)
    found = frozenset(lemma_of(w, doc.lang) for w in words(text, doc.lang) if not w.text.isdigit())
    with _lock:
        _types_cache[key] = found
        while len(_types_cache) > CACHED:
            _types_cache.popitem(last=False)
    return found


def has_words(session: Session, user: User | None) -> bool:
    """Whether `user` has saved a word: only then does a story list show new-word shares."""
    if user is None:
        return False
    found = select(VocabularyItem.id).where(VocabularyItem.user_id == user.id).limit(1)
    return session.exec(found).first() is not None


def learner_language(session: Session, user: User) -> str | None:
    """The language most of the learner's saved words are in, or None without words."""
    langs = session.exec(select(VocabularyItem.lang).where(VocabularyItem.user_id == user.id))
    counts = Counter(_base(lang) for lang in langs.all())
    return counts.most_common(1)[0][0] if counts else None


def known_words(session: Session, user: User, lang: str) -> set[str]:
    """Lemmas and forms (lower-cased) of the learner's known words in `lang`."""
    rows = session.exec(
        select(VocabularyItem).where(
            VocabularyItem.user_id == user.id, VocabularyItem.status == "known"
        )
    ).all()
    known: set[str] = set()
    for row in rows:
        if _base(row.lang) == lang:
            known.add(row.word.strip().lower())
            known.add((row.lemma or lemma(row.word.strip(), lang)).lower())
    return known


def _text(session: Session, doc: Document) -> str:
    texts = session.exec(
        select(Paragraph.text).where(Paragraph.document_id == doc.id).order_by(col(Paragraph.index))
    ).all()
    return "\n".join(texts)


def new_word_shares(
    session: Session, user: User | None, items: Sequence[StoryDocuments]
) -> dict[int, Share]:
    """For each story with a document in the learner's language: the share of new words."""
    lang = learner_language(session, user) if user is not None else None
    if user is None or lang is None:
        return {}
    known = known_words(session, user, lang)
    out: dict[int, Share] = {}
    for item in items:
        doc = next((d for d in item.documents if _base(d.lang) == lang), None)
        if doc is None or doc.id is None or item.story.id is None:
            continue
        types = _types(session, doc, item.story.version)
        new = sum(1 for t in types if t not in known)
        out[item.story.id] = Share(doc.lang, new, len(types))
    return out
