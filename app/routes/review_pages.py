"""HTMX endpoints of the editor's panel on the story page: each answers with the refreshed
highlight and panel, so the page never reloads."""

from collections.abc import Callable
from dataclasses import replace
from itertools import combinations
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, select

from app.auth import EditorDep, UserDep, current_user, session_user
from app.deps import SessionDep
from app.library.credentials import is_editor
from app.models import Document, JobStatus, Link, Story, User
from app.reading.view import highlight_in_db, parse_key, review_panel
from app.review import actions
from app.review import undo as undo_service
from app.review.changes import ReviewError
from app.review.pairs import aligning_documents, parse_pair, story_pairs
from app.review.queue import STATES, QueueFilter, build_queue, keep_order, queue_filter
from app.review.report import report_csv, review_report
from app.routes.pages import counterparts
from app.routes.review import visible_history
from app.templating import templates
from app.waiting import TooManyWaits, WaitingEditorDep, submit_and_wait

router = APIRouter(prefix="/review", include_in_schema=False)


async def _form(request: Request) -> dict[str, str]:
    """The posted form (reading the body is the only thing done on the event loop)."""
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


# Handlers are plain `def` (run in the threadpool); only the body is read asynchronously.
FormDep = Annotated[dict[str, str], Depends(_form)]


def _version(form: dict[str, str]) -> int | None:
    value = form.get("version", "")
    return int(value) if value.isdigit() else None


def _attempt(session: Session, change: Callable[[], str]) -> tuple[str | None, str | None, int]:
    """Run one review action (again while the database is busy): its message, or why it was
    refused, and the status to answer with. The one error wrapper of the HTMX routes: a
    refused change is rolled back and said in the panel or the queue, not raised."""
    try:
        message = actions.retrying(session, change)
    except ReviewError as err:
        session.rollback()
        return None, str(err), err.status
    # Committed here: the session then queues the sentence links and findings refresh.
    session.commit()
    return message, None, 200


def _apply(
    request: Request,
    session: SessionDep,
    active_key: str,
    change: Callable[[], str],
    ask: dict[str, Any] | None = None,
) -> HTMLResponse:
    """Run `change`, then re-render the highlight around the active paragraph and the panel."""
    active = parse_key(active_key)
    if active is None:
        raise HTTPException(422, "which paragraph? send p=DOCUMENT-INDEX")
    doc = session.get(Document, active[0])
    if doc is None:
        raise HTTPException(404, f"document {active[0]} does not exist")
    before = set(highlight_in_db(session, doc.story_id, active)[0].relation)
    message, error, status = _attempt(session, change)
    panel = review_panel(session, doc.story_id, active)
    panel.error, panel.message, panel.ask = error, message, ask
    return counterparts(
        request, session, doc.story_id, active, None, also=before, panel=panel, status_code=status
    )


@router.post("/links/{link_id}/{action}", response_class=HTMLResponse)
def link_action(
    link_id: int, action: str, request: Request, session: SessionDep, user: EditorDep, form: FormDep
) -> HTMLResponse:
    """Confirm, reject, unlink or split one link from the panel."""
    version = _version(form)
    # The link must belong to the story of the paragraph the panel is open on.
    active = parse_key(form.get("p", ""))
    doc = session.get(Document, active[0]) if active else None
    link = session.get(Link, link_id)
    if link is None or (doc is not None and link.story_id != doc.story_id):
        raise HTTPException(404, f"link {link_id} is not in this story")

    def change() -> str:
        if action in actions.STATUS_OF:
            done = actions.set_status(session, user, link_id, version, action)
            return f"link {link_id} {done.status}"
        if action in ("boundary", "merge-next") and active is None:
            raise ReviewError("which paragraph? send p=DOCUMENT-INDEX")
        if action == "merge-next" and active is not None:
            return actions.merge_next(session, user, link_id, version, active)
        if action == "boundary" and active is not None:
            down = form.get("delta") == "1"
            return actions.move_boundary(session, user, link_id, version, active, down)
        if action == "relation":
            relation = form.get("relation", "")
            actions.set_relation(session, user, link_id, version, relation)
            return f"link {link_id} is now {relation}"
        if action == "split":
            actions.split_in_reading_order(session, user, link_id, version)
            return f"link {link_id} split"
        if action == "extend":
            return actions.extend(session, user, link_id, version, parse_key(form.get("to")))
        raise ReviewError(f"unknown action {action!r}", 404)

    return _apply(request, session, form.get("p", ""), change)


