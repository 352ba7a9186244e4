"""Site generators' markup is recognised in Markdown: dropped, or shown as a code reference,
never read as text (so never aligned and never grouping evidence)."""

import pytest

from app.ingest.dialects import clean_dialects
from app.ingest.document import parse_text
from app.ingest.markdown import markdown_page


def _blocks(text: str) -> list[tuple[str | None, str]]:
    return [(b.kind, b.text) for b in markdown_page(text)[0]]


def _texts(text: str) -> list[str]:
    return [t for _, t in _blocks(text)]


@pytest.mark.parametrize(
    ("source", "marker"),
    [
        # MkDocs / PyMdown blocks and admonitions
        ("/// tip | Good to know\n\nThe body of the tip.\n\n///\n", "///"),
        ('!!! note "Heads up"\n    The body of the tip.\n', "!!!"),
        ("??? warning\n    The body of the tip.\n", "???"),
        ('=== "Python"\n\n    The body of the tip.\n', "==="),
        # Docusaurus / VitePress containers
        ("::: tip Remember\nThe body of the tip.\n:::\n", ":::"),
        (":::::info\n\nThe body of the tip.\n\n:::::\n", ":::"),
        # Hugo shortcodes, paired and inline
        ("{{< note >}}\nThe body of the tip.\n{{< /note >}}\n", "{{"),
        ('The body of the tip.{{< figure src="a.png" >}}\n', "{{"),
        ('{{% alert title="x" %}}\nThe body of the tip.\n{{% /alert %}}\n', "{{"),
    ],
)
def test_note_markers_are_dropped_and_the_note_stays_text(source: str, marker: str) -> None:
    blocks = _blocks(f"# Title\n\nBefore the note.\n\n{source}\nAfter the note.\n")
    texts = [t for _, t in blocks]
    assert "The body of the tip." in texts, blocks
    assert not any(marker in t for t in texts), blocks
    assert not any(k == "code" for k, _ in blocks), blocks  # the note's body is no code block
    assert texts[-1] == "After the note."


@pytest.mark.parametrize(
    "include",
    [
        "{* ../../docs_src/query_params/tutorial001.py hl[9] *}",
        '--8<-- "docs/snippets/install.md"',
        '{{< readfile file="code/example.js" code="true" >}}',
    ],
)
def test_an_include_is_a_code_reference(include: str) -> None:
    blocks = _blocks(f"Some prose.\n\n{include}\n\nMore prose.\n")
    assert blocks == [(None, "Some prose."), ("code", include), (None, "More prose.")]


def test_front_matter_is_dropped_and_gives_the_title() -> None:
    text = "---\ntitle: 'Query Parameters'\nlayout: docs\n---\n\nAn intro paragraph.\n"
    blocks, title = markdown_page(text)
    assert title == "Query Parameters"
    assert [b.text for b in blocks] == ["An intro paragraph."]
    toml = '+++\ntitle = "Pfadparameter"\n+++\nEin Absatz.\n'
    assert markdown_page(toml) == ([markdown_page("Ein Absatz.")[0][0]], "Pfadparameter")
    parsed = parse_text(text, source="p.md", fmt="markdown", lang="en")
    assert parsed.title == "Query Parameters"


def test_a_thematic_break_is_no_front_matter() -> None:
    assert _texts("Para one.\n\n---\n\nPara two.\n") == ["Para one.", "Para two."]


def test_mdx_imports_and_components_are_layout_and_their_children_text() -> None:
    text = (
        "import { Foo } from '@/components/Foo';\n"
        "import Bar, {\n  Baz,\n} from './bar';\n"
        "export const meta = { a: 1 };\n\n"
        "<section>\n"
        '  <WithBadge section="index" />\n\n'
        "  <div>\n"
        '    <Callout kind="info"\n      title={`multi ${line}`}>\n'
        "    Node.js is a runtime. It runs <Release.VersionDropdown /> anywhere.\n"
        "    </Callout>\n\n"
        '    ```js displayName="Server"\n    const a = 1;\n      nested();\n    ```\n'
        "  </div>\n"
        "</section>\n\n"
        "<>Fragment text</>\n"
    )
    blocks = _blocks(text)
    assert blocks == [
        (None, "Node.js is a runtime. It runs anywhere."),
        ("code", "const a = 1;\n  nested();"),
        (None, "Fragment text"),
    ], blocks


def test_code_fences_keep_their_markup() -> None:
    text = "```md\n/// tip\n{* ../x.py *}\nimport a from 'b'\n```\n"
    assert _blocks(text) == [("code", "/// tip\n{* ../x.py *}\nimport a from 'b'")]
    assert "/// tip" in clean_dialects(text).text


def test_plain_markdown_with_an_html_tag_is_not_mdx() -> None:
    text = "Intro.\n\n<div>\nKept as HTML.\n</div>\n\n    indented code\n"
    assert _blocks(text) == [(None, "Intro."), (None, "Kept as HTML."), ("code", "indented code")]


def test_markdown_tables_are_one_paragraph_of_rows() -> None:
    text = (
        "| Parameter | Type | Meaning |\n| --- | :---: | --- |\n"
        "| `skip` | *int* | rows to skip |\n| limit | int | [most](x.md) rows |\n"
    )
    blocks = _blocks(text)
    assert blocks == [
        ("table", "Parameter\tType\tMeaning\nskip\tint\trows to skip\nlimit\tint\tmost rows")
    ]
    parsed = parse_text(
        text + "\nA sentence after the table.\n", source="t.md", fmt="markdown", lang="en"
    )
    assert [p.kind for p in parsed.paragraphs] == ["table", "text"]
