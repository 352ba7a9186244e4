"""Where a login may send the browser afterwards: a path on this site, nothing else."""

from urllib.parse import quote, urlsplit, urlunsplit

# Printable ASCII is kept as it is (a `%XX` already there included); anything else is
# percent-encoded as UTF-8, so the path fits a header (HX-Redirect, Location: Latin-1).
_KEEP = "".join(chr(c) for c in range(0x21, 0x7F))


def safe_next(target: str | None, default: str = "/") -> str:
    """`target` if it is a same-site path (parsed, not string-tested), else `default`.

    Browsers treat a backslash as a slash and drop tabs and newlines inside URLs, so
    `/\\evil.example` or `/<TAB>/evil.example` would leave the site: any such character, a
    scheme, a host or a path starting with two slashes is refused. The answer is ASCII:
    `/search?q=日本` comes back as `/search?q=%E6%97%A5%E6%9C%AC`, the same address.
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
    return quote(urlunsplit(("", "", parts.path, parts.query, parts.fragment)), safe=_KEEP)
