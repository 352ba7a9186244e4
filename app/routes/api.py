"""The JSON API."""

import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlmodel import Session, col, select
from starlette.datastructures import UploadFile

from app.auth import EditorDep, UserDep, require_editor
from app.deps import EngineDep, SessionDep, SettingsDep
from app.ingest import IngestError
from app.models import Document, DocumentPair, Link, SentenceLink, Story
from app.security.openapi import errors
from app.services.alignment import place_document
from app.services.embeddings import CachedEncoder
from app.services.findings import finding_json, story_findings
from app.services.ingest import IngestOutcome, ingest_bytes
from app.services.queue import build_queue
from app.services.stories import document_summary, get_story, list_stories, paragraphs_of

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
                    },
                    "required": ["text"],
                }
            },
        },
    }
}


@router.get("/stories")
def stories(session: SessionDep) -> list[dict[str, Any]]:
    """Every story with its documents."""
    return [
        {
            "id": item.story.id,
            "title": item.story.title,
            "documents": [document_summary(d) for d in item.documents],
        }
        for item in list_stories(session)
    ]


@router.get("/stories/{story_id}/alignment")
def alignment(story_id: int, session: SessionDep) -> dict[str, Any]:
    """A story's documents with their paragraphs, and the links between them."""
    item = get_story(session, story_id)
    if item is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    paras = paragraphs_of(session, [d.id for d in item.documents if d.id is not None])
    return {
        "id": item.story.id,
        "title": item.story.title,
        "documents": [
            {
                **document_summary(d),
                "paragraphs": [
                    {"index": p.index, "text": p.text, "kind": p.kind, "lang": p.lang}
                    for p in paras[d.id or 0]
                ],
            }
            for d in item.documents
        ],
        "pairs": [
            {
                "source": pr.source_document_id,
                "target": pr.target_document_id,
                "kind": pr.kind,
                "score": pr.score,
            }
            for pr in session.exec(
                select(DocumentPair)
                .where(DocumentPair.story_id == story_id)
                .order_by(col(DocumentPair.id))
            )
        ],
        "links": [link_json(link) for link in story_links(session, story_id)],
    }


def link_json(link: Link) -> dict[str, Any]:
    """One paragraph link as the API speaks it."""
    return {
        "id": link.id,
        "source": {"document": link.source_document_id, "paragraphs": link.source_paragraphs},
        "target": {"document": link.target_document_id, "paragraphs": link.target_paragraphs},
        "relation": link.relation,
        "score": link.score,
        "status": link.status,
        "version": link.version,
    }


def story_links(session: Session, story_id: int) -> list[Link]:
    """Every link of a story, in a stable order."""
    return list(
        session.exec(select(Link).where(Link.story_id == story_id).order_by(col(Link.id))).all()
    )


@router.get("/stories/{story_id}/sentence-links")
def sentence_links(story_id: int, session: SessionDep) -> list[dict[str, Any]]:
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
        {
            "link": row.link_id,
            "source": {
                "document": links[row.link_id].source_document_id,
                "sentences": row.source_sentences,
            },
            "target": {
                "document": links[row.link_id].target_document_id,
                "sentences": row.target_sentences,
            },
            "score": row.score,
        }
        for row in rows
    ]


class MoveDocument(BaseModel):
    """Where a document should go: an existing story, or null for a story of its own."""

    story_id: int | None


