"""8-bit weights derived from the exported float32 embedding model (issue 16: serving memory).

The float32 model's weights are 85 MB of the serving process: the word-embedding table (30522 x 384,
47 MB) and the 36 MatMul weight matrices of the 6 layers (42 MB). Two schemes (`SCHEMES`, chosen by
the `embed_weights` setting; figures from benchmarks/bench_quant.py and bench_memory.py):

* "int8_embeddings" (the default): the word-embedding table in int8 per row with one float scale
  per row, read with standard ONNX ops (Gather int8 -> Cast -> Mul by the gathered row scale).
  Session -33 MB, the same speed; vectors within cosine 0.99993 of float32's over 4,857 corpus
  and eval texts; the eval sets score as with float32.
* "int8": the table as above, and each MatMul weight as onnxruntime's `MatMulNBits` (bits 8,
  blocks of `BLOCK` along K, symmetric, one float scale per block) with accuracy_level 4: the
  operator quantizes its input per row and per block of K, so a row's numbers depend on that
  row alone. Session -59 MB, ask() about 0.65x; cosine >= 0.9985, but dev_visitors loses 3 of
  177 questions at hit@3, so it is not the default. (accuracy_level 0, float input, is as
  accurate and about 3x slower: onnxruntime has no fast float kernel for 8-bit weights.)

Neither quantizes activations across rows, so a text's vector never depends on the other texts
of its batch (dynamic int8 did: benchmarks/bench_int8.py; tested: alone vs inside a batch of 32).
A model is derived deterministically from the float32 export (numpy rounding only), written
beside it under its scheme's file name, and identified by its own fingerprint
(`Scheme.fingerprint`), so an index or a cached vector file made with other weights is rebuilt
or refused, never mixed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Scheme:
    """One way of storing the weights in 8 bits. `describe` is part of the fingerprint: change it
    whenever the numbers a scheme produces change."""

    weights: str  # the `embed_weights` setting's value
    file: str  # beside model.onnx
    matmuls: bool  # MatMul weights too (else the word-embedding table only)
    describe: str

    @classmethod
    def of(cls, weights: str) -> Scheme:
        for scheme in SCHEMES:
            if scheme.weights == weights:
                return scheme
        raise KeyError(weights)

    def fingerprint(self, float_fingerprint: str) -> str:
        """The quantized model's fingerprint: 16 hex like the float one's, different from it."""
        return hashlib.sha256(f"{float_fingerprint}|{self.describe}".encode()).hexdigest()[:16]


ACCURACY_LEVEL = 4  # MatMulNBits computes with int8 inputs quantized per row and block
BLOCK = 32  # K values per scale: 1/8 byte of scale per weight
MIN_BLOCK_ROWS = 256  # MatMuls with a smaller K stay float (none in MiniLM; a guard for other models)
SCHEMES = (
    Scheme("int8_embeddings", "model.int8emb.onnx", False, "int8emb-v1: word embeddings int8 per row"),
    Scheme("int8", "model.int8.onnx", True,
           f"int8-v1: word embeddings int8 per row; MatMulNBits bits 8 block {BLOCK} symmetric, accuracy_level {ACCURACY_LEVEL}"),
)


def _rows_int8(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 per row: (q int8 [V, D], scale float32 [V, 1]) with w ~ q * scale."""
    amax = np.abs(w).max(axis=1, keepdims=True)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = np.clip(np.rint(w / scale), -127, 127).astype(np.int8)
    return q, scale


