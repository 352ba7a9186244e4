"""The review queue: what needs an editor's decision first, most severe first.

Rows are links (with the stored findings attached to them) and paragraphs whose findings no
link holds (an omission, an addition, a line in another language). Each open row has an
action: confirm/reject a link, mark a paragraph not translated or added, or open it in the
reader. Reviewed rows stay, after the open ones, so an editor sees what was decided.
"""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.library.stories import paragraphs_of
from app.models import Document, DocumentPair, Link, ParagraphMark, StoredFinding, User
from app.review.findings import doc_names, stored_findings
from app.statuses import RELATIONS, STATUSES, LinkStatus, Relation

STATES = ("open", *STATUSES, "marked")
# A related link says "these share facts"; a finding on it weighs half of one on a translation.
RELATED_WEIGHT = 0.5


@dataclass(frozen=True)
class Place:
    """One side of a row: a document, paragraph indexes, their text."""

    document: Document
    paragraphs: list[int]
    text: str


@dataclass
class QueueRow:
    """A link with its findings, or a paragraph with findings no link holds."""

    key: str
    link: Link | None
    source: Place
    target: Place | None
    findings: list[StoredFinding] = field(default_factory=list)
    mark: ParagraphMark | None = None
    reviewer: str | None = None

    @property
    def state(self) -> str:
        """'open' until decided; then the link's status or 'marked'."""
        if self.link is not None:
            return "open" if self.link.status == LinkStatus.AUTO else self.link.status
        return "marked" if self.mark is not None else "open"

    @property
    def action(self) -> str:
        """What `y` does on this row: confirm, not_translated, added, or open (the reader)."""
        if self.link is not None:
            return "confirm"
        checks = {f.check for f in self.findings}
        if "omission" in checks:
            return "not_translated"
        if "addition" in checks:
            return "added"
        return "open"

    @property
    def severity(self) -> float:
        """The most severe finding, weighed down on related links."""
        top = max((f.severity for f in self.findings), default=0.0)
        related = self.link is not None and self.link.relation == Relation.RELATED
        return top * RELATED_WEIGHT if related else top

    @property
    def rank(self) -> tuple[int, float, int, float, str]:
        """Open rows first; then severity; translation before related; then the lowest score."""
        related = int(self.link is not None and self.link.relation == Relation.RELATED)
        score = self.link.score if self.link is not None else 0.0
        return (int(self.state != "open"), -self.severity, related, score, self.key)

    @property
    def pair(self) -> tuple[int, int] | None:
        """The two documents the row is about, in id order."""
        if self.target is None:
            return None
        a, b = self.source.document.id or 0, self.target.document.id or 0
        return (min(a, b), max(a, b))


@dataclass(frozen=True)
class QueueFilter:
    """Which rows to show; None shows all."""

    relation: str | None = None
    state: str | None = None
    finding: str | None = None
    pair: tuple[int, int] | None = None

    def keeps(self, row: QueueRow) -> bool:
        """Whether the row passes every filter."""
        if self.relation and (row.link is None or row.link.relation != self.relation):
            return False
        if self.state and row.state != self.state:
            return False
        checks = {f.check for f in row.findings}
        if self.finding == "any" and not checks:
            return False
        if self.finding == "none" and checks:
            return False
        if self.finding not in (None, "any", "none") and self.finding not in checks:
            return False
        return not (self.pair and row.pair != self.pair)


def queue_filter(
    relation: str | None, state: str | None, finding: str | None, pair: str | None
) -> QueueFilter:
    """A filter from query parameters; empty or malformed values do not filter."""
    ends = None
    if pair:
        parts = pair.replace(",", "-").split("-")
        if len(parts) == 2 and all(p.strip().isdigit() for p in parts):
            a, b = int(parts[0]), int(parts[1])
            ends = (min(a, b), max(a, b))
    return QueueFilter(
        relation=relation if relation in RELATIONS else None,
        state=state if state in STATES else None,
        finding=finding or None,
        pair=ends,
    )


