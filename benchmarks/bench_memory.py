"""Where the serving process's memory goes, beside the echo Gradio chat's (the same-run floor).

    python bench_memory.py

Each row is resident memory (RSS) in a fresh process after one more step, so the differences
say what each part costs: the web stack that the echo app also has, onnxruntime and the model
session (with its first run's arena), the tokenizer, FAISS, and then the project's whole
`Assistant.load` (index files, BM25, sentence terms, curated answers) on a scratch copy of the
corpus. A second table tries onnxruntime session options that trade memory for speed, with the
p50 of one question beside each. Issue 16's goal: serving RSS <= echo's + 80 MB.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

from _common import REPO, scratch_settings

from assistant.embed import WEIGHTS
from assistant.quantize import Scheme

STEPS = r"""
import json, os, sys, time
from pathlib import Path
def rss():
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
out = []
def mark(label):
    out.append((label, rss()))
import numpy
mark("python + numpy")
cfg = json.loads(sys.argv[1])
if cfg.get("web", True):
    import gradio, fastapi, uvicorn
    mark("+ gradio, fastapi, uvicorn (the echo app has these)")
import onnxruntime as ort
mark("+ import onnxruntime")
opts = ort.SessionOptions()
opts.intra_op_num_threads = 1
opts.inter_op_num_threads = 1
opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
opts.log_severity_level = 3
opts.enable_cpu_mem_arena = cfg["arena"]
opts.enable_mem_pattern = cfg["pattern"]
for k, v in cfg.get("entries", {}).items():
    opts.add_session_config_entry(k, v)
sess = ort.InferenceSession(cfg["model"], opts, providers=["CPUExecutionProvider"])
if cfg.get("trim"):  # hand the heap freed while loading (the parsed protobuf) back to the OS
    import ctypes
    ctypes.CDLL("libc.so.6").malloc_trim(0)
mark("+ ONNX session (model weights)")
from tokenizers import Tokenizer
tok = Tokenizer.from_file(cfg["tokenizer"])
tok.enable_truncation(256)
tok.enable_padding()
mark("+ tokenizer")
import numpy as np
shrink = ort.RunOptions()
shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
def run(texts, options=None):
    enc = tok.encode_batch(texts)
    feed = {"input_ids": np.array([e.ids for e in enc], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in enc], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in enc], dtype=np.int64)}
    return sess.run(None, feed, options)[0]
run(["how long does a session last"])
mark("+ first question (run arena)")
run(["a long passage of text " * 40] * 8, shrink if cfg.get("shrink") else None)
mark("+ one batch of 8 long passages (as a build would)")
t = []
for _ in range(200):
    t0 = time.perf_counter(); run(["can massage help with the stiffness after long drives"]); t.append((time.perf_counter() - t0) * 1000)
