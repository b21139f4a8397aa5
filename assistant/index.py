"""A self-describing index directory, built aside and swapped in atomically.

    index/
      README.md                 (the only file in git)
      CURRENT                   name of the live build, replaced atomically with os.replace
      builds/<name>/
        manifest.json           format, model, dimension, chunking, per-document hashes, counts
        chunks.jsonl            chunk metadata and text, one JSON object a line
        passages.faiss          FAISS inner-product index over unit passage vectors: exact
                                (flat) up to `hnsw_threshold` passages, HNSW above it
        passages.npy            the same vectors (reused by incremental builds)
        sentences.npy           one unit vector per sentence, in chunk order

Answers quote sentences, so sentence vectors are computed here, once, at build time rather
than per question. Nothing is pickled.

    >>> from assistant.settings import Settings
    >>> build_index(Settings(), HashingEmbedder())      # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunk import (
    SPLITTER_VERSION,
    Chunk,
    ModelTokenCounter,
    TokenCounter,
    WordCounter,
    chunk_document,
)
from .curated import CuratedEntry, faq_hash, load_faq
from .embed import Embedder, HashingEmbedder
from .errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from .ingest import corpus_hashes, load_corpus
from .settings import Settings

FORMAT_VERSION = 3  # 2: curated answers (curated.jsonl, curated.npy); 3: "vector_index" (flat or HNSW)
REBUILD = "run `massage-assistant build`"
KEEP_BUILDS = 2  # the live one and its predecessor, which in-flight requests may still read


@dataclass
class Index:
    path: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    passages: Any  # faiss.Index
    passage_vecs: np.ndarray
    sentence_vecs: np.ndarray
    sent_offsets: np.ndarray  # chunk i owns sentence rows sent_offsets[i]:sent_offsets[i+1]
    curated: list[CuratedEntry] = field(default_factory=list)
    curated_vecs: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    curated_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # row -> entry

    @property
    def dim(self) -> int:
        return int(self.manifest["model"]["dim"])

    def sentence_rows(self, chunk_idx: int) -> range:
        return range(int(self.sent_offsets[chunk_idx]), int(self.sent_offsets[chunk_idx + 1]))


@dataclass(frozen=True)
class BuildReport:
    path: Path
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    chunks: int = 0
    sentences: int = 0
    encoded_texts: int = 0
    seconds: float = 0.0
    # The validated index as loaded back from disk, so callers swap it in without loading twice.
    index: Index | None = field(default=None, compare=False, repr=False)

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("changed", self.changed), ("removed", self.removed), ("unchanged", self.unchanged)) if v]
        return (
            f"index built in {self.seconds:.1f}s: {self.chunks} passages, {self.sentences} sentences "
            f"({', '.join(parts) or 'no documents'}; {self.encoded_texts} texts embedded)"
        )


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


def build_index(
    settings: Settings,
    embedder: Embedder,
    *,
    log: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build (incrementally when possible) and atomically publish the index for the corpus.

    Documents whose content hash, model and chunking are unchanged keep their vectors; only
    added or changed documents are embedded. Deleted documents disappear from the new build.
    """
    t0 = time.perf_counter()
    index_dir = Path(settings.paths.index_dir)
    docs = load_corpus(Path(settings.paths.corpus_dir))
    counter = token_counter_for(embedder)
    params = chunking_params(settings)

    previous = _reusable(index_dir, embedder, params)
    old_docs: dict[str, Any] = previous.manifest["documents"] if previous else {}

    chunks: list[Chunk] = []
    passage_rows: list[np.ndarray | None] = []
    sentence_rows: list[np.ndarray | None] = []
    to_encode_passages: list[tuple[int, str]] = []
    to_encode_sentences: list[tuple[int, list[str]]] = []
    report = {"added": [], "changed": [], "unchanged": []}  # type: dict[str, list[str]]

    old_by_doc: dict[str, list[int]] = {}
    if previous:
        for i, c in enumerate(previous.chunks):
            old_by_doc.setdefault(c.doc, []).append(i)

    for doc in docs:
        old = old_docs.get(doc.path)
        if previous and old and old["sha256"] == doc.sha256:
            report["unchanged"].append(doc.path)
            for i in old_by_doc.get(doc.path, []):
                chunks.append(previous.chunks[i])
                passage_rows.append(previous.passage_vecs[i])
                sentence_rows.append(previous.sentence_vecs[list(previous.sentence_rows(i))])
            continue
        report["changed" if old else "added"].append(doc.path)
        for c in chunk_document(doc, counter, max_tokens=params["max_tokens"], min_tokens=params["min_tokens"]):
            to_encode_passages.append((len(chunks), c.embed_text))
            to_encode_sentences.append((len(chunks), c.sentence_texts))
            chunks.append(c)
            passage_rows.append(None)
            sentence_rows.append(None)

    # One encode call for everything new: the model sorts by length, so batches pad little.
    texts = [t for _, t in to_encode_passages] + [s for _, ss in to_encode_sentences for s in ss]
    vecs = embedder.encode(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)
    for j, (ci, _) in enumerate(to_encode_passages):
        passage_rows[ci] = vecs[j]
    pos = len(to_encode_passages)
    for ci, ss in to_encode_sentences:
        sentence_rows[ci] = vecs[pos : pos + len(ss)]
        pos += len(ss)

    removed = sorted(set(old_docs) - {d.path for d in docs})
    faq_sha = faq_hash(Path(settings.paths.corpus_dir))
    faq_changed = previous is not None and previous.manifest.get("curated", {}).get("sha256") != faq_sha
    if previous and not (report["added"] or report["changed"] or removed or faq_changed):
        # Nothing to do: keep serving the live build instead of writing an identical one.
        result = BuildReport(path=previous.path, unchanged=report["unchanged"], chunks=len(chunks),
                             sentences=int(previous.sentence_vecs.shape[0]), seconds=time.perf_counter() - t0,
                             index=previous)
        if log:
            log(result.summary())
        return result
    passage_vecs = np.vstack([r for r in passage_rows if r is not None]).astype(np.float32) if chunks else np.zeros((0, embedder.dim), np.float32)
    sent_blocks = [r.reshape(-1, embedder.dim) for r in sentence_rows if r is not None]
    sentence_vecs = np.vstack(sent_blocks).astype(np.float32) if sent_blocks else np.zeros((0, embedder.dim), np.float32)

    curated = load_faq(Path(settings.paths.corpus_dir))
    phrasings = [p for e in curated for p in e.phrasings]
    curated_vecs = embedder.encode(phrasings) if phrasings else np.zeros((0, embedder.dim), np.float32)

    manifest = {
        "format_version": FORMAT_VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "model": model_info(embedder),
        "chunking": params,
        "vector_index": {},  # filled in by _write_build, which builds the FAISS index
        "documents": {
            d.path: {"sha256": d.sha256, "title": d.title, "chunks": sum(1 for c in chunks if c.doc == d.path)}
            for d in docs
        },
        "counts": {"documents": len(docs), "chunks": len(chunks), "sentences": int(sentence_vecs.shape[0])},
        "curated": {"path": f"{Path(settings.paths.corpus_dir).name}/faq.md", "sha256": faq_sha,
                    "entries": len(curated), "phrasings": len(phrasings)},
    }
    path = _write_build(index_dir, manifest, chunks, passage_vecs, sentence_vecs, curated, curated_vecs, settings)
    built = load_index(index_dir, name=path.name)  # validate before publishing
    _publish(index_dir, path.name)
    _prune(index_dir)
    result = BuildReport(
        path=path,
        added=report["added"],
        changed=report["changed"],
        removed=removed,
        unchanged=report["unchanged"],
        chunks=len(chunks),
        sentences=int(sentence_vecs.shape[0]),
        encoded_texts=len(texts) + len(phrasings),
        seconds=time.perf_counter() - t0,
        index=built,
    )
    if log:
        log(result.summary())
    return result


