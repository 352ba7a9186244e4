"""The aligned sentences of a document pair, as the word aligner's training corpus.

Read from the pair's translation links and their sentence links; the tables trained on them
are kept per document pair in memory and retrained when the pair's links change.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from app.models import Link, Paragraph, Sentence, SentenceLink
from app.reading.view import VISIBLE_STATUSES, links_touching
from app.statuses import Relation
from app.words.align import Lexicon, train
from app.words.lemma import lemma_of
from app.words.tokens import words

logger = logging.getLogger(__name__)

SentKey = tuple[int, int]  # (paragraph index, sentence index)
_CACHE: OrderedDict[tuple[int, int, int, int], Lexicon] = OrderedDict()
_CACHE_SIZE = 32
_LOCK = threading.Lock()


def keys(text: str, lang: str) -> list[str]:
    """What the aligner compares: each word's lemma, lower-cased."""
    return [lemma_of(w, lang) for w in words(text, lang)]


def _pair_links(session: Session, a: int, b: int) -> list[tuple[Link, SentenceLink]]:
    rows = session.exec(
        select(Link, SentenceLink)
        .join(SentenceLink, col(SentenceLink.link_id) == col(Link.id))
        .where(
            Link.relation == Relation.TRANSLATION,
            col(Link.status).in_(VISIBLE_STATUSES),
            or_(
                (col(Link.source_document_id) == a) & (col(Link.target_document_id) == b),
                (col(Link.source_document_id) == b) & (col(Link.target_document_id) == a),
            ),
        )
    ).all()
    return [(lk, sl) for lk, sl in rows]


def sentence_texts(
    session: Session, document_id: int, wanted: Iterable[SentKey]
) -> dict[SentKey, str]:
    """The texts of the given sentences of a document."""
    want = set(wanted)
    paras = {k[0] for k in want}
    if not paras:
        return {}
    rows = session.exec(
        select(Paragraph.index, Sentence.index, Sentence.text)
        .join(Sentence, col(Sentence.paragraph_id) == col(Paragraph.id))
        .where(Paragraph.document_id == document_id, col(Paragraph.index).in_(paras))
    ).all()
    return {(p, s): t for p, s, t in rows if (p, s) in want}


def _version(session: Session, a: int, b: int) -> tuple[int, int]:
    row = session.exec(
        select(func.count(col(SentenceLink.id)), func.max(col(SentenceLink.id)))
        .join(Link, col(SentenceLink.link_id) == col(Link.id))
        .where(
            or_(
                (col(Link.source_document_id) == a) & (col(Link.target_document_id) == b),
                (col(Link.source_document_id) == b) & (col(Link.target_document_id) == a),
            )
        )
    ).one()
    return int(row[0] or 0), int(row[1] or 0)


def lexicon(session: Session, a: int, lang_a: str, b: int, lang_b: str) -> Lexicon:
    """IBM-1 tables of document `a` (source side) and `b`, from their aligned sentences."""
    key = (a, b, *_version(session, a, b))
    with _LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    pairs: list[tuple[list[str], list[str]]] = []
    groups: list[tuple[list[SentKey], list[SentKey]]] = []
    for lk, sl in _pair_links(session, a, b):
        mine, theirs = (
            (sl.source_sentences, sl.target_sentences)
            if lk.source_document_id == a
            else (sl.target_sentences, sl.source_sentences)
        )
        groups.append(([(p, s) for p, s in mine], [(p, s) for p, s in theirs]))
    text_a = sentence_texts(session, a, [k for g in groups for k in g[0]])
    text_b = sentence_texts(session, b, [k for g in groups for k in g[1]])
    for ks_a, ks_b in groups:
        src = [k for sk in ks_a for k in keys(text_a.get(sk, ""), lang_a)]
        tgt = [k for sk in ks_b for k in keys(text_b.get(sk, ""), lang_b)]
        if src and tgt:
            pairs.append((src, tgt))
    lex = train(pairs)
    logger.debug("word tables of documents %d-%d from %d sentence pairs", a, b, len(pairs))
    with _LOCK:
        _CACHE[key] = lex
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return lex


def counterpart_sentences(
    session: Session, story_id: int, document_id: int, at: SentKey
) -> dict[int, list[SentKey]]:
    """For a sentence of a document, its aligned sentences in each other document."""
    para = at[0]
    links = {
        lk.id: lk
        for lk in links_touching(session, story_id, {(document_id, para)})
        if lk.relation == Relation.TRANSLATION
    }
    rows = session.exec(
        select(SentenceLink).where(col(SentenceLink.link_id).in_(list(links)))
    ).all()
    out: dict[int, list[SentKey]] = {}
    for sl in rows:
        lk = links[sl.link_id]
        if lk.source_document_id == document_id and para in lk.source_paragraphs:
            mine, theirs, other = sl.source_sentences, sl.target_sentences, lk.target_document_id
        elif lk.target_document_id == document_id and para in lk.target_paragraphs:
            mine, theirs, other = sl.target_sentences, sl.source_sentences, lk.source_document_id
        else:
            continue
        if [at[0], at[1]] in mine:
            out.setdefault(other, []).extend((p, s) for p, s in theirs)
    return {d: sorted(set(v)) for d, v in out.items()}
