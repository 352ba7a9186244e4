"""The highlight follows translations transitively and related links one hop only."""

from types import SimpleNamespace

from app.reading.view import highlight


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


def _merged(i: int, a: tuple[int, list[int]], b: tuple[int, list[int]], score: float = 0.9):
    return SimpleNamespace(
        id=i,
        source_document_id=a[0],
        target_document_id=b[0],
        source_paragraphs=a[1],
        target_paragraphs=b[1],
        relation="translation",
        score=score,
    )


def test_a_chain_of_merged_links_lights_only_other_documents_nearest_counterparts() -> None:
    # EN (1) 11 = AR (2) 10-11; AR 10 = EN 9-10 and AR 11 = EN 11-12 (another pair's merges);
    # AR 10 = DE (3) 10; DE 10 = EN 10 and FR (4) 9-10; FR 9 = AR 9.
    links = [
        _merged(1, (1, [11]), (2, [10, 11]), 0.9),
        _merged(2, (1, [9, 10]), (2, [10]), 0.8),
        _merged(3, (1, [11, 12]), (2, [11]), 0.8),
        _merged(4, (2, [10]), (3, [10]), 0.7),
        _merged(5, (3, [10]), (1, [10]), 0.9),
        _merged(6, (3, [10]), (4, [9, 10]), 0.6),
        _merged(7, (4, [9]), (2, [9]), 0.9),
    ]
    hl = highlight(links, (1, 11))
    assert hl.relation == {
        (1, 11): "active",
        (2, 10): "translation",  # the clicked paragraph's own counterparts
        (2, 11): "translation",
        (3, 10): "translation",  # reached through Arabic: German has no direct link
        (4, 9): "translation",  # and French through German
        (4, 10): "translation",
    }
    assert not {key for key in hl.relation if key[0] == 1} - {(1, 11)}  # never its own column
    assert (2, 9) not in hl.relation  # Arabic was entered once, at its nearest paragraphs
    assert hl.score[(4, 9)] == 0.6  # the weakest link on the way
