"""A word looked up in the reader: its lemma, frequency and counterparts in the other columns."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session, col, select

from app.library.visibility import may_read
from app.models import Document, Paragraph, Sentence, Story
from app.models.review import User
from app.words.align import counterpart, scores
from app.words.corpus import SentKey, counterpart_sentences, lexicon, sentence_texts
from app.words.dictionary import dictionary
from app.words.evidence import common, prior
from app.words.frequency import Frequency, frequency
from app.words.lemma import lemma, lemma_of
from app.words.meanings import Meaning, meanings
from app.words.tokens import Word, word_at, words

logger = logging.getLogger(__name__)


class LookupError_(LookupError):
    """What the request names does not exist (or may not be seen): a 404 with `detail`."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class LitWord:
    """A counterpart word, by its offsets in its sentence's text."""

    paragraph: int
    sentence: int
    text: str
    start: int
    end: int
    score: float


@dataclass(frozen=True)
class CounterpartSide:
    document: int
    lang: str
    sentences: list[tuple[SentKey, str]]
    words: list[LitWord]


@dataclass(frozen=True)
class Lookup:
    word: str
    lang: str
    lemma: str
    frequency: Frequency
    document: int
    paragraph: int
    sentence: int | None
    sentence_text: str
    start: int | None
    counterparts: list[CounterpartSide] = field(default_factory=list)
    #: the languages of the other documents the reader may see (or of `to`)
    languages: list[str] = field(default_factory=list)
    meanings: list[Meaning] = field(default_factory=list)
    dictionaries: list[str] = field(default_factory=list)


def _sentence(
    session: Session, para: Paragraph, word: str, lang: str, s: int | None
) -> tuple[Sentence | None, Word | None]:
    """The paragraph's sentence holding `word` (sentence `s` first, if given) and the word."""
    rows = list(
        session.exec(
            select(Sentence).where(Sentence.paragraph_id == para.id).order_by(col(Sentence.index))
        ).all()
    )
    if s is not None:
        rows.sort(key=lambda r: r.index != s)
    for row in rows:
        hit = word_at(row.text, lang, word)
        if hit:
            return row, hit
    return None, None


def _about(form: str, lang: str, read: str = "") -> tuple[str, Frequency]:
    """The lemma (`read`: as the analyser read the form in its sentence), and the frequency
    of the form (of the lemma when the form is unlisted)."""
    base = read or lemma(form, lang)
    freq = frequency(form, lang)
    return base, freq if freq.zipf > 0 else frequency(base, lang)


def _paragraph(
    session: Session, user: User | None, story_id: int, document_id: int, index: int
) -> tuple[Document, Paragraph]:
    story = session.get(Story, story_id)
    doc = session.get(Document, document_id)
    para = session.exec(
        select(Paragraph).where(Paragraph.document_id == document_id, Paragraph.index == index)
    ).first()
    readable = may_read(story, user) and may_read(doc, user)
    if not readable or doc is None or doc.story_id != story_id or para is None:
        raise LookupError_(f"no paragraph {document_id}-{index} in story {story_id}")
    return doc, para


def lookup(
    session: Session,
    user: User | None,
    *,
    story_id: int,
    document_id: int,
    index: int,
    lang: str,
    word: str,
    sentence: int | None = None,
    to: Sequence[int] | None = None,
) -> Lookup:
    """The card for `word` in paragraph `index` of a document of a story.

    Counterparts come from the sentences aligned with the word's sentence, in every other
    document the reader may see (or in the documents `to` only). Those documents' languages are
    `card.languages`, which `define` looks meanings up in. The aligner's dictionary
    evidence is read from the setting `dictionary_dir`.
    """
    doc, para = _paragraph(session, user, story_id, document_id, index)
    row, hit = _sentence(session, para, word, lang, sentence)
    shown = hit.text if hit else word.strip()
    base, freq = _about(shown, lang, hit.base if hit else "")
    card = Lookup(
        shown, lang, base, freq, document_id, index,
        row.index if row else None, row.text if row else "", hit.start if hit else None,
    )  # fmt: skip
    others = _others(session, user, story_id, document_id, to)
    if row is not None and hit is not None:
        found = counterpart_sentences(session, story_id, document_id, (index, row.index))
        for other in others:
            if other.id in found:
                side = _side(session, doc, other, (row, hit), found[other.id])
                card.counterparts.append(side)
    card.languages.extend(sorted({d.lang for d in others}))
    return card


def _others(
    session: Session,
    user: User | None,
    story_id: int,
    document_id: int,
    to: Sequence[int] | None,
) -> list[Document]:
    """The story's other documents the reader may see (or the documents `to` only), by id."""
    query = select(Document).where(Document.story_id == story_id, Document.id != document_id)
    if to:
        query = query.where(col(Document.id).in_(list(to)))
    rows = session.exec(query.order_by(col(Document.id))).all()
    return [d for d in rows if may_read(d, user)]


def define(card: Lookup, folder: Path | None = None) -> Lookup:
    """Add the card's meanings in each of its languages that a dictionary from the word's
    language is installed for in `folder` (those languages go to `card.dictionaries`)."""
    for into in card.languages:
        if dictionary(card.lang, into, folder) is None:
            continue
        card.dictionaries.append(into)
        hints = tuple(w.text for c in card.counterparts if c.lang == into for w in c.words)
        found = meanings(card.word, card.lemma, card.lang, into, hints, folder=folder)
        card.meanings.extend(found)
    return card


def _side(
    session: Session,
    doc: Document,
    other: Document,
    at: tuple[Sentence, Word],
    sents: list[SentKey],
) -> CounterpartSide:
    assert doc.id is not None and other.id is not None
    row, hit = at
    src_lang, tgt_lang = row.lang or doc.lang, other.lang
    texts = sentence_texts(session, other.id, sents)
    lex = lexicon(session, doc.id, doc.lang, other.id, other.lang)
    mine = words(row.text, src_lang)
    i = next(n for n, w in enumerate(mine) if w.start == hit.start)
    theirs = [(k, w) for k in sents for w in words(texts.get(k, ""), tgt_lang)]
    tgt_words = [w for _, w in theirs]
    matrix = scores(
        lex,
        [lemma_of(w, src_lang) for w in mine],
        [lemma_of(w, tgt_lang) for w in tgt_words],
        prior(mine, src_lang, tgt_words, tgt_lang),
        common(mine, src_lang),
    )
    lit = [
        LitWord(
            theirs[j][0][0],
            theirs[j][0][1],
            theirs[j][1].text,
            theirs[j][1].start,
            theirs[j][1].end,
            round(float(matrix[i, j]), 3),
        )
        for j in counterpart(matrix, i)
    ]
    return CounterpartSide(other.id, tgt_lang, [(k, texts.get(k, "")) for k in sents], lit)
