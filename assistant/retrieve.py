"""Hybrid retrieval: dense passages + dense sentences + BM25, fused by reciprocal rank.

Three views of the same corpus vote on each passage:
  * dense passage similarity (FAISS, passage embedded with its title and section),
  * the best single-sentence similarity inside the passage (precomputed sentence vectors),
  * BM25 over the passage, its title and section (exact words: "TMJ", "whiplash").
Reciprocal rank fusion needs no score calibration across the three, which is why it is used.

    >>> lex = Lexical([["neck", "pain"], ["sleep"]])
    >>> [round(float(s), 3) for s in lex.scores(["neck"])]
    [0.61, 0.0]
"""

from __future__ import annotations

import math
import os
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .curated import CuratedEntry
from .query import Query
from .settings import Tuning
from .store import Index
from .text import STOPWORDS, expand, stem, terms, words
from .vocab import ZIPF_FLOOR, zipf

CANDIDATES = 40
# Another form of a word (`Lexical.relative`): at least this many first letters shared, and this
# share of the shorter word.
MORPH_PREFIX = 6
MORPH_SHARE = 0.75


class Lexical:
    """Okapi BM25 over pre-tokenized documents, with a typo-tolerant vocabulary lookup."""

    def __init__(self, docs: list[list[str]], k1: float = 1.2, b: float = 0.75) -> None:
        self.n = len(docs)
        lengths = np.array([len(d) for d in docs], dtype=np.float32)
        avg = float(lengths.mean()) if self.n else 1.0
        grouped: dict[str, tuple[list[int], list[int]]] = {}
        for i, d in enumerate(docs):
            for t, count in Counter(d).items():
                rows, tfs = grouped.setdefault(t, ([], []))
                rows.append(i)
                tfs.append(count)
        # Each term's BM25 contribution to each document it occurs in, computed once, so a
        # question costs one vectorized add per query term (a few ms even at 100k passages).
        self.postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.idf: dict[str, float] = {}
        for t, (rows, tfs) in grouped.items():
            ids = np.array(rows, dtype=np.int64)
            tf = np.array(tfs, dtype=np.float32)
            idf = math.log(1 + (self.n - len(rows) + 0.5) / (len(rows) + 0.5))
            norm = k1 * (1 - b + b * lengths[ids] / avg)
            self.idf[t] = idf
            self.postings[t] = (ids, (idf * tf * (k1 + 1) / (tf + norm)).astype(np.float32))

    def scores(self, query: list[str]) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.float32)
        for t in set(query):
            if t in self.postings:
                ids, weights = self.postings[t]
                out[ids] += weights  # ids are unique within a term
        return out

    @cached_property
    def _deletes(self) -> dict[str, str]:
        table: dict[str, str] = {}
        for t in self.postings:
            if len(t) >= 5:
                for i in range(len(t)):
                    table.setdefault(t[:i] + t[i + 1 :], t)
        return table

    @cached_property
    def _prefixes(self) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for t in self.postings:
            if len(t) >= MORPH_PREFIX and t.isalpha():
                table.setdefault(t[:MORPH_PREFIX], []).append(t)
        return table

    def known(self, term: str, word: str | None = None) -> str | None:
        """The corpus term `term` stands for: itself, one edit away (typos) for long words, or
        another form of the same word (`relative`). A term (or the `word` it was typed as) that
        general English knows is no typo: "facial" is not "fascia", nor "laser" "layer", nor
        "older" "order" (only its other forms count)."""
        if term in self.postings:
            return term
        if len(term) < 5:
            return None
        if zipf(word or term) > ZIPF_FLOOR:
            return self.relative(term)
        if term in self._deletes:  # a letter was added by the visitor
            return self._deletes[term]
        for i in range(len(term)):
            d = term[:i] + term[i + 1 :]
            if d in self.postings:  # a letter too many
                return d
            if d in self._deletes:  # a letter swapped or replaced
                return self._deletes[d]
        return self.relative(term)

    def relative(self, term: str) -> str | None:
        """A corpus term that is another form of `term`: the same first six letters and most of
        the shorter word ("stressful" -> stress, "mentally" -> mental, "operation" -> operative),
        or the corpus term inside it with at most three letters around it ("inflexibl" ->
        flexibl). Compounds ("aromatherapy" -> therapy) are not forms of one word.

        >>> Lexical([["stress"], ["flexibl"], ["therapy"]]).relative("stressful")
        'stress'
        >>> Lexical([["stress"], ["flexibl"], ["therapy"]]).relative("inflexibl"), Lexical([["therapy"]]).relative("aromatherapy")
        ('flexibl', None)
        """
        if not term.isalpha():
            return None
        best: tuple[int, str] | None = None
        for t in self._prefixes.get(term[:MORPH_PREFIX], ()):
            shared = len(os.path.commonprefix([t, term]))
            if shared >= MORPH_SHARE * min(len(t), len(term)) and (best is None or shared > best[0]):
                best = (shared, t)
        if best is not None:
            return best[1]
        # The corpus terms inside it: its own substrings of 5+ letters and at most three shorter
        # (at most ten), looked up, rather than a scan of the whole vocabulary per unseen word.
        order = self._order
        inside = [t for n in range(max(5, len(term) - 3), len(term) + 1)
                  for i in range(len(term) - n + 1) if (t := term[i : i + n]) in order]
        return max(inside, key=lambda t: (len(t), -order[t])) if inside else None

    @cached_property
    def _order(self) -> dict[str, int]:
        """Each term's place in the vocabulary (ties in `relative` go to the earlier term)."""
        return {t: i for i, t in enumerate(self.postings)}


