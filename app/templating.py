"""The Jinja2 environment shared by pages and fragments (autoescape on for all templates)."""

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from app.auth import SESSION_USER_KEY, is_editor
from app.config import REPO_ROOT
from app.labels import language_name, text_direction
from app.models import User

HTMX_FILE = "htmx-2.0.11.min.js"


def _user(request: Request) -> dict[str, Any]:
    """Every template knows who is looking: editors get the review controls."""
    uid = request.session.get(SESSION_USER_KEY) if "session" in request.scope else None
    user = None
    if uid is not None:
        with Session(request.app.state.engine) as session:
            user = session.get(User, uid)
    return {"user": user, "is_editor": is_editor(user)}


templates = Jinja2Templates(directory=str(REPO_ROOT / "templates"), context_processors=[_user])
templates.env.globals["htmx_file"] = HTMX_FILE
templates.env.filters["language_name"] = language_name
templates.env.filters["text_dir"] = text_direction
