"""Full HTML pages; the story page answers HTMX requests with its counterparts fragment."""

from urllib.parse import parse_qs, urlencode, urlparse

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlmodel import Session

from app.auth import account_read, current_user, request_account
from app.deps import SessionDep
from app.exchange.link_shape import LinkShape
from app.labels import DocLabel
from app.library.credentials import is_editor
from app.library.stories import library_version, page_stories, paragraphs_of
from app.models import Document, Job, Paragraph, Story, User
from app.pipeline.grouping import story_decisions
from app.pipeline.jobs.submit import visible_jobs
from app.reading.overview import overview
from app.reading.view import (
    Highlight,
    Missing,
    ReviewPanel,
    StoryView,
    highlight_in_db,
    linked_paragraphs,
    links_touching,
    load_cells,
    missing_counterparts,
    outside,
    parse_key,
    parse_windows,
    review_panel,
    sentence_groups,
    story_shape,
    story_view,
    touching,
)
from app.reading.view import gaps as column_gaps
from app.routes.page_cache import VARY, kept_answer, serve_cached, serve_listing
from app.security.access import guarded_story
from app.templating import templates
from app.words.share import has_words, new_word_shares

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, response_model=None)
async def home(
    request: Request,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Response:
    """Stories a page at a time with their languages, a search box and an upload form; for a
    learner with saved words, the share of each story's words new to them.

    Kept in the page cache by the library's version and the viewer, unless the page shows
    what changes without a story changing: active jobs, or a learner's new-word shares."""
    if q:  # the search box of older pages and bookmarks
        return RedirectResponse(f"/search?{urlencode({'q': q})}", status.HTTP_303_SEE_OTHER)
    return await run_in_threadpool(_home, request, cursor, limit)


def _home(request: Request, cursor: str | None, limit: int) -> Response:
    with Session(request.app.state.engine) as session:
        user = current_user(request, session)
        # The jobs are shown in the upload form only.
        can_upload = user is not None or request.app.state.settings.open_uploads
        jobs = visible_jobs(session, user) if can_upload else []
        learner = has_words(session, user)

        def render() -> Response:
            return _home_page(request, session, user, cursor, limit, jobs)

        if jobs or learner:
            response = render()
            response.headers["Vary"] = ", ".join(VARY)
            return response
        return serve_listing(request, library_version(session), user, render)


def _home_page(
    request: Request,
    session: Session,
    user: User | None,
    cursor: str | None,
    limit: int,
    jobs: list[Job],
) -> Response:
    page = page_stories(session, cursor=cursor, limit=limit, user=user)
    template = "stories/_list.html" if request.headers.get("HX-Request") else "stories/index.html"
    return templates.TemplateResponse(
        request,
        template,
        {"items": page.items, "page": page, "limit": limit, "q": "", "jobs": jobs}
        | {"first_page": cursor is None, "shares": new_word_shares(session, user, page.items)},
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse, response_model=None)
async def story_page(request: Request, story_id: int, p: str | None = None) -> Response:
    """The side-by-side reader; an HTMX click on a paragraph gets only the counterparts.

    Both are served from the page cache (ETag/304, kept bytes) keyed on the story's version.
    A repeated read is answered here, from the story row the path guard read and the user it
    found: no database, no thread.
    """
    story = guarded_story(request, story_id)
    if story is not None and account_read(request):
        kept = kept_answer(request, story, request_account(request))
        if kept is not None:
            return kept
    return await run_in_threadpool(_story, request, story_id, p)


def _story(request: Request, story_id: int, p: str | None) -> Response:
    with Session(request.app.state.engine) as session:
        story = session.get(Story, story_id) if 0 < story_id < 2**63 else None
        if story is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
        user = current_user(request, session)
        return serve_cached(
            request, story, user, lambda: _story_answer(request, session, story_id, p)
        )


def _story_answer(request: Request, session: Session, story_id: int, p: str | None) -> Response:
    active = _in_story(session, story_id, parse_key(p))
    htmx = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    if htmx:
        current = parse_qs(urlparse(request.headers.get("HX-Current-URL", "")).query).get(
            "p", [None]
        )[0]
        previous = _in_story(session, story_id, parse_key(current))
        if active is None and parse_key(p) is not None:  # a paragraph of another story
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"paragraph {p} does not exist")
        return counterparts(request, session, story_id, active, previous)
    return _reader_page(request, session, story_id, active)