@dataclass(frozen=True)
class Hit:
    """A retrieved passage with its three signals and what citing it needs."""

    idx: int  # chunk row in the index
    fused: float
    dense: float  # passage cosine
    sentence: float  # best sentence cosine inside the passage
    lexical: float  # BM25
    chunk_id: str
    doc: str
    title: str
    section: str
    text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence of a retrieved passage: a candidate for quoting."""

    row: int  # row in this Retrieval's `vectors`
    hit: int  # position of its passage in `hits`
    pos: int  # position inside the passage
    text: str
    score: float  # cosine with the question
    terms: frozenset[str]


@dataclass(frozen=True)
class Retrieval:
    """Everything answer composition needs, so it never reaches into the index."""

    hits: list[Hit]  # best first
    sentences: list[Sentence]  # every sentence of every hit, in hit then passage order
    vectors: np.ndarray  # unit vectors of `sentences`, same order (near-duplicates, MMR)
    query_terms: list[str]  # content-word stems, typos mapped to corpus terms where possible
    missing_terms: list[str]  # content words the corpus never uses
    idf: dict[str, float]  # BM25 idf of the corpus terms (shared, read-only)
    vocabulary: frozenset[str]  # every word the documents use (shared, read-only)
    focus: tuple[str, ...] = ()  # the question's focus as corpus terms (typos mapped)
    missing_words: tuple[str, ...] = ()  # `missing_terms` as the visitor typed them
    subject: tuple[str, ...] = ()  # the technique or product asked about as corpus terms (typos mapped)

    @property
    def best_sentence(self) -> float:
        return max((h.sentence for h in self.hits), default=-1.0)


class Retriever:
    """Hybrid retrieval over one index snapshot. Built once per index (reload builds a new one)."""

    def __init__(self, index: Index, tuning: Tuning) -> None:
        self.index = index
        self.tuning = tuning
        self.weights = (1.0, 1.0, tuning.bm25_weight)  # dense passage, best sentence, BM25
        # Terms are computed at build time and stored in the index (loading a large index stays fast).
        self.lexical = Lexical(index.chunk_terms)
        self.sentence_terms = index.sentence_terms
        self.curated_terms = [set(terms(p)) for e in index.curated for p in e.phrasings]
        self.vocabulary = index.vocabulary

    def lexical_terms(self, text: str) -> tuple[list[str], list[str], list[str]]:
        """(known, missing, missing words): the question's content words as corpus terms
        (synonyms and typos mapped), the stems of the ones the corpus never uses, and those
        words as typed (their general-English frequency is read by `answer.decide`)."""
        known: list[str] = []
        missing: list[str] = []
        typed: list[str] = []
        for w in words(text):
            if w in STOPWORDS or len(w) < 2:
                continue
            found = [hit for alt in expand(w) for t in terms(alt) if (hit := self.lexical.known(t, alt))]
            if found:
                known += found
            elif stem(w) not in missing:
                missing.append(stem(w))
                typed.append(w)
        return known, missing, typed

    def search(self, query: Query, k: int | None = None) -> Retrieval:
        idx = self.index
        k = k or self.tuning.top_k
        n = len(idx.chunks)
        qvec = query.vector
        q_terms, missing, typed = self.lexical_terms(query.resolved)
        if n == 0:
            return Retrieval([], [], np.zeros((0, idx.dim), np.float32), q_terms, missing, self.lexical.idf,
                             self.vocabulary, missing_words=tuple(typed))

        depth = min(n, CANDIDATES)
        dense_scores, dense_ids = idx.passages.search(qvec.reshape(1, -1).astype(np.float32), depth)
        dense = {int(i): float(s) for i, s in zip(dense_ids[0], dense_scores[0], strict=True) if i >= 0}
        bm25 = self.lexical.scores(q_terms)
        top = np.argpartition(-bm25, depth - 1)[:depth] if depth < n else np.arange(n)
        lex_order = [int(i) for i in top[np.argsort(-bm25[top], kind="stable")] if bm25[i] > 0]

        candidates = list(dict.fromkeys([*dense, *lex_order]))
        rows = np.concatenate([np.arange(idx.sent_offsets[c], idx.sent_offsets[c + 1]) for c in candidates])
        sims = idx.sentence_vecs[rows] @ qvec if len(rows) else np.zeros(0, np.float32)
        sentence_scores = {int(r): float(s) for r, s in zip(rows, sims, strict=True)}
        best_sentence = {
            c: max((sentence_scores[r] for r in idx.sentence_rows(c)), default=-1.0) for c in candidates
        }
        for c in candidates:  # BM25-only candidates still need a passage cosine for the signals
            if c not in dense:
                dense[c] = float(idx.passage_vecs[c] @ qvec)

        rankings = [
            sorted(candidates, key=lambda c: -dense[c]),
            sorted(candidates, key=lambda c: -best_sentence[c]),
            lex_order,
        ]
        fused: dict[int, float] = dict.fromkeys(candidates, 0.0)
        for weight, ranking in zip(self.weights, rankings, strict=True):
            for rank, c in enumerate(ranking):
                fused[c] += weight / (self.tuning.rrf_k + rank + 1)
        order = sorted(candidates, key=lambda c: -fused[c])[:k]
        as_typed = {stem(w): w for w in words(query.text)}  # "varicose" is no typo of "various"
        focus = tuple(self.lexical.known(t, as_typed.get(t)) or t for t in query.focus)
        hits = []
        sentences: list[Sentence] = []
        vec_rows: list[int] = []
        for h, c in enumerate(order):
            chunk = idx.chunks[c]
            hits.append(Hit(c, fused[c], dense[c], best_sentence[c], float(bm25[c]),
                            chunk.id, chunk.doc, chunk.title, chunk.section, chunk.text))
            for pos, (row, text) in enumerate(zip(idx.sentence_rows(c), chunk.sentence_texts, strict=True)):
                sentences.append(Sentence(len(vec_rows), h, pos, text, sentence_scores[row], self.sentence_terms[row]))
                vec_rows.append(row)
        vectors = np.ascontiguousarray(idx.sentence_vecs[vec_rows], dtype=np.float32) if vec_rows else np.zeros((0, idx.dim), np.float32)
        subject = tuple(self.lexical.known(t, as_typed.get(t)) or t for t in query.subject)
        return Retrieval(hits, sentences, vectors, q_terms, missing, self.lexical.idf, self.vocabulary, focus,
                         tuple(typed), subject)

    def curated(self, query: Query) -> tuple[CuratedEntry, float] | None:
        """The staff-curated entry this question asks, if any: a blend of cosine and shared
        content words, since similarity alone confuses "how often should I get a massage"
        with "how can I schedule a massage" (threshold calibrated on evals/curated.jsonl)."""
        idx = self.index
        if not len(idx.curated):
            return None
        w = self.tuning.curated_lexical_weight
        q = set(terms(query.resolved))
        overlap = np.array([len(q & t) / len(q | t) if q | t else 0.0 for t in self.curated_terms])
        scores = (1 - w) * (idx.curated_vecs @ query.vector) + w * overlap
        row = int(np.argmax(scores))
        score = float(scores[row])
        if score < self.tuning.curated_threshold:
            return None
        return idx.curated[int(idx.curated_owner[row])], score
