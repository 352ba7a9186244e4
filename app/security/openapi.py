"""Error answers as the OpenAPI document declares them: every status a route can give.

Every error body is `{"detail": ...}`: a sentence, or for request validation FastAPI's list
of problems. Routers declare the errors their handlers raise (`errors(...)`); the answers
the middleware and handlers give on any route are added to every operation by
`document_errors`: 413 (body too large), 403 (cross-site or CSRF), 429 (rate limits) on
writes, 503 (database busy) everywhere, 404/422 for ids out of range.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel


class ErrorOut(BaseModel):
    """What went wrong, in one sentence."""

    detail: str


class ValidationErrorOut(BaseModel):
    """A sentence, or FastAPI's list of problems with the request's fields."""

    detail: str | list[dict[str, Any]]


DESCRIPTIONS = {
    400: "Bad request",
    401: "Not logged in",
    403: "Not allowed: wrong role, missing or wrong CSRF token, or a cross-site request",
    404: "No such thing",
    409: "Conflict: someone changed it since the version you sent",
    413: "Request body over the size limit",
    415: "Unsupported content type",
    422: "Invalid input",
    429: "Too many requests (Retry-After says how long to wait)",
    503: "The database is busy or the model is not loaded (Retry-After when busy)",
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """A `responses=` mapping for these status codes."""
    return {
        code: {
            "model": ValidationErrorOut if code == 422 else ErrorOut,
            "description": DESCRIPTIONS[code],
        }
        for code in codes
    }


def _ref(code: int) -> dict[str, Any]:
    name = "ValidationErrorOut" if code == 422 else "ErrorOut"
    return {
        "description": DESCRIPTIONS[code],
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


def document_errors(app: FastAPI) -> None:
    """Make `app.openapi()` list the answers that any route can give."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, routes=app.routes, description=app.description
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for model in (ErrorOut, ValidationErrorOut):
            components.setdefault(
                model.__name__, model.model_json_schema(ref_template="#/components/schemas/{model}")
            )
        # FastAPI's own 422 shape is replaced: hand-raised 422s carry a sentence instead.
        components.pop("HTTPValidationError", None)
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                responses = operation.setdefault("responses", {})
                codes = [503, 422]
                if "{" in path:
                    codes.append(404)
                if method in WRITE_METHODS:
                    codes += [403, 413, 429]
                for code in codes:
                    responses.setdefault(str(code), _ref(code))
                if "422" in responses:
                    responses["422"] = _ref(422)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