@router.post("/link", response_class=HTMLResponse)
def link_by_hand(
    request: Request, session: SessionDep, user: EditorDep, form: FormDep
) -> HTMLResponse:
    """Link the active paragraph with the one clicked next."""
    a, b = parse_key(form.get("from")), parse_key(form.get("to"))

    def change() -> str:
        actions.link_active(session, user, a, b)
        return "linked by hand"

    return _apply(request, session, form.get("from", ""), change)


@router.post("/mark", response_class=HTMLResponse)
def mark(request: Request, session: SessionDep, user: EditorDep, form: FormDep) -> HTMLResponse:
    """Mark the active paragraph 'not translated' or 'added' (empty clears)."""
    return _apply(request, session, form.get("p", ""), lambda: _mark(session, user, form))


def _mark(session: Session, user: User, form: dict[str, str]) -> str:
    """The mark the form asks for (p=DOCUMENT-INDEX, mark, target), through the action."""
    target = form.get("target", "")
    return actions.mark(
        session,
        user,
        parse_key(form.get("p")),
        form.get("mark") or None,
        int(target) if target.isdigit() else None,
    )


@router.post("/{direction}", response_class=HTMLResponse)
def undo(
    direction: str, request: Request, session: SessionDep, user: EditorDep, form: FormDep
) -> HTMLResponse:
    """Undo (or redo) the editor's last change in this story."""
    if direction not in ("undo", "redo"):
        raise HTTPException(404, f"unknown action {direction!r}")
    key = parse_key(form.get("p"))
    doc = session.get(Document, key[0]) if key else None

    def change() -> str:
        return actions.step(session, user, doc.story_id if doc else None, direction)

    return _apply(request, session, form.get("p", ""), change)


@router.post("/documents/{document_id}/{action}", response_class=HTMLResponse)
async def document_action(
    document_id: int,
    action: str,
    request: Request,
    session: SessionDep,
    user: WaitingEditorDep,
    form: FormDep,
) -> HTMLResponse:
    """Move the active paragraph's document to another story, or remove it; both undoable.

    A move that would discard reviewed links answers with the panel asking first; the move
    itself (with the realignment) runs in a worker, and the answer waits for it in a slot of
    the editor's waits, holding no thread and no database connection (the session is closed
    meanwhile).
    """
    if action not in ("move", "remove"):
        raise HTTPException(404, f"unknown action {action!r}")
    target = form.get("story", "")
    story = int(target) if target.isdigit() else None
    discard = form.get("discard_reviewed") == "1"
    try:
        if action == "remove":
            return await run_in_threadpool(_remove, session, user, document_id)
        await run_in_threadpool(_check_move, session, document_id, story, discard)
        kind, params = actions.move_job(story, discard)
        job = await submit_and_wait(
            request, user.id, kind, params, document_id=document_id, created_by=user.id
        )
        if job.status != JobStatus.DONE:
            raise ReviewError(job.error or "the move is still queued", status=503)
    except TooManyWaits as err:
        return await run_in_threadpool(_refused, request, session, form, ReviewError(str(err), 429))
    except ReviewError as err:
        return await run_in_threadpool(_refused, request, session, form, err)
    return HTMLResponse("", headers={"HX-Redirect": f"/stories/{job.story_id}"})


def _remove(session: Session, user: User, document_id: int) -> HTMLResponse:
    story_id = actions.remove_document(session, user, document_id)
    return HTMLResponse("", headers={"HX-Redirect": f"/stories/{story_id}"})


