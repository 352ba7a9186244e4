"""Search: the results page and `GET /api/search`."""

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from app.auth import UserDep
from app.deps import SessionDep
from app.services.search import search_paragraphs
from app.templating import templates

router = APIRouter()


@router.get("/api/search", tags=["api"])
def api_search(
    session: SessionDep,
    user: UserDep,
    q: str = Query(..., min_length=1, max_length=200),
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> dict[str, Any]:
    """Paragraphs of any language that contain every word of `q`; pass `next` as `cursor`.

    Public texts, and a logged-in user's own private ones."""
    page = search_paragraphs(session, query=q, cursor=cursor, limit=limit, user=user)
    return {
        "items": [
            {
                "story": h.story,
                "document": h.document,
                "paragraph": h.paragraph,
                "lang": h.lang,
                "snippet": h.snippet,
                "url": h.url,
            }
            for h in page.items
        ],
        "next": page.next,
    }


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    q: str = Query("", max_length=200),
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> HTMLResponse:
    """The results page: each matching paragraph with its story and a link to it."""
    page = search_paragraphs(session, query=q, cursor=cursor, limit=limit, user=user)
    return templates.TemplateResponse(
        request, "search/results.html", {"q": q, "page": page, "limit": limit}
    )
