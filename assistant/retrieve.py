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
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .index import Index
from .text import STOPWORDS, expand, stem, terms, words

CANDIDATES = 40


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

    def known(self, term: str) -> str | None:
        """The corpus term `term` stands for: itself, or one edit away (typos) for long words."""
        if term in self.postings:
            return term
        if len(term) < 5:
            return None
        if term in self._deletes:  # a letter was added by the visitor
            return self._deletes[term]
        for i in range(len(term)):
            d = term[:i] + term[i + 1 :]
            if d in self.postings:  # a letter too many
                return d
            if d in self._deletes:  # a letter swapped or replaced
                return self._deletes[d]
        return None


@dataclass(frozen=True)
class Hit:
    idx: int  # chunk row in the index
    fused: float
    dense: float  # passage cosine
    sentence: float  # best sentence cosine inside the passage
    lexical: float  # BM25


@dataclass(frozen=True)
class Retrieval:
    hits: list[Hit]  # best first
    query_terms: list[str]  # content-word stems, typos mapped to corpus terms where possible
    missing_terms: list[str]  # content words the corpus never uses
    sentence_scores: dict[int, float]  # sentence row -> cosine, for the candidates' sentences


class Retriever:
    def __init__(self, index: Index, *, rrf_k: int = 60, weights: tuple[float, float, float] = (1.0, 1.0, 1.0)) -> None:
        self.index = index
        self.rrf_k = rrf_k
        self.weights = weights  # dense passage, best sentence, BM25
        docs = [terms(f"{c.title} {c.section} {c.text}") for c in index.chunks]
        self.lexical = Lexical(docs)
        # Content-word stems of every sentence, once per index rather than once per question.
        self.sentence_terms = [frozenset(terms(t)) for c in index.chunks for t in c.sentence_texts]
        self.curated_terms = [set(terms(p)) for e in index.curated for p in e.phrasings]
        self.corpus_words = frozenset(w for c in index.chunks for w in words(f"{c.title} {c.section} {c.text}"))

    def search(self, query: str, qvec: np.ndarray, k: int = 5) -> Retrieval:
        idx = self.index
        n = len(idx.chunks)
        q_terms: list[str] = []
        missing: list[str] = []
        for w in words(query):
            if w in STOPWORDS or len(w) < 2:
                continue
            found = [hit for alt in expand(w) for t in terms(alt) if (hit := self.lexical.known(t))]
            if found:
                q_terms += found
            else:
                missing.append(stem(w))
        if n == 0:
            return Retrieval([], q_terms, missing, {})

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
        missing_dense = [c for c in candidates if c not in dense]
        if missing_dense:  # BM25-only candidates still need a passage cosine for the signals
            for c in missing_dense:
                dense[c] = float(idx.passage_vecs[c] @ qvec)

        rankings = [
            sorted(candidates, key=lambda c: -dense[c]),
            sorted(candidates, key=lambda c: -best_sentence[c]),
            lex_order,
        ]
        fused: dict[int, float] = dict.fromkeys(candidates, 0.0)
        for weight, ranking in zip(self.weights, rankings, strict=True):
            for rank, c in enumerate(ranking):
                fused[c] += weight / (self.rrf_k + rank + 1)
        order = sorted(candidates, key=lambda c: -fused[c])[:k]
        hits = [Hit(c, fused[c], dense[c], best_sentence[c], float(bm25[c])) for c in order]
        return Retrieval(hits, q_terms, missing, sentence_scores)
