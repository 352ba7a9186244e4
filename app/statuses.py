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


# An editor decided on these; realignment keeps them.
REVIEWED = frozenset({LinkStatus.CONFIRMED, LinkStatus.MANUAL, LinkStatus.REJECTED})
# These show in the reader.
VISIBLE = frozenset({LinkStatus.AUTO, LinkStatus.CONFIRMED, LinkStatus.MANUAL})
STATUSES = tuple(LinkStatus)
RELATIONS = tuple(Relation)