def _reusable(index_dir: Path, embedder: Embedder, params: dict[str, int]) -> Index | None:
    try:
        idx = load_index(index_dir)
    except (IndexMissingError, IndexMismatchError, IndexCorruptError):
        return None
    same = (
        idx.manifest["model"] == model_info(embedder)
        and idx.manifest["chunking"] == params
    )
    return idx if same else None


def _write_build(
    index_dir: Path,
    manifest: dict[str, Any],
    chunks: list[Chunk],
    passage_vecs: np.ndarray,
    sentence_vecs: np.ndarray,
    curated: list[CuratedEntry],
    curated_vecs: np.ndarray,
    settings: Settings,
) -> Path:
    import faiss

    builds = index_dir / "builds"
    builds.mkdir(parents=True, exist_ok=True)
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + "-" + uuid.uuid4().hex[:8]
    tmp = builds / f".tmp-{name}"
    tmp.mkdir()
    try:
        with open(tmp / "chunks.jsonl", "w", encoding="utf-8") as f:
            for c in chunks:
                row = asdict(c)
                row["sentences"] = [list(s) for s in c.sentences]
                f.write(json.dumps(row, ensure_ascii=False) + "\n")
        np.save(tmp / "passages.npy", passage_vecs)
        np.save(tmp / "curated.npy", curated_vecs)
        with open(tmp / "curated.jsonl", "w", encoding="utf-8") as f:
            for e in curated:
                f.write(json.dumps(asdict(e), ensure_ascii=False) + "\n")
        np.save(tmp / "sentences.npy", sentence_vecs)
        vindex, manifest["vector_index"] = vector_index(
            passage_vecs, settings, probes=query_probes(sentence_vecs)
        )
        faiss.write_index(vindex, str(tmp / "passages.faiss"))
        # The manifest goes last: a build without one is never loaded.
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        final = builds / name
        os.replace(tmp, final)
        return final
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


