"""Export and import of stories (app.exchange) on a hand-built story: no database, fast."""

from __future__ import annotations

import ast
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from app.exchange import (
    ExchangeError,
    ExportDocument,
    ExportLink,
    ExportMark,
    ExportStory,
    ImportedStory,
    read_tmx,
    to_json,
    to_tmx,
    to_tsv,
    validate_tmx,
)

EXCHANGE_DIR = Path(__file__).resolve().parents[1] / "app" / "exchange"
DATA_DIR = Path(__file__).resolve().parent / "data" / "exchange"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
REVIEWED_AT = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)

FR = ExportDocument(
    id=1,
    lang="fr",
    source="https://example.test/fr",
    title="L'été & « nous »",
    paragraphs=(
        'Le <script>alert("x")</script> & l\'« éditeur » 🎉',
        "Deuxième\tparagraphe\navec un saut de ligne.",
        "Troisième, fusionné avec le deuxième.",
        "Hors sujet.",
    ),
)
DE = ExportDocument(
    id=2,
    lang="de",
    source="https://example.test/de",
    title="Der Sommer",
    paragraphs=(
        'Der <b>Anfang</b> & "Zitat" 🎉',
        "Zweiter und dritter Absatz.",
        "Abgelehnt.",
    ),
)
EN = ExportDocument(
    id=3,
    lang="EN",  # normalised to en on the way out
    source="https://example.test/en",
    title="Summer",
    paragraphs=(
        "The beginning & more 🎉",
        '=HYPERLINK("http://evil.test","click")',
        "Something related.",
    ),
)

CONFIRMED = ExportLink(
    1, (0,), 2, (0,), "translation", "confirmed", 0.91, "alice & <bob>", REVIEWED_AT
)
TWO_TO_ONE = ExportLink(1, (1, 2), 2, (1,), "translation", "auto", 0.74)
REJECTED = ExportLink(1, (3,), 2, (2,), "translation", "rejected", 0.2, "alice", REVIEWED_AT)
MANUAL = ExportLink(1, (0,), 3, (0,), "translation", "manual", 1.0, "carol")
RELATED = ExportLink(1, (3,), 3, (2,), "related", "auto", 0.55)
# Stored en -> de: a (de, en) pair export must turn it round.
REVERSED = ExportLink(3, (1,), 2, (1,), "translation", "auto", 0.66)

STORY = ExportStory(
    id=7,
    title="Summer story",
    documents=(FR, DE, EN),
    links=(REVERSED, RELATED, MANUAL, REJECTED, TWO_TO_ONE, CONFIRMED),
)
EXPORTED = (CONFIRMED, TWO_TO_ONE, MANUAL, REVERSED)
DOCS = {doc.id: doc for doc in STORY.documents}


