"""Full HTML pages."""

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse

from app.deps import SessionDep
from app.models import Document
from app.services.stories import list_stories, paragraphs_of
from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, session: SessionDep, q: str | None = None) -> HTMLResponse:
    """Stories with their documents."""
    items = list_stories(session, query=q)
    return templates.TemplateResponse(request, "stories/index.html", {"items": items, "q": q or ""})


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(request: Request, document_id: int, session: SessionDep) -> HTMLResponse:
    """One document's paragraphs, with their kinds and languages."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id} does not exist")
    paras = paragraphs_of(session, [document_id])[document_id]
    return templates.TemplateResponse(request, "documents/read.html", {"doc": doc, "paragraphs": paras})
