"""`massage-assistant --help` time, and cold start of `serve` until the first answer.

Baseline for --help: a bare `python -c pass` in the same run. Cold starts alternate between
the torch baseline and the default (ONNX) backend, REPEAT times each; medians are printed.
Goal (issues 7 and 16): first answer within 3 s, RSS within 350 MB.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import free_port, scratch_settings, timed

REPEAT = 5


def main() -> None:
    py = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    helps = timed(lambda: subprocess.run([sys.executable, "-m", "assistant", "--help"], check=True, capture_output=True), 5)
    print(f"baseline: python -c pass             {min(py):7.0f} ms")
    print(f"massage-assistant --help             {min(helps):7.0f} ms")

    settings, _ = scratch_settings()
    args = ["--corpus", str(settings.paths.corpus_dir), "--index", str(settings.paths.index_dir)]
    subprocess.run([sys.executable, "-m", "assistant", "build", *args], check=True, capture_output=True,
                   env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    runs: dict[str, list[tuple[float, float, int]]] = {"torch": [], "onnx": []}
    for _ in range(REPEAT):  # alternating, so both see the same machine
        for backend in ("torch", "onnx"):  # torch first: the baseline
            runs[backend].append(cold_start(args, backend))
    for backend, rows in runs.items():
        up, first, rss = (statistics.median(r[i] for r in rows) for i in range(3))
        label = "baseline: torch" if backend == "torch" else "onnx"
        print(f"serve cold start ({label:<15}) page up {up:5.2f} s   first answer {first:5.2f} s   RSS {rss:4.0f} MB"
              f"   (median of {len(rows)}; first answers {', '.join(f'{r[1]:.2f}' for r in rows)} s)")


def cold_start(args: list[str], backend: str) -> tuple[float, float, int]:
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "MASSAGE_EMBED_BACKEND": backend}
    port = free_port()
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--no-watch", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                urllib.request.urlopen(url + "healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        up = time.perf_counter() - t0
        req = urllib.request.Request(url + "api/ask", data=b'{"question": "how long does a session last"}',
                                     headers={"Content-Type": "application/json"}, method="POST")
        urllib.request.urlopen(req).read()
        first = time.perf_counter() - t0
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = int(status.split("VmRSS:")[1].split()[0]) // 1024
    finally:
        proc.terminate()
        proc.wait(20)
    return up, first, rss

if __name__ == "__main__":
    main()
