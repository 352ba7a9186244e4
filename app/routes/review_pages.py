"""HTMX endpoints of the editor's panel on the story page: each answers with the refreshed
highlight and panel, so the page never reloads."""

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.auth import EditorDep
from app.deps import SessionDep
from app.models import Document, Link, Story
from app.routes.pages import counterparts
from app.services import review
from app.services.findings import story_findings
from app.services.jobs import submit
from app.services.queue import build_queue
from app.services.reading import highlight_in_db, parse_key, review_panel
from app.services.review import ReviewError, Side
from app.templating import templates

router = APIRouter(prefix="/review", include_in_schema=False)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v) for k, v in form.items()}


def _version(form: dict[str, str]) -> int | None:
    value = form.get("version", "")
    return int(value) if value.isdigit() else None


def _apply(
    request: Request, session: SessionDep, active_key: str, change: Callable[[], str]
) -> HTMLResponse:
    """Run `change`, then re-render the highlight around the active paragraph and the panel."""
    active = parse_key(active_key)
    if active is None:
        raise HTTPException(422, "which paragraph? send p=DOCUMENT-INDEX")
    doc = session.get(Document, active[0])
    if doc is None:
        raise HTTPException(404, f"document {active[0]} does not exist")
    before = set(highlight_in_db(session, doc.story_id, active)[0].relation)
    error, message, status = None, None, 200
    try:
        message = change()
    except ReviewError as err:
        session.rollback()
        error, status = str(err), err.status
    else:
        # Links made by hand get sentence links too (a job), so sentence hover works on them.
        session.commit()
        submit(request.app.state.runtime, kind="sentence_links", story_id=doc.story_id)
    panel = review_panel(session, doc.story_id, active)
    panel.error, panel.message = error, message
    return counterparts(
        request, session, doc.story_id, active, None, also=before, panel=panel, status_code=status
    )


@router.post("/links/{link_id}/{action}", response_class=HTMLResponse)
async def link_action(
    link_id: int, action: str, request: Request, session: SessionDep, user: EditorDep
) -> HTMLResponse:
    """Confirm, reject, unlink or split one link from the panel."""
    form = await _form(request)
    version = _version(form)

    def change() -> str:
        if action in ("confirm", "reject", "unlink"):
            status = {"confirm": "confirmed", "reject": "rejected", "unlink": "rejected"}[action]
            review.set_status(
                session=session,
                user=user,
                link_id=link_id,
                version=version,
                status=status,
                action=action,
            )
            return f"link {link_id} {status}"
        if action == "split":
            link = session.get(Link, link_id)
            if link is None:
                raise ReviewError(f"link {link_id} does not exist", 404)
            # Pair the paragraphs in reading order; whatever is left over becomes unlinked.
            src, tgt = link.source_paragraphs, link.target_paragraphs
            parts = [([s], [t]) for s, t in zip(src, tgt, strict=False)]
            parts += [([s], []) for s in src[len(tgt) :]] + [([], [t]) for t in tgt[len(src) :]]
            review.split(session=session, user=user, link_id=link_id, version=version, parts=parts)
            return f"link {link_id} split"
        if action == "extend":
            key = parse_key(form.get("to"))
            if key is None:
                raise ReviewError("which paragraph should join the link?")
            review.extend(
                session=session,
                user=user,
                link_id=link_id,
                version=version,
                document=key[0],
                index=key[1],
            )
            return f"paragraph ¶{key[1]} added to the link"
        raise ReviewError(f"unknown action {action!r}", 404)

    return _apply(request, session, form.get("p", ""), change)


@router.post("/link", response_class=HTMLResponse)
async def link_by_hand(request: Request, session: SessionDep, user: EditorDep) -> HTMLResponse:
    """Link the active paragraph with the one clicked next."""
    form = await _form(request)
    a, b = parse_key(form.get("from")), parse_key(form.get("to"))

    def change() -> str:
        if a is None or b is None:
            raise ReviewError("click one paragraph, then the other")
        doc = session.get(Document, a[0])
        if doc is None:
            raise ReviewError(f"document {a[0]} does not exist", 404)
        review.create_link(
            session=session,
            user=user,
            story_id=doc.story_id,
            source=Side(a[0], (a[1],)),
            target=Side(b[0], (b[1],)),
        )
        return "linked by hand"

    return _apply(request, session, form.get("from", ""), change)


@router.post("/mark", response_class=HTMLResponse)
async def mark(request: Request, session: SessionDep, user: EditorDep) -> HTMLResponse:
    """Mark the active paragraph 'not translated' or 'added' (empty clears)."""
    form = await _form(request)
    key = parse_key(form.get("p"))

    def change() -> str:
        if key is None:
            raise ReviewError("which paragraph?")
        value = form.get("mark") or None
        review.mark_paragraph(
            session=session, user=user, document_id=key[0], index=key[1], mark=value
        )
        return "mark cleared" if value is None else f"marked {value.replace('_', ' ')}"

    return _apply(request, session, form.get("p", ""), change)


@router.post("/undo", response_class=HTMLResponse)
async def undo(request: Request, session: SessionDep, user: EditorDep) -> HTMLResponse:
    """Undo the editor's last change in this story."""
    form = await _form(request)
    key = parse_key(form.get("p"))
    doc = session.get(Document, key[0]) if key else None

    def change() -> str:
        review.undo_last(session=session, user=user, story_id=doc.story_id if doc else None)
        return "your last change is undone"

    return _apply(request, session, form.get("p", ""), change)


@router.get("/links/{link_id}/history", response_class=HTMLResponse)
def history(link_id: int, request: Request, session: SessionDep) -> HTMLResponse:
    """A link's history as a small list."""
    try:
        events = review.history(session, link_id)
    except ReviewError as err:
        raise HTTPException(err.status, str(err)) from err
    return templates.TemplateResponse(request, "stories/_history.html", {"events": events})


queue_router = APIRouter(include_in_schema=False)


@queue_router.get("/stories/{story_id}/review", response_class=HTMLResponse)
def queue_page(story_id: int, request: Request, session: SessionDep) -> HTMLResponse:
    """The review queue of a story (readers see it; only editors get the buttons)."""
    story = session.get(Story, story_id)
    if story is None:
        raise HTTPException(404, f"story {story_id} does not exist")
    findings = story_findings(session, story_id, None) or []
    return templates.TemplateResponse(
        request,
        "stories/review.html",
        {"sid": story_id, "title": story.title, "queue": build_queue(session, story_id, findings)},
    )


@queue_router.post("/stories/{story_id}/review/{link_id}/{action}", response_class=HTMLResponse)
async def queue_action(
    story_id: int, link_id: int, action: str, request: Request, session: SessionDep, user: EditorDep
) -> HTMLResponse:
    """Confirm or reject from the queue; answers with the refreshed row."""
    if action not in ("confirm", "reject"):
        raise HTTPException(404, f"unknown action {action!r}")
    form = await _form(request)
    error, status = None, 200
    try:
        review.set_status(
            session=session,
            user=user,
            link_id=link_id,
            version=_version(form),
            status="confirmed" if action == "confirm" else "rejected",
            action=action,
        )
    except ReviewError as err:
        session.rollback()
        error, status = str(err), err.status
    findings = story_findings(session, story_id, None) or []
    row = next(
        r for r in build_queue(session, story_id, findings).rows if r.link and r.link.id == link_id
    )
    return templates.TemplateResponse(
        request,
        "stories/_queue_row.html",
        {"row": row, "sid": story_id, "error": error},
        status_code=status,
    )
