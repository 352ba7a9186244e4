"""The Jinja2 environment shared by pages and fragments (autoescape on for all templates)."""

from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates

from app.auth import request_account
from app.config import REPO_ROOT
from app.labels import language_name, text_direction
from app.library.credentials import is_editor
from app.paranum import para_no, para_nos

HTMX_FILE = "htmx-2.0.11.min.js"


def _user(request: Request) -> dict[str, Any]:
    """Every template knows who is looking: editors get the review controls."""
    user = request_account(request)  # read once per request, shared with the guards
    editor = is_editor(user)
    settings = request.app.state.settings
    # The upload form is shown only to those allowed to use it: every account (readers into
    # their private library), anonymous visitors only with PARALLAX_OPEN_UPLOADS.
    return {
        "user": user,
        "is_editor": editor,
        "can_upload": user is not None or settings.open_uploads,
        "signup_open": settings.signup == "open",
    }


templates = Jinja2Templates(directory=str(REPO_ROOT / "templates"), context_processors=[_user])
# Templates are part of a release (the page cache's ETags name them): no stat() per include.
templates.env.auto_reload = False
templates.env.globals["htmx_file"] = HTMX_FILE
templates.env.filters["language_name"] = language_name
templates.env.filters["text_dir"] = text_direction
# Paragraphs are ¶1, ¶2, … to people (indexes count from 0): `{{ p.index|pn }}`.
templates.env.filters["pn"] = para_no
templates.env.filters["pns"] = para_nos


def upper_first(text: str) -> str:
    """'The Arabic version' from 'the Arabic version' (Jinja's capitalize lowercases the rest)."""
    return text[:1].upper() + text[1:]


templates.env.filters["upper_first"] = upper_first
