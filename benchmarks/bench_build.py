"""Index build throughput, beside a bare sentence-transformers encode of the same texts, in the
same run: for the clinic's corpus and for a synthetic corpus of about 10k passages.

The build embeds every passage (with its title and section) and every sentence, so the
baselines encode exactly those texts. Goals: build within 1.2x of the bare encode of its own
backend (issue 2); build throughput >= 1.5x the bare sentence-transformers encode (issue 7).

    python bench_build.py                 # corpus + 10k synthetic passages (about 22 minutes)
    python bench_build.py --chunks 0      # the corpus only (about 30 s)
    python bench_build.py --baseline-share 0.125   # time the synthetic baseline on 1/8 of its texts
    python bench_build.py --baseline-share 0       # no synthetic baseline: the build, load and ask() only

The build embeds each distinct text once; the synthetic articles repeat sentences verbatim
(about 80% of its texts are repeats, far more than a clinic's articles), so the synthetic
figure is also printed for the encoders alone on distinct texts.

The synthetic build's real vectors are saved to .cache/ for bench_scale.py.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import REPO, scratch_settings
from synth import synth_corpus

from assistant.build import build_index
from assistant.chunk import ModelTokenCounter, chunk_document
from assistant.corpus import load_corpus
from assistant.embed import SentenceTransformerEmbedder, load_embedder
from assistant.store import load_index

CACHE = Path(__file__).resolve().parent / ".cache"


def build_texts(settings, emb) -> tuple[int, list[str]]:
    counter = ModelTokenCounter(emb.path)
    chunks = [c for d in load_corpus(settings.paths.corpus_dir)
              for c in chunk_document(d, counter, max_tokens=settings.model.chunk_max_tokens, min_tokens=settings.model.chunk_min_tokens)]
    return len(chunks), [c.embed_text for c in chunks] + [s for c in chunks for s in c.sentence_texts]


def timed_build(settings, emb) -> float:
    shutil.rmtree(settings.paths.index_dir / "builds", ignore_errors=True)
    (settings.paths.index_dir / "CURRENT").unlink(missing_ok=True)
    t = time.perf_counter()
    build_index(settings, emb)
    return time.perf_counter() - t


def corpus_bench(ref: SentenceTransformerEmbedder) -> None:
    settings, root = scratch_settings()
    emb = load_embedder(settings)
    n, texts = build_texts(settings, emb)
    emb.encode(texts[:32])  # warm up
    builds, bare, bare_ref = [], [], []
    for _ in range(3):
        t = time.perf_counter()
        ref.encode(texts)
        bare_ref.append(time.perf_counter() - t)
        t = time.perf_counter()
        emb.encode(texts)
        bare.append(time.perf_counter() - t)
        builds.append(timed_build(settings, emb))
    # incremental: one document changed
    doc = sorted(settings.paths.corpus_dir.glob("*.md"))[0]
    doc.write_text(doc.read_text() + "\n## Added\n\nThis sentence was added to measure an incremental build.\n")
    t = time.perf_counter()
    report = build_index(settings, emb)
    incr = time.perf_counter() - t
    t = time.perf_counter()
    build_index(settings, emb)
    noop = time.perf_counter() - t
    b, e, r = min(builds), min(bare), min(bare_ref)
    print(f"== the corpus: {n} passages + {len(texts) - n} sentences = {len(texts)} texts (best of 3)")
    print(f"baseline: bare sentence-transformers encode  {r:7.2f} s  {len(texts) / r:7.1f} texts/s")
    print(f"bare encode, {settings.model.embed_backend} backend               {e:7.2f} s  {len(texts) / e:7.1f} texts/s")
    print(f"full build, {settings.model.embed_backend} backend                {b:7.2f} s  {len(texts) / b:7.1f} texts/s"
          f"   {b / e:.2f}x its bare encode (goal <= 1.2x), {r / b:.2f}x the baseline's throughput")
    print(f"incremental build, 1 document changed       {incr:7.2f} s  ({report.encoded_texts} texts embedded)")
    print(f"no-change build                             {noop:7.3f} s")
    shutil.rmtree(root, ignore_errors=True)


def synthetic_bench(ref: SentenceTransformerEmbedder, n_chunks: int, share: float) -> None:
    out = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    base, root = scratch_settings(synth_corpus(REPO / "corpus", out / "corpus", n_chunks))
    fp32 = load_embedder(base)
    n, texts = build_texts(base, fp32)
    distinct = len(set(texts))
    print(f"\n== synthetic corpus: {n} passages + {len(texts) - n} sentences = {len(texts)} texts "
          f"({distinct} distinct), one build")
    # The baseline encodes every text (or a random `share` of them, extrapolated), half before the
    # build and half after it, so a machine that slows down or speeds up during the run weighs on
    # both sides alike.
    rng = np.random.default_rng(0)
    picked = [texts[i] for i in rng.permutation(len(texts))[: int(len(texts) * share)]]
    first, second = picked[: len(picked) // 2], picked[len(picked) // 2 :]
    t = time.perf_counter()
    ref.encode(first)
    r = time.perf_counter() - t
    b = timed_build(base, fp32)
    t = time.perf_counter()
    ref.encode(second)
    r += time.perf_counter() - t
    if picked:
        r *= len(texts) / len(picked)
        note = "" if len(picked) == len(texts) else f" (timed on a random {len(picked)} of them, scaled)"
        print(f"baseline: bare sentence-transformers encode  {r:7.1f} s  {len(texts) / r:7.1f} texts/s{note}")
    print(f"full build, onnx backend                    {b:7.1f} s  {len(texts) / b:7.1f} texts/s"
          + (f"   {r / b:.2f}x the baseline's throughput (goal >= 1.5x)" if picked else "   (no baseline: --baseline-share 0)"))
    if picked:
        model_alone(ref, fp32, sorted(set(texts)))
    idx = load_index(base.paths.index_dir)
    CACHE.mkdir(exist_ok=True)
    np.save(CACHE / "real-vectors.npy", np.vstack([idx.passage_vecs, idx.sentence_vecs]))
    serving_at_scale(base, fp32, idx)
    shutil.rmtree(root, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)


def model_alone(ref: SentenceTransformerEmbedder, emb, distinct: list[str], n: int = 1200, slices: int = 8) -> None:
    """The two encoders alone on the same distinct texts (no duplicates to skip), alternating
    slice by slice so that both see the same machine."""
    sample = [distinct[i] for i in np.random.default_rng(1).permutation(len(distinct))[:n]]
    r = e = 0.0
    for j in range(slices):
        part = sample[j::slices]
        for which in ((0, 1) if j % 2 else (1, 0)):
            t = time.perf_counter()
            (ref if which == 0 else emb).encode(part)
            if which == 0:
                r += time.perf_counter() - t
            else:
                e += time.perf_counter() - t
    print(f"   the encoders alone on {len(sample)} distinct texts, alternating: sentence-transformers "
          f"{len(sample) / r:.1f} texts/s, onnx {len(sample) / e:.1f} texts/s: {r / e:.2f}x")


def serving_at_scale(settings, emb, idx) -> None:
    """What the bigger index costs a visitor: load time (files, then the retriever: BM25 and
    sentence terms) and ask() latency."""
    import statistics

    from _common import QUESTIONS, summary, timed

    from assistant.live import LiveIndex
    from assistant.pipeline import Assistant

    settings = settings.replace(gap_log_path=None)
    files, total = [], []
    for _ in range(3):
        t = time.perf_counter()
        index = load_index(settings.paths.index_dir)
        files.append(time.perf_counter() - t)
        live = LiveIndex(settings, emb, index, build=False)
        total.append(time.perf_counter() - t)
    bot = Assistant(settings, emb, live)
    for q in QUESTIONS:
        bot.ask(q)
    ask = timed(lambda: [bot.ask(q) for q in QUESTIONS], 25)
    print(f"   loading this index for serving: {statistics.median(total):.2f} s "
          f"(files {statistics.median(files):.2f} s, then the retriever; median of 3; goal <= 1 s)")
    print("   " + summary(f"ask() over {len(idx.chunks)} passages", [x / len(QUESTIONS) for x in ask])
          + "  (mean of 8 questions per sample)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunks", type=int, default=10_000, help="synthetic corpus size in passages (0: skip)")
    ap.add_argument("--baseline-share", type=float, default=1.0,
                    help="time the synthetic baseline on this random share of the texts and scale (busy machines)")
    args = ap.parse_args()
    from _common import repo_settings

    ref = SentenceTransformerEmbedder(repo_settings())
    corpus_bench(ref)
    if args.chunks:
        synthetic_bench(ref, args.chunks, args.baseline_share)


if __name__ == "__main__":
    main()
