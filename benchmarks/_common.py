"""Shared helpers: benchmarks print figures beside a baseline measured in the same run."""

from __future__ import annotations

import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
REPO = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Can massage help with the stiffness I get after long drives?",
    "how long does a session last",
    "would a massage help my migranes",
    "does insurance cover medical massage",
    "should i drink water after my massage",
    "what is myofascial release",
    "can massage help sciatica",
    "how often should i get a massage",
]


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def summary(name: str, xs: list[float]) -> str:
    return f"{name:<34} p50 {pct(xs, 50):8.2f} ms   p95 {pct(xs, 95):8.2f} ms   mean {statistics.fmean(xs):8.2f} ms"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def repo_settings(**flat):
    """Settings over the repository's own corpus and index, whatever the working directory
    (benchmarks run from benchmarks/, and the defaults are relative to the working directory)."""
    from assistant.settings import Settings

    return Settings.of(corpus_dir=REPO / "corpus", index_dir=REPO / "index", gap_log_path=None, **flat)


def scratch_settings(corpus: Path | None = None):
    """Settings over a scratch index (and a copy of the corpus unless `corpus` is given),
    reusing the repo's ONNX export so no benchmark pays for exporting again."""
    from assistant.settings import Settings

    root = Path(tempfile.mkdtemp(prefix="bench-"))
    if corpus is None:
        corpus = shutil.copytree(REPO / "corpus", root / "corpus")
    if (REPO / "index" / "onnx").is_dir():
        shutil.copytree(REPO / "index" / "onnx", root / "index" / "onnx")
    # No gap log: a relative default would write into benchmarks/var/.
    return Settings.of(corpus_dir=Path(corpus), index_dir=root / "index", gap_log_path=None), root
