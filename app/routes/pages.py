"""Full HTML pages; the story page answers HTMX requests with its counterparts fragment."""

from urllib.parse import parse_qs, urlencode, urlparse

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.auth import current_user, is_editor
from app.deps import SessionDep
from app.models import Document
from app.services.grouping import story_decisions
from app.services.jobs import recent_jobs
from app.services.overview import overview
from app.services.reading import (
    ReviewPanel,
    highlight_in_db,
    linked_paragraphs,
    links_touching,
    load_cells,
    outside,
    parse_key,
    parse_windows,
    review_panel,
    sentence_groups,
    story_view,
    touching,
)
from app.services.reading import gaps as column_gaps
from app.services.stories import page_stories, paragraphs_of
from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse, response_model=None)
def home(
    request: Request,
    session: SessionDep,
    q: str | None = None,
    cursor: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> HTMLResponse | RedirectResponse:
    """Stories a page at a time with their languages, a search box and an upload form."""
    if q:  # the search box of older pages and bookmarks
        return RedirectResponse(f"/search?{urlencode({'q': q})}", status.HTTP_303_SEE_OTHER)
    page = page_stories(session, cursor=cursor, limit=limit)
    template = "stories/_list.html" if request.headers.get("HX-Request") else "stories/index.html"
    jobs = recent_jobs(session.get_bind())  # type: ignore[arg-type]
    response = templates.TemplateResponse(
        request,
        template,
        {"items": page.items, "page": page, "limit": limit, "q": "", "jobs": jobs},
    )
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(
    request: Request, story_id: int, session: SessionDep, p: str | None = None
) -> HTMLResponse:
    """The side-by-side reader; an HTMX click on a paragraph gets only the counterparts."""
    active = parse_key(p)
    htmx = request.headers.get("HX-Request") and not request.headers.get(
        "HX-History-Restore-Request"
    )
    if htmx:
        current = parse_qs(urlparse(request.headers.get("HX-Current-URL", "")).query).get(
            "p", [None]
        )[0]
        response = counterparts(request, session, story_id, active, parse_key(current))
    else:
        view = story_view(session, story_id, active)
        if view is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
        hl = view.highlight
        panel = (
            review_panel(session, story_id, active)
            if active and _is_editor(request, session)
            else None
        )
        response = templates.TemplateResponse(
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
            },
        )
    # The same URL answers with a page or a fragment: caches must keep them apart.
    response.headers["Vary"] = "HX-Request, X-Parallax-Narrow"
    return response


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
    # Only the links near the clicked and the previous paragraph are read: a click costs the
    # same in a story of 4 paragraphs and in one of 4,000.
    hl, links = highlight_in_db(session, story_id, active) if active else (None, [])
    old = None
    if previous and previous != active:
        old, old_links = highlight_in_db(session, story_id, previous)
        links = links + old_links
    keys = set(hl.relation if hl else ()) | set(old.relation if old else ()) | set(also)
    windows = parse_windows(request.headers.get("X-Parallax-Windows"))
    if hl and active and outside(windows, set(hl.relation)):
        # A counterpart lies beyond what this page shows of a long story: load the page
        # again, its columns centred on the new highlight.
        return HTMLResponse(
            "", headers={"HX-Redirect": f"/stories/{story_id}?p={active[0]}-{active[1]}"}
        )
    links = links + links_touching(session, story_id, keys)
    docs, paras, sentences = load_cells(session, keys)
    if active and active not in paras:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, f"paragraph {active[0]}-{active[1]} does not exist"
        )
    linked_keys = linked_paragraphs(links)
    cells = [(docs[key[0]], paras[key], key in linked_keys) for key in sorted(keys) if key in paras]
    # Copies under the tapped paragraph are for stacked (phone) layouts only; app.js says so.
    narrow = request.headers.get("X-Parallax-Narrow") == "1"
    under = (
        [(docs[k[0]], paras[k]) for k in sorted(hl.linked) if k in paras] if hl and narrow else []
    )
    return templates.TemplateResponse(
        request,
        "stories/_counterparts.html",
        {
            "sid": story_id,
            "hl": hl,
            "cells": cells,
            "sentences": sentences,
            "groups": sentence_groups(session, touching(links, set(hl.relation))) if hl else {},
            "active": active,
            "previous": previous if old else None,
            "under": under,
            "panel": panel
            or (
                review_panel(session, story_id, active)
                if active and _is_editor(request, session)
                else None
            ),
        },
        status_code=status_code,
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: int, session: SessionDep) -> HTMLResponse:
    """One document's paragraphs, with their kinds and languages."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id} does not exist")
    paras = paragraphs_of(session, [document_id])[document_id]
    return templates.TemplateResponse(
        request, "documents/read.html", {"doc": doc, "paragraphs": paras}
    )
