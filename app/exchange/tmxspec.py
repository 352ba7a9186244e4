"""Names and date format shared by the TMX writer and reader.

The ``x-parallax-*`` prop types carry what TMX has no element for (which document and
paragraphs a segment comes from, the link's status and score), so that a Parallax TMX
reads back into the same story. TMX reserves the ``x-`` prefix for such user-defined types.
"""

from __future__ import annotations

from datetime import UTC, datetime

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

CREATION_TOOL = "Parallax"
CREATION_TOOL_VERSION = "0.1.0"
O_TMF = "parallax"
DOCTYPE = '<!DOCTYPE tmx SYSTEM "tmx14.dtd">'
# Written by hand: lxml's own declaration uses single quotes.
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# On the header
PROP_STORY = "x-parallax-story"
PROP_STORY_TITLE = "x-parallax-story-title"
PROP_DOCUMENT_TITLE = "x-parallax-document-title-"  # + document id; xml:lang is its language
PROP_DOCUMENT_SOURCE = "x-parallax-document-source-"  # + document id
PROP_RELATED = "x-parallax-related"  # "doc:p+p doc:p score status", one per related link
PROP_MARK = "x-parallax-mark"  # "doc:paragraph mark [target-doc]", one per mark
# On each tuv
PROP_DOCUMENT = "x-parallax-document"
PROP_PARAGRAPHS = "x-parallax-paragraphs"  # paragraph indexes, space-separated
PROP_LENGTHS = "x-parallax-lengths"  # their lengths in characters, when there are several
PROP_SENTENCES = "x-parallax-sentences"  # on sentence units: "paragraph:sentence ..."
# On each tu
PROP_STATUS = "x-parallax-status"
PROP_SCORE = "x-parallax-score"
# Sentence units are <tu segtype="sentence">; the paragraph units stay as they were.
SEGTYPE_SENTENCE = "sentence"

_TMX_DATE = "%Y%m%dT%H%M%SZ"


def format_tmx_date(moment: datetime) -> str:
    """``moment`` in TMX's UTC form ``YYYYMMDDThhmmssZ``; a naive datetime is taken as UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime(_TMX_DATE)


def parse_tmx_date(text: str) -> datetime:
    """A TMX date as an aware UTC datetime.

    Raises:
        ValueError: ``text`` is not in the form ``YYYYMMDDThhmmssZ``.
    """
    return datetime.strptime(text.strip(), _TMX_DATE).replace(tzinfo=UTC)
