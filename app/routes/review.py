"""The editors' JSON API: review links, mark paragraphs, undo, history."""

from typing import Any

from fastapi import APIRouter, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from app.auth import EditorDep, UserDep
from app.deps import RuntimeDep, SessionDep
from app.library.credentials import is_editor
from app.models import JobStatus, Link, User
from app.pipeline.jobs.runtime import Runtime
from app.pipeline.jobs.submit import JobRef, failure_status, get_job, job_ref
from app.review import actions
from app.review import changes as review
from app.review.changes import ReviewError, Side
from app.routes.api_schemas import LinkOut, link_json
from app.routes.review_schemas import (
    BatchOut,
    HistoryEvent,
    MarkOut,
    PartOut,
    RedoneOut,
    RemovedOut,
    SplitOut,
    TextOut,
    UndoneOut,
)
from app.security.openapi import errors
from app.waiting import TooManyWaits, WaitingEditorDep, submit_and_wait

router = APIRouter(prefix="/api", tags=["review"], responses=errors(404))
# What an editor's change can meet: not logged in, not an editor, a stale version, bad input.
EDIT_ERRORS = errors(401, 403, 409, 422)


class Versioned(BaseModel):
    """The version of the link the editor saw; a newer one in the database is a conflict."""

    version: int | None = Field(default=None, description="omit to skip the conflict check")


class SideIn(BaseModel):
    """One side of a new link."""

    document: int
    paragraphs: list[int]


class NewLink(BaseModel):
    """Two paragraph groups to link by hand."""

    source: SideIn
    target: SideIn
    relation: str = "translation"


class LinkRef(BaseModel):
    """A link and the version the editor saw."""

    id: int
    version: int | None = None


class MergeIn(BaseModel):
    """Links of one document pair to merge into one."""

    links: list[LinkRef]


class PartIn(BaseModel):
    """One part of a split link."""

    source: list[int]
    target: list[int]


class SplitIn(Versioned):
    """How to split a group link."""

    parts: list[PartIn]


class MarkIn(BaseModel):
    """An editor's verdict on a paragraph."""

    mark: str | None


class MarkTargetIn(MarkIn):
    """A mark, and for 'not_translated' the version the paragraph is missing from."""

    target_document: int | None = None


class UndoIn(BaseModel):
    """Undo (or redo) the editor's last change, in one story or anywhere."""

    story_id: int | None = None


class RelationIn(Versioned):
    """What a link says: a translation, or related facts."""

    relation: str


class BatchConfirmIn(BaseModel):
    """Confirm every automatic translation link at or above a score, in one undoable step."""

    min_score: float = Field(ge=0.0, le=1.0)
    documents: list[int] | None = Field(
        default=None, description="two document ids to limit the batch to one pair"
    )


async def review_error(request: Request, exc: Exception) -> JSONResponse:
    """Every refused review change, from any route: its status and what was wrong.

    A 409 carries what the client needs to decide again (the link as it is now, the reviewed
    links a move would discard) under `conflict`.
    """
    assert isinstance(exc, ReviewError)
    body: dict[str, Any] = {"detail": str(exc)}
    if exc.data:
        body["conflict"] = exc.data
    return JSONResponse(body, status_code=exc.status)


def install_review_errors(app: FastAPI) -> None:
    """Answer a ReviewError that reaches the app as JSON with its status (one handler)."""
    app.add_exception_handler(ReviewError, review_error)


def _status_change(
    link_id: int, body: Versioned, session: SessionDep, user: EditorDep, action: str
) -> LinkOut:
    return link_json(actions.set_status(session, user, link_id, body.version, action))


@router.post("/links/{link_id}/confirm", responses=EDIT_ERRORS)
def confirm(link_id: int, body: Versioned, session: SessionDep, user: EditorDep) -> LinkOut:
    """Confirm an automatic link."""
    return _status_change(link_id, body, session, user, "confirm")


@router.post("/links/{link_id}/reject", responses=EDIT_ERRORS)
def reject(link_id: int, body: Versioned, session: SessionDep, user: EditorDep) -> LinkOut:
    """Reject a link: it disappears from the reader and realignment will not bring it back."""
    return _status_change(link_id, body, session, user, "reject")


