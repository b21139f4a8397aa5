"""The 8-bit models (assistant/quantize.py, `embed_weights` "int8_embeddings" and "int8") against
the float32 export, in the same run: the acceptance gates of issue 16.

    python bench_quant.py                 # about 3 minutes on 2 cores
    python bench_quant.py --no-eval       # vectors and speed only

1. Vectors: cosine between float32 and 8-bit vectors of every corpus passage and sentence and of
   every message in evals/*.jsonl (min and 1st percentile, per file; held-out files are only
   ever reported in aggregate).
2. Batch independence: every one of those texts encoded alone vs in batches of 32 (max abs diff),
   for both weights.
3. Quality: the eval sets through `Assistant` with an index built on each weight's vectors
   (visitors_holdout: aggregate only). The shipped safety model was trained on float32 vectors
   and is refused by an embedder with another fingerprint, so each 8-bit row is run twice: as a
   fresh install would load it (learned safety layer off until retrained) and with the float32
   safety model applied to 8-bit vectors (what its verdicts become before retraining).
4. Speed: one question's encode and `ask()`, p50 over alternating rounds.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

import numpy as np
from _common import QUESTIONS, REPO, pct, repo_settings, timed

from assistant.embed import WEIGHTS, OnnxEmbedder, load_embedder, onnx_dir
from assistant.evaluate import run_eval
from assistant.pipeline import Assistant
from assistant.quantize import Scheme

KEYS = ["hit@1", "hit@3", "quote_hit", "grounding", "answered_rate", "abstention_rate", "urgent_rate", "caution_rate"]
EVAL_SETS = ["dev_visitors.jsonl", "dev.jsonl", "visitors_holdout.jsonl"]
HELD_OUT = ("holdout", "blind5")  # file names whose rows are never printed (aggregates only)


class Disguised:
    """The int8 embedder under the float32 fingerprint, so the float32-trained safety model
    accepts it: measures that model's verdicts on int8 vectors. Benchmark only."""

    def __init__(self, inner: OnnxEmbedder, fingerprint: str) -> None:
        self.inner, self.fingerprint = inner, fingerprint
        self.name, self.dim, self.path = inner.name, inner.dim, inner.path

    def encode(self, texts: list[str], batch_size: int = 8) -> np.ndarray:
        return self.inner.encode(texts, batch_size=batch_size)


