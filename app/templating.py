"""The Jinja2 environment shared by pages and fragments (autoescape on for all templates)."""

from fastapi.templating import Jinja2Templates

from app.config import REPO_ROOT

HTMX_FILE = "htmx-2.0.11.min.js"

templates = Jinja2Templates(directory=str(REPO_ROOT / "templates"))
templates.env.globals["htmx_file"] = HTMX_FILE