PROBES = 500  # query-like vectors used to tune HNSW's efSearch at build time
PROBE_NOISE = 2.0  # calibrated: see query_probes
EF_SEARCH_STEPS = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024)


def _sample(vecs: np.ndarray, n: int, seed: int = 0) -> np.ndarray:
    if len(vecs) <= n:
        return np.ascontiguousarray(vecs, dtype=np.float32)
    rows = np.sort(np.random.default_rng(seed).choice(len(vecs), n, replace=False))
    return np.ascontiguousarray(vecs[rows], dtype=np.float32)


def query_probes(sentence_vecs: np.ndarray, n: int = PROBES, seed: int = 0) -> np.ndarray:
    """Stand-ins for visitors' questions, to tune efSearch: corpus sentences pushed off the
    corpus by random noise. A sentence itself is an easy query (its own passage is right
    there); real questions sit farther from everything, and HNSW needs a larger efSearch for
    them. The noise was calibrated at 100k passages so that recall on these probes tracks
    recall on the 149 eval questions within 0.01 from efSearch 96 to 384 (noise 1.5 overrated
    it by up to 0.04; benchmarks/bench_scale.py reports both).
    """
    base = _sample(sentence_vecs, n, seed)
    rng = np.random.default_rng(seed)
    noisy = base + (PROBE_NOISE / np.sqrt(base.shape[1])) * rng.standard_normal(base.shape).astype(np.float32)
    return np.ascontiguousarray(noisy / np.linalg.norm(noisy, axis=1, keepdims=True), dtype=np.float32)


def recall_at_k(found: np.ndarray, found_scores: np.ndarray, exact_scores: np.ndarray, k: int = 10) -> float:
    """Share of the true top-k found. A hit is any result scoring at least the k-th exact score,
    so exact ties (duplicate passages) do not count as misses.

    >>> exact = np.array([[0.9, 0.8]]); got = np.array([[0.9, 0.7]])
    >>> recall_at_k(np.array([[3, 5]]), got, exact, k=2)
    0.5
    """
    kth = exact_scores[:, k - 1 : k] - 1e-5
    return float(np.mean(((found_scores[:, :k] >= kth) & (found[:, :k] >= 0)).sum(axis=1) / k))


