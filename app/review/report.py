"""The review report of a story: what editors decided, by whom and when, what is still open."""

import csv
import io
from dataclasses import dataclass

from sqlmodel import Session

from app.paranum import numbers
from app.review.queue import Queue, QueueRow, build_queue

CSV_COLUMNS = (
    "kind",
    "state",
    "relation",
    "score",
    "source",
    "source_paragraphs",
    "target",
    "target_paragraphs",
    "by",
    "at",
    "findings",
)


@dataclass
class Report:
    """Decided rows (links and marks) and open rows with their findings, with the counts."""

    queue: Queue
    decided: list[QueueRow]
    remaining: list[QueueRow]


def review_report(session: Session, story_id: int) -> Report:
    """The report, from the same rows as the queue."""
    queue = build_queue(session, story_id)
    decided = [r for r in queue.rows if r.state != "open"]
    remaining = [r for r in queue.rows if r.state == "open" and r.findings]
    return Report(queue, decided, remaining)


def _when(row: QueueRow) -> str:
    if row.link is not None and row.link.reviewed_at is not None:
        return row.link.reviewed_at.isoformat(timespec="seconds")
    if row.mark is not None:
        return row.mark.created_at.isoformat(timespec="seconds")
    return ""


def report_csv(report: Report) -> str:
    """The report as CSV: one line per decided row, then one per open row with findings."""
    names = report.queue.names
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in [*report.decided, *report.remaining]:
        writer.writerow(
            (
                "link" if row.link is not None else "paragraph",
                row.state if not row.mark else f"marked {row.mark.mark.replace('_', ' ')}",
                row.link.relation if row.link else "",
                f"{row.link.score:.2f}" if row.link else "",
                names.get(row.source.document.id or 0, ""),
                numbers(row.source.paragraphs),
                names.get(row.target.document.id or 0, "") if row.target else "",
                numbers(row.target.paragraphs) if row.target else "",
                row.reviewer or "",
                _when(row),
                "; ".join(f.summary for f in row.findings),
            )
        )
    return out.getvalue()
