"""A learned safety classifier over the message embedding (issue #12), beside the rules and the
exemplar bank.

Multinomial logistic regression, classes emergency / crisis / caution / none, over two feature
blocks of one message vector (all-MiniLM-L6-v2, the vector the pipeline already computed):
the vector itself, and its highest cosine similarity to each group of the exemplar bank
(`assistant/data/safety_bank.toml`, a copy of its vectors ships with the weights so the two never
drift apart). It was trained on every labelled message in `evals/safety*.jsonl` plus the bank, and
its thresholds were chosen on leave-one-author-out scores (`benchmarks/train_safety_model.py`).

Scoring is two small matrix products, with no encode of its own: well under 1 ms. Weights are
plain arrays (`data/safety_model.npz`, loaded with `allow_pickle=False`); thresholds and the
training data's names, sizes and sha256 are in `data/safety_model.json`. Nothing loads at import.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np

CLASSES = ("emergency", "crisis", "caution", "none")
LEVELS = ("emergency", "crisis", "caution")  # the classes with a threshold
Level = Literal["emergency", "crisis", "caution"]


def group_features(vecs: np.ndarray, bank: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """(n, dim) unit vectors -> (n, dim + groups): the vectors, then each one's best cosine
    similarity to every bank group (the bank's rows are sorted by group; `starts` are the first
    row of each group)."""
    vecs = np.atleast_2d(np.asarray(vecs, dtype=np.float32))
    sims = vecs @ bank.T
    return np.hstack([vecs, np.maximum.reduceat(sims, starts, axis=1)])


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def default_paths() -> tuple[Path, Path]:
    base = Path(str(resources.files("assistant").joinpath("data")))
    return base / "safety_model.npz", base / "safety_model.json"


@dataclass(frozen=True)
class SafetyModel:
    weights: np.ndarray  # (dim + groups, classes), standardization folded in
    bias: np.ndarray  # (classes,)
    bank: np.ndarray  # (exemplars, dim) unit rows, sorted by group
    starts: np.ndarray  # first bank row of each group
    groups: tuple[str, ...]
    thresholds: dict[str, float]  # per level in LEVELS: a class probability
    meta: dict[str, Any]  # provenance (training sets, sizes, sha256, cross-validation)

    @classmethod
    def load(cls, path: Path | None = None) -> SafetyModel:
        """`path`: the .npz; its provenance and thresholds are read from the .json beside it."""
        npz, meta_path = (Path(path), Path(path).with_suffix(".json")) if path else default_paths()
        with np.load(npz, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        thresholds = {k: float(meta["thresholds"][k]) for k in LEVELS}
        if tuple(str(c) for c in arrays["classes"]) != CLASSES:
            raise ValueError(f"{npz}: classes {arrays['classes']} are not {CLASSES}")
        return cls(arrays["weights"].astype(np.float32), arrays["bias"].astype(np.float32),
                   arrays["bank"].astype(np.float32), arrays["starts"].astype(np.int64),
                   tuple(str(g) for g in arrays["groups"]), thresholds, meta)

    @property
    def dim(self) -> int:
        return int(self.bank.shape[1])

    def fits(self, embedder: Any) -> bool:
        """Was it trained on this embedder's vectors? (Not on the fast tests' hashing fake, nor on
        another model: its weights mean nothing there.)"""
        trained = self.meta.get("embedder", {})
        return bool(trained) and embedder.dim == self.dim and embedder.fingerprint == trained.get("fingerprint")

    def scores(self, vecs: np.ndarray) -> np.ndarray:
        """Class probabilities, (n, len(CLASSES)), for (n, dim) or (dim,) unit vectors."""
        x = group_features(vecs, self.bank, self.starts)
        return softmax(x @ self.weights + self.bias)

    def verdict(self, vec: np.ndarray) -> tuple[Level, float] | None:
        """(level, probability) when a level passes its threshold, else None. Urgent levels win
        over caution. `vec` may hold several rows (a long message's vector and its sentences'):
        each class's highest probability over the rows counts, so one alarming sentence in a
        chatty message is not diluted."""
        p = self.scores(vec).max(axis=0)
        urgent: list[tuple[float, Level]] = [(float(p[0]), "emergency"), (float(p[1]), "crisis")]
        passed = [(prob, level) for prob, level in urgent if prob >= self.thresholds[level]]
        if passed:
            prob, level = max(passed)
            return level, round(prob, 4)
        if p[2] >= self.thresholds["caution"]:
            return "caution", round(float(p[2]), 4)
        return None
