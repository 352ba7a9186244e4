"""The review queue: a story's links and flagged paragraphs, riskiest first."""

from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from app.checks import Finding
from app.models import Document, Link
from app.services.stories import paragraphs_of


@dataclass
class QueueRow:
    """One line of the queue: a link with its findings, or a flagged paragraph on its own."""

    key: str
    link: Link | None
    source: tuple[Document, list[int], str]
    target: tuple[Document, list[int], str] | None
    findings: list[Finding] = field(default_factory=list)

    @property
    def risk(self) -> tuple[int, float, float]:
        """Unreviewed first, then the lowest score, then the most severe findings."""
        reviewed = self.link is not None and self.link.status != "auto"
        score = self.link.score if self.link is not None else 0.0
        return (int(reviewed), score, -sum(f.severity for f in self.findings))


@dataclass
class Queue:
    """Rows in review order and the counts per link status."""

    rows: list[QueueRow]
    counts: dict[str, int]


def _text(paras: dict[int, list[str]], doc: int, indexes: list[int]) -> str:
    return " ".join(paras[doc][i] for i in indexes if i < len(paras[doc]))


def build_queue(session: Session, story_id: int, findings: list[Finding]) -> Queue:
    """Attach each finding to the link holding its paragraph, or give it a row of its own."""
    docs = {
        d.id or 0: d for d in session.exec(select(Document).where(Document.story_id == story_id))
    }
    texts = {d: [p.text for p in ps] for d, ps in paragraphs_of(session, list(docs)).items()}
    links = session.exec(select(Link).where(Link.story_id == story_id).order_by(col(Link.id))).all()
    rows: list[QueueRow] = []
    holder: dict[tuple[int, int], list[QueueRow]] = {}
    for link in links:
        row = QueueRow(
            f"link-{link.id}",
            link,
            (
                docs[link.source_document_id],
                link.source_paragraphs,
                _text(texts, link.source_document_id, link.source_paragraphs),
            ),
            (
                docs[link.target_document_id],
                link.target_paragraphs,
                _text(texts, link.target_document_id, link.target_paragraphs),
            ),
        )
        rows.append(row)
        if link.status != "rejected":
            for i in link.source_paragraphs:
                holder.setdefault((link.source_document_id, i), []).append(row)
            for j in link.target_paragraphs:
                holder.setdefault((link.target_document_id, j), []).append(row)
    loose: dict[tuple[int, int], QueueRow] = {}
    for f in findings:
        candidates = holder.get((f.document, f.paragraph), [])
        if f.counterpart and f.counterpart[1]:
            # Prefer the link that joins the paragraph to the counterpart the finding names.
            candidates = [
                r
                for r in candidates
                if r.target and f.counterpart[0] in (r.source[0].id, r.target[0].id)
            ] or candidates
        if candidates:
            candidates[0].findings.append(f)
            continue
        key = (f.document, f.paragraph)
        if key not in loose:
            loose[key] = QueueRow(
                f"para-{f.document}-{f.paragraph}",
                None,
                (docs[f.document], [f.paragraph], _text(texts, f.document, [f.paragraph])),
                None,
            )
        loose[key].findings.append(f)
    rows.extend(loose.values())
    rows.sort(key=lambda r: r.risk)
    counts = Counter(link.status for link in links)
    return Queue(rows, {s: counts.get(s, 0) for s in ("auto", "confirmed", "manual", "rejected")})