def _tmx_root(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def _units(root: etree._Element) -> list[dict[str, Any]]:
    """Each tu as {langs, segs, props, attrib, notes}."""
    units = []
    for tu in root.iter("tu"):
        tuvs = tu.findall("tuv")
        units.append(
            {
                "langs": [tuv.get(XML_LANG) for tuv in tuvs],
                "segs": [tuv.findtext("seg") for tuv in tuvs],
                "props": {p.get("type"): p.text for p in tu.findall("prop")},
                "documents": [tuv.findtext("prop[@type='x-parallax-document']") for tuv in tuvs],
                "attrib": dict(tu.attrib),
                "notes": [n.text for n in tu.findall("note")],
            }
        )
    return units


def _side_text(doc_id: int, paragraphs: tuple[int, ...]) -> str:
    return "\n".join(DOCS[doc_id].paragraphs[i] for i in paragraphs)


# --- TMX writing ---------------------------------------------------------------------------


def test_tmx_is_valid_tmx_14b() -> None:
    data = to_tmx(STORY, created=datetime(2024, 6, 2, 8, 5, 9, tzinfo=UTC))

    assert data.startswith(
        b'<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx '
    )
    assert validate_tmx(data) == []
    root = _tmx_root(data)
    assert root.get("version") == "1.4"
    header = root.find("header")
    assert header is not None
    assert dict(header.attrib) == {
        "creationtool": "Parallax",
        "creationtoolversion": "0.1.0",
        "segtype": "paragraph",
        "o-tmf": "parallax",
        "adminlang": "en",
        # one exported link starts from English: TMX's "any language may be the source"
        "srclang": "*all*",
        "datatype": "plaintext",
        "creationdate": "20240602T080509Z",
    }
    assert [tu.get("srclang") for tu in root.iter("tu")] == ["fr", "fr", "fr", "en"]
    assert to_tmx(STORY, documents=(1, 2)).count(b'srclang="fr"') == 3  # header + 2 tu


def test_validate_tmx_reports_what_breaks_the_dtd() -> None:
    data = to_tmx(STORY)
    no_srclang = data.replace(b' srclang="*all*"', b"", 1)
    prop_after_seg = data.replace(b"</seg>", b'</seg><prop type="x">late</prop>', 1)

    assert any("srclang" in e for e in validate_tmx(no_srclang))
    assert any("tuv content does not follow the DTD" in e for e in validate_tmx(prop_after_seg))
    assert validate_tmx(b"<tmx") and "not well-formed" in validate_tmx(b"<tmx")[0]


def test_tmx_units_have_the_right_languages_and_segments() -> None:
    root = _tmx_root(to_tmx(STORY))
    units = _units(root)

    expected = [
        (
            ["fr", "de"],
            [_side_text(1, link.source_paragraphs), _side_text(2, link.target_paragraphs)],
        )
        for link in (CONFIRMED, TWO_TO_ONE)
    ] + [
        (["fr", "en"], [_side_text(1, (0,)), _side_text(3, (0,))]),
        (["en", "de"], [_side_text(3, (1,)), _side_text(2, (1,))]),
    ]
    assert [(u["langs"], u["segs"]) for u in units] == expected
    # Untrusted markup stays text: no element sneaked into the tree.
    assert not list(root.iter("script", "b"))
    assert units[0]["segs"][0] == FR.paragraphs[0]
    # the 2-1 link joins its two French paragraphs with a newline
    assert units[1]["segs"][0] == FR.paragraphs[1] + "\n" + FR.paragraphs[2]
    assert units[1]["props"] == {"x-parallax-status": "auto", "x-parallax-score": "0.74"}


def test_tmx_leaves_out_rejected_and_related_links_and_says_so() -> None:
    root = _tmx_root(to_tmx(STORY))
    units = _units(root)

    statuses = [u["props"]["x-parallax-status"] for u in units]
    assert "rejected" not in statuses and len(units) == len(EXPORTED)
    segs = [s for u in units for s in u["segs"]]
    assert "Abgelehnt." not in segs and "Something related." not in segs
    note = root.findtext("header/note")
    assert "1 'related' link(s)" in note and "not translations" in note
    assert "1 rejected link(s)" in note


def test_confirmed_link_names_its_reviewer() -> None:
    confirmed = _units(_tmx_root(to_tmx(STORY)))[0]

    assert confirmed["attrib"]["changeid"] == "alice & <bob>"
    assert confirmed["attrib"]["changedate"] == "20240501T123000Z"
    assert confirmed["notes"] == ["Confirmed by alice & <bob> on 2024-05-01 12:30 UTC."]
    auto = _units(_tmx_root(to_tmx(STORY)))[1]
    assert "changeid" not in auto["attrib"] and auto["notes"] == []


def test_tmx_strips_characters_xml_forbids() -> None:
    doc_a = ExportDocument(1, "fr", "a", "t\x00", ("bip\x07 \x1b[0m fin\ufffe",))
    doc_b = ExportDocument(2, "de", "b", "t", ("ende",))
    story = ExportStory(
        1, "s\x0c", (doc_a, doc_b), (ExportLink(1, (0,), 2, (0,), "translation", "auto", 0.5),)
    )

    data = to_tmx(story)

    assert validate_tmx(data) == []
    assert _units(_tmx_root(data))[0]["segs"] == ["bip [0m fin", "ende"]


def test_pair_export_has_only_that_pair_turned_its_way() -> None:
    root = _tmx_root(to_tmx(STORY, documents=(2, 3)))
    units = _units(root)

    assert root.find("header").get("srclang") == "de"
    assert [(u["langs"], u["documents"]) for u in units] == [(["de", "en"], ["2", "3"])]
    assert units[0]["segs"] == [DE.paragraphs[1], EN.paragraphs[1]]
    titles = {p.get("type") for p in root.findall("header/prop")}
    assert "x-parallax-document-title-2" in titles and "x-parallax-document-title-1" not in titles
    assert validate_tmx(to_tmx(STORY, documents=(2, 3))) == []


def test_pair_export_of_a_missing_document_is_an_error() -> None:
    with pytest.raises(ExchangeError, match="story 7: has no document 99"):
        to_tmx(STORY, documents=(1, 99))
    with pytest.raises(ExchangeError, match="two different documents"):
        to_tsv(STORY, documents=(1, 1))


def test_link_to_a_missing_paragraph_is_an_error() -> None:
    broken = ExportStory(
        7, "s", (FR, DE), (ExportLink(1, (9,), 2, (0,), "translation", "auto", 0.5),)
    )
    with pytest.raises(ExchangeError, match="paragraph 9 of document 1, which has 4"):
        to_tmx(broken)


# --- TMX round trip ------------------------------------------------------------------------


def _imported_links(story: ImportedStory) -> set[tuple[object, ...]]:
    return {
        (
            story.documents[link.source_document].lang,
            tuple(
                story.documents[link.source_document].paragraphs[i] for i in link.source_paragraphs
            ),
            story.documents[link.target_document].lang,
            tuple(
                story.documents[link.target_document].paragraphs[i] for i in link.target_paragraphs
            ),
            link.relation,
            link.status,
            link.score,
            link.reviewed_by,
            link.reviewed_at,
        )
        for link in story.links
    }


def test_round_trip_gives_back_documents_and_links() -> None:
    imported = read_tmx(to_tmx(STORY), source="summer.tmx")

    assert imported.title == "Summer story"
    assert [(d.lang, d.title, d.source) for d in imported.documents] == [
        ("fr", FR.title, FR.source),
        ("de", DE.title, DE.source),
        ("en", EN.title, EN.source),
    ]
    # Only linked paragraphs travel, in their original order.
    fr, de, en = (d.paragraphs for d in imported.documents)
    assert fr == FR.paragraphs[:3]  # paragraph 3 is only in rejected/related links
    assert de == DE.paragraphs[:2]
    assert en == EN.paragraphs[:2]
    expected = {
        (
            DOCS[link.source_document].lang.lower(),
            tuple(DOCS[link.source_document].paragraphs[i] for i in link.source_paragraphs),
            DOCS[link.target_document].lang.lower(),
            tuple(DOCS[link.target_document].paragraphs[i] for i in link.target_paragraphs),
            "translation",
            link.status,
            link.score,
            link.reviewed_by,
            link.reviewed_at,
        )
        for link in EXPORTED
    }
    assert _imported_links(imported) == expected


def test_round_trip_of_a_pair_export() -> None:
    imported = read_tmx(to_tmx(STORY, documents=(1, 2)), source="pair.tmx")

    assert [d.lang for d in imported.documents] == ["fr", "de"]
    assert imported.documents[0].paragraphs == FR.paragraphs[:3]
    assert {(k.source_paragraphs, k.target_paragraphs) for k in imported.links} == {
        ((0,), (0,)),
        ((1, 2), (1,)),
    }


def test_multi_paragraph_segment_without_lengths_falls_back_to_line_breaks() -> None:
    data = to_tmx(STORY, documents=(1, 2))
    # Our French paragraph 1 holds a line break itself: without the lengths it is ambiguous.
    stripped = etree.tostring(_strip_lengths(_tmx_root(data)))
    with pytest.raises(ExchangeError, match=r"edited.tmx: <tu> #2 .*cannot be split"):
        read_tmx(stripped, source="edited.tmx")

    simple = ExportStory(
        1,
        "s",
        (ExportDocument(1, "fr", "", "", ("a", "b")), ExportDocument(2, "de", "", "", ("ab",))),
        (ExportLink(1, (0, 1), 2, (0,), "translation", "auto", 0.5),),
    )
    imported = read_tmx(etree.tostring(_strip_lengths(_tmx_root(to_tmx(simple)))), source="x")
    assert imported.documents[0].paragraphs == ("a", "b")


def _strip_lengths(root: etree._Element) -> etree._Element:
    for prop in root.findall(".//prop[@type='x-parallax-lengths']"):
        prop.getparent().remove(prop)
    return root


# --- TMX from other tools ------------------------------------------------------------------


def test_generic_tmx_gives_one_document_per_language() -> None:
    imported = read_tmx((DATA_DIR / "generic.tmx").read_bytes(), source="uploads/generic.tmx")

    assert imported.title == "generic"
    assert [(d.lang, d.paragraphs) for d in imported.documents] == [
        ("en", ("Hello world.", "Click here now.", "Goodbye.")),  # srclang first
        ("fr", ("Bonjour le monde.", "Cliquez ici maintenant.", "Au revoir.")),
        ("de", ("Klicken Sie hier.",)),
    ]
    assert [
        (k.source_document, k.source_paragraphs, k.target_document, k.target_paragraphs)
        for k in imported.links
    ] == [(0, (0,), 1, (0,)), (0, (1,), 1, (1,)), (0, (1,), 2, (0,)), (0, (2,), 1, (2,))]
    assert {(k.status, k.score) for k in imported.links} == {("manual", 1.0)}


def test_utf16_tmx_is_read() -> None:
    data = to_tmx(STORY).decode().replace('encoding="UTF-8"', 'encoding="UTF-16"')
    imported = read_tmx(data.encode("utf-16"), source="wide.tmx")
    assert imported.documents[0].paragraphs[0] == FR.paragraphs[0]


# --- bad input -----------------------------------------------------------------------------

HEADER = (
    '<header creationtool="t" creationtoolversion="1" segtype="sentence" o-tmf="t" '
    'adminlang="en" srclang="en" datatype="plaintext"/>'
)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "bad.tmx: the file is empty"),
        (b"this is not XML", "bad.tmx: not well-formed XML"),
        (b"<tmx><header></tmx>", "bad.tmx: not well-formed XML"),
        (b"<html><body/></html>", "bad.tmx: not a TMX file: the root element is <html>, not <tmx>"),
        (
            f'<tmx version="1.4">{HEADER}</tmx>'.encode(),
            "bad.tmx: not a TMX file: there is no <body>",
        ),
        (f'<tmx version="1.4">{HEADER}<body/></tmx>'.encode(), "bad.tmx: no translation units"),
        (
            f'<tmx version="1.4">{HEADER}<body><tu tuid="x1"><tuv xml:lang="en"><seg>Hi</seg>'
            "</tuv></tu></body></tmx>".encode(),
            r"bad.tmx: <tu> #1 \(line 1, tuid x1\) has fewer than two languages \(en\)",
        ),
        (
            f'<tmx version="1.4">{HEADER}<body><tu><tuv xml:lang="en-US"><seg>Hi</seg></tuv>'
            '<tuv xml:lang="en-GB"><seg>Hi</seg></tuv></tu></body></tmx>'.encode(),
            "has fewer than two languages",
        ),
        (
            f'<tmx version="1.4">{HEADER}<body><tu><tuv><seg>Hi</seg></tuv>'
            '<tuv xml:lang="fr"><seg>Salut</seg></tuv></tu></body></tmx>'.encode(),
            "a <tuv> on line 1 has no xml:lang",
        ),
    ],
)
def test_bad_tmx_is_refused_with_a_clear_message(data: bytes, message: str) -> None:
    with pytest.raises(ExchangeError, match=message) as caught:
        read_tmx(data, source="bad.tmx")
    assert caught.value.source == "bad.tmx"


