"""The ONNX backend (default) and sentence-transformers (reference) give the same vectors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.embed import EXPORT_MIN_COSINE, OnnxEmbedder, SentenceTransformerEmbedder, onnx_dir

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


def test_backends_agree_on_vectors_and_rankings(real_settings, embedder, bot):
    assert isinstance(embedder, OnnxEmbedder)
    ref = SentenceTransformerEmbedder(real_settings)
    assert (ref.name, ref.dim, ref.fingerprint) == (embedder.name, embedder.dim, embedder.fingerprint)
    questions = [json.loads(line)["question"] for line in (REPO / "evals" / "dev.jsonl").read_text().splitlines()]
    passages = [c.embed_text for c in bot.index.chunks]
    for texts in (questions, passages):
        a, b = embedder.encode(texts), ref.encode(texts)
        assert float(np.min(np.sum(a * b, axis=1))) >= EXPORT_MIN_COSINE
    qa, qb = embedder.encode(questions), ref.encode(questions)
    pa = ref.encode(passages)
    top_a = np.argsort(-(qa @ pa.T), axis=1)[:, :5]
    top_b = np.argsort(-(qb @ pa.T), axis=1)[:, :5]
    assert (top_a == top_b).mean() >= 0.99
    export = json.loads((onnx_dir(real_settings, ref.path) / "export.json").read_text())
    assert export["min_cosine"] >= EXPORT_MIN_COSINE and export["fingerprint"] == ref.fingerprint


def test_serving_path_never_imports_torch(real_settings, bot):
    code = (
        "import sys; from pathlib import Path; from assistant.settings import Settings;"
        "from assistant.pipeline import Assistant; import assistant.server;"
        f"s = Settings.of(corpus_dir=Path({str(real_settings.paths.corpus_dir)!r}), index_dir=Path({str(real_settings.paths.index_dir)!r}), gap_log_path=None);"
        "b = Assistant.load(s); a = b.ask('how long does a session last');"
        "print(a.status, sorted(m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "answered []"



def test_a_batch_gives_its_run_arena_back_and_keeps_its_vectors(real_settings, embedder):
    """Encoding several long texts grows onnxruntime's run arena by tens of MB; the last run of
    an encode() shrinks it again, so a long message or a build does not leave the serving process
    bigger for good (measured: +17 MB instead of +95 MB). The vectors do not change."""
    texts = [f"passage {i} about the stiffness of the lower back after long drives " * 30 for i in range(8)]
    batch = embedder.encode(texts)
    alone = np.stack([embedder.encode([t])[0] for t in texts])
    assert float(np.min(np.sum(batch * alone, axis=1))) >= 0.99999
    code = (
        "import json; from pathlib import Path; from assistant.settings import Settings; from assistant.embed import load_embedder;"
        "rss = lambda: int(Path('/proc/self/status').read_text().split('VmRSS:')[1].split()[0]) / 1024;"
        f"s = Settings.of(corpus_dir=Path({str(real_settings.paths.corpus_dir)!r}), index_dir=Path({str(real_settings.paths.index_dir)!r}), gap_log_path=None);"
        "e = load_embedder(s); e.encode(['how long does a session last']); before = rss();"
        f"e.encode({texts!r}); print(json.dumps({{'grew': rss() - before}}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1])["grew"] < 50  # without shrinking: about +95 MB
