"""IBM-1 lexicon learned from the document pair (app/align/lexicon.py; pure, no model)."""

from __future__ import annotations

import numpy as np

from app.align.core import LEXICON_MIN_BEADS, SENTENCE_PARAMS, align_sentences, learn_lexicon
from app.align.lexicon import SCALE, Vocab, pair_lexicon, span_logprob, tokenize, train_ibm1
from app.align.scoring import FIRST_PASS

# A tiny synthetic "parallel text": each line pairs a made-up source sentence with its
# word-by-word translation, with words reused across lines in different combinations
# (IBM-1 can only tell "haus" from "das" by seeing them apart).
SRC = [
    "the house is red",
    "the cat sleeps",
    "a red cat",
    "the house sleeps",
    "a cat is small",
    "the small house",
    "a red house is small",
    "the cat is red",
]
TGT = [
    "das haus ist rot",
    "die katze schläft",
    "eine rote katze",
    "das haus schläft",
    "eine katze ist klein",
    "das kleine haus",
    "ein rotes haus ist klein",
    "die katze ist rot",
]
DICTIONARY = {"house": "haus", "cat": "katze", "sleeps": "schläft", "is": "ist"}


def _index(vocab_units: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for u in vocab_units:
        for t in tokenize(u):
            index.setdefault(t, len(index))
    return index


def test_tokens_follow_unicode_rules() -> None:
    assert tokenize("Das Haus, 1989!") == ["das", "haus", "1989"]
    assert tokenize("宝玉说：Hello") == ["宝", "玉", "说", "hello"]
    thai = tokenize("ฉันไปโรงเรียน")  # "I go to school": no spaces, ICU finds the words
    assert len(thai) >= 3 and "".join(thai) == "ฉันไปโรงเรียน"
    assert tokenize("كَتَبَ") == ["كَتَبَ"]  # harakat stay in their word


def test_ibm1_learns_a_dictionary_from_a_tiny_parallel_text() -> None:
    sv, tv = Vocab.build(SRC), Vocab.build(TGT)
    table = train_ibm1([(sv.ids[i], tv.ids[i]) for i in range(len(SRC))], sv.size, tv.size, 10)
    s_index, t_index = _index(SRC), _index(TGT)
    t_words = {v: k for k, v in t_index.items()}
    for s_word, t_word in DICTIONARY.items():
        s = s_index[s_word]
        sel = table.s == s
        best = t_words[int(table.t[sel][table.p[sel].argmax()])]
        assert best == t_word, (s_word, best)
    # probabilities of each source word sum to one
    for s in range(sv.size + 1):
        sel = table.s == s
        if sel.any():
            assert abs(table.p[sel].sum() - 1.0) < 1e-9


def test_span_logprob_prefers_the_translation_and_penalises_an_extra_sentence() -> None:
    sv, tv = Vocab.build(SRC), Vocab.build(TGT)
    table = train_ibm1([(sv.ids[i], tv.ids[i]) for i in range(len(SRC))], sv.size, tv.size, 10)
    lp = span_logprob(sv, tv, table, 2)
    assert lp.shape == (2, len(SRC), len(TGT))
    # each target line is likeliest given its own source line
    assert (lp[0].argmax(axis=0) == np.arange(len(TGT))).all()
    # adding the next source line to the right one lowers the likelihood (IBM-1's 1/(|S|+1))
    assert (lp[1, :-1].diagonal() < lp[0].diagonal()[:-1]).all()


def test_bead_evidence_prefers_the_right_bead() -> None:
    # the lexicon is learned from the first pass's links: here every pair but the last
    first = [(i, i + 1, i, i + 1) for i in range(len(SRC) - 1)]
    lex = pair_lexicon(SRC, TGT, first, 3, 3)
    assert lex is not None
    i = np.arange(len(SRC) - 1)
    right = lex.bead(1, 1, i, i)[0]
    shifted = lex.bead(1, 1, i, i + 1)[0]
    assert (right > shifted).all()
    # two clean 1-1 pairs beat the 2-2 bead fusing them (sums of unit-scaled evidence)
    two = lex.bead(1, 1, i[:-1], i[:-1])[0] + lex.bead(1, 1, i[1:], i[1:])[0]
    merged = lex.bead(2, 2, i[:-1], i[:-1])[0]
    assert (two > merged).all()
    # pulling in a neighbour that translates nothing: the merged bead scores far below the
    # clean pair, and its weakest member shows which unit is foreign
    src = [*SRC, "the red cat sleeps"]
    tgt = [*TGT, "zzz yyy xxx"]
    lex2 = pair_lexicon(src, tgt, first, 3, 3)
    assert lex2 is not None
    last = np.array([len(SRC) - 1])
    clean, clean_weak = lex2.bead(1, 1, last, last)
    pulled, pulled_weak = lex2.bead(1, 2, last, last)
    assert pulled[0] < clean[0] - 2.0 * SCALE
    assert pulled_weak[0] < clean_weak[0] - 3.0 * SCALE


def test_nothing_to_learn_gives_no_lexicon() -> None:
    assert pair_lexicon(SRC, TGT, [], 2, 2) is None
    assert pair_lexicon(["...", "!"], ["?"], [(0, 1, 0, 1)], 2, 2) is None


class _WordEncoder:
    """Embeds a text as the normalised sum of random vectors of its words, with the two
    languages' words of one meaning sharing a vector ("w7" and "v7")."""

    name = "words"
    dim = 64
    baseline = 0.0

    def __init__(self) -> None:
        self.vecs = np.random.default_rng(3).standard_normal((400, self.dim)).astype(np.float32)

    def encode(self, texts):  # type: ignore[no-untyped-def]
        rows = np.zeros((len(texts), self.dim), np.float32)
        for r, text in enumerate(texts):
            for tok in text.split():
                rows[r] += self.vecs[int(tok[1:])]
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-9)


def _parallel(count: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(5)
    src, tgt = [], []
    for _ in range(count):
        words = rng.choice(400, size=6, replace=False)
        src.append(" ".join(f"w{w}" for w in words))
        tgt.append(" ".join(f"v{w}" for w in rng.permutation(words)))
    return src, tgt


def test_align_sentences_runs_the_lexicon_pass_on_long_texts() -> None:
    src, tgt = _parallel(40)
    encoder = _WordEncoder()
    first = align_sentences(src, tgt, encoder, weights=FIRST_PASS)
    lex = learn_lexicon(src, tgt, first, SENTENCE_PARAMS.max_align - 1)
    assert lex is not None  # 40 confident links: enough to learn from
    beads = align_sentences(src, tgt, encoder)
    assert [(b.src, b.tgt) for b in beads] == [((i,), (i,)) for i in range(40)]


def test_short_texts_keep_the_first_pass() -> None:
    src, tgt = _parallel(LEXICON_MIN_BEADS - 1)
    encoder = _WordEncoder()
    first = align_sentences(src, tgt, encoder, weights=FIRST_PASS)
    assert learn_lexicon(src, tgt, first, SENTENCE_PARAMS.max_align - 1) is None
    assert align_sentences(src, tgt, encoder) == first
