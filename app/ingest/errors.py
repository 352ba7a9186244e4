"""The one exception the ingestion pipeline raises for bad input."""

from __future__ import annotations


class IngestError(ValueError):
    """Bad input. str(err) is a clear message naming the source and what is wrong.

    `status` is the HTTP status a web layer should answer with: 415 for a type we do not
    read, 413 for a file over the size limit, 422 for everything else.
    """

    def __init__(self, source: str, reason: str, *, status: int = 422) -> None:
        self.source = source
        self.reason = reason
        self.status = status
        super().__init__(f"{source or 'input'}: {reason}")
