"""Approximate nearest-neighbour search: which FAISS index serves the passage vectors (exact
up to `hnsw_threshold` passages, HNSW above), and efSearch tuned at build time for recall@10
against exact search on query-like probes.

    >>> import numpy as np
    >>> from assistant.settings import Settings
    >>> vecs = np.eye(4, dtype=np.float32)
    >>> index, info = vector_index(vecs, Settings.of(), probes=query_probes(vecs))
    >>> info["type"], index.ntotal
    ('flat-ip', 4)

Tried for 1M passages and not kept (2026-11-25, on bench_scale.py's 100k vectors and 500
queries, each query timed on every index in turn, on a busy shared machine): an exact re-score of HNSW's top candidates cannot help
`IndexHNSWFlat`, whose scores are already exact (its misses are neighbours the graph search
never reaches); 8-bit codes in the graph with an exact re-score of 3x the candidates
(`IndexRefineFlat`) lost 0.003-0.005 recall@10 at the same efSearch for no clear time gain; IVF
(1,024 lists) needed 64 probes for 0.957 recall@10.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .settings import Settings

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


__all__ = ["EF_SEARCH_STEPS", "PROBES", "query_probes", "recall_at_k", "vector_index"]
