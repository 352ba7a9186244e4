"""Splitting or merging paragraphs realigns the document through the job pipeline.

On a real SQLite file with the migrations (and on the test PostgreSQL server), the seeds
aligned by the real model. The app's queue is the embedded one with no worker, so the
realign job waits until the test runs it: meanwhile the pair shows as aligning and its review waits; afterwards the document's links are
what the model aligns on the new paragraphs, and one undo takes back the split with them.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import html
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, func, select

from app.align.encoder import Encoder
from app.config import Settings
from app.main import create_app
from app.models import Document, Job, Link, Paragraph, SentenceLink
from app.pipeline.alignment import plan_pair
from app.pipeline.jobs.runner import run_job
from app.pipeline.steps import ordered
from app.statuses import LinkStatus
from tests.factories import login, make_user
from tests.review_story import story_state

HX = {"HX-Request": "true"}


@pytest.fixture
def queued_client(seeded_url: str, tmp_path: Path, encoder: Encoder) -> Iterator[TestClient]:
    """The app on the seeded copy, jobs stored and queued but run only when the test says."""
    settings = Settings(database_url=seeded_url, queue_url="", data_dir=tmp_path / "data")
    with TestClient(create_app(settings, encoder=encoder)) as c:
        yield c


@pytest.fixture
def editor(queued_client: TestClient, seeded_engine: Engine) -> TestClient:
    make_user(seeded_engine, "ed")
    login(queued_client, "ed")
    return queued_client


def _story_and_paragraph(engine: Engine) -> tuple[int, int, int, str]:
    """The story with most documents, its first document and a paragraph of two sentences
    or more that an automatic link holds: (story, document, index, text)."""
    with Session(engine) as session:
        story_id = session.exec(
            select(Document.story_id)
            .group_by(col(Document.story_id))
            .order_by(func.count().desc(), col(Document.story_id))
        ).first()
        assert story_id is not None
        doc = session.exec(
            select(Document).where(Document.story_id == story_id).order_by(col(Document.id))
        ).first()
        assert doc is not None and doc.id is not None
        held = {
            i
            for lk in session.exec(select(Link).where(Link.source_document_id == doc.id))
            if lk.status == LinkStatus.AUTO
            for i in lk.source_paragraphs
        }
        for para in session.exec(
            select(Paragraph).where(Paragraph.document_id == doc.id).order_by(col(Paragraph.index))
        ):
            if para.index in held and ". " in para.text[20:-20]:
                return story_id, doc.id, para.index, para.text
    raise AssertionError("the seeds have no linked paragraph of two sentences")


def _realign_job(engine: Engine, job_id: int) -> Job:
    with Session(engine) as session:
        job = session.get(Job, job_id)
        assert job is not None
        session.expunge(job)
        return job


def _auto_links(session: Session, doc_id: int) -> dict[tuple[int, int], set[tuple]]:
    """Per document pair of `doc_id`: its automatic links as (source ¶s, target ¶s, relation)."""
    out: dict[tuple[int, int], set[tuple]] = {}
    for lk in session.exec(
        select(Link).where(
            (Link.source_document_id == doc_id) | (Link.target_document_id == doc_id)
        )
    ):
        if lk.status == LinkStatus.AUTO:
            out.setdefault((lk.source_document_id, lk.target_document_id), set()).add(
                (tuple(lk.source_paragraphs), tuple(lk.target_paragraphs), lk.relation)
            )
    return out


def _what_the_model_aligns(session: Session, encoder: Encoder, doc_id: int) -> dict:
    """The automatic links a fresh alignment of `doc_id`'s pairs proposes now."""
    doc = session.get(Document, doc_id)
    assert doc is not None
    out: dict[tuple[int, int], set[tuple]] = {}
    for other in session.exec(
        select(Document).where(Document.story_id == doc.story_id, Document.id != doc_id)
    ):
        source, target = ordered(doc, other)
        plan = plan_pair(session=session, encoder=encoder, source=source, target=target)
        out[(source.id or 0, target.id or 0)] = {
            (tuple(lk.src), tuple(lk.tgt), lk.relation) for lk in plan.links
        }
    return {k: v for k, v in out.items() if v}


