"""The cross-language checks over a story, computed once and stored; requests only read them.

`compute_findings` is the heavy, idempotent step (it embeds sentences for the divergence
check): the job system runs it after alignment and after review changes. Each stored finding
is attached to the paragraph it is about and, when one exists, to the link joining that
paragraph to the counterpart it compares against, and it is worded with language names and
¶ numbers rather than database ids.
"""

import re
from collections.abc import Sequence

from pydantic import BaseModel
from sqlalchemy import delete
from sqlmodel import Session, col, select

from app.align.encoder import Encoder
from app.checks import CheckLink, CheckPair, CheckParagraph, Finding, run_checks
from app.checks.text import language_name
from app.exchange.link_shape import link_shape
from app.library.stories import paragraphs_of, sentences_of
from app.models import Document, DocumentPair, Link, ParagraphMark, StoredFinding
from app.paranum import para_no, para_nos
from app.pipeline.embeddings import CachedEncoder

_LABEL = re.compile(r"\b([a-z]{2,3}) doc (\d+)")


def _check_inputs(
    session: Session, story_id: int, docs: dict[int, Document]
) -> tuple[list[CheckParagraph], list[CheckLink], list[CheckPair], dict[tuple[int, int], str]]:
    paras = paragraphs_of(session, list(docs))
    para_ids = [p.id for ps in paras.values() for p in ps if p.id is not None]
    sentences = sentences_of(session, para_ids)
    check_paras = [
        CheckParagraph(
            document=p.document_id,
            index=p.index,
            text=p.text,
            kind=p.kind,
            lang=p.lang,
            doc_lang=docs[p.document_id].lang,
            sentences=tuple(s.text for s in sentences.get(p.id or 0, [])),
            sentence_langs=tuple(s.lang for s in sentences.get(p.id or 0, [])),
        )
        for ps in paras.values()
        for p in ps
    ]
    links = [link_shape(lk) for lk in session.exec(select(Link).where(Link.story_id == story_id))]
    pairs = [
        CheckPair(source=pr.source_document_id, target=pr.target_document_id, kind=pr.kind)
        for pr in session.exec(select(DocumentPair).where(DocumentPair.story_id == story_id))
    ]
    marks = {
        (m.document_id, m.index): m.mark
        for m in session.exec(
            select(ParagraphMark).where(col(ParagraphMark.document_id).in_(list(docs)))
        )
    }
    return check_paras, links, pairs, marks


def doc_names(
    docs: Sequence[Document], kinds: dict[tuple[int, int], str] | None = None
) -> dict[int, str]:
    """How people name each version: 'the English version', 'the English translation', plus
    its title when two versions share a language."""
    by_lang: dict[str, int] = {}
    for d in docs:
        by_lang[d.lang] = by_lang.get(d.lang, 0) + 1
    translated = {i for pair, kind in (kinds or {}).items() if kind != "comparable" for i in pair}
    out = {}
    for d in docs:
        # Two versions in one language: the one translated from another is "the translation".
        noun = "translation" if by_lang[d.lang] > 1 and (d.id or 0) in translated else "version"
        name = f"the {language_name(d.lang)} {noun}"
        if by_lang[d.lang] > 1:
            title = d.title if len(d.title) <= 40 else d.title[:39].rstrip() + "…"
            name += f" “{title}”"
        out[d.id or 0] = name
    return out


def _paras(paras: Sequence[int]) -> str:
    return para_nos(paras)


def summary(f: Finding, names: dict[int, str], langs: dict[int, str]) -> str:
    """One line an editor reads first: what is wrong, where."""
    other = names.get(f.counterpart[0], "another version") if f.counterpart else ""
    there = f" {_paras(f.counterpart[1])}" if f.counterpart and f.counterpart[1] else ""
    here = para_no(f.paragraph)
    if f.check == "addition" and f.counterpart is None:
        return f"{here} has no counterpart in the other versions"
    return {
        "omission": f"{here} is missing in {other}",
        "addition": f"{here} has no counterpart in {other}",
        "numbers": f"{here}: numbers differ from {other}{there}",
        "divergence": f"{here}: the meaning differs from {other}{there}",
        "names": f"{here}: a name is missing in {other}{there}",
        "wrong_language": f"{here} is not in {language_name(langs.get(f.document, ''))}",
    }.get(f.check, f"{here}: {f.check.replace('_', ' ')}")


