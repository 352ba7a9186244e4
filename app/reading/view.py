"""What the reader shows: a story's columns, its links, and the counterparts of a paragraph."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from app.exchange.link_shape import LinkShape, link_shape
from app.library.stories import get_story, sentences_of
from app.models import Document, Link, LinkSide, Paragraph, Sentence, SentenceLink
from app.pipeline.alignment import LINKABLE_KINDS
from app.statuses import TRANSLATED_KINDS, Relation

ParaKey = tuple[int, int]  # (document id, paragraph index)

# Rejected links stay in the database for the history, but are not shown as counterparts.
VISIBLE_STATUSES = ("auto", "confirmed", "manual")


@dataclass
class Highlight:
    """A clicked paragraph and everything linked to it, directly or through another column."""

    active: ParaKey
    relation: dict[ParaKey, str] = field(default_factory=dict)
    score: dict[ParaKey, float] = field(default_factory=dict)

    @property
    def linked(self) -> set[ParaKey]:
        """Every highlighted paragraph except the clicked one."""
        return set(self.relation) - {self.active}


@dataclass
class StoryView:
    """Everything the story page renders."""

    story_id: int
    title: str
    documents: list[Document]
    paragraphs: dict[int, list[Paragraph]]
    links: list[LinkShape]
    unlinked: set[ParaKey]
    sentences: dict[int, list[Sentence]]
    # per document: (first index shown, one past the last shown, paragraphs in the document)
    windows: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    highlight: "Highlight | None" = None

    @property
    def partial(self) -> bool:
        """True when some column shows only part of its document."""
        return any(stop - start < total for start, stop, total in self.windows.values())

    def window_header(self) -> str:
        """`doc:start-stop,...`: sent back by htmx so a click can tell what the page shows."""
        return ",".join(f"{d}:{a}-{b}" for d, (a, b, _) in sorted(self.windows.items()))


def _neighbours(links: list[LinkShape]) -> dict[ParaKey, list[tuple[ParaKey, LinkShape]]]:
    graph: dict[ParaKey, list[tuple[ParaKey, LinkShape]]] = {}
    for link in links:
        src = [(link.source_document_id, i) for i in link.source_paragraphs]
        tgt = [(link.target_document_id, i) for i in link.target_paragraphs]
        for a in src + tgt:
            for b in src + tgt:
                if a != b:
                    graph.setdefault(a, []).append((b, link))
    return graph


def highlight(links: list[LinkShape], active: ParaKey) -> Highlight:
    """The clicked paragraph's counterparts in the *other* documents: translations, then
    related links one hop from them.

    Translations are followed transitively (FR -> DE -> EN is still a translation), one
    layer at a time, and a document is entered once: its counterparts are those nearest the
    clicked paragraph, and the clicked paragraph's own document is never entered. A chain of
    merged links (FR 8-9 = EN 9, EN 9-10 = FR 10 ...) therefore never lights the clicked
    text's own neighbours nor walks on through the whole story. A related link never leads
    further: related counterparts are those linked by a related link to the clicked paragraph
    or to one of its translations, outside the clicked paragraph's document. reader.js's
    `drawHighlight` walks the same way.
    """
    graph = _neighbours(links)
    result = Highlight(active=active)
    result.relation[active] = "active"
    entered = {active[0]}
    layer: dict[ParaKey, float] = {active: 1.0}
    chain = [active]
    while layer:
        found: dict[ParaKey, float] = {}
        for node, score in layer.items():
            for other, link in graph.get(node, []):
                if link.relation != "translation" or other[0] in entered:
                    continue
                found[other] = max(found.get(other, 0.0), min(score, link.score))
        entered |= {doc for doc, _ in found}
        for other, score in found.items():
            result.relation[other] = "translation"
            result.score[other] = round(score, 3)
        chain += list(found)
        layer = found
    for node in chain:
        for other, link in graph.get(node, []):
            if (
                link.relation == Relation.TRANSLATION
                or other in result.relation
                or other[0] == active[0]
            ):
                continue
            result.relation[other] = "related"
            result.score[other] = round(link.score, 3)
    return result


def _link_columns():  # type: ignore[no-untyped-def]
    return select(  # type: ignore[call-overload]
        Link.id,
        Link.source_document_id,
        Link.target_document_id,
        Link.source_paragraphs,
        Link.target_paragraphs,
        Link.relation,
        Link.status,
        Link.score,
    )


def links_holding(keys: set[ParaKey]):  # type: ignore[no-untyped-def]
    """SELECT the ids of the links that hold any of `keys` (through `link_side`'s index)."""
    by_doc: dict[int, set[int]] = {}
    for doc, index in keys:
        by_doc.setdefault(doc, set()).add(index)
    return select(LinkSide.link_id).where(
        or_(
            *(
                (col(LinkSide.document_id) == doc) & col(LinkSide.index).in_(sorted(indexes))
                for doc, indexes in sorted(by_doc.items())
            )
        )
    )


def links_touching(session: Session, story_id: int, keys: set[ParaKey]) -> list[LinkShape]:
    """The visible links of a story that hold any of `keys`, found through `link_side`.

    A story of 8 documents x 500 paragraphs has ~17,000 links: reading them all costs about
    a second, while the links of a handful of paragraphs come back in milliseconds.
    """
    if not keys:
        return []
    rows = session.exec(
        _link_columns()
        .where(
            Link.story_id == story_id,
            col(Link.status).in_(VISIBLE_STATUSES),
            col(Link.id).in_(links_holding(keys)),
        )
        .order_by(col(Link.id))
    ).all()
    return [link_shape(row) for row in rows]


def highlight_in_db(
    session: Session, story_id: int, active: ParaKey
) -> tuple[Highlight, list[LinkShape]]:
    """`highlight` computed from the links near `active` only, and those links.

    Every paragraph of the translation chain is looked up in turn, so the links read are
    exactly those `highlight` would follow: the result equals `highlight` over all links.
    """
    found: dict[int | None, LinkShape] = {}
    seen, frontier = {active}, {active}
    while frontier:
        new: set[ParaKey] = set()
        for link in links_touching(session, story_id, frontier):
            found[link.id] = link
            if link.relation != "translation":
                continue
            for key in [(link.source_document_id, i) for i in link.source_paragraphs] + [
                (link.target_document_id, j) for j in link.target_paragraphs
            ]:
                if key not in seen:
                    new.add(key)
        seen |= new
        frontier = new
    links = list(found.values())
    return highlight(links, active), links


def linked_paragraphs(links: list[LinkShape]) -> set[ParaKey]:
    """Every paragraph that some link holds."""
    return {(lk.source_document_id, i) for lk in links for i in lk.source_paragraphs} | {
        (lk.target_document_id, j) for lk in links for j in lk.target_paragraphs
    }


# Paragraphs per column on one story page. The page's cost grows with what it shows, so a
# long story is shown as a window around the highlighted paragraph (or the beginning).
WINDOW = 50


def parse_windows(value: str | None) -> dict[int, tuple[int, int]]:
    """'12:0-60,13:40-100' -> {12: (0, 60), 13: (40, 100)}; malformed parts are skipped."""
    out: dict[int, tuple[int, int]] = {}
    for part in (value or "").split(","):
        doc, _, span = part.partition(":")
        start, _, stop = span.partition("-")
        if doc.isdigit() and start.isdigit() and stop.isdigit():
            out[int(doc)] = (int(start), int(stop))
    return out


def outside(windows: dict[int, tuple[int, int]], keys: set[ParaKey]) -> bool:
    """True when one of `keys` lies in a column the page shows only in part, outside it."""
    for doc, index in keys:
        span = windows.get(doc)
        if span is not None and not span[0] <= index < span[1]:
            return True
    return False


def _windows(
    totals: dict[int, int], active: ParaKey | None, hl: Highlight | None, size: int
) -> dict[int, tuple[int, int, int]]:
    """Each column's window: around its highlighted paragraph (a translation before a related
    one), else at the same relative position as the clicked one, else from the start."""
    out = {}
    for doc, total in totals.items():
        anchor = 0
        if active is not None and hl is not None:
            # translations first: they are what the reader clicked for
            mine = sorted(
                (rel == Relation.RELATED, i) for (d, i), rel in hl.relation.items() if d == doc
            )
            if mine:
                anchor = mine[0][1]
            elif totals.get(active[0]):
                anchor = int(active[1] / totals[active[0]] * total)
        start = max(0, min(anchor - size // 4, total - size))
        out[doc] = (start, min(total, start + size), total)
    return out


def _window_paragraphs(
    session: Session, windows: dict[int, tuple[int, int, int]]
) -> dict[int, list[Paragraph]]:
    out: dict[int, list[Paragraph]] = {d: [] for d in windows}
    if not windows:
        return out
    ranges = [
        (col(Paragraph.document_id) == d) & (col(Paragraph.index) >= a) & (col(Paragraph.index) < b)
        for d, (a, b, _) in windows.items()
    ]
    for row in session.exec(
        select(Paragraph)
        .where(or_(*ranges))
        .order_by(col(Paragraph.document_id), col(Paragraph.index))
    ):
        out[row.document_id].append(row)
    return out


def story_view(
    session: Session, story_id: int, active: ParaKey | None = None, *, window: int = WINDOW
) -> StoryView | None:
    """A story's documents, the paragraphs (and sentences) of each column's window, the
    links that touch them, and the highlight of `active`."""
    item = get_story(session, story_id)
    if item is None:
        return None
    doc_ids = [d.id for d in item.documents if d.id is not None]
    totals = dict.fromkeys(doc_ids, 0)
    for doc_id, count in session.exec(
        select(Paragraph.document_id, func.count())
        .where(col(Paragraph.document_id).in_(doc_ids))
        .group_by(col(Paragraph.document_id))
    ):
        totals[doc_id] = count
    hl = highlight_in_db(session, story_id, active)[0] if active else None
    windows = _windows(totals, active, hl, window)
    paras = _window_paragraphs(session, windows)
    keys = {(p.document_id, p.index) for ps in paras.values() for p in ps}
    links = links_touching(session, story_id, keys)
    unlinked = keys - linked_paragraphs(links)
    sentences = sentences_of(session, [p.id for ps in paras.values() for p in ps if p.id])
    return StoryView(
        story_id,
        item.story.title,
        item.documents,
        paras,
        links,
        unlinked,
        sentences,
        windows,
        hl,
    )


def touching(links: list[LinkShape], keys: set[ParaKey]) -> list[LinkShape]:
    """The links that contain any of `keys`."""
    return [
        lk
        for lk in links
        if any((lk.source_document_id, i) in keys for i in lk.source_paragraphs)
        or any((lk.target_document_id, j) in keys for j in lk.target_paragraphs)
    ]


def sentence_groups(
    session: Session, links: list[LinkShape]
) -> dict[tuple[int, int, int], list[int]]:
    """For each sentence (document, paragraph, sentence), the sentence-link ids it belongs to."""
    by_id = {link.id: link for link in links}
    rows = session.exec(
        select(SentenceLink).where(col(SentenceLink.link_id).in_(list(by_id)))
    ).all()
    groups: dict[tuple[int, int, int], list[int]] = {}
    for row in rows:
        link = by_id[row.link_id]
        for p, s in row.source_sentences:
            groups.setdefault((link.source_document_id, p, s), []).append(row.id or 0)
        for p, s in row.target_sentences:
            groups.setdefault((link.target_document_id, p, s), []).append(row.id or 0)
    return groups


@dataclass(frozen=True)
class Gap:
    """A run of paragraphs of another document that have no counterpart in this column."""

    lang: str
    first: int
    count: int


def gaps(session: Session, view: StoryView) -> dict[tuple[int, int | None], list[Gap]]:
    """Where each column lacks counterparts of a translated document's paragraphs.

    Only pairs the engine judged translations (full or partial) are considered: for a
    comparable text every paragraph would be a "gap" and the markers would say nothing.
    The marker goes before the paragraph that follows the last linked counterpart; the key
    is (column document id, paragraph index), or index None for the end of the column.
    """
    from app.models import DocumentPair

    pairs = session.exec(
        select(DocumentPair).where(
            DocumentPair.story_id == view.story_id,
            col(DocumentPair.kind).in_(TRANSLATED_KINDS),
        )
    ).all()
    docs = {d.id: d for d in view.documents}
    out: dict[tuple[int, int | None], list[Gap]] = {}
    for pair in pairs:
        for here, there in (
            (pair.source_document_id, pair.target_document_id),
            (pair.target_document_id, pair.source_document_id),
        ):
            if here not in docs or there not in docs:
                continue
            counterpart: dict[int, int] = {}
            for link in view.links:
                if link.relation != "translation":
                    continue
                if (link.source_document_id, link.target_document_id) == (there, here):
                    theirs, ours = link.source_paragraphs, link.target_paragraphs
                elif (link.source_document_id, link.target_document_id) == (here, there):
                    theirs, ours = link.target_paragraphs, link.source_paragraphs
                else:
                    continue
                for i in theirs:
                    counterpart[i] = max(ours)
            for position, first, count in _missing_runs(view.paragraphs[there], counterpart):
                stop = view.windows[here][1] if here in view.windows else len(view.paragraphs[here])
                key = (here, position if position < stop else None)
                out.setdefault(key, []).append(Gap(docs[there].lang, first, count))
    return out


def _missing_runs(
    theirs: list[Paragraph], counterpart: dict[int, int]
) -> list[tuple[int, int, int]]:
    """Runs of their linkable paragraphs without a counterpart: (our position, first, count).

    Our position is the paragraph after the last counterpart seen before the run.
    """
    runs: list[tuple[int, int, int]] = []
    last_ours, first, count = -1, -1, 0
    for p in theirs:
        if p.index in counterpart:
            if count:
                runs.append((last_ours + 1, first, count))
            count = 0
            last_ours = max(last_ours, counterpart[p.index])
        elif p.kind in LINKABLE_KINDS:
            if not count:
                first = p.index
            count += 1
    if count:
        runs.append((last_ours + 1, first, count))
    return runs


def parse_key(value: str | None) -> ParaKey | None:
    """'12-3' → (12, 3); anything else → None."""
    if not value:
        return None
    doc, _, index = value.partition("-")
    if doc.isdigit() and index.isdigit():
        return int(doc), int(index)
    return None


def load_cells(
    session: Session, keys: set[ParaKey], story_id: int
) -> tuple[dict[int, Document], dict[ParaKey, Paragraph], dict[int, list[Sentence]]]:
    """The documents, paragraphs and sentences needed to re-render just `keys`.

    Only documents of `story_id` count: a key naming another story's paragraph (the visitor
    typed it) is left out, so it cannot show a text the visitor may not read.
    """
    docs = {
        d.id or 0: d
        for d in session.exec(
            select(Document)
            .where(col(Document.id).in_({d for d, _ in keys}), Document.story_id == story_id)
            .options(defer(Document.original))  # type: ignore[arg-type]
        )
    }
    doc_ids = set(docs)
    paras: dict[ParaKey, Paragraph] = {}
    sentences: dict[int, list[Sentence]] = {}
    indexes = {i for _, i in keys}
    # One query for the paragraphs and their sentences: this runs on every click.
    rows = session.exec(
        select(Paragraph, Sentence)
        .join(Sentence, col(Sentence.paragraph_id) == col(Paragraph.id), isouter=True)
        .where(col(Paragraph.document_id).in_(doc_ids), col(Paragraph.index).in_(indexes))
        .order_by(col(Paragraph.id), col(Sentence.index))
    )
    for p, sent in rows:
        if (p.document_id, p.index) not in keys:
            continue
        paras[(p.document_id, p.index)] = p
        if sent is not None:
            sentences.setdefault(p.id or 0, []).append(sent)
    return docs, paras, sentences


@dataclass
class ReviewPanel:
    """What an editor sees for the active paragraph: every link touching it, and its mark."""

    active: ParaKey
    docs: dict[int, Document]
    links: list[tuple[Link, Document, list[int]]]
    mark: str | None
    error: str | None = None
    message: str | None = None
    # A question the panel asks before a change (a move that would discard reviewed links).
    ask: dict[str, Any] | None = None


def review_panel(session: Session, story_id: int, active: ParaKey) -> ReviewPanel:
    """The links of any status that contain the active paragraph, with the other side."""
    from app.models import ParagraphMark

    doc_id, index = active
    docs = {
        d.id or 0: d for d in session.exec(select(Document).where(Document.story_id == story_id))
    }
    rows = []
    for link in session.exec(
        select(Link)
        .where(Link.story_id == story_id, col(Link.id).in_(links_holding({active})))
        .order_by(col(Link.target_document_id), col(Link.source_document_id), col(Link.id))
    ):
        if link.source_document_id == doc_id and index in link.source_paragraphs:
            rows.append((link, docs[link.target_document_id], link.target_paragraphs))
        elif link.target_document_id == doc_id and index in link.target_paragraphs:
            rows.append((link, docs[link.source_document_id], link.source_paragraphs))
    mark = session.exec(
        select(ParagraphMark.mark).where(
            ParagraphMark.document_id == doc_id, ParagraphMark.index == index
        )
    ).first()
    return ReviewPanel(active, docs, rows, mark)


@dataclass(frozen=True)
class Missing:
    """A column with no counterpart of the active paragraph, and where that would be.

    `after` is the paragraph of `document` the note follows (None: the top of the column).
    """

    document: int
    after: int | None
    lang: str
    of_lang: str
    of_index: int


def missing_counterparts(
    links: list[LinkShape], hl: Highlight, langs: dict[int, str], counts: dict[int, int]
) -> list[Missing]:
    """For each document without a highlighted paragraph, the place its counterpart would be.

    The place follows the counterparts of the closest earlier paragraph linked to it; with no
    direct links between the two documents it is proportional to the position in the text.
    """
    have = {d for d, _ in hl.relation}
    a_doc, a_idx = hl.active
    out: list[Missing] = []
    for doc_id, lang in langs.items():
        if doc_id in have or doc_id == a_doc:
            continue
        before: int | None = None
        direct = False
        for lk in links:
            if (lk.source_document_id, lk.target_document_id) == (a_doc, doc_id):
                mine, theirs = lk.source_paragraphs, lk.target_paragraphs
            elif (lk.source_document_id, lk.target_document_id) == (doc_id, a_doc):
                mine, theirs = lk.target_paragraphs, lk.source_paragraphs
            else:
                continue
            direct = True
            if min(mine) < a_idx:
                before = max(before if before is not None else -1, max(theirs))
        if before is None and not direct and counts.get(a_doc):
            guess = round(a_idx / counts[a_doc] * counts.get(doc_id, 0)) - 1
            before = guess if guess >= 0 else None
        out.append(Missing(doc_id, before, lang, langs.get(a_doc, ""), a_idx))
    return out


def story_shape(session: Session, story_id: int) -> tuple[dict[int, str], dict[int, int]]:
    """The story's documents with their languages, and how many paragraphs each has."""
    from sqlalchemy import func

    langs = {
        d_id: lang
        for d_id, lang in session.exec(
            select(Document.id, Document.lang)
            .where(Document.story_id == story_id)
            .order_by(col(Document.id))  # a stable order for the notes of missing counterparts
        )
        if d_id is not None
    }
    counts = {
        d_id: n
        for d_id, n in session.exec(
            select(Paragraph.document_id, func.count())
            .where(col(Paragraph.document_id).in_(list(langs)))
            .group_by(col(Paragraph.document_id))
        )
    }
    return langs, counts
