"""Refuse HTML that is too deep or has too many elements before the extractor sees it.

Extraction (trafilatura, lxml) walks the tree several times; a page of 100,000 nested
elements costs far more than its bytes suggest. A pull parser counts as it goes and stops at
the first limit crossed, so the check itself stays cheap.
"""

from lxml import etree

MAX_DEPTH = 256
MAX_ELEMENTS = 100_000
_CHUNK = 64 * 1024


class HtmlTooComplex(ValueError):
    """The page crosses a nesting-depth or element-count limit."""


def check_html(html: str, *, max_depth: int = MAX_DEPTH, max_elements: int = MAX_ELEMENTS) -> None:
    """Raise HtmlTooComplex when `html` nests deeper than `max_depth` or has more elements."""
    parser = etree.HTMLPullParser(events=("start", "end"), recover=True, huge_tree=False)
    depth = elements = 0
    for start in range(0, len(html), _CHUNK):
        parser.feed(html[start : start + _CHUNK])
        for event, _element in parser.read_events():
            if event == "start":
                depth += 1
                elements += 1
                if depth > max_depth:
                    raise HtmlTooComplex(f"elements are nested deeper than {max_depth} levels")
                if elements > max_elements:
                    raise HtmlTooComplex(f"has more than {max_elements:,} elements")
            else:
                depth -= 1
    try:
        parser.close()
    except etree.LxmlError:
        pass  # an unparseable page is the extractor's to report