@router.post("/links/{link_id}/unlink", responses=EDIT_ERRORS)
def unlink(link_id: int, body: Versioned, session: SessionDep, user: EditorDep) -> LinkOut:
    """Remove a link (kept as rejected in the history)."""
    return _status_change(link_id, body, session, user, "unlink")


@router.post("/stories/{story_id}/links", status_code=201, responses=EDIT_ERRORS)
def create(
    story_id: int, body: NewLink, request: Request, session: SessionDep, user: EditorDep
) -> LinkOut:
    """Link paragraphs by hand."""
    source = Side(body.source.document, tuple(body.source.paragraphs))
    target = Side(body.target.document, tuple(body.target.paragraphs))
    return link_json(actions.create_link(session, user, story_id, source, target, body.relation))


@router.post("/links/merge", status_code=201, responses=EDIT_ERRORS)
def merge(body: MergeIn, request: Request, session: SessionDep, user: EditorDep) -> LinkOut:
    """Merge links of one document pair into one (1-1 + 1-1 → 2-1 or 1-2)."""
    return link_json(actions.merge(session, user, [(r.id, r.version) for r in body.links]))


@router.post("/links/{link_id}/split", status_code=201, responses=EDIT_ERRORS)
def split(
    link_id: int, body: SplitIn, request: Request, session: SessionDep, user: EditorDep
) -> list[LinkOut]:
    """Split a group link into parts."""
    parts = [(p.source, p.target) for p in body.parts]
    return [link_json(lk) for lk in actions.split(session, user, link_id, body.version, parts)]


@router.put("/documents/{document_id}/paragraphs/{index}/mark", responses=EDIT_ERRORS)
def mark(
    document_id: int, index: int, body: MarkTargetIn, session: SessionDep, user: EditorDep
) -> MarkOut:
    """Mark a paragraph 'not_translated' (optionally from one version) or 'added'; null clears."""
    actions.mark(session, user, (document_id, index), body.mark, body.target_document)
    return MarkOut(
        document=document_id,
        paragraph=index,
        mark=body.mark,
        target_document=body.target_document if body.mark == "not_translated" else None,
    )


class TextIn(BaseModel):
    """A paragraph's new text."""

    text: str


@router.put(
    "/documents/{document_id}/paragraphs/{index}/text",
    responses=errors(401, 403, 404, 409, 422, 503),
)
async def edit_text(
    document_id: int,
    index: int,
    body: TextIn,
    request: Request,
    user: WaitingEditorDep,
) -> TextOut:
    """Change a paragraph's text (recorded, undoable); the document is realigned around it.

    The edit and the realignment are one recorded step, run by a worker (it needs the model);
    the request waits for it, holding no thread and no database connection meanwhile.
    """
    kind, params = actions.edit_text_job(index, body.text)
    try:
        job = await submit_and_wait(
            request,
            user.id,
            kind,
            params,
            document_id=document_id,
            created_by=user.id,
        )
    except TooManyWaits as err:
        raise HTTPException(429, str(err)) from err
    if job.status == JobStatus.FAILED:
        raise HTTPException(failure_status(job), job.error)
    if job.status != JobStatus.DONE:
        raise HTTPException(503, "the edit is queued behind other work; try again shortly")
    return TextOut(document=document_id, paragraph=index, text=(job.result or {})["text"])


class SplitAtIn(BaseModel):
    """Where to split a paragraph: a character offset into its text (0-based)."""

    at: int = Field(ge=1, description="characters of the text that stay in the first part")


@router.post(
    "/documents/{document_id}/paragraphs/{index}/split", status_code=201, responses=EDIT_ERRORS
)
def split_paragraph(
    document_id: int,
    index: int,
    body: SplitAtIn,
    session: SessionDep,
    runtime: RuntimeDep,
    user: EditorDep,
) -> SplitOut:
    """Split a paragraph in two at `at` (undoable); its links hold both parts, then the
    document is realigned by the job `realign` names (its pairs show as aligning meanwhile).

    `index` is 0-based, as everywhere in the API; later paragraphs move down by one.
    """
    parts, job_id = actions.split_paragraph(session, runtime, user, document_id, index, body.at)
    return SplitOut(
        document=document_id,
        paragraphs=[PartOut(index=p.index, text=p.text) for p in parts],
        realign=_job(runtime, job_id),
    )