def _check_move(session: Session, document_id: int, story: int | None, discard: bool) -> None:
    """404 or the ReviewError the move would meet; the session is closed after (the wait for
    the move's job holds no connection)."""
    try:
        if session.get(Document, document_id) is None:
            raise HTTPException(404, f"document {document_id} does not exist")
        actions.check_move(session, document_id, story, discard)
    finally:
        session.close()


def _refused(
    request: Request, session: Session, form: dict[str, str], failure: ReviewError
) -> HTMLResponse:
    """The panel saying why the move did not happen; one that would discard reviewed links
    asks to move anyway."""

    def change() -> str:
        raise failure

    ask = None
    reviewed = failure.data.get("reviewed_links")
    key = parse_key(form.get("p", ""))
    doc = session.get(Document, key[0]) if key else None
    if reviewed and doc is not None:
        ask = {"doc": doc, "story": form.get("story", ""), "p": form.get("p", "")}
        ask["count"] = len(reviewed)
    return _apply(request, session, form.get("p", ""), change, ask)


def review_extras(request: Request, panel: Any) -> dict[str, Any]:
    """What the panel adds to the reader's review panel: undo/redo labels, the active
    paragraph's findings, the versions a paragraph can be missing from."""
    from sqlmodel import Session, select

    from app.models import Paragraph, ParagraphMark, StoredFinding
    from app.review.findings import doc_names

    out: dict[str, Any] = {"undo": None, "redo": None, "findings": [], "names": {}, "target": None}
    out["aligning"] = []
    with Session(request.app.state.engine) as session:
        doc_id, index = panel.active
        docs = list(panel.docs.values())
        out["names"] = doc_names(docs)
        out["others"] = [d for d in docs if d.id != doc_id]
        user = session_user(request, session)
        story_id = docs[0].story_id if docs else None
        if user is not None and story_id is not None:
            last = undo_service.last_change(session, user, story_id)
            again = undo_service.redo_target(session, user, story_id)
            out["undo"] = undo_service.event_label(last) if last else None
            out["redo"] = undo_service.event_label(again) if again else None
        if story_id is not None:
            busy = aligning_documents(session, story_id)
            out["aligning"] = [(out["names"].get(d, f"document {d}"), j) for d, j in busy.items()]
        out["findings"] = session.exec(
            select(StoredFinding).where(
                StoredFinding.document_id == doc_id, StoredFinding.paragraph == index
            )
        ).all()
        mark = session.exec(
            select(ParagraphMark).where(
                ParagraphMark.document_id == doc_id, ParagraphMark.index == index
            )
        ).first()
        out["target"] = mark.target_document if mark else None
        para = session.exec(
            select(Paragraph).where(Paragraph.document_id == doc_id, Paragraph.index == index)
        ).first()
        out["text"] = para.text if para else ""
    return out


templates.env.globals["review_extras"] = review_extras


@router.get("/links/{link_id}/history", response_class=HTMLResponse)
def history(link_id: int, request: Request, session: SessionDep, user: UserDep) -> HTMLResponse:
    """A link's history as a small list (editors' names for editors only)."""
    try:
        events = visible_history(session, link_id, user)
    except ReviewError as err:
        raise HTTPException(err.status, str(err)) from err
    return templates.TemplateResponse(request, "stories/_history.html", {"events": events})


queue_router = APIRouter(include_in_schema=False)


def _queue_context(
    request: Request, session: SessionDep, story: Story, flt: QueueFilter, order: str = ""
) -> dict[str, Any]:
    """Everything the queue's templates need (the filters come from the query or the form).

    `order`: the row keys the editor's page shows, in order, so rows stay put after undo.
    """
    assert story.id is not None
    queue = build_queue(session, story.id, flt)
    if order:
        queue.rows = keep_order(queue.rows, order.split(","))
    user = current_user(request, session)
    undo_label = redo_label = None
    if is_editor(user):
        assert user is not None
        last = undo_service.last_change(session, user, story.id)
        again = undo_service.redo_target(session, user, story.id)
        undo_label = undo_service.event_label(last) if last else None
        redo_label = undo_service.event_label(again) if again else None
    pairs = story_pairs(session, story.id)
    return {
        "sid": story.id,
        "title": story.title,
        "queue": queue,
        "queue_names": queue.names,
        "flt": flt,
        "states": STATES,
        "pairs": list(combinations(queue.documents, 2)),
        "pair_views": pairs,
        "pair_view": next((v for v in pairs if flt.pair == (v.source.id, v.target.id)), None),
        "aligning": {(v.source.id, v.target.id) for v in pairs if v.aligning},
        "undo_label": undo_label,
        "redo_label": redo_label,
    }


