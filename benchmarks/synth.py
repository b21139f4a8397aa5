"""Synthetic corpora for scale benchmarks and tests: never used to answer visitors.

Two generators:
  * `synth_corpus` writes Markdown articles recombined from the clinic's real articles
    (sections mixed across documents, sentences shuffled and lightly perturbed with
    paraphrase-like noise), sized to a target number of passages. It goes through the real
    ingest -> chunk -> embed -> index path, so it measures the real build.
  * `synth_vectors` derives unit vectors from real embeddings (a random convex mix of three
    real vectors plus a little Gaussian noise). Encoding a million texts on two CPU cores would take
    many hours, so 100k and 1M-passage search benchmarks use these: the vectors keep the
    real model's geometry (its clusters and anisotropy) that approximate search depends on.

    >>> import numpy as np
    >>> base = np.eye(4, dtype=np.float32)
    >>> v = synth_vectors(base, 10, seed=1)
    >>> v.shape, bool(np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5))
    ((10, 4), True)
"""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np

from assistant.chunk import split_sentences
from assistant.corpus import load_corpus
from assistant.ingest import Document

# Paraphrase-like noise: word swaps and hedges a human rewrite might introduce.
SWAPS = {
    "help": "assist", "helps": "assists", "pain": "discomfort", "muscles": "muscle tissue",
    "reduce": "lower", "improve": "boost", "often": "frequently", "many": "numerous",
    "patients": "clients", "therapist": "practitioner", "benefits": "advantages",
    "stress": "tension", "body": "system", "treatment": "therapy", "can": "may",
}
HEDGES = ["In many cases,", "For some people,", "Often,", "According to therapists,", "Typically,"]
TOPICS = ["athletes", "office workers", "older adults", "new parents", "runners", "gardeners",
          "musicians", "drivers", "teachers", "nurses"]


def _perturb(sentence: str, rng: random.Random) -> str:
    words = sentence.split(" ")
    for i, w in enumerate(words):
        key = w.lower().strip(".,;:")
        if key in SWAPS and rng.random() < 0.3:
            words[i] = w.replace(key, SWAPS[key]) if w.islower() else w
    text = " ".join(words)
    if rng.random() < 0.25 and text[:1].isupper():
        text = f"{rng.choice(HEDGES)} {text[0].lower()}{text[1:]}"
    return text


def synth_documents(seeds: list[Document], n_docs: int, *, seed: int = 0,
                    sections_per_doc: int = 6, words_per_section: int = 120) -> list[str]:
    """`n_docs` Markdown articles, each `sections_per_doc` sections of about `words_per_section`
    words (about one passage each with the default chunking)."""
    rng = random.Random(seed)
    pool = [
        (sec.heading or doc.title, [p[a:b] for p in sec.paragraphs for a, b in split_sentences(p)])
        for doc in seeds for sec in doc.sections
    ]
    pool = [(h, ss) for h, ss in pool if ss]
    every = [s for _, ss in pool for s in ss]
    out = []
    for n in range(n_docs):
        topic = rng.choice(TOPICS)
        lines = [f"# Massage for {topic}: notes {n}", ""]
        for _ in range(sections_per_doc):
            heading, sentences = rng.choice(pool)
            lines += [f"## {heading} ({topic})", ""]
            body: list[str] = []
            count = 0
            while count < words_per_section:
                s = _perturb(rng.choice(sentences if rng.random() < 0.7 else every), rng)
                body.append(s)
                count += len(s.split())
            lines += [" ".join(body), ""]
        out.append("\n".join(lines))
    return out


def synth_corpus(seed_dir: Path, out_dir: Path, n_chunks: int, *, seed: int = 0) -> Path:
    """Write about `n_chunks` passages' worth of recombined articles into `out_dir`.

    Example: synth_corpus(Path("corpus"), Path("/tmp/synth/corpus"), 10_000)
    """
    seeds = load_corpus(Path(seed_dir))
    per_doc = 6
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for i, text in enumerate(synth_documents(seeds, max(1, n_chunks // per_doc), seed=seed, sections_per_doc=per_doc)):
        (out_dir / f"synthetic-{i:06d}.md").write_text(text, encoding="utf-8")
    return out_dir


def synth_vectors(base: np.ndarray, n: int, *, seed: int = 0, parts: int = 3, noise: float = 0.1,
                  batch: int = 100_000) -> np.ndarray:
    """`n` unit vectors, each a random convex mix (Dirichlet weights) of `parts` real rows of
    `base` plus Gaussian noise of norm about `noise`, normalized.

    Mixing real vectors keeps the model's geometry (texts in between two topics land between
    them); the noise keeps every row distinct. Pure noise around a few centres would be a far
    harder, unrealistic case: every neighbour nearly equidistant.
    """
    rng = np.random.default_rng(seed)
    base = np.ascontiguousarray(base, dtype=np.float32)
    d = base.shape[1]
    out = np.empty((n, d), dtype=np.float32)
    for start in range(0, n, batch):
        m = min(batch, n - start)
        w = rng.dirichlet(np.ones(parts), m).astype(np.float32)
        v = (noise / np.sqrt(d)) * rng.standard_normal((m, d), dtype=np.float32)
        for j in range(parts):
            v += w[:, j : j + 1] * base[rng.integers(0, len(base), m)]
        out[start : start + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out