def _attach(f: Finding, links: list[Link]) -> int | None:
    """The visible link joining the finding's paragraph to the counterpart it names."""
    if f.counterpart is None:
        return None
    other, other_paras = f.counterpart
    best = None
    for lk in links:
        if lk.status == "rejected":
            continue
        if lk.source_document_id == f.document and lk.target_document_id == other:
            mine, theirs = lk.source_paragraphs, lk.target_paragraphs
        elif lk.target_document_id == f.document and lk.source_document_id == other:
            mine, theirs = lk.target_paragraphs, lk.source_paragraphs
        else:
            continue
        if f.paragraph not in mine:
            continue
        if set(theirs) & set(other_paras):
            return lk.id
        best = best or lk.id
    return best if other_paras else None


def compute_findings(*, session: Session, encoder: Encoder | None, story_id: int) -> int:
    """Run every check over a story and replace its stored findings; returns how many.

    Idempotent, commits. Safe to call again after alignment or review changes.
    """
    docs = {
        d.id or 0: d
        for d in session.exec(
            select(Document).where(Document.story_id == story_id).order_by(col(Document.id))
        )
    }
    if not docs:
        session.connection().execute(
            delete(StoredFinding).where(col(StoredFinding.story_id) == story_id)
        )
        session.commit()
        return 0
    paras, check_links, pairs, marks = _check_inputs(session, story_id, docs)
    cached = CachedEncoder(encoder, session) if encoder is not None else None
    found = run_checks(paras, check_links, pairs, encoder=cached, marks=marks)
    kinds = {(p.source, p.target): p.kind for p in pairs}
    names = doc_names(list(docs.values()), kinds)
    langs = {i: d.lang for i, d in docs.items()}
    links = list(session.exec(select(Link).where(Link.story_id == story_id)).all())

    def words(text: str) -> str:
        return _LABEL.sub(lambda m: names.get(int(m.group(2)), m.group(0)), text)

    # The checks (and the model) ran with no write lock held; the replacement is one short write.
    session.connection().execute(
        delete(StoredFinding).where(col(StoredFinding.story_id) == story_id)
    )
    if cached is not None:
        cached.save(session)
    session.add_all(
        StoredFinding(
            story_id=story_id,
            check=f.check,
            severity=f.severity,
            document_id=f.document,
            paragraph=f.paragraph,
            counterpart_document_id=f.counterpart[0] if f.counterpart else None,
            counterpart_paragraphs=list(f.counterpart[1]) if f.counterpart else None,
            link_id=_attach(f, links),
            summary=summary(f, names, langs),
            detail=words(f.detail),
        )
        for f in found
    )
    session.commit()
    return len(found)


def stored_findings(session: Session, story_id: int) -> list[StoredFinding]:
    """A story's stored findings, most severe first (reads only)."""
    return list(
        session.exec(
            select(StoredFinding)
            .where(StoredFinding.story_id == story_id)
            .order_by(
                col(StoredFinding.severity).desc(),
                col(StoredFinding.document_id),
                col(StoredFinding.paragraph),
                col(StoredFinding.id),
            )
        ).all()
    )


class Counterpart(BaseModel):
    """The paragraphs of the other version a finding compares against."""

    document: int
    paragraphs: list[int]


class FindingOut(BaseModel):
    """A stored finding as the API speaks it; `paragraph` is a 0-based index."""

    check: str
    document: int
    paragraph: int
    counterpart: Counterpart | None
    detail: str
    summary: str
    severity: float
    link: int | None


def finding_json(f: StoredFinding) -> FindingOut:
    """The API's shape of a finding."""
    counterpart = None
    if f.counterpart_document_id is not None:
        counterpart = Counterpart(
            document=f.counterpart_document_id, paragraphs=f.counterpart_paragraphs or []
        )
    return FindingOut(
        check=f.check,
        document=f.document_id,
        paragraph=f.paragraph,
        counterpart=counterpart,
        detail=f.detail,
        summary=f.summary,
        severity=f.severity,
        link=f.link_id,
    )
