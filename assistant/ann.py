"""Approximate nearest-neighbour search: which FAISS index serves the passage vectors (exact
up to `hnsw_threshold` passages, HNSW above), and efSearch tuned at build time for recall@10
against exact search on query-like probes.

Above the threshold the graph is built on the exact vectors, then searched over 8-bit codes of
them, and the best `REFINE_K_FACTOR` * k candidates are re-scored exactly (IndexRefineFlat over
IndexHNSWSQ). Measured at 1M passages (bench_scale.py's collection, 500 questions each timed on
both in turn over one saved graph, load average about 5): recall@10 identical to the float
vector graph at every efSearch (0.974 / 0.979 / 0.984 at 768 / 1024 / 1280), p95 3.98 vs 4.34 ms
at 1024 and 4.79 vs 5.25 ms at 1280 (p50 3.31 vs 3.57 ms). fp16 codes gained about half as
much; a 192-d uncentred PCA projection of the vectors searched faster still but lost 0.006-0.008
recall@10 at the same efSearch, which costs more efSearch than it saves. bench_scale.py at 1M,
as the build ships it (load average 4.2): efSearch 1152 chosen (probe recall 0.990), recall@10
0.983 (the 149 real questions alone 0.978), p50 2.77 / p95 4.46 ms against 3.10 / 5.76 ms for
the float graph at the same efSearch timed in alternation; build 586 s, index 2.1 GB.

    >>> import numpy as np
    >>> from assistant.settings import Settings
    >>> vecs = np.eye(4, dtype=np.float32)
    >>> index, info = vector_index(vecs, Settings.of(), probes=query_probes(vecs))
    >>> info["type"], index.ntotal
    ('flat-ip', 4)

Tried for 1M passages and not kept (2026-11-25, on bench_scale.py's 100k vectors and 500
queries, each query timed on every index in turn, on a busy shared machine): an exact re-score of HNSW's top candidates cannot help
`IndexHNSWFlat`, whose scores are already exact (its misses are neighbours the graph search
never reaches); a graph BUILT on 8-bit codes with an exact re-score of 3x the candidates
(`IndexRefineFlat`) lost 0.003-0.005 recall@10 at the same efSearch for no clear time gain (the
same codes searched over a graph built on exact vectors lose nothing: what ships); IVF (1,024
lists) needed 64 probes for 0.957 recall@10; M=48 recalled less than M=32 at the same efSearch;
efConstruction 400 recalled more at efSearch 128 (0.964 vs 0.949) but the same at 256 (0.985),
for twice the build time. Recall ties are already hits (`recall_at_k`), and the derived vectors
are not near-duplicates (0.6% of rows have a neighbour above 0.999 cosine at 100k).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .settings import Settings

PROBES = 500  # query-like vectors used to tune HNSW's efSearch at build time
PROBE_NOISE = 2.0  # calibrated: see query_probes
REFINE_K_FACTOR = 4  # candidates re-scored exactly per result asked for (k=40 -> 160)
# Probes overrate the recall of real questions a little as the collection grows: at 1M passages
# (bench_scale.py) 0.982/0.985/0.987/0.990/0.991 on probes at efSearch 768/896/1024/1152/1280
# was 0.974/0.976/0.979/0.983/0.984 on the questions (at 100k they agree within 0.01). The build
# aims this much above the target on probes.
PROBE_MARGIN = 0.008
EF_SEARCH_STEPS = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 896, 1024, 1152, 1280, 1536, 2048)


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


def _coded_hnsw(vecs: np.ndarray, settings: Settings) -> Any:
    """HNSW whose search walks 8-bit codes of the vectors, over a graph built on the exact
    vectors, with the `REFINE_K_FACTOR` * k best candidates re-scored exactly.

    Why: a search reads one vector per distance, and at 1M passages reading 1,536-byte float
    vectors from memory is most of its time; 384-byte codes are read four times faster. The
    graph is built on exact distances first (built on the codes it recalled less: the 8-bit
    graph P2 tried), then handed to the coded index, so the search follows the same links;
    the exact re-score gives back exact scores in exact order, as IndexHNSWFlat returned them.
    """
    import faiss

    dim, n = int(vecs.shape[1]), len(vecs)
    exact = faiss.IndexHNSWFlat(dim, settings.tuning.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    exact.hnsw.efConstruction = settings.tuning.hnsw_ef_construction
    exact.add(vecs)
    # (faiss's stubs type the quantizer argument as a ScalarQuantizer; the SWIG binding takes its enum)
    coded = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, settings.tuning.hnsw_m,  # type: ignore[arg-type]
                              faiss.METRIC_INNER_PRODUCT)
    coded.storage.train(vecs)
    coded.storage.add(vecs)
    coded.hnsw = exact.hnsw  # a copy of the graph; the float copy inside `exact` is freed below
    coded.ntotal, coded.is_trained = n, True
    del exact
    index = faiss.IndexRefineFlat(coded, faiss.swig_ptr(vecs))  # keeps its own float copy
    index.k_factor = REFINE_K_FACTOR
    return index


def tune_ef_search(index: Any, vecs: np.ndarray, probes: np.ndarray, target: float) -> tuple[int, float]:
    """Raise efSearch on `index` (any FAISS index with an HNSW inside) step by step until
    recall@10 against exact search over `vecs` reaches `target` on `probes`; returns the value
    left set and the recall it measured (the last step's if none reaches the target)."""
    import faiss

    k = min(10, len(vecs))
    exact_scores, _ = faiss.knn(probes, vecs, k, metric=faiss.METRIC_INNER_PRODUCT)
    ef, recall = EF_SEARCH_STEPS[-1], 0.0
    for ef in EF_SEARCH_STEPS:
        faiss.ParameterSpace().set_index_parameter(index, "efSearch", ef)  # as store.py applies it
        scores, ids = index.search(probes, k)
        recall = recall_at_k(ids, scores, exact_scores, k)
        if recall >= target:
            break
    return ef, recall


def vector_index(
    vecs: np.ndarray, settings: Settings, *, probes: np.ndarray
) -> tuple[Any, dict[str, Any]]:
    """The FAISS index for `vecs` (unit rows) and its manifest entry.

    Exact search up to `settings.tuning.hnsw_threshold` rows: it is already fast there and never
    misses. Above it, HNSW over 8-bit codes with an exact re-score (`_coded_hnsw`); efSearch
    is raised step by step until recall@10 against exact search reaches
    `settings.tuning.hnsw_target_recall` + `PROBE_MARGIN` on `probes` (query-like vectors).
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
    hnsw = _coded_hnsw(vecs, settings)
    ef, recall = tune_ef_search(hnsw, vecs, probes, min(settings.tuning.hnsw_target_recall + PROBE_MARGIN, 0.999))
    return hnsw, {
        "type": "hnsw-ip",
        "threshold": settings.tuning.hnsw_threshold,
        "m": settings.tuning.hnsw_m,
        "ef_construction": settings.tuning.hnsw_ef_construction,
        "ef_search": ef,
        "graph_codes": "sq8",
        "refine_k_factor": REFINE_K_FACTOR,
        "recall_at_10": round(recall, 4),
        "probes": len(probes),
        "target_recall": settings.tuning.hnsw_target_recall,
        "probe_margin": PROBE_MARGIN,
    }


__all__ = ["EF_SEARCH_STEPS", "PROBE_MARGIN", "PROBES", "REFINE_K_FACTOR", "query_probes", "recall_at_k", "tune_ef_search", "vector_index"]
