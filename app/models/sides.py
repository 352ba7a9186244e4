"""Link sides kept as rows: every flush that adds a link or changes its paragraphs rewrites them.

`link_side` answers "which links hold paragraph (document, index)" with an index on both
databases. The ORM keeps it (no triggers, no dialect branches): new and changed `Link`
objects are written after each flush, and a write that bypasses the ORM calls `write_sides`.
A deleted link's rows go with it (foreign key cascade).
"""

from collections.abc import Iterable

from sqlalchemy import delete, event, insert, inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from app.models.alignment import Link, LinkSide

SIDE_FIELDS = frozenset(
    ("source_paragraphs", "target_paragraphs", "source_document_id", "target_document_id")
)


def side_rows(link: Link) -> list[dict[str, object]]:
    """The `link_side` rows of one link."""
    rows: list[dict[str, object]] = []
    for side, doc, indexes in (
        ("source", link.source_document_id, link.source_paragraphs),
        ("target", link.target_document_id, link.target_paragraphs),
    ):
        rows.extend(
            {"link_id": link.id, "side": side, "document_id": doc, "index": int(i)}
            for i in sorted(set(indexes))
        )
    return rows


def write_sides(conn: Connection, links: Iterable[Link]) -> None:
    """Replace the `link_side` rows of `links` with what their arrays say now."""
    links = [lk for lk in links if lk.id is not None]
    if not links:
        return
    conn.execute(delete(LinkSide).where(LinkSide.link_id.in_([lk.id for lk in links])))  # type: ignore[attr-defined]
    rows = [row for lk in links for row in side_rows(lk)]
    if rows:
        conn.execute(insert(LinkSide), rows)


def _changed(link: Link) -> bool:
    state = inspect(link)
    return any(state.attrs[name].history.has_changes() for name in SIDE_FIELDS)


@event.listens_for(Session, "after_flush")
def _sync_sides(session: Session, _context: object) -> None:
    new = [obj for obj in session.new if isinstance(obj, Link)]
    dirty = [obj for obj in session.dirty if isinstance(obj, Link) and _changed(obj)]
    if new or dirty:
        write_sides(session.connection(), new + dirty)
