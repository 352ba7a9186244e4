"""What a link says and where it stands, as enums (values are the strings stored and spoken).

Pure (no database imports), so the checks and the exchange formats use them too.
"""

from enum import StrEnum


class LinkStatus(StrEnum):
    """A link's review state."""

    AUTO = "auto"
    CONFIRMED = "confirmed"
    MANUAL = "manual"
    REJECTED = "rejected"


class Relation(StrEnum):
    """What two linked paragraph groups are to each other."""

    TRANSLATION = "translation"
    RELATED = "related"


class PairKind(StrEnum):
    """What the aligner calls a document pair as a whole."""

    TRANSLATION = "translation"
    PARTIAL = "partial"  # a translation of part of the other (a shortened version)
    COMPARABLE = "comparable"  # texts on the same thing, not translations: related links only


# Pairs whose paragraphs translate each other (their sentences are linked, their gaps are findings).
TRANSLATED_KINDS = frozenset({PairKind.TRANSLATION, PairKind.PARTIAL})

# An editor decided on these; realignment keeps them.
REVIEWED = frozenset({LinkStatus.CONFIRMED, LinkStatus.MANUAL, LinkStatus.REJECTED})
# These show in the reader.
VISIBLE = frozenset({LinkStatus.AUTO, LinkStatus.CONFIRMED, LinkStatus.MANUAL})
STATUSES = tuple(LinkStatus)
RELATIONS = tuple(Relation)
PAIR_KINDS = tuple(PairKind)
