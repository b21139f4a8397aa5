"""Why dynamic int8 is not offered: dynamic int8 quantization of the ONNX model, measured beside
the float32 model in the same run, for speed and for the eval table (issue 7: int8 "may only ship
if the eval set shows no loss"). The weight-only 8-bit models that are offered (`embed_weights`)
are measured by bench_quant.py.

Dynamic quantization picks activation ranges per call, so a text's vector depends on the batch
it is encoded in; the eval is run with int8 indexes built at batch 1 (deterministic) and at
batch 32.

    python bench_int8.py       # about 1 minute
"""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np
from _common import QUESTIONS, REPO, pct, repo_settings, timed

from assistant.embed import OnnxEmbedder, load_embedder, onnx_dir
from assistant.evaluate import run_eval
from assistant.pipeline import Assistant

KEYS = ["hit@1", "hit@3", "quote_hit", "grounding", "answered_rate", "abstention_rate"]


class Batched:
    """An embedder that always encodes in batches of `size` (to expose batch dependence)."""

    def __init__(self, inner: OnnxEmbedder, size: int) -> None:
        self.inner, self.size = inner, size
        self.name, self.dim, self.fingerprint, self.path = inner.name, inner.dim, inner.fingerprint, inner.path

    def encode(self, texts: list[str], batch_size: int = 0) -> np.ndarray:
        return self.inner.encode(texts, batch_size=self.size)


def main() -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    root = Path(tempfile.mkdtemp(prefix="bench-int8-"))
    base = repo_settings(embed_weights="float32").replace(index_dir=root / "fp32")
    fp32 = load_embedder(repo_settings(embed_weights="float32"))  # the repo's ONNX export (made once if missing)
    shutil.copytree(onnx_dir(repo_settings(), fp32.path), root / "fp32" / "onnx" / fp32.fingerprint)
    (root / "int8").mkdir()
    quantize_dynamic(str(root / "fp32" / "onnx" / fp32.fingerprint / "model.onnx"), str(root / "int8" / "model.onnx"),
                     weight_type=QuantType.QInt8, per_channel=True)
    int8 = OnnxEmbedder(base, fp32.path, root / "int8", weights="float32")  # the dynamic int8 file as model.onnx

    chunks = Assistant.load(base, embedder=fp32).index.chunks
    texts = [c.embed_text for c in chunks] + [s for c in chunks for s in c.sentence_texts]
    texts *= 3
    cycle = itertools.cycle(QUESTIONS)
    print(f"{'':<22}{'texts/s':>9}{'question p50':>14}")
    for name, e in (("float32 (shipped)", fp32), ("int8 per-channel", int8)):
        t = time.perf_counter()
        e.encode(texts)
        rate = len(texts) / (time.perf_counter() - t)
        q = timed(lambda e=e: e.encode([next(cycle)]), 300)
        print(f"{name:<22}{rate:9.1f}{pct(q, 50):11.2f} ms")
    a, b = fp32.encode(texts[:400]), int8.encode(texts[:400])
    print(f"cosine int8 vs float32 on 400 texts: min {np.min(np.sum(a * b, axis=1)):.4f}\n")

    rows = [("float32 (shipped)", fp32, "fp32")] + [(f"int8, batch {n}", Batched(int8, n), f"int8-{n}") for n in (1, 32)]
    for set_name in ("dev.jsonl", "holdout.jsonl"):
        print(f"eval set {set_name}: " + "  ".join(f"{k:>15}" for k in KEYS))
        for label, emb, folder in rows:
            settings = base.replace(index_dir=root / folder)
            bot = Assistant.load(settings, embedder=emb)
            r = run_eval(settings, REPO / "evals" / set_name, baselines=False, assistant=bot)["system"]
            print(f"  {label:<19}" + "  ".join(f"{r[k]:15.3f}" for k in KEYS))
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