def _story(session: SessionDep, story_id: int) -> Story:
    story = session.get(Story, story_id)
    if story is None:
        raise HTTPException(404, f"story {story_id} does not exist")
    return story


def _form_filter(session: SessionDep, story_id: int, form: dict[str, str]) -> QueueFilter:
    return _filter(session, story_id, dict(form))


def _filter(session: SessionDep, story_id: int, values: dict[str, str | None]) -> QueueFilter:
    """The queue filter; `pair` may name documents (3-7) or languages (fr-de)."""
    flt = queue_filter(values.get("relation"), values.get("state"), values.get("finding"), None)
    docs = list(session.exec(select(Document).where(Document.story_id == story_id)).all())
    return replace(flt, pair=parse_pair(values.get("pair"), docs))


@queue_router.get("/stories/{story_id}/review", response_class=HTMLResponse)
def queue_page(
    story_id: int,
    request: Request,
    session: SessionDep,
    relation: str | None = None,
    state: str | None = None,
    finding: str | None = None,
    pair: str | None = None,
) -> HTMLResponse:
    """The review queue of a story, or of one pair (`?pair=3-7` or `?pair=fr-de`), with
    its progress; readers see it, only editors get the buttons."""
    story = _story(session, story_id)
    values = {"relation": relation, "state": state, "finding": finding, "pair": pair}
    flt = _filter(session, story_id, values)
    return templates.TemplateResponse(
        request, "review/queue.html", _queue_context(request, session, story, flt)
    )


@queue_router.get("/stories/{story_id}/review/changes", response_class=HTMLResponse)
def queue_changes(
    story_id: int, request: Request, session: SessionDep, fp: str = "", seen: int = 0
) -> HTMLResponse:
    """Polled by an open queue: says when background work changed its rows ("3 new findings —
    refresh") instead of moving them under the editor."""
    story = _story(session, story_id)
    queue = build_queue(session, story_id)
    context = {
        "sid": story_id,
        "fp": fp,
        "seen": seen,
        "changed": bool(fp) and fp != queue.fingerprint,
        "new": max(0, queue.counts["findings"] - seen),
        "aligning": [v for v in story_pairs(session, story_id) if v.aligning],
        "title": story.title,
    }
    return templates.TemplateResponse(request, "review/_changes.html", context)


@queue_router.get("/stories/{story_id}/review/report", response_class=HTMLResponse)
def report_page(story_id: int, request: Request, session: SessionDep) -> HTMLResponse:
    """What editors confirmed, rejected and marked, by whom and when, and what is still open."""
    story = _story(session, story_id)
    return templates.TemplateResponse(
        request,
        "review/report.html",
        {"sid": story_id, "title": story.title, "report": review_report(session, story_id)},
    )


@queue_router.get("/stories/{story_id}/review/report.csv")
def report_csv_file(story_id: int, session: SessionDep) -> Response:
    """The review report as CSV."""
    _story(session, story_id)
    return Response(
        report_csv(review_report(session, story_id)),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="review-{story_id}.csv"'},
    )


def _row_response(
    request: Request,
    session: SessionDep,
    story: Story,
    key: str,
    error: str | None,
    message: str | None,
    status: int,
    flt: QueueFilter | None = None,
) -> HTMLResponse:
    """The changed row, with the counts (of the page's filter) and the undo bar out of band."""
    context = _queue_context(request, session, story, flt or QueueFilter())
    row = next((r for r in context["queue"].rows if r.key == key), None)
    context.update(error=error, message=message, oob=False)
    parts = []
    if row is not None:
        parts.append(
            templates.get_template("review/_row.html").render(
                row=row, **context, request=request, is_editor=True
            )
        )
    context["oob"] = True
    parts.append(templates.get_template("review/_counts.html").render(**context))
    parts.append(templates.get_template("review/_undo.html").render(**context, is_editor=True))
    return HTMLResponse("".join(parts), status_code=status)


