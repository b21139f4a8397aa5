"""Index choice by size (flat or HNSW, recorded in the manifest), HNSW recall against exact
search on a small synthetic set, and the synthetic corpus generator. Timings live in
benchmarks/bench_scale.py and benchmarks/bench_build.py, not here."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.ann import EF_SEARCH_STEPS, REFINE_K_FACTOR, recall_at_k, vector_index
from assistant.build import build_index
from assistant.store import load_index
from benchmarks.synth import synth_corpus, synth_vectors
from tests.support import HashingEmbedder


def test_small_corpus_gets_exact_search_recorded_in_the_manifest(tiny):
    build_index(tiny, HashingEmbedder())
    idx = load_index(tiny.paths.index_dir)
    assert idx.manifest["vector_index"] == {"type": "flat-ip", "threshold": tiny.tuning.hnsw_threshold}
    assert type(idx.passages).__name__ == "IndexFlatIP"


def test_above_the_threshold_the_build_uses_hnsw_and_records_its_tuning(tiny):
    import faiss

    settings = tiny.replace(hnsw_threshold=1)
    build_index(settings, HashingEmbedder())
    idx = load_index(settings.paths.index_dir)
    info = idx.manifest["vector_index"]
    assert info["type"] == "hnsw-ip" and info["m"] == settings.tuning.hnsw_m
    assert info["ef_search"] in EF_SEARCH_STEPS and info["recall_at_10"] >= settings.tuning.hnsw_target_recall
    assert info["graph_codes"] == "sq8" and info["refine_k_factor"] == REFINE_K_FACTOR
    refined = faiss.downcast_index(idx.passages)
    assert isinstance(refined, faiss.IndexRefineFlat) and refined.k_factor == REFINE_K_FACTOR
    hnsw = faiss.downcast_index(refined.base_index)
    assert isinstance(hnsw, faiss.IndexHNSWSQ)
    assert hnsw.hnsw.efSearch == info["ef_search"]  # the tuned value is applied on load
    assert hnsw.ntotal == refined.ntotal == len(idx.chunks)


def test_recall_counts_exact_ties_as_hits():
    exact = np.array([[0.9, 0.8, 0.8]], dtype=np.float32)
    assert recall_at_k(np.array([[1, 7, 9]]), np.array([[0.9, 0.8, 0.8]]), exact, k=3) == 1.0
    assert recall_at_k(np.array([[1, 7, -1]]), np.array([[0.9, 0.8, 0.8]]), exact, k=3) == pytest.approx(2 / 3)


@pytest.mark.slow
def test_hnsw_reaches_the_recall_target_on_held_out_queries(bot):
    """20k vectors derived from the real passages; efSearch tuned on one set of queries and
    checked on another it never saw."""
    import faiss

    base = np.vstack([bot.index.passage_vecs, bot.index.sentence_vecs])
    vecs = synth_vectors(base, 20_000, seed=1)
    tune_q = synth_vectors(base, 300, seed=2)
    held_q = synth_vectors(base, 300, seed=3)
    settings = bot.settings.replace(hnsw_threshold=10_000, hnsw_ef_construction=40)
    index, info = vector_index(vecs, settings, probes=tune_q)
    assert info["type"] == "hnsw-ip" and info["recall_at_10"] >= 0.98
    exact_scores, _ = faiss.knn(held_q, vecs, 10, metric=faiss.METRIC_INNER_PRODUCT)
    scores, ids = index.search(held_q, 10)
    assert recall_at_k(ids, scores, exact_scores) >= 0.97


@pytest.mark.slow
def test_hnsw_index_answers_like_the_flat_one(bot, tmp_path):
    """The whole pipeline over an HNSW index (forced on the small corpus) quotes the same."""
    import shutil

    from assistant.pipeline import Assistant

    shutil.copytree(bot.settings.paths.corpus_dir, tmp_path / "corpus")
    settings = bot.settings.replace(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index", hnsw_threshold=0)
    hnsw_bot = Assistant.load(settings, embedder=bot.embedder)
    assert hnsw_bot.index.manifest["vector_index"]["type"] == "hnsw-ip"
    for q in ["how long does a session last", "can massage help sciatica", "what is myofascial release"]:
        a, b = bot.ask(q).to_dict(), hnsw_bot.ask(q).to_dict()
        assert a["answer"] == b["answer"] and a["status"] == b["status"] == "answered"


def test_synthetic_corpus_has_about_the_requested_size_and_is_deterministic(tmp_path, real_settings):
    out = synth_corpus(real_settings.paths.corpus_dir, tmp_path / "a", 120, seed=4)
    again = synth_corpus(real_settings.paths.corpus_dir, tmp_path / "b", 120, seed=4)
    files = sorted(out.glob("*.md"))
    assert [f.read_text() for f in files] == [f.read_text() for f in sorted(again.glob("*.md"))]
    settings = real_settings.replace(corpus_dir=out, index_dir=tmp_path / "index")
    report = build_index(settings, HashingEmbedder())
    assert 0.8 * 120 <= report.chunks <= 1.4 * 120  # word-counted here; model tokens in the bench
    # Recombined, not copied: more distinct passages than the seed articles have.
    assert len({c.text for c in load_index(settings.paths.index_dir).chunks}) == report.chunks


def test_hnsw_returns_exact_scores_so_its_misses_are_graph_misses(bot):
    """The graph search walks 8-bit codes, but what it returns is re-scored exactly: exact inner
    products in exact order, as exact search would report them."""
    base = np.vstack([bot.index.passage_vecs, bot.index.sentence_vecs])
    vecs = synth_vectors(base, 3_000, seed=5)
    queries = synth_vectors(base, 50, seed=6)
    index, info = vector_index(vecs, bot.settings.replace(hnsw_threshold=1_000, hnsw_ef_construction=40), probes=queries)
    assert info["type"] == "hnsw-ip"
    scores, ids = index.search(queries, 40)
    assert (ids >= 0).all()
    exact = np.einsum("qd,qkd->qk", queries, vecs[ids])
    assert np.allclose(scores, exact, atol=1e-5)
    assert (np.diff(scores, axis=1) <= 1e-6).all()  # already in exact order


def test_coded_search_follows_the_graph_built_on_exact_vectors():
    """The 8-bit index searches the graph built on exact distances (handed over, not rebuilt on
    codes): it finds what the exact-vector HNSW over the same graph finds, up to code rounding."""
    import faiss

    from assistant.settings import Settings

    rng = np.random.default_rng(8)
    vecs = rng.standard_normal((4_000, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    queries = vecs[:100] + 0.3 * rng.standard_normal((100, 32)).astype(np.float32)
    queries /= np.linalg.norm(queries, axis=1, keepdims=True)
    settings = Settings.of().replace(hnsw_threshold=1_000, hnsw_ef_construction=40)
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)  # single-threaded adds are deterministic: the same graph twice
    try:
        index, info = vector_index(vecs, settings, probes=queries)
        flat = faiss.IndexHNSWFlat(32, settings.tuning.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        flat.hnsw.efConstruction = settings.tuning.hnsw_ef_construction
        flat.add(vecs)
    finally:
        faiss.omp_set_num_threads(threads)
    coded = faiss.downcast_index(index.base_index)
    assert faiss.vector_to_array(flat.hnsw.neighbors).tolist() == faiss.vector_to_array(coded.hnsw.neighbors).tolist()
    flat.hnsw.efSearch = info["ef_search"]
    exact_scores, _ = faiss.knn(queries, vecs, 10, metric=faiss.METRIC_INNER_PRODUCT)
    f_scores, f_ids = flat.search(queries, 10)
    c_scores, c_ids = index.search(queries, 10)
    assert abs(recall_at_k(c_ids, c_scores, exact_scores) - recall_at_k(f_ids, f_scores, exact_scores)) <= 0.02
