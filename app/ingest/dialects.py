"""Markup that documentation sites add to Markdown, recognised before CommonMark reads it.

Site generators extend Markdown with their own syntax. Read as CommonMark, its markers
become paragraphs ("/// tip", "!!! note", ":::", "{{< note >}}", "import X from '...'") that
recur on every page of a site, in every language: text nobody wrote for the reader, which
would otherwise be aligned and count as evidence that two pages tell the same story.

Recognised here (outside code fences):

* front matter (YAML `---` or TOML `+++` at the top): dropped; its `title` is kept as the
  page title;
* MkDocs / PyMdown: admonitions `!!! note "Title"` and `??? note` (their indented body is
  dedented and read as text), content tabs `=== "Tab"`, blocks `/// tip | Title` ... `///`,
  snippet includes `--8<-- "file"`;
* Docusaurus / VitePress containers `::: tip Title` ... `:::` (any number of colons);
* Hugo shortcodes `{{< name ... >}}` and `{{% name ... %}}` (opening, closing or inline);
* MDX: top-level `import` / `export` lines and JSX component tags (a capitalised tag name
  or `<>`), whose children stay text;
* include directives such as FastAPI's `{* ../../docs_src/app.py hl[3] *}`.

Markers are dropped; the text inside a note stays text. An include (a snippet or a code
file shown in the page) becomes a code block holding its reference: shown as a code
reference, never aligned.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

_FENCE = regex.compile(r"^ {0,3}(`{3,}|~{3,})")
_FRONT = {"---": regex.compile(r"^---\s*$"), "+++": regex.compile(r"^\+\+\+\s*$")}
_TITLE = regex.compile(r"""^title\s*[:=]\s*(?P<q>["']?)(?P<t>.+?)(?P=q)\s*$""")
# `!!! note "Title"`, `???+ tip`, `=== "Tab"`: a marker whose body is indented below it.
_INDENTED = regex.compile(r"^(?P<ind>[ \t]*)(?:[!?]{3}\+?[ \t]+\S.*|===[ \t]+.+)$")
# `/// tip | Title`, `///`, `::: warning Title`, `:::`
_BLOCK = regex.compile(r"^[ \t]*(?:/{3}|:{3,})(?:[ \t]*[\w-].*)?[ \t]*$")
_INCLUDE = regex.compile(
    r"^[ \t]*(?:\{\*.*\*\}|-{1,2}8<-{1,2}[ \t]*(?:[\"'].*[\"'])?"
    r"|\{\{[<%][ \t]*(?:include|readfile|code|snippet|embed)\b.*[>%]\}\})[ \t]*$",
    regex.I,
)
_SHORTCODE = regex.compile(r"\{\{[<%].*?[>%]\}\}")
_MDX_IMPORT = regex.compile(r"^(?:import|export)[ \t]+\S")
_JSX_OPEN = regex.compile(r"^[ \t]*(?:</?[A-Z][\w.]*(?=[\s/>]|$)|</?>)")
# In MDX every tag is JSX, and one that starts a line is layout (HTML blocks would swallow
# the Markdown that follows them up to the next blank line).
_TAG_OPEN = regex.compile(r"^[ \t]*(?:</?[A-Za-z][\w.-]*(?=[\s/>]|$)|</?>)")
# a JSX tag inside a line (CommonMark's inline HTML allows no dot in a tag name)
_JSX_INLINE = regex.compile(r"</?[A-Z][\w.]*(?:\s(?:[^<>{}]|\{[^{}]*\})*)?/?>|</?>")


@dataclass(frozen=True)
class Cleaned:
    """Markdown with the dialects' markup removed, and the front matter's title."""

    text: str
    title: str | None = None


def clean_dialects(text: str) -> Cleaned:
    """The Markdown text without site-generator markup (see the module docstring)."""
    body, title = _front_matter(text.split("\n"))
    mdx = _is_mdx(body)
    out: list[str] = []
    fence: tuple[str, int] | None = None  # the open fence's marker and indentation
    i = 0
    while i < len(body):
        line = body[i]
        opened = _FENCE.match(line.lstrip() if mdx else line)
        if fence is not None:
            out.append(line[min(fence[1], len(line) - len(line.lstrip())) :])
            if (
                opened
                and opened.group(1)[0] == fence[0][0]
                and len(opened.group(1)) >= len(fence[0])
            ):
                fence = None
            i += 1
            continue
        if opened:
            fence = (opened.group(1), len(line) - len(line.lstrip()) if mdx else 0)
            out.append(line.lstrip() if mdx else line)
            i += 1
            continue
        if mdx:  # MDX reads no indented code: indentation under JSX is layout only
            body[i] = line.lstrip()
        i = _one_line(body, i, out, mdx)
    return Cleaned("\n".join(out), title)


def _is_mdx(lines: list[str]) -> bool:
    """Whether the text uses MDX (an import/export line or a JSX component tag)."""
    return any(_MDX_IMPORT.match(line) or _JSX_OPEN.match(line) for line in lines)


def _one_line(lines: list[str], i: int, out: list[str], mdx: bool) -> int:
    """Handle the line at `i` outside code (appending what stays to `out`); the next index."""
    line = lines[i]
    if _INCLUDE.match(line):
        out.extend(["", "```", line.strip(), "```", ""])
        return i + 1
    if mdx and _MDX_IMPORT.match(line):
        return _skip_statement(lines, i)
    if mdx and _TAG_OPEN.match(line):
        return _skip_tag(lines, i, out)
    marker = _INDENTED.match(line)
    if marker:
        _dedent_body(lines, i + 1, len(marker.group("ind").expandtabs(4)))
        out.append("")
        return i + 1
    if _BLOCK.match(line):
        out.append("")
        return i + 1
    if "{{" in line:
        line = _SHORTCODE.sub("", line)
    out.append(_JSX_INLINE.sub("", line) if mdx else line)
    return i + 1


def _front_matter(lines: list[str]) -> tuple[list[str], str | None]:
    """The lines after a front matter block at the very top, and its title."""
    if not lines or lines[0].strip() not in _FRONT:
        return lines, None
    close = _FRONT[lines[0].strip()]
    for end in range(1, len(lines)):
        if close.match(lines[end]):
            title = None
            for line in lines[1:end]:
                found = _TITLE.match(line.strip())
                if found:
                    title = found.group("t").strip() or None
                    break
            return lines[end + 1 :], title
    return lines, None


def _skip_statement(lines: list[str], i: int) -> int:
    """Past an MDX import/export, which may span lines up to a closing bracket or quote."""
    depth = 0
    while i < len(lines):
        depth += lines[i].count("{") + lines[i].count("(") + lines[i].count("[")
        depth -= lines[i].count("}") + lines[i].count(")") + lines[i].count("]")
        i += 1
        if depth <= 0:
            break
    return i


def _skip_tag(lines: list[str], i: int, out: list[str]) -> int:
    """Drop a JSX tag (which may span lines); text after it on its last line stays."""
    opened = _TAG_OPEN.match(lines[i])
    assert opened is not None
    text = lines[i][opened.end() :]
    closed = opened.group().endswith(">")  # a fragment, `<>` or `</>`
    while True:
        end = 0 if closed else _tag_end(text)
        if end is not None:
            tail = _JSX_INLINE.sub("", text[end:]).strip()
            if tail:
                out.append(tail)
            return i + 1
        i += 1
        if i >= len(lines):
            return i
        text = lines[i]


def _tag_end(text: str) -> int | None:
    """Index just past the `>` closing a tag whose name was already read (braces and
    quotes skipped), or None when the tag goes on to the next line."""
    depth, quote = 0, ""
    for k, ch in enumerate(text):
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'`":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == ">" and depth <= 0:
            return k + 1
    return None


def _dedent_body(lines: list[str], i: int, indent: int) -> None:
    """Bring the indented body of an admonition or tab (from `i`) to its parent's level, in
    place, so that it is read as text (and its own markup is recognised in turn)."""
    while i < len(lines):
        line = lines[i].expandtabs(4)
        if line.strip() and len(line) - len(line.lstrip()) <= indent:
            return
        lines[i] = line[indent + 4 :] if line.strip() else ""
        i += 1
