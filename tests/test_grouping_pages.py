"""Two pages of one site are two stories even where they carry one text: the page is the
path a document came from, less its language (app/pipeline/pages.py). Real pages of the
Node.js website (tests/data/grouping_pages, MIT): `download/current` and `download/index`
differ by one attribute; `eol` is an older copy of `about/eol`."""

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from app.align.encoder import Encoder
from app.models import Document, DocumentPair, GroupingDecision, Link, StoredFinding
from app.pipeline.jobs.batch import ingest_here
from app.pipeline.pages import page_key, two_pages

PAGES = Path(__file__).parent / "data" / "grouping_pages"


@pytest.mark.parametrize(
    ("source", "lang", "key"),
    [
        ("fr--about_eol.mdx", "fr", "about_eol"),
        ("pt-br--about_eol.md", "pt", "about_eol"),
        ("docs/fr/guide/intro.md", "fr", "docs/guide/intro"),
        ("content/about.fr.md", "fr", "content/about"),
        ("https://example.org/de/ueber-uns", "de", "ueber-uns"),
        ("zh-cn--index.md", "zh", "index"),
        # a path that does not mark the document's own language says nothing
        ("article.txt", "en", None),
        ("ro--eol.mdx", "en", None),  # an untranslated copy in the Romanian folder
        ("de_facto.md", "en", None),
    ],
)
def test_a_page_is_its_path_without_its_language(source: str, lang: str, key: str | None) -> None:
    assert page_key(source, lang) == key


def _docs(*sources: str) -> list[Document]:
    return [
        Document(id=i, story_id=1, source=s, title=s, lang=s.split("--")[0].split("_")[-1][:2],
                 content_hash=s, original="")
        for i, s in enumerate(sources, start=1)
    ]  # fmt: skip


def test_only_a_path_the_site_keeps_across_languages_names_a_page() -> None:
    """Two pages in one language split a story only where texts in two languages share one
    of their paths; in a library whose files each have a name of their own (bench/library.py:
    `00017_zh.txt`) a revision is no other page."""
    site = _docs("en--download_current.md", "fr--download_current.md", "en--download_index.md")
    keys = {d.id: page_key(d.source, d.lang) for d in site}
    assert two_pages(site, keys, site[-1]) == ("download_index", "download_current")
    named = _docs("00017_zh.txt", "00018_zh.txt", "00019_en.txt")
    keys = {d.id: page_key(d.source, d.lang) for d in named}
    assert set(keys.values()) == {"00017", "00018", "00019"}
    assert two_pages(named, keys, named[1]) is None


def _pages(engine: Engine) -> dict[int, set[str | None]]:
    """The pages each story holds (by its documents' paths)."""
    with Session(engine) as session:
        stories: dict[int, set[str | None]] = {}
        for d in session.exec(select(Document)):
            stories.setdefault(d.story_id, set()).add(page_key(d.source, d.lang))
        return stories


@pytest.mark.parametrize(
    "order",
    [
        # the other page's English text joins the first French page's story before any
        # two texts of one language meet there
        ["fr--download_current", "en--download_index", "ja--download_current",
         "en--download_current", "fr--download_index", "ja--download_index"],
        ["en--download_current", "en--download_index", "fr--download_index",
         "fr--download_current", "ja--download_index", "ja--download_current"],
    ],
    ids=["other-page-first", "twins-first"],
)  # fmt: skip
def test_one_text_at_two_paths_is_two_pages(
    engine: Engine, encoder: Encoder, order: list[str]
) -> None:
    """The English and Japanese twins are one text (the attribute is markup): the second is
    a duplicate, kept once. The French twins differ by a word: two documents, two pages."""
    summary = ingest_here(engine, encoder, [PAGES / f"{name}.mdx" for name in order])
    assert len(summary.added) == 4 and len(summary.duplicates) == 2
    assert sorted(_pages(engine).values()) == [{"download_current"}, {"download_index"}]
    with Session(engine) as session:
        docs = {d.id: d for d in session.exec(select(Document))}
        for pair in session.exec(select(DocumentPair)):
            source, target = docs[pair.source_document_id], docs[pair.target_document_id]
            assert pair.story_id == source.story_id == target.story_id
        for link in session.exec(select(Link)):
            assert link.story_id == docs[link.source_document_id].story_id
        for finding in session.exec(select(StoredFinding)):
            assert finding.story_id == docs[finding.document_id].story_id
        # each story's two texts are aligned with each other, nothing across
        assert len(session.exec(select(DocumentPair)).all()) == 2
        separated = [r for r in session.exec(select(GroupingDecision)) if r.decision == "separated"]
    assert separated, "the split is recorded on the moved documents' decisions"
    for row in separated:
        assert row.evidence["page"]["path"] in {"download_current", "download_index"}
        assert row.story_id == docs[row.document_id].story_id


def test_an_older_copy_at_another_path_is_its_own_page(engine: Engine, encoder: Encoder) -> None:
    order = ["ja--eol", "en--about_eol", "fr--about_eol", "fr--eol", "ja--about_eol"]
    ingest_here(engine, encoder, [PAGES / f"{name}.mdx" for name in order])
    stories = _pages(engine)
    assert sorted(stories.values(), key=sorted) == [{"about_eol"}, {"eol"}]


def test_links_an_editor_reviewed_keep_a_story_whole(engine: Engine, encoder: Encoder) -> None:
    """An editor confirmed a link between the French `download/current` and the English
    `download/index` text: the story is not split when the French `download/index` comes."""
    ingest_here(
        engine, encoder, [PAGES / "fr--download_current.mdx", PAGES / "en--download_index.mdx"]
    )
    with Session(engine) as session:
        link = session.exec(select(Link)).first()
        assert link is not None
        link.status = "confirmed"
        session.add(link)
        session.commit()
    ingest_here(engine, encoder, [PAGES / "fr--download_index.mdx"])
    assert list(_pages(engine).values()) == [{"download_current", "download_index"}]
