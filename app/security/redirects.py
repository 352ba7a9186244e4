"""Where a login may send the browser afterwards: a path on this site, nothing else."""

from urllib.parse import urlsplit, urlunsplit


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a same-site path (parsed, not string-tested), else `default`.

    Browsers treat a backslash as a slash and drop tabs and newlines inside URLs, so
    `/\\evil.example` or `/<TAB>/evil.example` would leave the site: any such character, a
    scheme, a host or a path starting with two slashes is refused.
    """
    if not target or any(c in target for c in "\\") or not target.isprintable():
        return default
    if any(c.isspace() for c in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    if parts.path.startswith("//"):
        return default
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
