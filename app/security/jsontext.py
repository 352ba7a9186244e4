"""JSON bodies must hold text that can be stored: no lone UTF-16 surrogate.

JSON may spell a character as `\\ud800`; Python's decoder turns a lone half of a surrogate
pair into a str that cannot be encoded as UTF-8, so it failed later, deep in a write (a 500,
perhaps half-stored). This app-wide dependency refuses such a body before any route runs:
422 naming the field and the character's position.
"""

from collections.abc import Iterator
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError

Location = tuple[str | int, ...]


def _strings(value: Any, where: Location) -> Iterator[tuple[Location, str]]:
    """Every string in a decoded JSON value (keys included) with where it is, depth first."""
    stack: list[tuple[Location, Any]] = [(where, value)]
    while stack:
        loc, item = stack.pop()
        if isinstance(item, str):
            yield loc, item
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield loc, str(key)
                stack.append(((*loc, str(key)), inner))
        elif isinstance(item, list):
            stack.extend(((*loc, i), inner) for i, inner in enumerate(item))


def lone_surrogate(text: str) -> int | None:
    """The index of the first lone surrogate in `text`, or None when it is valid Unicode."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as err:
        return err.start
    return None


def _is_json(request: Request) -> bool:
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return kind == "application/json" or kind.endswith("+json")


async def reject_lone_surrogates(request: Request) -> None:
    """App-wide dependency: 422 when a JSON body holds a string with a lone surrogate."""
    if request.method in ("GET", "HEAD", "OPTIONS") or not _is_json(request):
        return
    if not await request.body():
        return
    try:
        data = await request.json()  # already decoded (and cached) for routes with a body
    except ValueError:
        return  # not JSON: the route, if it reads a body, says so
    for loc, text in _strings(data, ("body",)):
        index = lone_surrogate(text)
        if index is not None:
            code = f"U+{ord(text[index]):04X}"
            raise RequestValidationError(
                [
                    {
                        "type": "unicode_surrogate",
                        "loc": loc,
                        "msg": f"a lone UTF-16 surrogate ({code}) at character {index}: "
                        "send valid Unicode (a surrogate must be half of a pair)",
                    }
                ]
            )
