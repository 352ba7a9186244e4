"""The highlight follows translations transitively and related links one hop only."""

from types import SimpleNamespace

from app.services.reading import highlight


def _link(i: int, a: tuple[int, int], b: tuple[int, int], relation: str, score: float = 0.9):
    return SimpleNamespace(
        id=i,
        source_document_id=a[0],
        target_document_id=b[0],
        source_paragraphs=[a[1]],
        target_paragraphs=[b[1]],
        relation=relation,
        score=score,
    )


def test_translations_chain_and_related_links_stop_after_one_hop() -> None:
    links = [
        _link(1, (1, 0), (2, 0), "translation", 0.9),  # FR 0 = DE 0
        _link(2, (2, 0), (3, 4), "translation", 0.8),  # DE 0 = EN 4
        _link(3, (3, 4), (4, 1), "related", 0.5),  # EN 4 ~ report 1
        _link(4, (4, 1), (5, 7), "related", 0.4),  # report 1 ~ another text 7
        _link(5, (5, 7), (6, 2), "translation", 0.9),  # and its translation
        _link(6, (1, 0), (4, 3), "related", 0.3),  # FR 0 ~ report 3
    ]
    hl = highlight(links, (1, 0))
    assert hl.relation == {
        (1, 0): "active",
        (2, 0): "translation",
        (3, 4): "translation",
        (4, 1): "related",
        (4, 3): "related",
    }
    assert hl.score[(3, 4)] == 0.8  # the weakest link of the chain
    # from a related paragraph, the clicked one's translations are not reached through it
    assert set(highlight(links, (4, 1)).relation) == {(4, 1), (3, 4), (5, 7)}