@queue_router.post("/stories/{story_id}/review/{link_id}/{action}", response_class=HTMLResponse)
def queue_action(
    story_id: int,
    link_id: int,
    action: str,
    request: Request,
    session: SessionDep,
    user: EditorDep,
    form: FormDep,
) -> HTMLResponse:
    """Confirm or reject from the queue; answers with the row, the counts and the undo bar."""
    if action not in ("confirm", "reject"):
        raise HTTPException(404, f"unknown action {action!r}")
    # The link must be one of this story's before anything changes.
    link = session.get(Link, link_id)
    if link is None or link.story_id != story_id:
        raise HTTPException(404, f"link {link_id} is not in story {story_id}")
    story = _story(session, story_id)

    def change() -> str:
        done = actions.set_status(session, user, link_id, _version(form), action)
        return f"link {link_id} {done.status}"

    message, error, status = _attempt(session, change)
    flt = _form_filter(session, story_id, form)
    return _row_response(request, session, story, f"link-{link_id}", error, message, status, flt)


@queue_router.post("/stories/{story_id}/review/mark", response_class=HTMLResponse)
def queue_mark(
    story_id: int, request: Request, session: SessionDep, user: EditorDep, form: FormDep
) -> HTMLResponse:
    """Mark a flagged paragraph not translated (from the row's counterpart) or added."""
    story = _story(session, story_id)
    message, error, status = _attempt(session, lambda: _mark(session, user, form))
    flt = _form_filter(session, story_id, form)
    return _row_response(request, session, story, form.get("row", ""), error, message, status, flt)


def _table_response(
    request: Request,
    session: SessionDep,
    story: Story,
    flt: QueueFilter,
    error: str | None,
    message: str | None,
    status: int,
    order: str = "",
) -> HTMLResponse:
    """The whole table again (after undo, redo, a batch), with counts and undo bar; rows keep
    the order the editor's page had (`order`)."""
    context = _queue_context(request, session, story, flt, order)
    context.update(error=error, message=message, is_editor=True, request=request)
    parts = [templates.get_template("review/_table.html").render(**context, oob=False)]
    context["oob"] = True
    parts.append(templates.get_template("review/_counts.html").render(**context))
    parts.append(templates.get_template("review/_undo.html").render(**context))
    return HTMLResponse("".join(parts), status_code=status)


@queue_router.post("/stories/{story_id}/review/batch", response_class=HTMLResponse)
def queue_batch(
    story_id: int, request: Request, session: SessionDep, user: EditorDep, form: FormDep
) -> HTMLResponse:
    """Confirm every unreviewed translation link at or above a score (within the pair filter)."""
    story = _story(session, story_id)
    flt = _form_filter(session, story_id, form)
    try:
        score = float(form.get("min_score", ""))
    except ValueError:
        score = -1.0

    def change() -> str:
        links = actions.confirm_batch(session, user, story_id, score, flt.pair)
        return f"{len(links)} translation links confirmed"

    message, error, status = _attempt(session, change)
    return _table_response(
        request, session, story, flt, error, message, status, form.get("order", "")
    )


@queue_router.post("/stories/{story_id}/review/{direction}", response_class=HTMLResponse)
def queue_undo(
    story_id: int,
    direction: str,
    request: Request,
    session: SessionDep,
    user: EditorDep,
    form: FormDep,
) -> HTMLResponse:
    """Undo or redo the editor's last change in this story."""
    if direction not in ("undo", "redo"):
        raise HTTPException(404, f"unknown action {direction!r}")
    story = _story(session, story_id)
    message, error, status = _attempt(
        session, lambda: actions.step(session, user, story_id, direction)
    )
    return _table_response(
        request,
        session,
        story,
        _form_filter(session, story_id, form),
        error,
        message,
        status,
        form.get("order", ""),
    )
