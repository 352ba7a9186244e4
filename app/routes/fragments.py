"""HTMX endpoints that answer with HTML fragments (the browser's forms)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.auth import UserDep, require_editor
from app.deps import EngineDep, SessionDep, SettingsDep
from app.ingest import IngestError
from app.models import Document
from app.services.ingest import ingest_bytes
from app.templating import templates

router = APIRouter(include_in_schema=False)


@router.post("/upload", response_class=HTMLResponse)
async def upload(
    request: Request, engine: EngineDep, session: SessionDep, settings: SettingsDep, user: UserDep
) -> Response:
    """Ingest an article from the home page form; show (or, without JS, open) its story."""
    if not settings.open_uploads:
        require_editor(user)
    form = await request.form()
    upload_file = form.get("file")
    context: dict[str, object]
    status = 200
    try:
        if not isinstance(upload_file, UploadFile):
            raise IngestError("upload", "no file was chosen")
        outcome = ingest_bytes(
            engine=engine,
            data=await upload_file.read(),
            source=upload_file.filename or "upload.txt",
            max_bytes=settings.max_upload_bytes,
            after_insert=request.app.state.after_insert,
        )
    except IngestError as err:
        context, status = {"error": str(err)}, err.status
    else:
        if not request.headers.get("HX-Request"):
            return RedirectResponse(f"/stories/{outcome.story_id}", status_code=303)
        doc = session.get(Document, outcome.document_id)
        assert doc is not None
        context = {
            "added": outcome.status == "added",
            "story_id": outcome.story_id,
            "title": doc.title,
            "lang": doc.lang,
            "paragraphs": outcome.paragraphs,
        }
    return templates.TemplateResponse(
        request, "stories/_upload_result.html", context, status_code=status
    )
