"""One link shape for the checks, the exchange formats and the reader, built from a Link row."""

import dataclasses
import subprocess
import sys
from datetime import UTC, datetime

from app.checks import CheckLink
from app.exchange import ExportLink
from app.exchange.link_shape import LinkShape, link_shape
from app.models import Link


def _row() -> Link:
    return Link(
        id=12,
        story_id=1,
        source_document_id=3,
        target_document_id=5,
        source_paragraphs=[4, 5],
        target_paragraphs=[6],
        relation="translation",
        score=0.81,
        status="confirmed",
        version=2,
    )


def test_a_link_row_becomes_its_shape() -> None:
    shape = link_shape(_row())
    assert shape == LinkShape(3, (4, 5), 5, (6,), "translation", "confirmed", 0.81)
    assert shape.id == 12 and (shape.source_document_id, shape.target_document_id) == (3, 5)
    with_other_id = dataclasses.replace(shape, id=99)
    assert with_other_id == shape and hash(with_other_id) == hash(shape)
    assert dataclasses.replace(shape, status="rejected") != shape


def test_checks_and_exports_speak_the_same_shape() -> None:
    shape = link_shape(_row())
    assert isinstance(shape, CheckLink)
    when = datetime(2026, 1, 2, tzinfo=UTC)
    exported = ExportLink.of(shape, reviewed_by="alice", reviewed_at=when)
    assert isinstance(exported, LinkShape)
    assert exported == ExportLink(
        3, (4, 5), 5, (6,), "translation", "confirmed", 0.81, "alice", when
    )
    assert LinkShape(
        **{f.name: getattr(exported, f.name) for f in dataclasses.fields(LinkShape)}
    ) == (shape)


def test_the_shape_is_pure() -> None:
    code = (
        "import sys, app.exchange.link_shape; "
        "bad = [m for m in ('fastapi', 'sqlmodel', 'sqlalchemy', 'app.db', 'app.models') "
        "if m in sys.modules]; print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