@router.put("/documents/{document_id}/story", responses=errors(401, 403, 422))
def move_document(
    document_id: int, body: MoveDocument, request: Request, session: SessionDep, user: EditorDep
) -> dict[str, Any]:
    """Move a document to another story (or a new one) and realign it there."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"document {document_id} does not exist")
    if body.story_id is not None and session.get(Story, body.story_id) is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT, f"story {body.story_id} does not exist"
        )
    encoder = request.app.state.encoder
    if encoder is None:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE, "the alignment model is not loaded"
        )
    place_document(
        session=session, encoder=CachedEncoder(encoder, session), doc=doc, story_id=body.story_id
    )
    session.commit()
    session.refresh(doc)
    return {**document_summary(doc), "story_id": doc.story_id}


async def _read_upload(
    request: Request, max_bytes: int
) -> tuple[bytes, str, str | None, str | None]:
    """The bytes, source name, lang and title of a multipart or JSON upload."""
    length = request.headers.get("content-length")
    # Reject before reading when the client says up front that the body is too large;
    # a little slack covers the multipart envelope around the file itself.
    if length and length.isdigit() and int(length) > max_bytes + 64_000:
        raise IngestError("upload", f"is larger than the {max_bytes:,} byte limit", status=413)
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise IngestError(
                "upload", "has no 'file' part (send the article as multipart field 'file')"
            )
        data = await upload.read()
        lang, title = form.get("lang"), form.get("title")
        return (
            data,
            upload.filename or "upload.txt",
            lang if isinstance(lang, str) and lang else None,
            title if isinstance(title, str) and title else None,
        )
    if ctype.startswith("application/json"):
        try:
            body = json.loads(await request.body())
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise IngestError("request body", f"is not valid JSON ({exc})") from exc
        if not isinstance(body, dict) or not isinstance(body.get("text"), str):
            raise IngestError("request body", "must be a JSON object with a string field 'text'")
        for key in ("title", "lang", "source"):
            if body.get(key) is not None and not isinstance(body[key], str):
                raise IngestError("request body", f"field '{key}' must be a string")
        source = body.get("source") or "pasted.txt"
        return body["text"].encode("utf-8"), source, body.get("lang"), body.get("title")
    raise IngestError(
        "request",
        f"has content type '{ctype or 'none'}'; send multipart/form-data or application/json",
        status=415,
    )


@router.post(
    "/documents",
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    responses={
        200: {"description": "The same content was ingested before: the existing document"},
        **errors(401, 403, 413, 415, 422),
    },
)
async def create_document(
    request: Request, engine: EngineDep, session: SessionDep, settings: SettingsDep, user: UserDep
) -> JSONResponse:
    """Ingest one article (multipart `file` or JSON `text`); 200 if it was already there."""
    if not settings.open_uploads:
        require_editor(user)
    try:
        data, source, lang, title = await _read_upload(request, settings.max_upload_bytes)
        outcome: IngestOutcome = ingest_bytes(
            engine=engine,
            data=data,
            source=source,
            lang=lang,
            title=title,
            max_bytes=settings.max_upload_bytes,
            after_insert=request.app.state.after_insert,
        )
    except IngestError as err:
        return JSONResponse({"detail": str(err)}, status_code=err.status)
    item = get_story(session, outcome.story_id)
    doc = next(d for d in item.documents if d.id == outcome.document_id) if item else None
    assert doc is not None
    return JSONResponse(
        {
            "id": doc.id,
            "story_id": doc.story_id,
            "lang": doc.lang,
            "source": doc.source,
            "title": doc.title,
            "paragraphs": outcome.paragraphs,
        },
        status_code=201 if outcome.status == "added" else 200,
    )


@router.get("/stories/{story_id}/findings")
def findings(story_id: int, request: Request, session: SessionDep) -> list[dict[str, Any]]:
    """Cross-language findings on the story's linked paragraphs, riskiest first."""
    result = story_findings(session, story_id, request.app.state.encoder)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    return [finding_json(f) for f in result]


@router.get("/stories/{story_id}/queue")
def queue(story_id: int, request: Request, session: SessionDep) -> dict[str, Any]:
    """The review queue: links and flagged paragraphs, riskiest first, with status counts."""
    result = story_findings(session, story_id, request.app.state.encoder)
    if result is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"story {story_id} does not exist")
    q = build_queue(session, story_id, result)
    return {
        "counts": q.counts,
        "items": [
            {
                "link": link_json(row.link) if row.link else None,
                "document": row.source[0].id,
                "paragraphs": row.source[1],
                "findings": [finding_json(f) for f in row.findings],
            }
            for row in q.rows
        ],
    }