def test_a_split_realigns_the_document_and_one_undo_takes_both_back(
    editor: TestClient, seeded_engine: Engine, encoder: Encoder
) -> None:
    story_id, doc_id, index, text = _story_and_paragraph(seeded_engine)
    start = story_state(seeded_engine, story_id)
    at = text.index(". ", 20) + 2
    split = editor.post(f"/api/documents/{doc_id}/paragraphs/{index}/split", json={"at": at})
    assert split.status_code == 201, split.text
    job_id = split.json()["realign"]["id"]
    assert split.json()["realign"]["status"] == "queued"
    with Session(seeded_engine) as session:
        shifted = {lk.id for lk in session.exec(select(Link).where(Link.story_id == story_id))}
        link = session.exec(
            select(Link).where(Link.source_document_id == doc_id, Link.status == LinkStatus.AUTO)
        ).first()
        assert link is not None

    # Until the job has run, the editor sees the pairs re-aligning, and their review waits.
    queue = html.fromstring(editor.get(f"/stories/{story_id}/review").text)
    assert queue.xpath("//nav[@class='pair-nav']//span[contains(@class, 'aligning')]")
    panel = editor.get(f"/stories/{story_id}?p={doc_id}-{index}", headers=HX).text
    assert f"is being realigned (job {job_id})" in panel
    refused = editor.post(f"/api/links/{link.id}/confirm", json={})
    assert refused.status_code == 409 and "still being aligned" in refused.json()["detail"]

    runtime = editor.app.state.runtime  # type: ignore[attr-defined]
    run_job(job_id, runtime=runtime)
    job = _realign_job(seeded_engine, job_id)
    assert job.status == "done" and job.result is not None and job.result["realigned"], job.error

    with Session(seeded_engine) as session:
        # The links are what the model aligns on the new paragraphs (not the shifted ones).
        assert _auto_links(session, doc_id) == _what_the_model_aligns(session, encoder, doc_id)
        now = {lk.id for lk in session.exec(select(Link).where(Link.story_id == story_id))}
        assert now - shifted, "the realignment made no new link"
        # The new paragraph's sentences are linked again, sentence by sentence.
        halves = [
            s
            for lk in session.exec(select(Link).where(Link.source_document_id == doc_id))
            if index + 1 in lk.source_paragraphs
            for row in session.exec(select(SentenceLink).where(SentenceLink.link_id == lk.id))
            for s in row.source_sentences
            if s[0] == index + 1
        ]
        assert halves, "no sentence link reaches the second half"
    queue = html.fromstring(editor.get(f"/stories/{story_id}/review").text)
    assert not queue.xpath("//nav[@class='pair-nav']//span[contains(@class, 'aligning')]")

    undone = editor.post("/api/undo", json={"story_id": story_id})
    assert undone.status_code == 200, undone.text
    assert story_state(seeded_engine, story_id) == start


def test_a_merge_realigns_and_a_realignment_after_undo_changes_nothing(
    editor: TestClient, seeded_engine: Engine, encoder: Encoder
) -> None:
    story_id, doc_id, index, _ = _story_and_paragraph(seeded_engine)
    start = story_state(seeded_engine, story_id)
    merged = editor.post(f"/api/documents/{doc_id}/paragraphs/{index}/merge-next")
    assert merged.status_code == 200, merged.text
    first = merged.json()["realign"]["id"]
    runtime = editor.app.state.runtime  # type: ignore[attr-defined]
    run_job(first, runtime=runtime)
    assert _realign_job(seeded_engine, first).result == {
        "document": doc_id,
        "story_id": story_id,
        "realigned": True,
    }
    with Session(seeded_engine) as session:
        assert _auto_links(session, doc_id) == _what_the_model_aligns(session, encoder, doc_id)
    assert editor.post("/api/undo", json={"story_id": story_id}).status_code == 200
    assert story_state(seeded_engine, story_id) == start

    # Merged again, then undone before the worker came to it: the job finds nothing to do.
    again = editor.post(f"/api/documents/{doc_id}/paragraphs/{index}/merge-next")
    assert again.status_code == 200, again.text
    assert editor.post("/api/undo", json={"story_id": story_id}).status_code == 200
    second = again.json()["realign"]["id"]
    run_job(second, runtime=runtime)
    assert (_realign_job(seeded_engine, second).result or {})["realigned"] is False
    assert story_state(seeded_engine, story_id) == start