@dataclass
class Queue:
    """Rows in review order, counts over the whole story, and what the filters left."""

    rows: list[QueueRow]
    counts: dict[str, int]
    total: int
    names: dict[int, str]
    documents: list[Document]
    checks: list[str]
    # Over every row of the story: changes when background work adds, drops or moves findings
    # or links, so an open queue can say so instead of moving under the editor.
    fingerprint: str = ""


def _place(doc: Document, texts: dict[int, list[str]], indexes: list[int]) -> Place:
    paras = texts.get(doc.id or 0, [])
    return Place(doc, list(indexes), " ".join(paras[i] for i in indexes if i < len(paras)))


def _rows(session: Session, story_id: int, docs: dict[int, Document]) -> list[QueueRow]:
    texts = {d: [p.text for p in ps] for d, ps in paragraphs_of(session, list(docs)).items()}
    users = {u.id: u.name for u in session.exec(select(User))}
    links = session.exec(select(Link).where(Link.story_id == story_id).order_by(col(Link.id))).all()
    rows: dict[str, QueueRow] = {}
    for link in links:
        rows[f"link-{link.id}"] = QueueRow(
            f"link-{link.id}",
            link,
            _place(docs[link.source_document_id], texts, link.source_paragraphs),
            _place(docs[link.target_document_id], texts, link.target_paragraphs),
            reviewer=users.get(link.reviewed_by) if link.reviewed_by else None,
        )
    marks = {
        (m.document_id, m.index): m
        for m in session.exec(
            select(ParagraphMark).where(col(ParagraphMark.document_id).in_(list(docs)))
        )
    }
    for f in stored_findings(session, story_id):
        row = rows.get(f"link-{f.link_id}") if f.link_id is not None else None
        if row is None:
            other = f.counterpart_document_id
            key = f"para-{f.document_id}-{f.paragraph}-{other or 0}"
            if key not in rows:
                mark = marks.get((f.document_id, f.paragraph))
                rows[key] = QueueRow(
                    key,
                    None,
                    _place(docs[f.document_id], texts, [f.paragraph]),
                    _place(docs[other], texts, []) if other in docs else None,
                    mark=mark,
                    reviewer=users.get(mark.user_id) if mark else None,
                )
            row = rows[key]
        row.findings.append(f)
    return list(rows.values())


def build_queue(session: Session, story_id: int, flt: QueueFilter | None = None) -> Queue:
    """The queue of a story, filtered; counts are over every row."""
    docs = {
        d.id or 0: d
        for d in session.exec(
            select(Document).where(Document.story_id == story_id).order_by(col(Document.id))
        )
    }
    rows = _rows(session, story_id, docs)
    states = Counter(r.state for r in rows)
    counts = {s: states.get(s, 0) for s in STATES}
    counts["auto"] = sum(1 for r in rows if r.link is not None and r.link.status == LinkStatus.AUTO)
    counts["findings"] = sum(len(r.findings) for r in rows)
    flt = flt or QueueFilter()
    shown = sorted((r for r in rows if flt.keeps(r)), key=lambda r: r.rank)
    checks = sorted({f.check for r in rows for f in r.findings})
    kinds = {
        (p.source_document_id, p.target_document_id): p.kind
        for p in session.exec(select(DocumentPair).where(DocumentPair.story_id == story_id))
    }
    names = doc_names(list(docs.values()), kinds)
    return Queue(shown, counts, len(rows), names, list(docs.values()), checks, fingerprint(rows))


def fingerprint(rows: list[QueueRow]) -> str:
    """A short digest of which rows exist and which findings they carry."""
    digest = hashlib.sha256()
    for key, checks in sorted((r.key, sorted(f.check for f in r.findings)) for r in rows):
        digest.update(f"{key}:{','.join(checks)};".encode())
    return digest.hexdigest()[:16]


def keep_order(rows: list[QueueRow], order: list[str]) -> list[QueueRow]:
    """Rows in the order the editor's page shows them; rows it does not show go last."""
    place = {key: i for i, key in enumerate(order)}
    return sorted(rows, key=lambda r: (place.get(r.key, len(place)), r.rank))
