"""The JSON API."""

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from app.auth import UserDep
from app.deps import RuntimeDep, SessionDep, SettingsDep
from app.ingest import IngestError
from app.library.personal import Scope, upload_scope
from app.library.stories import (
    StoryDocuments,
    document_summary,
    get_story,
    library_version,
    page_stories,
    paragraphs_of,
)
from app.models import (
    Document,
    DocumentPair,
    JobStatus,
    Link,
    Paragraph,
    SentenceLink,
    Story,
)
from app.pipeline.grouping import GroupingOut, grouping_json
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import (
    failure_status,
    job_ref,
    queue_upload,
)
from app.review import actions
from app.review.changes import ReviewError
from app.review.findings import FindingOut, finding_json, stored_findings
from app.review.queue import QueueRow, build_queue, queue_filter
from app.routes.api_schemas import (
    AlignedDocument,
    AlignmentOut,
    Moved,
    NewWordsOut,
    PairOut,
    ParagraphOut,
    QueueItem,
    QueueOut,
    SentenceLinkOut,
    SentenceSideOut,
    StoryItem,
    StoryPageOut,
    Uploaded,
    link_json,
    moved,
)
from app.routes.page_cache import serve_listing
from app.security.openapi import errors
from app.waiting import (
    TooManyWaits,
    WaitingEditorDep,
    WaitingUserDep,
    await_job,
    submit_and_wait,
    waiting,
)
from app.words.share import Share, has_words, new_word_shares

router = APIRouter(prefix="/api", tags=["api"], responses=errors(404))

UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "lang": {"type": "string"},
                        "title": {"type": "string"},
                        "visibility": {"type": "string", "enum": ["public", "private"]},
                    },
                    "required": ["file"],
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "text": {"type": "string"},
                        "title": {"type": "string"},
                        "lang": {"type": "string"},
                        "source": {"type": "string"},
                        "visibility": {"type": "string", "enum": ["public", "private"]},
                    },
                    "required": ["text"],
                }
            },
        },
    }
}