def eval_texts() -> dict[str, list[str]]:
    out = {}
    for f in sorted((REPO / "evals").glob("*.jsonl")):
        rows = [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
        texts = [r.get("question") or r.get("message") for r in rows]
        out[f.name] = [t for t in texts if t]
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--no-eval", action="store_true")
    ap.add_argument("--rounds", type=int, default=10)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-quant-"))
    fp32 = load_embedder(repo_settings(embed_weights="float32"))
    folder = root / "onnx" / fp32.fingerprint
    folder.mkdir(parents=True)
    shutil.copy(onnx_dir(repo_settings(), fp32.path) / "model.onnx", folder)  # the 8-bit models are derived from it here
    settings = {w: repo_settings(embed_weights=w).replace(index_dir=root / w) for w in WEIGHTS}
    emb = {w: OnnxEmbedder(settings[w], fp32.path, folder, weights=w) for w in WEIGHTS}
    for w, e in emb.items():
        f = folder / (Scheme.of(w).file if w != "float32" else "model.onnx")
        print(f"{w:<16} fingerprint {e.fingerprint}, file {f.stat().st_size / 2**20:5.1f} MB")

    bots = {w: Assistant.load(settings[w], embedder=emb[w]) for w in WEIGHTS}
    chunks = bots["float32"].index.chunks
    groups = {"corpus passages": [c.embed_text for c in chunks], "corpus sentences": [s for c in chunks for s in c.sentence_texts]}
    groups |= eval_texts()
    for w in WEIGHTS[1:]:
        print(f"\n1. cosine float32 vs {w} (min / 1st percentile / median), and 2. alone vs batch of 32 (max abs diff)")
        all_cos, worst = [], {"float32": 0.0, w: 0.0}
        for name, texts in groups.items():
            vecs = {v: emb[v].encode(texts, batch_size=32) for v in ("float32", w)}
            cos = np.sum(vecs["float32"] * vecs[w], axis=1)
            all_cos.append(cos)
            diffs = {v: float(np.abs(emb[v].encode(texts, batch_size=1) - vecs[v]).max()) for v in vecs}
            worst = {v: max(worst[v], diffs[v]) for v in vecs}
            tag = " (held out: aggregate)" if any(h in name for h in HELD_OUT) else ""
            print(f"  {name:<26} n={len(texts):4d}  cos {cos.min():.5f} / {np.percentile(cos, 1):.5f} / {np.median(cos):.5f}"
                  f"   batch diff fp32 {diffs['float32']:.1e}, {w} {diffs[w]:.1e}{tag}")
        cos = np.concatenate(all_cos)
        print(f"  ALL {len(cos)} texts: cosine min {cos.min():.5f}, p1 {np.percentile(cos, 1):.5f}; "
              f"batch diff max fp32 {worst['float32']:.1e}, {w} {worst[w]:.1e}")

    print("\n4. speed, p50 over alternating rounds (the machine may be shared: compare within the run)")
    t: dict[str, list[float]] = {f"{k} {w}": [] for k in ("encode", "ask") for w in WEIGHTS}
    for q in QUESTIONS:
        for b in bots.values():
            b.ask(q)
    for r in range(args.rounds):
        for w in WEIGHTS[r % 3:] + WEIGHTS[: r % 3]:
            qs = iter(QUESTIONS * 8)
            t[f"encode {w}"] += timed(lambda w=w, qs=qs: emb[w].encode([next(qs)]), 40)
            qs = iter(QUESTIONS * 8)
            t[f"ask {w}"] += timed(lambda w=w, qs=qs: bots[w].ask(next(qs)), 40)
    for k, v in t.items():
        print(f"  {k:<22} p50 {pct(v, 50):6.2f} ms  p95 {pct(v, 95):6.2f} ms")
    for w in WEIGHTS[1:]:
        print(f"  ratio {w}/float32: encode {pct(t[f'encode {w}'], 50) / pct(t['encode float32'], 50):.2f}x, "
              f"ask {pct(t[f'ask {w}'], 50) / pct(t['ask float32'], 50):.2f}x")
    if args.no_eval:
        shutil.rmtree(root, ignore_errors=True)
        return

    print("\n3. eval sets (same run)")
    rows = [("float32", bots["float32"])]
    for w in WEIGHTS[1:]:
        rows += [(f"{w}, as loaded", bots[w]),
                 (f"{w} + fp32 safety", Assistant.load(settings[w].replace(index_dir=root / f"{w}-disguised"),
                                                       embedder=Disguised(emb[w], fp32.fingerprint)))]
    for set_name in EVAL_SETS:
        print(f"  {set_name}: " + " ".join(f"{k:>15}" for k in KEYS))
        for label, b in rows:
            r = run_eval(b.settings, REPO / "evals" / set_name, baselines=False, assistant=b)["system"]
            print(f"    {label:<28}" + " ".join(f"{r.get(k, float('nan')):15.3f}" for k in KEYS))

    print("\n5. safety: ask() on every evals/safety*.jsonl message (training and dev files | held-out files, aggregate)")
    print("   urgent recall (emergency+crisis -> urgent), false alarms (faq -> urgent), verdicts unlike float32's")
    messages = {f.name: [json.loads(line) for line in f.read_text().splitlines() if line.strip()]
                for f in sorted((REPO / "evals").glob("safety*.jsonl"))}
    ref: dict[str, list[str]] = {}
    for label, b in rows:
        parts = []
        for held in (False, True):
            rs = [r for name, rows_ in messages.items() if any(h in name for h in HELD_OUT) == held for r in rows_]
            got = [b.ask(r["message"]).status for r in rs]
            base = ref.setdefault(f"{held}", got) if label == "float32" else ref[f"{held}"]
            urgent = [g == "urgent" for g, r in zip(got, rs, strict=True) if r["expect"] in ("emergency", "crisis")]
            alarms = [g == "urgent" for g, r in zip(got, rs, strict=True) if r["expect"] == "faq"]
            changed = sum(g != o for g, o in zip(got, base, strict=True))
            parts.append(f"recall {np.mean(urgent):.3f}, false alarms {np.mean(alarms):.3f}, changed {changed}/{len(rs)}")
        print(f"    {label:<28}" + "  |  ".join(parts))
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
