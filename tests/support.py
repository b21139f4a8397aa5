"""Test helpers shared by the test files (never imported by assistant/): the hashing fake
embedder for the fast tier, the tiny corpus, and a corpus writer."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent


class HashingEmbedder:
    """Deterministic hashed bag of words (with bigrams). For fast unit tests, never for answers.

    >>> v = HashingEmbedder(dim=64).encode(["neck pain", "neck pain"])
    >>> v.shape, bool(abs(float(v[0] @ v[1]) - 1.0) < 1e-6)
    ((2, 64), True)
    """

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


TINY = {
    "neck.md": "# Neck Care\n\n## Stiff necks\n\nA stiff neck often comes from poor posture at a desk. "
    "Gentle massage can loosen the muscles of the neck and shoulders.\n\n## Sleep\n\n"
    "Many people sleep better after a relaxing session. Rest matters for recovery.\n",
    "feet.txt": "Happy Feet\nFoot Massage\nReflexology works on points of the feet. Warm water soaks help before a session.\n",
}


def make_corpus(directory: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """Write `files` (name -> text, or raw bytes) into `directory` (created); TINY by default."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for name, content in (TINY if files is None else files).items():
        if isinstance(content, bytes):
            (directory / name).write_bytes(content)
        else:
            (directory / name).write_text(content, encoding="utf-8")
    return directory


def filled_faq(text: str) -> str:
    """docs/faq.example.md with its [placeholders] filled in (brackets dropped), as staff
    would after editing it: a FAQ the build accepts."""
    from assistant.curated import placeholders

    for p in placeholders(text):
        text = text.replace(p, p[1:-1])
    return text


# --- servers (engineer B) -------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def running_server(corpus: Path, index: Path, *extra_args: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    """`massage-assistant serve` in a subprocess on a free loopback port; yields its URL. Its
    log is var/serve-<port>.log next to the index; the gap log var/gaps.sqlite3."""
    import contextlib
    import os
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    @contextlib.contextmanager
    def run():  # type: ignore[no-untyped-def]
        port = free_port()
        var = Path(index).parent / "var"
        full_env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_OFFLINE": "1",
                    "MASSAGE_GAP_LOG_PATH": str(var / "gaps.sqlite3"), "MASSAGE_RATE_LIMIT_PER_MINUTE": "1000", **(env or {})}
        var.mkdir(exist_ok=True)
        log = open(var / f"serve-{port}.log", "w")  # noqa: SIM115
        proc = subprocess.Popen(
            [sys.executable, "-m", "assistant", "serve", "--port", str(port), "--corpus", str(corpus), "--index", str(index),
             *extra_args],
            stdout=log, stderr=subprocess.STDOUT, env=full_env,
        )
        url = f"http://127.0.0.1:{port}/"
        deadline = time.time() + 90
        while time.time() < deadline:
            try:
                urllib.request.urlopen(url + "healthz", timeout=1)
                break
            except urllib.error.HTTPError:  # up, but not healthy: the test decides
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(Path(log.name).read_text()) from None
                time.sleep(0.3)
        else:
            proc.kill()
            raise RuntimeError("server did not start")
        try:
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            log.close()

    return run()


def serving(app: object, host: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
    """Any ASGI app (e.g. `server.create_app(...)` over a fake-embedder Assistant) served by a
    real uvicorn on a free loopback port in this process, with the options `serve` uses;
    yields its URL."""
    import contextlib
    import threading
    import time

    import uvicorn

    @contextlib.contextmanager
    def run():  # type: ignore[no-untyped-def]
        port = free_port()
        from assistant.server import UVICORN_OPTIONS

        server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, lifespan="on", **UVICORN_OPTIONS))
        thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
        thread.start()
        deadline = time.time() + 30
        while not server.started:
            if time.time() > deadline or not thread.is_alive():
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        try:
            yield f"http://{host}:{port}/"
        finally:
            server.should_exit = True
            thread.join(10)

    return run()