def _in_story(
    session: SessionDep, story_id: int, key: tuple[int, int] | None
) -> tuple[int, int] | None:
    """`key` if it names a paragraph position in a document of this story, else None.

    A key typed into the URL may name another story's document (someone's private text):
    it is then ignored, never shown.
    """
    if key is None:
        return None
    doc = session.get(Document, key[0]) if 0 < key[0] < 2**63 else None
    return key if doc is not None and doc.story_id == story_id else None


def _reader_page(
    request: Request, session: SessionDep, story_id: int, active: tuple[int, int] | None
) -> HTMLResponse:
    """The whole story page, with the highlight of `active` rendered by the server."""
    view = story_view(session, story_id, active)
    if view is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    hl = view.highlight if active else None
    if active and active not in {
        (d, para.index) for d, ps in view.paragraphs.items() for para in ps
    }:
        hl = None
    panel = (
        review_panel(session, story_id, active) if active and _is_editor(request, session) else None
    )
    return templates.TemplateResponse(
        request,
        "stories/read.html",
        {
            "view": view,
            "hl": hl,
            "groups": sentence_groups(session, view.links) if hl else {},
            "gaps": column_gaps(session, view),
            "overview": overview(view),
            "panel": panel,
            "decisions": story_decisions(session, [d.id or 0 for d in view.documents]),
            "labels": {
                d.id: DocLabel(lang=d.language_tag, source=d.source, title=d.title, note=d.mt_note)
                for d in view.documents
            },
            "unders": _page_unders(view, hl),
            # The link graph, so that a click lights up at once (reader.js); the server's
            # fragment follows with scores, sentences and notes.
            "graph": [
                [
                    lk.source_document_id,
                    lk.source_paragraphs,
                    lk.target_document_id,
                    lk.target_paragraphs,
                    lk.relation,
                ]
                for lk in view.links
            ],
        },
    )


def _page_unders(view: StoryView, hl: Highlight | None) -> dict[str, dict[str, list]]:  # type: ignore[type-arg]
    """What goes under paragraphs: copies of the counterparts (phones), missing notes."""
    if hl is None:
        return {}
    langs = {d.id or 0: d.lang for d in view.documents}
    counts = {d: len(ps) for d, ps in view.paragraphs.items()}
    paras = {(d, p.index): p for d, ps in view.paragraphs.items() for p in ps}
    docs = {d.id: d for d in view.documents}
    missing = missing_counterparts(view.links, hl, langs, counts)
    copies = [(docs[k[0]], paras[k]) for k in sorted(hl.linked) if k in paras]
    return _unders(hl.active, copies, missing)


def _under_id(doc: int, after: int | None) -> str:
    return f"under-{doc}-{'top' if after is None else after}"


def _unders(
    active: tuple[int, int], copies: list[tuple[Document, Paragraph]], missing: list[Missing]
) -> dict[str, dict[str, list]]:  # type: ignore[type-arg]
    out: dict[str, dict[str, list]] = {  # type: ignore[type-arg]
        _under_id(*active): {"copies": copies, "missing": [], "here": list(missing)}
    }
    for m in missing:
        slot = out.setdefault(
            _under_id(m.document, m.after), {"copies": [], "missing": [], "here": []}
        )
        slot["missing"].append(m)
    return out


def _is_editor(request: Request, session: SessionDep) -> bool:
    return is_editor(current_user(request, session))


