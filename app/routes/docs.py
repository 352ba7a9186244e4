"""The API's documentation pages and the 404 page, served from local files only.

Swagger UI and Redoc are vendored under static/vendor (versions in the folder names, each with
its licence; Redoc's one local change is in PATCHES.md) and started by a script file, so the pages
work offline: they make no request off the host. Besides its response model's schema, each GET
answer listed in api_examples.json shows an example taken from the seeds
(tests/test_api_examples.py keeps each one the shape of a real answer).
"""

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.templating import templates

EXAMPLES: dict[str, Any] = json.loads(
    (Path(__file__).with_name("api_examples.json")).read_text(encoding="utf-8")
)
SWAGGER = "/static/vendor/swagger-ui-5.35.0"
REDOC = "/static/vendor/redoc-2.5.4"

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on the app's OpenAPI schema."""
    return templates.TemplateResponse(
        request, "api_docs.html", {"kind": "swagger", "base": SWAGGER}
    )


@router.get("/redoc", response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """Redoc on the app's OpenAPI schema."""
    return templates.TemplateResponse(request, "api_docs.html", {"kind": "redoc", "base": REDOC})


def document_examples(app: FastAPI) -> None:
    """Give the GET answers listed in EXAMPLES their example, taken from the seeds."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        schema = build()
        for path, example in EXAMPLES.items():
            answer = schema["paths"].get(path, {}).get("get", {}).get("responses", {}).get("200")
            if answer is not None:
                answer.setdefault("content", {}).setdefault("application/json", {})
                answer["content"]["application/json"]["example"] = example
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def _wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/review/", "/static/")) or path in ("/api", "/healthz"):
        return True
    if request.headers.get("HX-Request"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def install_error_pages(app: FastAPI) -> None:
    """JSON 404s stay JSON (the API, fragments, files); pages get an HTML 404 page."""

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code != 404 or _wants_json(request):
            return await http_exception_handler(request, exc)
        return templates.TemplateResponse(
            request,
            "404.html",
            {"detail": exc.detail if exc.detail != "Not Found" else None},
            status_code=404,
        )
