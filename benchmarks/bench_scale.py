"""The vector index at 10k, 50k, 100k and 1M passages: the index the build chooses (flat up to
`hnsw_threshold`, HNSW above, efSearch tuned for recall) beside exact flat search in the same run.

Collection vectors: the distinct real embeddings saved by bench_build.py (about 15k of its
82k passage and sentence vectors of a 10k-passage synthetic corpus, encoded by the real model;
the rest are verbatim repeats), topped up with vectors derived from them (assistant.synth.synth_vectors) where more are needed;
encoding a million texts on two cores would take the better part of a day.
Queries: the 149 labelled eval questions encoded by the real model, plus 351 mixes of them;
none of them tunes efSearch (the build tunes on its own probes, as it does on a real corpus).

    python bench_scale.py                  # 10k, 50k, 100k, 1M (about 10 minutes)
    python bench_scale.py --sizes 100000

Search is timed one question at a time on one thread, as the server runs it; above the HNSW
threshold each question is timed in alternation on the chosen index and on the configuration
before it (float-vector IndexHNSWFlat over the same graph, efSearch tuned by the same rule).
Goal (issue 7): p95 under 5 ms at recall@10 >= 0.98.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np
from _common import REPO, pct, repo_settings
from synth import synth_vectors

from assistant.ann import PROBE_MARGIN, query_probes, recall_at_k, tune_ef_search, vector_index

CACHE = Path(__file__).resolve().parent / ".cache"


def rss_mb() -> float:
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024


def search_times(index, queries: np.ndarray, k: int = 10) -> tuple[list[float], np.ndarray, np.ndarray]:
    out, ids, scores = [], [], []
    for q in queries:
        t = time.perf_counter()
        s, i = index.search(q.reshape(1, -1), k)
        out.append((time.perf_counter() - t) * 1000)
        ids.append(i[0])
        scores.append(s[0])
    return out, np.array(ids), np.array(scores)


def alternating_times(indexes: list, queries: np.ndarray, k: int = 10) -> list[tuple[list[float], np.ndarray, np.ndarray]]:
    """Each query timed on every index in turn, so a burst of load elsewhere on the machine hits
    them all alike."""
    out: list[tuple[list[float], list, list]] = [([], [], []) for _ in indexes]
    for q in queries:
        for index, (times, ids, scores) in zip(indexes, out, strict=True):
            t = time.perf_counter()
            s, i = index.search(q.reshape(1, -1), k)
            times.append((time.perf_counter() - t) * 1000)
            ids.append(i[0])
            scores.append(s[0])
    return [(times, np.array(ids), np.array(scores)) for times, ids, scores in out]


def float_hnsw_like(index, vecs: np.ndarray, settings, probes: np.ndarray):
    """The previous configuration (IndexHNSWFlat: the graph walks float vectors, no re-score)
    over the very graph the build made, efSearch tuned by the same rule."""
    import faiss

    coded = faiss.downcast_index(index.base_index)
    flat = faiss.IndexHNSWFlat(vecs.shape[1], settings.tuning.hnsw_m, faiss.METRIC_INNER_PRODUCT)
    flat.storage.add(vecs)
    flat.hnsw = coded.hnsw
    flat.ntotal = len(vecs)
    ef, recall = tune_ef_search(flat, vecs, probes, min(settings.tuning.hnsw_target_recall + PROBE_MARGIN, 0.999))
    return flat, ef, recall


def main() -> None:
    import faiss

    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="10000,50000,100000,1000000")
    args = ap.parse_args()
    sizes = [int(x) for x in args.sizes.split(",")]

    from assistant.embed import load_embedder

    settings = repo_settings()
    real_file = CACHE / "real-vectors.npy"
    if real_file.is_file():
        real = np.load(real_file)
        # The synthetic articles reuse sentences verbatim, so most sentence vectors are exact
        # copies; keep one of each (a passage index is not 80% duplicates, and HNSW graphs
        # degrade on mass duplicates).
        _, first = np.unique(np.round(real, 4), axis=0, return_index=True)
        source = f"{len(first)} distinct real vectors (of {len(real)}) from bench_build.py's synthetic corpus"
        real = real[np.sort(first)]
    else:
        from assistant.store import load_index

        idx = load_index(settings.paths.index_dir)
        real = np.vstack([idx.passage_vecs, idx.sentence_vecs])
        source = f"{len(real)} real vectors of the clinic corpus only (run bench_build.py for more)"
    questions = [json.loads(line)["question"] for name in ("dev.jsonl", "holdout.jsonl")
                 for line in (REPO / "evals" / name).read_text().splitlines() if line.strip()]
    qreal = load_embedder(settings).encode(questions)
    queries = np.vstack([qreal, synth_vectors(qreal, 500 - len(qreal), seed=7)])
    print(f"collection source: {source}; queries: {len(qreal)} real questions + {500 - len(qreal)} mixes")
    print(f"threshold for HNSW: {settings.tuning.hnsw_threshold} passages (M={settings.tuning.hnsw_m}, "
          f"efConstruction={settings.tuning.hnsw_ef_construction}, target recall {settings.tuning.hnsw_target_recall})\n")

    for n in sizes:
        rng = np.random.default_rng(n)
        if n <= len(real):
            vecs = np.ascontiguousarray(real[rng.choice(len(real), n, replace=False)])
        else:
            vecs = np.vstack([real, synth_vectors(real, n - len(real), seed=n)])
        probes = query_probes(vecs, seed=n + 1)  # as the build makes them (from sentences there)
        faiss.omp_set_num_threads(2)
        exact_scores, _ = faiss.knn(queries, vecs, 10, metric=faiss.METRIC_INNER_PRODUCT)
        before = rss_mb()
        t = time.perf_counter()
        index, info = vector_index(vecs, settings, probes=probes)
        build = time.perf_counter() - t
        mem = rss_mb() - before
        before = None
        if info["type"] != "flat-ip":
            before, before_ef, before_recall = float_hnsw_like(index, vecs, settings, probes)
        faiss.omp_set_num_threads(1)
        flat = faiss.IndexFlatIP(vecs.shape[1])
        flat.add(vecs)
        base_t, _, _ = search_times(flat, queries[:200])
        del flat
        load = os.getloadavg()
        timed_runs = alternating_times([index] if before is None else [index, before], queries)
        times, ids, scores = timed_runs[0]
        recall = recall_at_k(ids, scores, exact_scores)
        extra = f" efSearch={info['ef_search']} (probe recall {info['recall_at_10']:.3f})" if info["type"] != "flat-ip" else ""
        print(f"{n:>8,} passages: {info['type']}{extra}   load average {load[0]:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"   baseline: exact flat search   p50 {pct(base_t, 50):7.2f} ms  p95 {pct(base_t, 95):7.2f} ms")
        print(f"   chosen index                  p50 {pct(times, 50):7.2f} ms  p95 {pct(times, 95):7.2f} ms"
              f"  recall@10 {recall:.3f} (real questions {recall_at_k(ids[:len(qreal)], scores[:len(qreal)], exact_scores[:len(qreal)]):.3f})"
              f"   build {build:7.1f} s   index memory {mem:7.0f} MB"
              f"   ({pct(base_t, 95) / max(pct(times, 95), 1e-9):.1f}x faster at p95)")
        if before is not None:
            b_times, b_ids, b_scores = timed_runs[1]
            print(f"   before: float-vector HNSW, same graph, efSearch={before_ef} (probe recall {before_recall:.3f}),"
                  f" timed in alternation:  p50 {pct(b_times, 50):7.2f} ms  p95 {pct(b_times, 95):7.2f} ms"
                  f"  recall@10 {recall_at_k(b_ids, b_scores, exact_scores):.3f}")
        del index, before, vecs


if __name__ == "__main__":
    main()