def test_external_entity_is_never_expanded(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE tmx [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        f'<tmx version="1.4">{HEADER}<body><tu><tuv xml:lang="en"><seg>&xxe;</seg></tuv>'
        '<tuv xml:lang="fr"><seg>x</seg></tuv></tu></body></tmx>'
    ).encode()

    with pytest.raises(ExchangeError, match="declares entities") as caught:
        read_tmx(data, source="evil.tmx")
    assert "TOP-SECRET" not in str(caught.value)
    assert "TOP-SECRET" not in " ".join(validate_tmx(data))


def test_billion_laughs_is_refused() -> None:
    data = (
        b'<!DOCTYPE tmx [<!ENTITY a "ha"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<tmx><body><tu><tuv xml:lang='en'><seg>&b;</seg></tuv></tu></body></tmx>"
    )
    with pytest.raises(ExchangeError, match="declares entities"):
        read_tmx(data, source="laughs.tmx")


# --- TSV and JSON --------------------------------------------------------------------------


def test_tsv_has_a_header_and_one_line_per_link() -> None:
    text = to_tsv(STORY)
    lines = text.split("\n")

    assert lines[-1] == ""  # ends with a newline
    rows = [line.split("\t") for line in lines[:-1]]
    assert rows[0] == [
        "source_lang", "source_text", "target_lang", "target_text",
        "relation", "status", "score", "reviewed_by",
    ]  # fmt: skip
    assert len(rows) - 1 == len(STORY.links)  # rejected and related included
    assert all(len(row) == 8 for row in rows)  # so no raw tab inside a field
    assert "\r" not in text
    two_to_one = next(r for r in rows if r[1].startswith("Deuxième"))
    assert two_to_one == [
        "fr",
        "Deuxième\\tparagraphe\\navec un saut de ligne.\\nTroisième, fusionné avec le deuxième.",
        "de", "Zweiter und dritter Absatz.", "translation", "auto", "0.7400", "",
    ]  # fmt: skip
    assert ["fr", FR.paragraphs[0], "de", DE.paragraphs[0]] == rows[1][:4]
    assert rows[1][7] == "alice & <bob>"


def test_tsv_defuses_spreadsheet_formulas() -> None:
    pair = [line.split("\t") for line in to_tsv(STORY, documents=(3, 2)).splitlines()]

    assert pair[1][:4] == ["en", "'" + EN.paragraphs[1], "de", DE.paragraphs[1]]
    raw = to_tsv(STORY, documents=(3, 2), spreadsheet_safe=False).splitlines()[1]
    assert raw.startswith("en\t=HYPERLINK")


def test_json_shape() -> None:
    data = to_json(STORY)

    assert json.loads(json.dumps(data)) == data
    assert (data["format"], data["version"], data["story"]) == (
        "parallax-story",
        1,
        {"id": 7, "title": "Summer story"},
    )
    assert [d["id"] for d in data["documents"]] == [1, 2, 3]
    assert data["documents"][0]["paragraphs"] == list(FR.paragraphs)  # unlinked ones too
    assert len(data["links"]) == len(STORY.links)
    confirmed = data["links"][0]
    assert confirmed == {
        "source_document": 1,
        "source_paragraphs": [0],
        "target_document": 2,
        "target_paragraphs": [0],
        "relation": "translation",
        "status": "confirmed",
        "score": 0.91,
        "reviewed_by": "alice & <bob>",
        "reviewed_at": "2024-05-01T12:30:00+00:00",
    }


def test_json_pair_has_only_that_pair() -> None:
    data = to_json(STORY, documents=(2, 3))

    assert [d["id"] for d in data["documents"]] == [2, 3]
    assert [(k["source_document"], k["target_document"]) for k in data["links"]] == [(2, 3)]


# --- purity --------------------------------------------------------------------------------


def test_exchange_is_pure() -> None:
    """Like app.align: nothing from the web or database layer, nor from the rest of app."""
    for path in EXCHANGE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                root = name.split(".")[0]
                assert root not in {"fastapi", "sqlmodel", "sqlalchemy", "starlette"}, path
                assert root != "app" or name.startswith("app.exchange"), (path, name)


def test_round_trip_reads_back_related_links_and_marks() -> None:
    related = ExportLink(1, (2,), 3, (1,), "related", "confirmed", 0.6, "alice", REVIEWED_AT)
    marks = (
        ExportMark(2, 1, "added"),
        ExportMark(1, 0, "not_translated", 3),
        ExportMark(1, 3, "added"),  # FR ¶4 travels in no unit: it cannot come back
    )
    story = ExportStory(
        id=7,
        title="Summer story",
        documents=(FR, DE, EN),
        links=(*STORY.links, related),
        marks=marks,
    )
    imported = read_tmx(to_tmx(story), source="summer.tmx")
    position = {1: 0, 2: 1, 3: 2}
    back = [k for k in imported.links if k.relation == "related"]
    # FR ¶3 (index 2) and EN ¶2 (index 1) are carried by units, so the related link is back.
    assert [(k.source_document, k.source_paragraphs, k.target_document) for k in back] == [
        (position[1], (2,), position[3])
    ]
    assert back[0].target_paragraphs == (1,) and back[0].score == 0.6
    assert back[0].status == "confirmed"
    assert [(m.document, m.paragraph, m.mark, m.target_document) for m in imported.marks] == [
        (position[2], 1, "added", None),
        (position[1], 0, "not_translated", position[3]),
    ]
