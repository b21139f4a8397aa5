"""Build orchestration: from one scan of the corpus to a published, validated index build.

Incremental: a document whose content hash, model and chunking are unchanged keeps its
vectors (and its stored terms); only added or changed documents are embedded, in one encode
call. Deleted documents disappear from the new build. A document that cannot be read is
skipped and reported; a FAQ entry that still holds a placeholder fails the build.

    >>> from assistant.settings import Settings
    >>> build_index(Settings(), embedder).summary()       # doctest: +SKIP
    'index built in 1.9s: 5 articles and 0 FAQ entries indexed; ...'
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from . import store
from .ann import query_probes, vector_index
from .chunk import (
    SPLITTER_VERSION,
    Chunk,
    ModelTokenCounter,
    TokenCounter,
    WordCounter,
    chunk_document,
    split_sentences,
)
from .corpus import Corpus, Skipped, load_documents, load_faq, scan
from .embed import Embedder
from .errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from .ingest import Document
from .safety import is_clearing_claim, is_dose_statement
from .settings import Settings
from .store import REBUILD, Index
from .text import TERMS_VERSION, terms, words


@dataclass(frozen=True)
class BuildReport:
    path: Path
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # documents left out, and why
    articles: int = 0  # documents indexed
    faq_entries: int = 0
    chunks: int = 0
    sentences: int = 0
    encoded_texts: int = 0  # distinct texts the model ran on
    seconds: float = 0.0
    published: bool = True  # False: nothing changed, the live build was kept
    # Sentences that clear someone medically or promise a cure: never quoted under a caution,
    # listed for staff to reword ({"doc", "chunk_id", "sentence"}).
    claims: list[dict[str, str]] = field(default_factory=list)
    # The validated index as loaded back from disk, so callers swap it in without loading twice.
    index: Index | None = field(default=None, compare=False, repr=False)

    def summary(self) -> str:
        """What was indexed (articles, FAQ entries) and every skipped file, one per line."""
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("changed", self.changed), ("removed", self.removed), ("unchanged", self.unchanged)) if v]
        head = f"index built in {self.seconds:.1f}s" if self.published else f"index up to date ({self.path.name})"
        lines = [
            f"{head}: {self.articles} article{_s(self.articles)} and {self.faq_entries} FAQ entr{'y' if self.faq_entries == 1 else 'ies'} "
            f"indexed; {self.chunks} passages, {self.sentences} sentences "
            f"({', '.join(parts) or 'no documents'}; {self.encoded_texts} texts embedded)"
        ]
        if self.skipped:
            lines.append(f"skipped {len(self.skipped)} file{_s(len(self.skipped))} that cannot be read:")
            lines += [f"  {s}" for s in self.skipped]
        if self.claims:
            lines.append(f"{len(self.claims)} sentence{_s(len(self.claims))} that may clear someone medically or promise "
                         "a cure (never quoted under a caution; consider rewording):")
            lines += [f"  {c['doc']}: {c['sentence']}" for c in self.claims]
        return "\n".join(lines)


def _s(n: int) -> str:
    return "" if n == 1 else "s"


@dataclass(frozen=True, eq=False)
class DocPlan:
    """One document's share of the new build: its chunks, with their vectors and terms either
    reused from the previous build or (vectors None) still to be embedded."""

    doc: Document
    status: str  # "added" | "changed" | "unchanged"
    chunks: tuple[Chunk, ...]
    chunk_terms: tuple[list[str], ...]
    sentence_terms: tuple[list[str], ...]  # sorted, one per sentence of `chunks`, in order
    passage_vecs: np.ndarray | None = None  # (len(chunks), dim)
    sentence_vecs: np.ndarray | None = None  # (sentences, dim)

    @property
    def sentences(self) -> int:
        return sum(len(c.sentences) for c in self.chunks)


def token_counter_for(embedder: Embedder) -> TokenCounter:
    path = getattr(embedder, "path", None)
    return ModelTokenCounter(path) if path is not None else WordCounter()


def chunking_params(settings: Settings) -> dict[str, int]:
    return {
        "max_tokens": settings.model.chunk_max_tokens,
        "min_tokens": settings.model.chunk_min_tokens,
        "splitter_version": SPLITTER_VERSION,
    }


def model_info(embedder: Embedder) -> dict[str, Any]:
    return {"name": embedder.name, "dim": embedder.dim, "fingerprint": embedder.fingerprint}


def build_index(settings: Settings, embedder: Embedder, *, log: Callable[[str], None] | None = None) -> BuildReport:
    """Build (incrementally when possible), validate and atomically publish the index.

    Nothing is written when nothing changed (so a read-only index directory with a fresh
    build is fine). Otherwise the whole build runs under the index directory's lock; raises
    IndexWriteError when the directory cannot be written, FaqError for a FAQ placeholder,
    CorpusError when no document can be read.
    """
    t0 = time.perf_counter()
    index_dir = Path(settings.paths.index_dir)
    corpus = scan(settings.paths.corpus_dir)
    docs, skipped = load_documents(corpus)
    faq = load_faq(corpus)  # a placeholder fails here, before anything is embedded
    params = chunking_params(settings)
    previous = _reusable(index_dir, embedder, params)
    plans = _plan(docs, previous, token_counter_for(embedder), params)
    removed = sorted(set(previous.manifest["documents"]) - {d.path for d in docs}) if previous else []
    hashes = corpus.hashes()
    skipped_entries = {s.path: {"sha256": hashes.get(s.path, ""), "problem": s.problem} for s in skipped}

    def report(path: Path, index: Index, encoded: int, published: bool) -> BuildReport:
        by = {k: [p.doc.path for p in plans if p.status == k] for k in ("added", "changed", "unchanged")}
        result = BuildReport(
            path=path, removed=removed, skipped=skipped, articles=len(docs), faq_entries=len(faq),
            chunks=len(index.chunks), sentences=int(index.sentence_vecs.shape[0]), encoded_texts=encoded,
            seconds=time.perf_counter() - t0, published=published, index=index,
            claims=list(index.manifest.get("claims", [])), **by,
        )
        if log:
            log(result.summary())
        return result

    if previous and _nothing_to_do(previous, plans, removed, corpus, skipped_entries):
        return report(previous.path, previous, 0, published=False)
    with store.build_lock(index_dir):
        plans, encoded = _embed(plans, embedder)
        phrasings = [p for e in faq for p in e.phrasings]
        curated_vecs = embedder.encode(phrasings) if phrasings else np.zeros((0, embedder.dim), np.float32)
        contents = _contents(settings, embedder, plans, corpus, skipped_entries, faq, curated_vecs)
        path = store.write_build(index_dir, contents)
        built = store.load_index(index_dir, name=path.name)  # validate before publishing
        store.publish(index_dir, path.name)
        store.prune(index_dir)
    return report(path, built, encoded + len(phrasings), published=True)


def _reusable(index_dir: Path, embedder: Embedder, params: dict[str, int]) -> Index | None:
    """The live build when its vectors can be reused by this build (same model and chunking)."""
    try:
        idx = store.load_index(index_dir)
    except (IndexMissingError, IndexMismatchError, IndexCorruptError):
        return None
    same = idx.manifest["model"] == model_info(embedder) and idx.manifest["chunking"] == params
    return idx if same else None


def _plan(docs: list[Document], previous: Index | None, counter: TokenCounter, params: dict[str, int]) -> list[DocPlan]:
    old_docs: dict[str, Any] = previous.manifest["documents"] if previous else {}
    old_rows: dict[str, list[int]] = {}
    if previous:
        for i, c in enumerate(previous.chunks):
            old_rows.setdefault(c.doc, []).append(i)
    same_terms = previous is not None and previous.manifest.get("terms_version") == TERMS_VERSION
    plans = []
    for doc in docs:
        old = old_docs.get(doc.path)
        if previous and old and old["sha256"] == doc.sha256:
            rows = old_rows.get(doc.path, [])
            sent_rows = [r for i in rows for r in previous.sentence_rows(i)]
            chunks = tuple(previous.chunks[i] for i in rows)
            if same_terms:
                chunk_terms = tuple(previous.chunk_terms[i] for i in rows)
                sentence_terms = tuple(sorted(previous.sentence_terms[r]) for r in sent_rows)
            else:
                chunk_terms, sentence_terms = _terms(chunks)
            plans.append(DocPlan(doc, "unchanged", chunks, chunk_terms, sentence_terms,
                                 previous.passage_vecs[rows], previous.sentence_vecs[sent_rows]))
            continue
        chunks = tuple(chunk_document(doc, counter, max_tokens=params["max_tokens"], min_tokens=params["min_tokens"]))
        plans.append(DocPlan(doc, "changed" if old else "added", chunks, *_terms(chunks)))
    return plans


def _terms(chunks: tuple[Chunk, ...]) -> tuple[tuple[list[str], ...], tuple[list[str], ...]]:
    """What retrieval would otherwise compute at every load: BM25 terms of each passage (with
    its title and section) and the content-word set of each sentence."""
    return (
        tuple(terms(f"{c.title} {c.section} {c.text}") for c in chunks),
        tuple(sorted(set(terms(s))) for c in chunks for s in c.sentence_texts),
    )


def _nothing_to_do(previous: Index, plans: list[DocPlan], removed: list[str], corpus: Corpus,
                   skipped: dict[str, dict[str, str]]) -> bool:
    m = previous.manifest
    return (
        all(p.status == "unchanged" for p in plans)
        and not removed
        and m.get("curated", {}).get("sha256") == (corpus.faq.sha256 if corpus.faq else None)
        and m.get("skipped", {}) == skipped
        and m.get("terms_version") == TERMS_VERSION
        and "claims" in m
    )


def encode_distinct(embedder: Embedder, texts: list[str]) -> tuple[np.ndarray, int]:
    """One vector per text, in order, running each distinct text through the model once; and
    how many were run. Articles repeat sentences (disclaimers, "Drink water afterwards.",
    boilerplate), and a text's vector depends only on the text.

    >>> class Lengths:  # a stand-in model that records what it ran on
    ...     dim, seen = 1, []
    ...     def encode(self, texts):
    ...         self.seen += texts
    ...         return np.array([[len(t)] for t in texts], np.float32)
    >>> model = Lengths()
    >>> vecs, ran = encode_distinct(model, ["a b", "c", "a b"])
    >>> vecs.ravel().tolist(), ran, model.seen
    ([3.0, 1.0, 3.0], 2, ['a b', 'c'])
    """
    if not texts:
        return np.zeros((0, embedder.dim), np.float32), 0
    first: dict[str, int] = {}
    where = np.fromiter((first.setdefault(t, len(first)) for t in texts), dtype=np.int64, count=len(texts))
    vecs = embedder.encode(list(first))
    return (vecs if len(first) == len(texts) else vecs[where]), len(first)


def _embed(plans: list[DocPlan], embedder: Embedder) -> tuple[list[DocPlan], int]:
    """Embed every pending plan's passages and sentences in one encode call (the model sorts
    by length, so batches pad little; each distinct text once); returns the plans with vectors
    and the number of texts the model ran on."""
    pending = [p for p in plans if p.passage_vecs is None]
    passages = [c.embed_text for p in pending for c in p.chunks]
    sentences = [s for p in pending for c in p.chunks for s in c.sentence_texts]
    texts = passages + sentences
    vecs, encoded = encode_distinct(embedder, texts)
    out = []
    at_p, at_s = 0, len(passages)
    for p in plans:
        if p.passage_vecs is None:
            n, m = len(p.chunks), p.sentences
            p = replace(p, passage_vecs=vecs[at_p : at_p + n], sentence_vecs=vecs[at_s : at_s + m])
            at_p, at_s = at_p + n, at_s + m
        out.append(p)
    return out, encoded


def _stack(blocks: list[np.ndarray | None], dim: int) -> np.ndarray:
    parts = [b.reshape(-1, dim) for b in blocks if b is not None and len(b)]
    return np.vstack(parts).astype(np.float32) if parts else np.zeros((0, dim), np.float32)


def _contents(settings: Settings, embedder: Embedder, plans: list[DocPlan], corpus: Corpus,
              skipped: dict[str, dict[str, str]], faq: list[Any], curated_vecs: np.ndarray) -> store.BuildContents:
    chunks = [c for p in plans for c in p.chunks]
    passage_vecs = _stack([p.passage_vecs for p in plans], embedder.dim)
    sentence_vecs = _stack([p.sentence_vecs for p in plans], embedder.dim)
    passages, vinfo = vector_index(passage_vecs, settings, probes=query_probes(sentence_vecs))
    manifest = {
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": model_info(embedder),
        "chunking": chunking_params(settings),
        "terms_version": TERMS_VERSION,
        "vector_index": vinfo,
        "documents": {p.doc.path: {"sha256": p.doc.sha256, "title": p.doc.title, "chunks": len(p.chunks)} for p in plans},
        "skipped": skipped,
        "claims": [{"doc": c.doc, "chunk_id": c.id, "sentence": s} for c in chunks for s in c.sentence_texts
                   if is_clearing_claim(s)]
        + [{"doc": corpus.faq_cited, "chunk_id": e.id, "sentence": e.answer[a:b]} for e in faq
           for a, b in split_sentences(e.answer) if is_clearing_claim(e.answer[a:b]) or is_dose_statement(e.answer[a:b])],
        "counts": {"documents": len(plans), "chunks": len(chunks), "sentences": int(sentence_vecs.shape[0])},
        "curated": {"path": corpus.faq_cited, "sha256": corpus.faq.sha256 if corpus.faq else None,
                    "entries": len(faq), "phrasings": int(curated_vecs.shape[0])},
    }
    return store.BuildContents(
        manifest=manifest, chunks=chunks, passages=passages, passage_vecs=passage_vecs,
        sentence_vecs=sentence_vecs, curated=faq, curated_vecs=curated_vecs,
        chunk_terms=[t for p in plans for t in p.chunk_terms],
        sentence_terms=[t for p in plans for t in p.sentence_terms],
        vocabulary=sorted({w for c in chunks for w in words(f"{c.title} {c.section} {c.text}")}),
    )


def check_compatible(index: Index, embedder: Embedder, settings: Settings, *, corpus: bool = True) -> None:
    """Raise a one-line IndexMismatchError when the index cannot serve this model, chunking
    or terms version, or (with `corpus`) this corpus. Replicas and the last-good fallback
    check the model only."""
    m = index.manifest["model"]
    if m.get("name") != embedder.name or int(m.get("dim", 0)) != embedder.dim:
        raise IndexMismatchError(
            f"index built with model {m.get('name')} ({m.get('dim')}-d), "
            f"but the assistant uses {embedder.name} ({embedder.dim}-d): {REBUILD}"
        )
    if m.get("fingerprint") != embedder.fingerprint:  # the same model with other weights (embed_weights)
        raise IndexMismatchError(
            f"index built with other weights of {embedder.name} (fingerprint {m.get('fingerprint')}, "
            f"the assistant's {embedder.fingerprint}): {REBUILD}"
        )
    if index.manifest["chunking"] != chunking_params(settings):
        raise IndexMismatchError(f"index built with other chunking settings: {REBUILD}")
    if index.manifest.get("terms_version") != TERMS_VERSION:
        raise IndexMismatchError(
            f"index built with terms version {index.manifest.get('terms_version')}, this version uses {TERMS_VERSION}: {REBUILD}"
        )
    if corpus:
        check_fresh(index, Path(settings.paths.corpus_dir))


def corpus_changes(index: Index, corpus: Corpus | Path | str) -> dict[str, list[str]]:
    """Files added, changed or removed since `index` was built (articles, skipped files and
    the FAQ), from one scan of the corpus folder."""
    if not isinstance(corpus, Corpus):
        corpus = scan(corpus)
    m = index.manifest
    built = {p: d["sha256"] for p, d in m["documents"].items()}
    built.update({p: d["sha256"] for p, d in m.get("skipped", {}).items()})
    faq = m.get("curated", {})
    if faq.get("sha256"):
        built[faq["path"]] = faq["sha256"]
    now = corpus.hashes()
    return {
        "added": sorted(set(now) - set(built)),
        "changed": sorted(p for p in now if p in built and now[p] != built[p]),
        "removed": sorted(set(built) - set(now)),
    }


def check_fresh(index: Index, corpus: Corpus | Path | str) -> None:
    changes = corpus_changes(index, corpus)
    if any(changes.values()):
        what = "; ".join(f"{k}: {', '.join(v)}" for k, v in changes.items() if v)
        raise IndexMismatchError(f"index built for a different corpus ({what}): {REBUILD}")


__all__ = [
    "BuildReport",
    "DocPlan",
    "build_index",
    "check_compatible",
    "check_fresh",
    "chunking_params",
    "corpus_changes",
    "encode_distinct",
    "model_info",
    "token_counter_for",
]