t.sort()
import faiss
mark("+ import faiss")
from assistant import vocab
vocab.zipf("massage")
mark("+ English word frequencies (vocab.py)")
probe = ["can massage help with the stiffness after long drives", "what is myofascial release", "a long passage of text " * 40]
enc = tok.encode_batch(probe)
mask = np.array([e.attention_mask for e in enc], dtype=np.float32)
pooled = (run(probe) * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
vecs = pooled / np.linalg.norm(pooled, axis=1, keepdims=True)
print(json.dumps({"steps": out, "p50": t[len(t) // 2], "vecs": vecs.tolist()}))
"""

PROJECT = r"""
import json, sys
from pathlib import Path
def rss():
    return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
import gradio, fastapi, uvicorn
before = rss()
from assistant.pipeline import Assistant
from assistant.settings import Settings
s = Settings.of(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2]), gap_log_path=None, embed_weights=sys.argv[3])
bot = Assistant.load(s)
loaded = rss()
for q in ["how long does a session last", "can massage help sciatica", "what is myofascial release"]:
    bot.ask(q)
print(json.dumps({"gradio": before, "loaded": loaded, "asked": rss()}))
"""

ECHO = r"""
import json, os
from pathlib import Path
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
import gradio as gr
demo = gr.ChatInterface(lambda m, h: m)
print(json.dumps({"echo": int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024}))
"""


def py(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], check=True, capture_output=True, text=True, cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    settings, _ = scratch_settings()
    from assistant.pipeline import Assistant

    bot = Assistant.load(settings)  # builds the scratch index (and finds the ONNX export)
    model = next((settings.paths.index_dir / "onnx").glob("*/model.onnx"))  # float32
    weights = settings.model.embed_weights
    served = model if weights == "float32" else model.parent / Scheme.of(weights).file  # made by the load above
    tokenizer = bot.embedder.path / "tokenizer.json"
    bot = None
    echo = py(ECHO)["echo"]
    print(f"baseline: echo gr.ChatInterface built, in a fresh process      {echo:6.0f} MB\n")
    print(f"the steps below load the default weights, embed_weights={weights} ({served.name})")
    base = {"model": str(served), "tokenizer": str(tokenizer), "arena": True, "pattern": True}
    r = py(STEPS, json.dumps(base))
    prev = 0.0
    for label, mb in r["steps"]:
        print(f"{label:<58} {mb:6.0f} MB  ({mb - prev:+5.0f})")
        prev = mb
    print()
    for weights in WEIGHTS:  # each builds its own index on first load (other fingerprint), then is measured fresh
        py(PROJECT, str(settings.paths.corpus_dir), str(settings.paths.index_dir), weights)
        p = py(PROJECT, str(settings.paths.corpus_dir), str(settings.paths.index_dir), weights)
        print(f"project, embed_weights={weights:<16} gradio imported {p['gradio']:.0f} MB; Assistant.load {p['loaded']:.0f} MB "
              f"({p['loaded'] - p['gradio']:+.0f}); after 3 questions {p['asked']:.0f} MB: echo's {p['asked'] - echo:+.0f} MB "
              "before any server or session state")

    print("\nonnxruntime session options, without the web stack (median of 3 fresh processes each; "
          "RSS varies with the allocator from run to run):")
    variants = {
        "default (arena on, memory pattern on)": {},
        "no CPU memory arena": {"arena": False},
        "no memory pattern": {"pattern": False},
        "no arena, no memory pattern": {"arena": False, "pattern": False},
        "arena shrinkage after batch runs": {"shrink": True},
        "no weight prepacking": {"entries": {"session.disable_prepacking": "1"}},
        "malloc_trim(0) after loading": {"trim": True},
        "shrinkage + malloc_trim": {"shrink": True, "trim": True},
    }
    for label, change in variants.items():
        runs = [py(STEPS, json.dumps({**base, **change, "web": False})) for _ in range(3)]
        steps = {k: statistics.median(dict(r["steps"])[k] for r in runs) for k, _ in runs[0]["steps"]}
        r = {"p50": statistics.median(r["p50"] for r in runs)}
        sess = steps["+ ONNX session (model weights)"] - steps["+ import onnxruntime"]
        first = steps["+ first question (run arena)"]
        batch = steps["+ one batch of 8 long passages (as a build would)"]
        print(f"  {label:<40} session {sess:+4.0f} MB, after a question {first:5.0f} MB, after a batch {batch:5.0f} MB, p50 {r['p50']:.2f} ms")

    numerics({**base, "model": str(model)}, model)


def numerics(base: dict, model: Path) -> None:
    """Smaller weights: the 8-bit models `embed_weights` offers (assistant/quantize.py; their
    quality side is bench_quant.py) and two earlier tries that are not offered (dynamic int8
    makes a vector depend on its batch; float16 weights are upcast by onnxruntime). Cosine: the
    worst of three probe texts against float32."""
    import tempfile

    import numpy as np
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from assistant.quantize import quantize_model

    tmp = Path(tempfile.mkdtemp(prefix="bench-numerics-"))
    int8, fp16 = tmp / "int8.onnx", tmp / "fp16.onnx"
    derived = {w: tmp / Scheme.of(w).file for w in WEIGHTS[1:]}
    for w, path in derived.items():
        quantize_model(model, path, Scheme.of(w))
    quantize_dynamic(str(model), str(int8), weight_type=QuantType.QInt8)
    try:
        import onnx
        from onnxruntime.transformers.float16 import convert_float_to_float16

        onnx.save(convert_float_to_float16(onnx.load(str(model)), keep_io_types=True), str(fp16))
    except Exception as exc:  # the converter moved between onnxruntime versions
        print(f"  (fp16 not measured: {exc})")
        fp16 = None  # type: ignore[assignment]
    print("\nweights (median of 3 fresh processes; cosine against float32):")
    ref = None
    rows = [("float32", model)] + [(f"{w}", p) for w, p in derived.items()]
    rows += [("int8 dynamic (not offered)", int8), ("float16 (not offered)", fp16)]
    for label, path in rows:
        if path is None:
            continue
        runs = [py(STEPS, json.dumps({**base, "model": str(path), "web": False, "trim": True})) for _ in range(3)]
        steps = {k: statistics.median(dict(r["steps"])[k] for r in runs) for k, _ in runs[0]["steps"]}
        sess = steps["+ ONNX session (model weights)"] - steps["+ import onnxruntime"]
        vecs = np.array(runs[0]["vecs"])
        ref = vecs if ref is None else ref
        cos = float(np.min(np.sum(vecs * ref, axis=1)))
        print(f"  {label:<26} file {path.stat().st_size / 2**20:5.1f} MB, session {sess:+4.0f} MB, "
              f"p50 {statistics.median(r['p50'] for r in runs):.2f} ms, cosine >= {cos:.5f}")


if __name__ == "__main__":
    main()
