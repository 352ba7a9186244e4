"""Search: the results page and `GET /api/search`."""

import unicodedata

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from app.auth import UserDep
from app.deps import SessionDep
from app.library.search import search_paragraphs
from app.library.stories import library_version
from app.routes.page_cache import serve_listing
from app.templating import templates

router = APIRouter()


class HitOut(BaseModel):
    """A paragraph that holds every word of the query, and where to read it."""

    story: int
    document: int
    paragraph: int
    lang: str
    snippet: str = Field(description="the paragraph's text around the first match (plain text)")
    url: str = Field(description="the story page with this paragraph highlighted")


class SearchOut(BaseModel):
    """A page of hits; `next` is the cursor of the next page (null: the last)."""

    items: list[HitOut]
    next: str | None


def _checked(q: str) -> str:
    """`q` when it is text; 422 for a control character (a NUL breaks FTS5 and PostgreSQL)."""
    for index, char in enumerate(q):
        if unicodedata.category(char) == "Cc" and not char.isspace():
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"q: a search cannot hold control characters (U+{ord(char):04X} at "
                f"character {index})",
            )
    return q


@router.get("/api/search", tags=["api"], response_model=SearchOut)
def api_search(
    request: Request,
    session: SessionDep,
    user: UserDep,
    q: str = Query(..., min_length=1, max_length=200),
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> Response:
    """Paragraphs of any language that contain every word of `q`; pass `next` as `cursor`.

    Public texts, and a logged-in user's own private ones. Kept by the library's version,
    the viewer and the query (ETag/304)."""
    query = _checked(q)

    def render() -> Response:
        page = search_paragraphs(session, query=query, cursor=cursor, limit=limit, user=user)
        out = SearchOut(
            items=[
                HitOut(
                    story=h.story,
                    document=h.document,
                    paragraph=h.paragraph,
                    lang=h.lang,
                    snippet=h.snippet,
                    url=h.url,
                )
                for h in page.items
            ],
            next=page.next,
        )
        return JSONResponse(out.model_dump(mode="json"))

    return serve_listing(request, library_version(session), user, render)


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(
    request: Request,
    session: SessionDep,
    user: UserDep,
    q: str = Query("", max_length=200),
    cursor: str | None = None,
    limit: int = Query(20, ge=1, le=100),
) -> Response:
    """The results page: each matching paragraph with its story and a link to it.

    Kept by the library's version, the viewer and the query (ETag/304)."""
    query = _checked(q)

    def render() -> Response:
        page = search_paragraphs(session, query=query, cursor=cursor, limit=limit, user=user)
        return templates.TemplateResponse(
            request, "search/results.html", {"q": q, "page": page, "limit": limit}
        )

    return serve_listing(request, library_version(session), user, render)
