"""Full-text search over every paragraph, in every language.

SQLite: the FTS5 table `paragraph_fts` (trigram tokenizer, kept in sync by triggers of
migration 0005) finds any substring of 3+ characters, so Chinese, Japanese and Thai are
matched without word segmentation. Shorter terms (a two-character Chinese word) fall back to
LIKE on the paragraph text. PostgreSQL: ILIKE per term, answered by the pg_trgm index of the
same migration. Results come in paragraph order with a keyset cursor (the last paragraph id).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import text
from sqlmodel import Session, col, select

from app.db import FTS_TABLE
from app.library.visibility import document_clause
from app.models import Document, Paragraph, Story, User

MAX_LIMIT = 100
_CONTEXT = 80


@dataclass(frozen=True)
class Hit:
    """One matching paragraph, with the words around the first match."""

    story: int
    document: int
    paragraph: int
    lang: str
    before: str
    match: str
    after: str
    story_title: str = ""
    document_title: str = ""

    @property
    def snippet(self) -> str:
        """The plain-text snippet (the JSON API's `snippet`)."""
        return f"{self.before}{self.match}{self.after}"

    @property
    def url(self) -> str:
        """The story page with this paragraph highlighted."""
        return f"/stories/{self.story}?p={self.document}-{self.paragraph}"


@dataclass(frozen=True)
class SearchPage:
    """A page of hits and the cursor of the next one."""

    items: list[Hit]
    next: str | None


def terms_of(query: str) -> list[str]:
    """The whitespace-separated terms of a query, at most 8, duplicates dropped."""
    return list(dict.fromkeys(t for t in query.split() if t))[:8]


def _fts_query(terms: list[str]) -> str:
    """Each term as an FTS5 string (so nothing in it is read as query syntax), all required."""
    return " ".join('"' + t.replace('"', '""') + '"' for t in terms)


def _matching_ids(
    session: Session, terms: list[str], after: int, limit: int, user: User | None
) -> list[int]:
    """Ids of paragraphs `user` may read containing every term, above `after`, in id order.

    Other people's private documents are left out in the query itself, so pages stay full
    and the cursor stays right.
    """
    bind = session.get_bind()
    uid = user.id if user is not None else None
    if bind.dialect.name == "sqlite" and all(len(t) >= 3 for t in terms):
        rows = session.connection().execute(
            text(
                f"SELECT {FTS_TABLE}.rowid FROM {FTS_TABLE} "
                f"JOIN paragraph ON paragraph.id = {FTS_TABLE}.rowid "
                "JOIN document ON document.id = paragraph.document_id "
                f"WHERE {FTS_TABLE} MATCH :q AND {FTS_TABLE}.rowid > :after "
                "AND (document.visibility = 'public' OR document.owner_id = :uid) "
                f"ORDER BY {FTS_TABLE}.rowid LIMIT :n"
            ),
            {"q": _fts_query(terms), "after": after, "n": limit, "uid": uid},
        )
        return [r[0] for r in rows]
    query = (
        select(Paragraph.id)
        .join(Document, col(Document.id) == col(Paragraph.document_id))
        .where(col(Paragraph.id) > after, document_clause(user))
    )
    for term in terms:
        escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(col(Paragraph.text).ilike(f"%{escaped}%", escape="\\"))
    return [i for i in session.exec(query.order_by(col(Paragraph.id)).limit(limit)) if i]


def _hit(story: int, doc_lang: str, para: Paragraph, terms: list[str]) -> Hit:
    folded = para.text.casefold()
    positions = [(folded.find(t.casefold()), t) for t in terms]
    found = [(pos, t) for pos, t in positions if pos >= 0]
    pos, term = min(found) if found else (0, "")
    # casefold can change lengths (ß -> ss); fall back to the term's own length
    end = pos + len(term)
    start = max(0, pos - _CONTEXT)
    stop = min(len(para.text), end + _CONTEXT)
    return Hit(
        story=story,
        document=para.document_id,
        paragraph=para.index,
        lang=para.lang or doc_lang,
        before=("…" if start else "") + para.text[start:pos],
        match=para.text[pos:end],
        after=para.text[end:stop] + ("…" if stop < len(para.text) else ""),
    )


def search_paragraphs(
    session: Session,
    *,
    query: str,
    cursor: str | None = None,
    limit: int = 20,
    user: User | None = None,
) -> SearchPage:
    """Paragraphs `user` may read containing every term of `query`, `limit` at a time."""
    terms = terms_of(query)
    if not terms:
        return SearchPage([], None)
    limit = max(1, min(limit, MAX_LIMIT))
    after = int(cursor) if cursor and cursor.isdigit() else 0
    ids = _matching_ids(session, terms, after, limit + 1, user)
    more = len(ids) > limit
    ids = ids[:limit]
    rows = session.exec(
        select(Paragraph, Document.story_id, Document.lang, Document.title, Story.title)  # type: ignore[call-overload]
        .join(Document, col(Document.id) == col(Paragraph.document_id))
        .join(Story, col(Story.id) == col(Document.story_id))
        .where(col(Paragraph.id).in_(ids))
        .order_by(col(Paragraph.id))
    ).all()
    hits = [
        replace(_hit(story, lang, para, terms), story_title=s_title, document_title=d_title)
        for para, story, lang, d_title, s_title in rows
    ]
    return SearchPage(hits, str(ids[-1]) if more and ids else None)
