"""Index build time for the corpus, beside a bare encode of the same texts in the same run.

The build embeds every passage (with its title and section) and every sentence, so the
baseline encodes exactly those texts in one call.
Goal (issue 2): build within 1.2x of the bare encode.
"""

from __future__ import annotations

import shutil
import time

from _common import scratch_settings

from assistant.chunk import ModelTokenCounter, chunk_document
from assistant.embed import load_embedder
from assistant.index import build_index
from assistant.ingest import load_corpus


def main() -> None:
    settings, root = scratch_settings()
    emb = load_embedder(settings)
    counter = ModelTokenCounter(emb.path)
    chunks = [c for d in load_corpus(settings.corpus_dir)
              for c in chunk_document(d, counter, max_tokens=settings.chunk_max_tokens, min_tokens=settings.chunk_min_tokens)]
    texts = [c.embed_text for c in chunks] + [s for c in chunks for s in c.sentence_texts]
    emb.encode(texts[:32])  # warm up
    builds, bare = [], []
    for _ in range(3):
        t = time.perf_counter()
        emb.encode(texts)
        bare.append(time.perf_counter() - t)
        shutil.rmtree(settings.index_dir, ignore_errors=True)
        t = time.perf_counter()
        build_index(settings, emb)
        builds.append(time.perf_counter() - t)
    # incremental: one document changed
    doc = sorted(settings.corpus_dir.glob("*.md"))[0]
    doc.write_text(doc.read_text() + "\n## Added\n\nThis sentence was added to measure an incremental build.\n")
    t = time.perf_counter()
    report = build_index(settings, emb)
    incr = time.perf_counter() - t
    t = time.perf_counter()
    build_index(settings, emb)
    noop = time.perf_counter() - t
    b, e = min(builds), min(bare)
    print(f"corpus: {len(chunks)} passages + {len(texts) - len(chunks)} sentences = {len(texts)} texts")
    print(f"baseline: bare encode of the same texts  {e:6.2f} s  ({len(texts) / e:6.1f} texts/s)")
    print(f"full build (best of 3)                   {b:6.2f} s  ratio {b / e:.2f}x (goal <= 1.2x)")
    print(f"incremental build, 1 document changed    {incr:6.2f} s  ({report.encoded_texts} texts embedded)")
    print(f"no-change build                          {noop:6.3f} s")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
