"""The ONNX backend (default) and sentence-transformers (reference) give the same vectors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from assistant.build import check_compatible
from assistant.embed import (
    EXPORT_MIN_COSINE,
    WEIGHTS,
    OnnxEmbedder,
    SentenceTransformerEmbedder,
    onnx_dir,
)
from assistant.errors import IndexMismatchError
from assistant.quantize import Scheme, quantize_model

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def float32(real_settings, embedder):
    """The float32 export itself (the served embedder may use 8-bit weights derived from it)."""
    return embedder if embedder.weights == "float32" else OnnxEmbedder(real_settings, weights="float32")


def test_backends_agree_on_vectors_and_rankings(real_settings, float32, bot):
    embedder = float32
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
    an encode() shrinks it again and hands the freed heap back to the OS, so a long message or a
    build does not leave the serving process bigger for good (measured: +10 MB; +22 MB with the
    shrink alone, +95 MB with neither). The vectors do not change."""
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
    assert json.loads(out.stdout.strip().splitlines()[-1])["grew"] < 18  # without the heap trim: about +22 MB


# The 8-bit weights (assistant/quantize.py). Floors: int8_embeddings measured min 0.99993 over
# 4,857 corpus and eval texts, int8 0.99848 (benchmarks/bench_quant.py); the gate is 0.998.
MIN_COSINE = {"int8_embeddings": 0.9999, "int8": 0.998}


def texts_to_compare(bot) -> list[str]:
    questions = [json.loads(line)["question"] for line in (REPO / "evals" / "dev_visitors.jsonl").read_text().splitlines()]
    safety = [json.loads(line)["message"] for line in (REPO / "evals" / "safety.jsonl").read_text().splitlines()]
    return questions + safety + [c.embed_text for c in bot.index.chunks] + [s for c in bot.index.chunks for s in c.sentence_texts]


@pytest.mark.parametrize("weights", WEIGHTS[1:])
def test_8bit_vectors_are_the_float32_ones_and_never_depend_on_the_batch(real_settings, float32, bot, weights):
    """Weight-only quantization keeps activations per row, so a text alone and inside a batch of
    32 give the same vector (dynamic int8 did not: benchmarks/bench_int8.py), and the vectors
    stay within the measured floor of float32's."""
    quant = OnnxEmbedder(real_settings, weights=weights)
    texts = texts_to_compare(bot)
    batched = quant.encode(texts, batch_size=32)
    cos = np.sum(batched * float32.encode(texts, batch_size=32), axis=1)
    assert float(cos.min()) >= MIN_COSINE[weights] and float(cos.max()) < 1.0 - 1e-7  # close, and really other weights
    some = texts[::7]
    alone = np.stack([quant.encode([t])[0] for t in some])
    assert float(np.abs(alone - quant.encode(some, batch_size=32)).max()) <= 1e-5
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)


def test_8bit_models_are_derived_deterministically_and_have_their_own_fingerprints(real_settings, float32, tmp_path):
    folder = onnx_dir(real_settings, float32.path)
    prints = {w: OnnxEmbedder(real_settings, weights=w).fingerprint for w in WEIGHTS}
    assert prints["float32"] == float32.fingerprint and len(set(prints.values())) == len(WEIGHTS)
    assert all(len(p) == 16 and int(p, 16) >= 0 for p in prints.values())
    for w in WEIGHTS[1:]:
        scheme = Scheme.of(w)
        again = tmp_path / scheme.file
        quantize_model(folder / "model.onnx", again, scheme)
        assert again.read_bytes() == (folder / scheme.file).read_bytes()  # derived beside the export, same bytes
        assert again.stat().st_size < 0.65 * (folder / "model.onnx").stat().st_size


def test_an_index_built_with_other_weights_is_refused(real_settings, float32, bot):
    """The manifest records the fingerprint: an index made with float32 vectors never serves
    8-bit ones (or the reverse); LiveIndex rebuilds it, a read-only replica refuses it."""
    for w in WEIGHTS:
        other = OnnxEmbedder(real_settings, weights=w)
        if other.fingerprint == bot.index.manifest["model"]["fingerprint"]:
            check_compatible(bot.index, other, real_settings)
            continue
        with pytest.raises(IndexMismatchError, match="other weights"):
            check_compatible(bot.index, other, real_settings)


def test_unknown_weights_are_one_line_errors(real_settings):
    from assistant.errors import ModelError

    with pytest.raises(ModelError, match="unknown embedding weights 'fp8'"):
        OnnxEmbedder(real_settings.replace(embed_weights="fp8"))