def counterparts(
    request: Request,
    session: SessionDep,
    story_id: int,
    active: tuple[int, int] | None,
    previous: tuple[int, int] | None,
    *,
    also: set[tuple[int, int]] = frozenset(),  # type: ignore[assignment]
    panel: ReviewPanel | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Out-of-band swaps: the new highlight, the previous one cleared, and `also` re-rendered.

    For editors the review panel of the active paragraph comes along.
    """
    hl, old, links = _highlights(session, story_id, active, previous)
    keys = set(hl.relation if hl else ()) | set(old.relation if old else ()) | set(also)
    windows = parse_windows(request.headers.get("X-Parallax-Windows"))
    if hl and active and outside(windows, set(hl.relation)):
        # A counterpart lies beyond what this page shows of a long story: load the page
        # again, its columns centred on the new highlight.
        return HTMLResponse(
            "", headers={"HX-Redirect": f"/stories/{story_id}?p={active[0]}-{active[1]}"}
        )
    links = links + links_touching(session, story_id, keys)
    docs, paras, sentences = load_cells(session, keys, story_id)
    if active and active not in paras:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"paragraph {active[0]}-{active[1]} does not exist"
        )
    linked_keys = linked_paragraphs(links)
    cells = [(docs[key[0]], paras[key], key in linked_keys) for key in sorted(keys) if key in paras]
    # Copies under the tapped paragraph are for stacked (phone) layouts only; app.js says so.
    narrow = request.headers.get("X-Parallax-Narrow") == "1"
    copies = _copies(hl, docs, paras) if hl and narrow else []
    unders = _fragment_unders(session, story_id, links, hl, old, copies)
    sls = sentence_groups(session, touching(links, set(hl.relation))) if hl else {}
    return templates.TemplateResponse(
        request,
        "stories/_counterparts.html",
        {
            "sid": story_id,
            "hl": hl,
            "cells": cells,
            "sentences": sentences,
            "sls": _sentence_state(sls),
            "unders": unders,
            "panel": panel or _editor_panel(request, session, story_id, active),
        },
        status_code=status_code,
    )


def _copies(
    hl: Highlight, docs: dict[int, Document], paras: dict[tuple[int, int], Paragraph]
) -> list[tuple[Document, Paragraph]]:
    """The highlighted paragraph's counterparts, in key order."""
    return [(docs[k[0]], paras[k]) for k in sorted(hl.linked) if k in paras]


def _highlights(
    session: SessionDep,
    story_id: int,
    active: tuple[int, int] | None,
    previous: tuple[int, int] | None,
) -> tuple[Highlight | None, Highlight | None, list[LinkShape]]:
    """The new highlight, the previous one (to clear) and the links they were read from.

    Only the links near the clicked and the previous paragraph are read: a click costs the
    same in a story of 4 paragraphs and in one of 4,000.
    """
    hl, links = highlight_in_db(session, story_id, active) if active else (None, [])
    old = None
    if previous and previous != active:
        old, old_links = highlight_in_db(session, story_id, previous)
        links = links + old_links
    return hl, old, links


def _editor_panel(
    request: Request, session: SessionDep, story_id: int, active: tuple[int, int] | None
) -> ReviewPanel | None:
    """The review panel of the active paragraph, for editors."""
    if active and _is_editor(request, session):
        return review_panel(session, story_id, active)
    return None


def _sentence_state(groups: dict[tuple[int, int, int], list[int]]) -> dict[tuple[int, int], str]:
    """Each paragraph's sentence groups as the click fragment sends them: "0:12 13,2:14"."""
    parts: dict[tuple[int, int], list[str]] = {}
    for (doc, para, sent), ids in sorted(groups.items()):
        parts.setdefault((doc, para), []).append(f"{sent}:{' '.join(map(str, ids))}")
    return {key: ",".join(values) for key, values in parts.items()}


def _fragment_unders(
    session: SessionDep,
    story_id: int,
    links: list[LinkShape],
    hl: Highlight | None,
    old: Highlight | None,
    copies: list[tuple[Document, Paragraph]],
) -> dict[str, dict[str, list]]:  # type: ignore[type-arg]
    """The notes and copies of the new highlight, and the old one's places emptied."""
    unders: dict[str, dict[str, list]] = {}  # type: ignore[type-arg]
    if not (hl or old):
        return unders
    langs, counts = story_shape(session, story_id)
    for h in (old, hl):  # the new highlight's notes win over the cleared ones
        if h is None:
            continue
        found = missing_counterparts(links, h, langs, counts)
        slots = _unders(h.active, copies if h is hl else [], found if h is hl else [])
        for m in found:
            slots.setdefault(_under_id(m.document, m.after), {})
        unders.update({k: v if h is hl else {} for k, v in slots.items()})
    return unders


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: int, session: SessionDep) -> HTMLResponse:
    """One document's paragraphs, with their kinds and languages."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id} does not exist")
    paras = paragraphs_of(session, [document_id])[document_id]
    label = DocLabel(lang=doc.language_tag, source=doc.source, title=doc.title, note=doc.mt_note)
    return templates.TemplateResponse(
        request, "documents/read.html", {"doc": doc, "paragraphs": paras, "label": label}
    )