@router.get("/stories", response_model=StoryPageOut)
def stories(
    request: Request,
    session: SessionDep,
    user: UserDep,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Response:
    """Stories newest first, a page at a time: pass `next` back as `cursor`.

    The public stories, and a logged-in user's own private ones; for a logged-in learner
    with saved words, each story's share of words new to them (`new_words`).

    Kept by the library's version, the viewer and the query (ETag/304); a learner's answer,
    whose shares change with their words, is made each time.
    """

    def render() -> Response:
        page = page_stories(session, cursor=cursor, limit=limit, user=user)
        shares = new_word_shares(session, user, page.items)
        out = StoryPageOut(
            items=[_story_item(item, page.languages, shares) for item in page.items],
            next=page.next,
            total=page.total,
        )
        return JSONResponse(out.model_dump(mode="json"))

    if has_words(session, user):
        return render()
    return serve_listing(request, library_version(session), user, render)


def _story_item(
    item: StoryDocuments, languages: dict[int, list[str]], shares: dict[int, Share]
) -> StoryItem:
    assert item.story.id is not None
    share = shares.get(item.story.id)
    return StoryItem(
        id=item.story.id,
        title=item.story.title,
        languages=languages.get(item.story.id, []),
        documents=[document_summary(d) for d in item.documents],
        new_words=None
        if share is None
        else NewWordsOut(lang=share.lang, new=share.new, total=share.total, percent=share.percent),
    )


@router.get("/documents/{document_id}/grouping")
def document_grouping(document_id: int, session: SessionDep) -> GroupingOut:
    """Why a document is in its story: the latest decision and its evidence."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id} does not exist")
    return grouping_json(session, doc)


@router.get("/stories/{story_id}/alignment")
def alignment(story_id: int, session: SessionDep) -> AlignmentOut:
    """A story's documents with their paragraphs, and the links between them."""
    item = get_story(session, story_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    paras = paragraphs_of(session, [d.id for d in item.documents if d.id is not None])
    pairs = session.exec(
        select(DocumentPair).where(DocumentPair.story_id == story_id).order_by(col(DocumentPair.id))
    )
    return AlignmentOut(
        id=story_id,
        title=item.story.title,
        documents=[
            AlignedDocument(
                **document_summary(d).model_dump(),
                paragraphs=[
                    ParagraphOut(index=p.index, text=p.text, kind=p.kind, lang=p.lang)
                    for p in paras[d.id or 0]
                ],
            )
            for d in item.documents
        ],
        pairs=[
            PairOut(
                source=pr.source_document_id,
                target=pr.target_document_id,
                kind=pr.kind,
                score=pr.score,
            )
            for pr in pairs
        ],
        links=[link_json(link) for link in story_links(session, story_id)],
    )


def story_links(session: Session, story_id: int) -> list[Link]:
    """Every link of a story, in a stable order."""
    return list(
        session.exec(select(Link).where(Link.story_id == story_id).order_by(col(Link.id))).all()
    )


@router.get("/stories/{story_id}/sentence-links")
def sentence_links(story_id: int, session: SessionDep) -> list[SentenceLinkOut]:
    """Sentence links inside each paragraph link; sentences are [paragraph, sentence] indexes."""
    if session.get(Story, story_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    links = {link.id: link for link in story_links(session, story_id)}
    rows = session.exec(
        select(SentenceLink)
        .where(col(SentenceLink.link_id).in_(list(links)))
        .order_by(col(SentenceLink.id))
    ).all()
    return [
        SentenceLinkOut(
            link=row.link_id,
            source=SentenceSideOut(
                document=links[row.link_id].source_document_id, sentences=row.source_sentences
            ),
            target=SentenceSideOut(
                document=links[row.link_id].target_document_id, sentences=row.target_sentences
            ),
            score=row.score,
        )
        for row in rows
    ]


class MoveDocument(BaseModel):
    """Where a document should go: an existing story, or null for a story of its own."""

    story_id: int | None
    discard_reviewed: bool = False


@router.put(
    "/documents/{document_id}/story",
    status_code=202,
    response_model=Moved,
    responses={
        200: {"model": Moved, "description": "moved and realigned within the wait"},
        **errors(401, 403, 404, 409, 422),
    },
)
async def move_document(
    document_id: int,
    body: MoveDocument,
    request: Request,
    runtime: RuntimeDep,
    user: WaitingEditorDep,
    wait: bool = False,
) -> JSONResponse:
    """Move a document to another story (or a new one); the realignment runs as a job.

    Reviewed links cannot follow: without `discard_reviewed` the answer is 409 listing them.
    202 with the job to follow; 200 with the new story when the job is over within the wait.
    """
    try:
        await run_in_threadpool(_check_move, runtime.engine, document_id, body)
    except ReviewError as err:
        return JSONResponse({"detail": str(err), **err.data}, status_code=err.status)
    kind, params = actions.move_job(body.story_id, body.discard_reviewed)
    try:
        job = await submit_and_wait(
            request,
            user.id,
            kind,
            params,
            wait=wait,
            document_id=document_id,
            created_by=user.id,
        )
    except TooManyWaits as err:
        return JSONResponse({"detail": str(err)}, status_code=429)
    if job.status == JobStatus.FAILED:
        return JSONResponse(
            {"detail": job.error, "job": job_ref(job).model_dump()}, failure_status(job)
        )
    done = job.status == JobStatus.DONE
    fields = await run_in_threadpool(_document_fields, runtime.engine, document_id)
    answer = moved(fields, (job.result or {}).get("story_id") if done else None, job_ref(job))
    return JSONResponse(
        answer.model_dump(mode="json", exclude_unset=True), status_code=200 if done else 202
    )


def _check_move(engine: Engine, document_id: int, body: MoveDocument) -> None:
    with Session(engine) as session:
        actions.check_move(session, document_id, body.story_id, body.discard_reviewed)


Upload = tuple[bytes, str, str | None, str | None, str | None]


async def _read_upload(request: Request, max_bytes: int) -> Upload:
    """The bytes, source name, lang, title and visibility of a multipart or JSON upload."""
    length = request.headers.get("content-length")
    # Reject before reading when the client says up front that the body is too large;
    # a little slack covers the multipart envelope around the file itself.
    if length and length.isdigit() and int(length) > max_bytes + 64_000:
        raise IngestError("upload", f"is larger than the {max_bytes:,} byte limit", status=413)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        return await _multipart_upload(request)
    if ctype.startswith("application/json"):
        return await _json_upload(request)
    raise IngestError(
        "request",
        f"has content type '{ctype or 'none'}'; send multipart/form-data or application/json",
        status=415,
    )


async def _multipart_upload(request: Request) -> Upload:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise IngestError(
            "upload", "has no 'file' part (send the article as multipart field 'file')"
        )
    data = await upload.read()
    lang, title, visibility = form.get("lang"), form.get("title"), form.get("visibility")
    return (
        data,
        upload.filename or "upload.txt",
        lang if isinstance(lang, str) and lang else None,
        title if isinstance(title, str) and title else None,
        visibility if isinstance(visibility, str) and visibility else None,
    )


async def _json_upload(request: Request) -> Upload:
    try:
        body = json.loads(await request.body())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise IngestError("request body", f"is not valid JSON ({exc})") from exc
    if not isinstance(body, dict) or not isinstance(body.get("text"), str):
        raise IngestError("request body", "must be a JSON object with a string field 'text'")
    for key in ("title", "lang", "source", "visibility"):
        if body.get(key) is not None and not isinstance(body[key], str):
            raise IngestError("request body", f"field '{key}' must be a string")
    source = body.get("source") or "pasted.txt"
    text, lang, title = body["text"], body.get("lang"), body.get("title")
    return text.encode("utf-8"), source, lang, title, body.get("visibility")


UPLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": Uploaded,
        "description": "the same content was uploaded before: the existing document",
    },
    201: {
        "model": Uploaded,
        "description": "with `?wait=true`: stored, grouped into a story and aligned",
    },
    **errors(401, 403, 413, 415, 422),
}


@router.post(
    "/documents",
    status_code=202,
    response_model=Uploaded,
    openapi_extra=UPLOAD_BODY,
    responses=UPLOAD_RESPONSES,
)
async def create_document(
    request: Request,
    settings: SettingsDep,
    runtime: RuntimeDep,
    user: WaitingUserDep,
    wait: bool = False,
) -> JSONResponse:
    """Add one article (multipart `file` or JSON `text`); grouping and alignment run as a job.

    202 once the document is parsed and stored, with the job to follow; `?wait=true` waits for
    the job and answers 201 with the story; 200 with the existing document for a duplicate.

    Who may add what: a reader account adds to its private library (`visibility` private,
    within its quota: 403 when full); editors add public texts unless they ask for private;
    anonymous visitors only when open uploads are on (public). See the README.
    """
    if user is None:
        upload_scope(user, settings, None)  # 401 before the body is read
    user_id = user.id if user else None
    try:
        # The slot first: an upload that may not wait is told so before its body is read
        # (a flood of them would otherwise parse every body on the event loop for nothing).
        async with waiting(request, user_id, wait):
            try:
                upload = await _read_upload(request, settings.max_upload_bytes)
            except IngestError as err:
                return JSONResponse({"detail": str(err)}, status_code=err.status)
            scope = upload_scope(user, settings, upload[4])
            return await submit_upload(runtime, upload, wait=wait, user_id=user_id, scope=scope)
    except TooManyWaits as err:
        return JSONResponse({"detail": str(err)}, status_code=429)


async def submit_upload(
    runtime: Runtime,
    upload: Upload,
    *,
    wait: bool,
    user_id: int | None,
    scope: Scope,
) -> JSONResponse:
    """Queue an ingest job and answer once its document is stored (or the job is over).

    The waiting holds no thread and no database connection (short reads between sleeps);
    parsing goes before queued alignment work, so the document is there within seconds.
    """
    data, source, lang, title, _visibility = upload
    settings = runtime.settings
    if len(data) > settings.max_upload_bytes:
        err = IngestError(source, f"is larger than the {settings.max_upload_bytes:,} byte limit")
        return JSONResponse({"detail": str(err)}, status_code=413)
    params = {"source": source, "lang": lang, "title": title, **scope.params()}
    try:
        job_id = await run_in_threadpool(queue_upload, runtime, data, params, user_id, scope)
    except IngestError as err:
        return JSONResponse({"detail": str(err)}, status_code=err.status)
    if wait:
        job = await await_job(runtime.engine, job_id, timeout=settings.job_wait_seconds)
    else:
        job = await await_job(
            runtime.engine,
            job_id,
            until=lambda j: j.document_id is not None,
            timeout=settings.upload_wait_seconds,
        )
    if job.status == JobStatus.FAILED:
        return JSONResponse(
            {"detail": job.error, "job": job_ref(job).model_dump()}, failure_status(job)
        )
    duplicate = bool((job.result or {}).get("duplicate"))
    body: dict[str, Any] = {"id": job.document_id, "lang": None, "tag": None, "source": source}
    body.update(title=title, paragraphs=None, story_id=None)
    if job.document_id is not None:
        body.update(await run_in_threadpool(_document_fields, runtime.engine, job.document_id))
    if not (duplicate or (wait and job.status == JobStatus.DONE)):
        body["story_id"] = None  # not grouped yet: the job decides
    body["job"] = job_ref(job)
    code = 200 if duplicate else 201 if job.status == JobStatus.DONE and wait else 202
    return JSONResponse(Uploaded.model_validate(body).model_dump(mode="json"), status_code=code)


def _document_fields(engine: Engine, document_id: int) -> dict[str, Any]:
    with Session(engine) as session:
        doc = session.get(Document, document_id)
        if doc is None:  # removed meanwhile
            return {}
        count = session.exec(
            select(func.count()).select_from(Paragraph).where(Paragraph.document_id == doc.id)
        ).one()
        return {**document_summary(doc).model_dump(), "story_id": doc.story_id, "paragraphs": count}


@router.get("/stories/{story_id}/findings")
def findings(story_id: int, session: SessionDep) -> list[FindingOut]:
    """The story's stored findings, most severe first (computed after alignment and review)."""
    if session.get(Story, story_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    return [finding_json(f) for f in stored_findings(session, story_id)]


@router.get("/stories/{story_id}/queue")
def queue(
    story_id: int,
    session: SessionDep,
    relation: str | None = None,
    state: str | None = None,
    finding: str | None = None,
    pair: str | None = None,
) -> QueueOut:
    """The review queue: open rows first, most severe first; counts over the whole story.

    Filters: `relation` (translation, related), `state` (open, auto, confirmed, manual,
    rejected, marked), `finding` (a check name, any, none), `pair` (two document ids, "3-5").
    """
    if session.get(Story, story_id) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    q = build_queue(session, story_id, queue_filter(relation, state, finding, pair))
    return QueueOut(counts=q.counts, shown=len(q.rows), items=[_queue_item(r) for r in q.rows])


def _queue_item(row: QueueRow) -> QueueItem:
    assert row.source.document.id is not None
    return QueueItem(
        key=row.key,
        state=row.state,
        action=row.action,
        link=link_json(row.link) if row.link else None,
        document=row.source.document.id,
        paragraphs=row.source.paragraphs,
        counterpart=row.target.document.id if row.target else None,
        findings=[finding_json(f) for f in row.findings],
    )
