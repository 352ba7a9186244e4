"""My library: a signed-in user's own texts, with publish, unpublish and delete.

JSON under /api/library, and the page /library whose buttons post HTMX forms (the CSRF token
travels in the x-csrftoken header, as on every other form). Someone else's story or text
answers 404, as if it did not exist.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session

from app.auth import UserDep
from app.config import Settings
from app.deps import SessionDep, SettingsDep
from app.library import personal as lib
from app.library.credentials import is_editor
from app.models import User
from app.review.changes import ReviewError
from app.security.openapi import errors
from app.templating import templates

router = APIRouter(tags=["library"])


def require_account(user: UserDep) -> User:
    """401 for anonymous visitors; any account has a library."""
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "log in to see your library")
    return user


AccountDep = Annotated[User, Depends(require_account)]


class UsageOut(BaseModel):
    """What the account added, and its quota (0 = no limit)."""

    documents: int
    bytes: int
    quota_documents: int
    quota_bytes: int


class LibraryOut(BaseModel):
    stories: list[lib.LibraryStory]  # the service's dataclasses, validated as they are
    usage: UsageOut


class VisibilityOut(BaseModel):
    story: int
    visibility: str


class DeletedOut(BaseModel):
    removed: int
    story_id: int


def _usage(session: Session, user: User, settings: Settings) -> UsageOut:
    assert user.id is not None
    used = lib.usage(session, user.id)
    limited = not is_editor(user)  # editors and admins curate, unlimited
    return UsageOut(
        documents=used.documents,
        bytes=used.bytes,
        quota_documents=settings.user_quota_documents if limited else 0,
        quota_bytes=settings.user_quota_bytes if limited else 0,
    )


def _library(session: Session, user: User, settings: Settings) -> LibraryOut:
    return LibraryOut(
        stories=lib.library(session, user),
        usage=_usage(session, user, settings),
    )


def _fail(err: ReviewError) -> HTTPException:
    return HTTPException(err.status, str(err))


@router.get("/api/library", responses=errors(401))
def my_library(session: SessionDep, settings: SettingsDep, user: AccountDep) -> LibraryOut:
    """Every story holding a text you added (private or published), and your quota."""
    return _library(session, user, settings)


@router.post("/api/library/stories/{story_id}/publish", responses=errors(401, 409))
def publish(story_id: int, session: SessionDep, user: AccountDep) -> VisibilityOut:
    """Make your private story and its texts public (409 if one of them is public already)."""
    try:
        story = lib.publish(session, user, story_id)
    except ReviewError as err:
        raise _fail(err) from err
    return VisibilityOut(story=story_id, visibility=story.visibility)


@router.post("/api/library/stories/{story_id}/unpublish", responses=errors(401, 409))
def unpublish(story_id: int, session: SessionDep, user: AccountDep) -> VisibilityOut:
    """Make your published story private again (409 once other people's texts joined it)."""
    try:
        story = lib.unpublish(session, user, story_id)
    except ReviewError as err:
        raise _fail(err) from err
    return VisibilityOut(story=story_id, visibility=story.visibility)


@router.delete("/api/library/documents/{document_id}", responses=errors(401, 409))
def delete_text(document_id: int, session: SessionDep, user: AccountDep) -> DeletedOut:
    """Delete one of your texts (a published one can be brought back by an editor's undo)."""
    try:
        story_id = lib.delete_own(session, user, document_id)
    except ReviewError as err:
        raise _fail(err) from err
    return DeletedOut(removed=document_id, story_id=story_id)


# --- the page ---


def _page(
    request: Request, session: Session, user: User, settings: Settings, **extra: object
) -> HTMLResponse:
    partial = bool(request.headers.get("HX-Request"))
    code = int(extra.pop("status_code", 200))  # type: ignore[call-overload]
    return templates.TemplateResponse(
        request,
        "library/_library.html" if partial else "library/index.html",
        {
            "library": _library(session, user, settings),
            "import_part_bytes": settings.max_import_bytes,
            "import_max_files": settings.import_max_files_editor
            if is_editor(user)
            else settings.import_max_files_reader,
            **extra,
        },
        status_code=code,
    )


@router.get("/library", response_class=HTMLResponse, response_model=None, include_in_schema=False)
def library_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: UserDep
) -> Response:
    """My library: the texts you added, with publish and delete buttons, and the upload form."""
    if user is None:
        return RedirectResponse("/login?next=/library", status_code=303)
    return _page(request, session, user, settings)


@router.post(
    "/library/stories/{story_id}/{action}", response_class=HTMLResponse, include_in_schema=False
)
def story_action(
    story_id: int,
    action: str,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: AccountDep,
) -> Response:
    """Publish or unpublish from the page; the library is rendered again with the outcome."""
    steps = {"publish": lib.publish, "unpublish": lib.unpublish}
    if action not in steps:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"unknown action {action!r}")
    try:
        story = steps[action](session, user, story_id)
    except ReviewError as err:
        return _page(request, session, user, settings, error=str(err), status_code=err.status)
    done = "published" if story.visibility == "public" else "made private"
    return _page(request, session, user, settings, message=f"“{story.title}” {done}")


@router.post(
    "/library/documents/{document_id}/delete",
    response_class=HTMLResponse,
    include_in_schema=False,
)
def delete_action(
    document_id: int,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: AccountDep,
) -> Response:
    """Delete one of your texts from the page."""
    try:
        lib.delete_own(session, user, document_id)
    except ReviewError as err:
        return _page(request, session, user, settings, error=str(err), status_code=err.status)
    return _page(request, session, user, settings, message=f"text {document_id} deleted")