def vector_index(
    vecs: np.ndarray, settings: Settings, *, probes: np.ndarray
) -> tuple[Any, dict[str, Any]]:
    """The FAISS index for `vecs` (unit rows) and its manifest entry.

    Exact search up to `settings.tuning.hnsw_threshold` rows: it is already fast there and never
    misses. Above it, HNSW; efSearch is raised step by step until recall@10 against exact
    search reaches `settings.tuning.hnsw_target_recall` on `probes` (query-like vectors).
    """
    import faiss

    dim = int(vecs.shape[1])  # (0, dim) when the corpus is empty
    vecs = np.ascontiguousarray(vecs, dtype=np.float32)
    n = len(vecs)
    if n <= settings.tuning.hnsw_threshold:
        flat = faiss.IndexFlatIP(dim)
        if n:
            flat.add(vecs)
        return flat, {"type": "flat-ip", "threshold": settings.tuning.hnsw_threshold}
    hnsw = faiss.IndexHNSWFlat(dim, settings.tuning.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = settings.tuning.hnsw_ef_construction
    hnsw.add(vecs)
    k = min(10, n)
    exact_scores, _ = faiss.knn(probes, vecs, k, metric=faiss.METRIC_INNER_PRODUCT)
    ef, recall = EF_SEARCH_STEPS[-1], 0.0
    for ef in EF_SEARCH_STEPS:
        hnsw.hnsw.efSearch = ef
        scores, ids = hnsw.search(probes, k)
        recall = recall_at_k(ids, scores, exact_scores, k)
        if recall >= settings.tuning.hnsw_target_recall:
            break
    return hnsw, {
        "type": "hnsw-ip",
        "threshold": settings.tuning.hnsw_threshold,
        "m": settings.tuning.hnsw_m,
        "ef_construction": settings.tuning.hnsw_ef_construction,
        "ef_search": ef,
        "recall_at_10": round(recall, 4),
        "probes": len(probes),
        "target_recall": settings.tuning.hnsw_target_recall,
    }


def _publish(index_dir: Path, name: str) -> None:
    tmp = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
    tmp.write_text(name + "\n", encoding="utf-8")
    os.replace(tmp, index_dir / "CURRENT")


def _prune(index_dir: Path) -> None:
    builds = index_dir / "builds"
    live = current_build(index_dir)
    names = sorted(p.name for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in [n for n in names if n != live][: max(0, len(names) - KEEP_BUILDS)]:
        shutil.rmtree(builds / old, ignore_errors=True)
    for stale in builds.glob(".tmp-*"):
        if time.time() - stale.stat().st_mtime > 3600:
            shutil.rmtree(stale, ignore_errors=True)


def current_build(index_dir: Path) -> str | None:
    try:
        return (Path(index_dir) / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def load_index(index_dir: Path, *, name: str | None = None) -> Index:
    """Load the live build (or `name`) and check that its files agree with its manifest."""
    import faiss

    index_dir = Path(index_dir)
    name = name or current_build(index_dir)
    if not name:
        raise IndexMissingError(index_dir)
    path = index_dir / "builds" / name
    try:
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"index at {path} is incomplete or damaged: {REBUILD}") from exc
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(f"index format {version} is not the supported format {FORMAT_VERSION}: {REBUILD}")
    try:
        with open(path / "chunks.jsonl", encoding="utf-8") as f:
            chunks = [_chunk_from_row(json.loads(line)) for line in f if line.strip()]
        # Memory-mapped: a question reads only its candidates' rows (FAISS holds its own copy
        # of the passages), so a big corpus's vectors stay out of the resident set.
        passage_vecs = _load_vectors(path / "passages.npy")
        sentence_vecs = _load_vectors(path / "sentences.npy")
        passages = faiss.read_index(str(path / "passages.faiss"))
        with open(path / "curated.jsonl", encoding="utf-8") as f:
            curated = [
                CuratedEntry(r["id"], r["question"], tuple(r["phrasings"]), r["answer"])
                for r in map(json.loads, f)
            ]
        curated_vecs = np.load(path / "curated.npy", allow_pickle=False)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexCorruptError(f"index at {path} is incomplete or damaged: {REBUILD}") from exc
    counts = manifest.get("counts", {})
    dim = int(manifest["model"]["dim"])
    n_sent = sum(len(c.sentences) for c in chunks)
    if (
        len(chunks) != counts.get("chunks")
        or passage_vecs.shape != (len(chunks), dim)
        or sentence_vecs.shape != (n_sent, dim)
        or passages.ntotal != len(chunks)
        or passages.d != dim
        or len(curated_vecs) != sum(len(e.phrasings) for e in curated)
    ):
        raise IndexCorruptError(f"index at {path} does not match its manifest: {REBUILD}")
    vinfo = manifest.get("vector_index", {})
    if vinfo.get("type") == "hnsw-ip":
        faiss.ParameterSpace().set_index_parameter(passages, "efSearch", int(vinfo["ef_search"]))
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    np.cumsum([len(c.sentences) for c in chunks], out=offsets[1:])
    owner = np.repeat(np.arange(len(curated)), [len(e.phrasings) for e in curated]).astype(np.int64)
    return Index(path, manifest, chunks, passages, passage_vecs, sentence_vecs, offsets,
                 curated, curated_vecs.reshape(-1, dim) if len(curated_vecs) else np.zeros((0, dim), np.float32), owner)


def _load_vectors(file: Path) -> np.ndarray:
    return np.load(file, allow_pickle=False, mmap_mode="r")


def _chunk_from_row(row: dict[str, Any]) -> Chunk:
    return Chunk(
        id=row["id"],
        doc=row["doc"],
        title=row["title"],
        section=row["section"],
        position=int(row["position"]),
        text=row["text"],
        sentences=tuple((int(a), int(b)) for a, b in row["sentences"]),
    )


def check_compatible(index: Index, embedder: Embedder, settings: Settings, *, corpus: bool = True) -> None:
    """Raise a one-line IndexMismatchError when the index cannot serve this model or (with
    `corpus`) this corpus. Replicas and the last-good fallback check the model only."""
    m = index.manifest["model"]
    if m.get("name") != embedder.name or m.get("fingerprint") != embedder.fingerprint or int(m.get("dim", 0)) != embedder.dim:
        raise IndexMismatchError(
            f"index built with model {m.get('name')} ({m.get('dim')}-d), "
            f"but the assistant uses {embedder.name} ({embedder.dim}-d): {REBUILD}"
        )
    if index.manifest["chunking"] != chunking_params(settings):
        raise IndexMismatchError(f"index built with other chunking settings: {REBUILD}")
    if corpus:
        check_fresh(index, Path(settings.paths.corpus_dir))


def corpus_changes(index: Index, corpus_dir: Path) -> dict[str, list[str]]:
    built = {p: d["sha256"] for p, d in index.manifest["documents"].items()}
    now = corpus_hashes(corpus_dir)
    faq = index.manifest.get("curated", {})
    if faq.get("sha256"):
        built[faq["path"]] = faq["sha256"]
    if (sha := faq_hash(corpus_dir)) is not None:
        now[f"{Path(corpus_dir).name}/faq.md"] = sha
    return {
        "added": sorted(set(now) - set(built)),
        "changed": sorted(p for p in now if p in built and now[p] != built[p]),
        "removed": sorted(set(built) - set(now)),
    }


def check_fresh(index: Index, corpus_dir: Path) -> None:
    changes = corpus_changes(index, corpus_dir)
    if any(changes.values()):
        what = "; ".join(f"{k}: {', '.join(v)}" for k, v in changes.items() if v)
        raise IndexMismatchError(f"index built for a different corpus ({what}): {REBUILD}")


__all__ = [
    "BuildReport",
    "HashingEmbedder",
    "Index",
    "build_index",
    "check_compatible",
    "check_fresh",
    "corpus_changes",
    "current_build",
    "load_index",
]