def _job(runtime: Runtime, job_id: int) -> JobRef | None:
    job = get_job(runtime.engine, job_id)
    return job_ref(job) if job is not None else None


@router.post("/documents/{document_id}/paragraphs/{index}/merge-next", responses=EDIT_ERRORS)
def merge_paragraph(
    document_id: int, index: int, session: SessionDep, runtime: RuntimeDep, user: EditorDep
) -> TextOut:
    """Join a paragraph with the next one (undoable); later paragraphs move up by one, then
    the document is realigned by the job `realign` names."""
    para, job_id = actions.merge_paragraphs(session, runtime, user, document_id, index)
    return TextOut(
        document=document_id, paragraph=para.index, text=para.text, realign=_job(runtime, job_id)
    )


@router.post("/undo", responses=EDIT_ERRORS)
def undo_change(body: UndoIn, session: SessionDep, user: EditorDep) -> UndoneOut:
    """Undo your last change; again for the one before (409 if someone changed it since)."""
    event = actions.revert(session, user, body.story_id, "undo")
    return UndoneOut(undone=event.before, now=event.after, event=event.reverts)


@router.post("/redo", responses=EDIT_ERRORS)
def redo_change(body: UndoIn, session: SessionDep, user: EditorDep) -> RedoneOut:
    """Redo the change you undid last (until you make a new one)."""
    event = actions.revert(session, user, body.story_id, "redo")
    return RedoneOut(redone=event.after, before=event.before, event=event.reverts)


@router.post("/links/{link_id}/relation", responses=errors(401, 403, 404, 409, 422))
def relation(link_id: int, body: RelationIn, session: SessionDep, user: EditorDep) -> LinkOut:
    """Say whether a link is a translation or related facts."""
    return link_json(actions.set_relation(session, user, link_id, body.version, body.relation))


@router.post("/stories/{story_id}/confirm-batch", responses=errors(401, 403, 404, 409, 422))
def confirm_batch(
    story_id: int, body: BatchConfirmIn, session: SessionDep, user: EditorDep
) -> BatchOut:
    """Confirm all automatic translation links scoring at least `min_score`; one undo."""
    pair = None
    if body.documents is not None:
        if len(body.documents) != 2:
            raise HTTPException(422, "documents must name exactly two documents")
        pair = (body.documents[0], body.documents[1])
    links = actions.confirm_batch(session, user, story_id, body.min_score, pair)
    return BatchOut(confirmed=[link.id for link in links if link.id is not None], count=len(links))


@router.delete("/documents/{document_id}", responses=errors(401, 403, 404, 409))
def remove_document(document_id: int, session: SessionDep, user: EditorDep) -> RemovedOut:
    """Remove a document from the library with its links and findings (undo brings it back)."""
    story_id = actions.remove_document(session, user, document_id)
    return RemovedOut(removed=document_id, story_id=story_id)


def visible_history(session: SessionDep, link_id: int, user: User | None) -> list[dict[str, Any]]:
    """A link's history; editors' names are shown to editors only."""
    events = review.history(session, link_id, user)
    if not is_editor(user):
        events = [{**e, "user": "editor" if e["user"] else None} for e in events]
    return events


@router.get("/links/{link_id}/history")
def link_history(link_id: int, session: SessionDep, user: UserDep) -> list[HistoryEvent]:
    """Who changed a link (a name for editors, "editor" for others), when, from what to what."""
    return [HistoryEvent.model_validate(e) for e in visible_history(session, link_id, user)]


@router.get("/links/{link_id}")
def get_link(link_id: int, session: SessionDep) -> LinkOut:
    """One link with its version (send the version back with a change)."""
    link = session.get(Link, link_id)
    if link is None:
        raise HTTPException(404, f"link {link_id} does not exist")
    return link_json(link)