def _blocks_uint8(w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A [K, N] MatMul weight as MatMulNBits wants it with bits 8: packed uint8 [N, blocks, BLOCK]
    (zero point 128, the operator's default, so none is stored) and float32 scales [N * blocks]."""
    k, n = w.shape
    blocks = -(-k // BLOCK)
    wt = np.zeros((n, blocks * BLOCK), dtype=np.float32)
    wt[:, :k] = w.T
    wt = wt.reshape(n, blocks, BLOCK)
    amax = np.abs(wt).max(axis=2, keepdims=True)
    scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
    q = (np.clip(np.rint(wt / scale), -127, 127) + 128).astype(np.uint8)
    return q, scale.reshape(n * blocks)


def quantize_model(src: Path, dst: Path, scheme: Scheme, *, accuracy_level: int = ACCURACY_LEVEL) -> dict[str, Any]:
    """Write the weight-only 8-bit model derived from the float32 ONNX model `src` to `dst`.
    Returns what was converted (counts and bytes). `accuracy_level` other than the scheme's is for
    benchmarks/bench_quant.py's comparison only."""
    import onnx
    from onnx import helper, numpy_helper

    model = onnx.load(str(src))
    graph = model.graph
    inits = {i.name: i for i in graph.initializer}
    consumers: dict[str, int] = {}
    for node in graph.node:
        for name in node.input:
            consumers[name] = consumers.get(name, 0) + 1
    drop: set[str] = set()
    new_inits: list[Any] = []
    nodes: list[Any] = []
    before = after = 0
    embeddings = matmuls = 0
    for node in graph.node:
        table = inits.get(node.input[0]) if node.op_type == "Gather" and node.input else None
        if table is not None and len(table.dims) == 2 and table.dims[0] >= 1024 and consumers[table.name] == 1:
            # a large lookup table (the word embeddings): int8 rows, scaled back after the lookup
            w = numpy_helper.to_array(table).astype(np.float32)
            q, scale = _rows_int8(w)
            base = table.name
            new_inits += [numpy_helper.from_array(q, f"{base}.q8"), numpy_helper.from_array(scale, f"{base}.scale")]
            ids, out = node.input[1], node.output[0]
            nodes += [
                helper.make_node("Gather", [f"{base}.q8", ids], [f"{out}.q8"], name=f"{node.name}.q8", axis=0),
                helper.make_node("Cast", [f"{out}.q8"], [f"{out}.f"], name=f"{node.name}.cast", to=onnx.TensorProto.FLOAT),
                helper.make_node("Gather", [f"{base}.scale", ids], [f"{out}.scale"], name=f"{node.name}.scale", axis=0),
                helper.make_node("Mul", [f"{out}.f", f"{out}.scale"], [out], name=f"{node.name}.dequant"),
            ]
            drop.add(base)
            before += w.nbytes
            after += q.nbytes + scale.nbytes
            embeddings += 1
            continue
        weight = inits.get(node.input[1]) if node.op_type == "MatMul" and len(node.input) == 2 else None
        if scheme.matmuls and weight is not None and len(weight.dims) == 2 and weight.dims[0] >= MIN_BLOCK_ROWS and consumers[weight.name] == 1:
            w = numpy_helper.to_array(weight).astype(np.float32)
            k, n = w.shape
            q, scale = _blocks_uint8(w)
            base = weight.name
            new_inits += [numpy_helper.from_array(q, f"{base}.q8"), numpy_helper.from_array(scale, f"{base}.scales")]
            nodes.append(helper.make_node(
                "MatMulNBits", [node.input[0], f"{base}.q8", f"{base}.scales"], list(node.output),
                name=f"{node.name}.q8", domain="com.microsoft", K=k, N=n, bits=8, block_size=BLOCK, accuracy_level=accuracy_level,
            ))
            drop.add(base)
            before += w.nbytes
            after += q.nbytes + scale.nbytes
            matmuls += 1
            continue
        nodes.append(node)
    kept = [i for i in graph.initializer if i.name not in drop]
    del graph.initializer[:]
    graph.initializer.extend(kept + new_inits)
    del graph.node[:]
    graph.node.extend(nodes)
    if not any(o.domain == "com.microsoft" for o in model.opset_import):
        model.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.checker.check_model(model)
    dst.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(dst))
    return {"scheme": scheme.describe, "embedding_tables": embeddings, "matmuls": matmuls,
            "weights_mb_before": round(before / 2**20, 1), "weights_mb_after": round(after / 2**20, 1)}
