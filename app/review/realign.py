"""The realignment after an editor split or merged paragraphs, as part of that change.

A split or merge moves the document's links deterministically (app/review/paragraphs.py) and
queues a realign job; the job replaces the automatic links of every pair the document forms
(reviewed links stay) and writes what it changed into the split's own history event. So one
undo still takes back the split and its realignment, and an undo is not refused as if a
stranger had changed the links meanwhile.
"""

import logging
from typing import Any

from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.library import documents
from app.models import Document, LinkEvent
from app.review.paragraphs import layout_key, layout_state, same_layout

log = logging.getLogger(__name__)

LAYOUT_ACTIONS = ("split_text", "merge_text")


def _aligned(states: dict[str, Any]) -> dict[str, Any]:
    """The history states a realignment may change: links and pairs (not marks)."""
    return {k: v for k, v in states.items() if not k.startswith("mark:")}


def still_current(session: Session, event: LinkEvent | None, document_id: int) -> bool:
    """Whether the document is as `event` left it: not undone, same paragraphs, and no later
    change of its links (those are their own editors' steps: realigning under them would
    make their undo a conflict)."""
    key = layout_key(document_id)
    if event is None or event.undone or event.action not in LAYOUT_ACTIONS:
        return False
    if key not in event.after or not same_layout(
        layout_state(session, document_id), event.after[key]
    ):
        return False
    keys = set(_aligned(documents.surroundings(session, document_id)))
    later = session.exec(select(LinkEvent).where(col(LinkEvent.id) > event.id)).all()
    return not any(keys & set(other.before) for other in later)


def realign_layout(*, session: Session, encoder: Encoder, event_id: int, document_id: int) -> bool:
    """Realign the document after split or merge `event_id` and fold the new links into that
    event; commits. False, changing nothing, when the change was undone or followed by another
    meanwhile (an undo already put aligned links back)."""
    from app.pipeline.steps import align_in  # the pipeline imports the review desk

    event = session.exec(
        select(LinkEvent).where(LinkEvent.id == event_id).with_for_update()
    ).first()
    doc = session.get(Document, document_id)
    if doc is None or not still_current(session, event, document_id):
        session.rollback()
        log.info("realign after change %s skipped: undone or changed since", event_id)
        return False
    assert event is not None
    had = _aligned(documents.surroundings(session, document_id))
    align_in(session, encoder, doc)
    now = _aligned(documents.surroundings(session, document_id))
    keys = set(had) | set(now)
    # Links the realignment made did not exist before the split.
    event.before = {**{k: None for k in keys}, **event.before}
    event.after = {**event.after, **{k: now.get(k) for k in keys}}
    session.add(event)
    session.commit()
    return True
