"""`massage-assistant --help` time, and cold start of `serve` until the first answer.

Baseline for --help: a bare `python -c pass` in the same run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import scratch_settings, timed


def first_answer(url: str) -> None:
    from gradio_client import Client

    Client(url, verbose=False).predict("how long does a session last", api_name="/ask")


def main() -> None:
    py = timed(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    helps = timed(lambda: subprocess.run([sys.executable, "-m", "assistant", "--help"], check=True, capture_output=True), 5)
    print(f"baseline: python -c pass             {min(py):7.0f} ms")
    print(f"massage-assistant --help             {min(helps):7.0f} ms")

    settings, _ = scratch_settings()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False"}
    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    subprocess.run([sys.executable, "-m", "assistant", "build", *args], check=True, capture_output=True, env=env)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(port), *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    url = f"http://127.0.0.1:{port}/"
    try:
        while True:
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        up = time.perf_counter() - t0
        first_answer(url)
        first = time.perf_counter() - t0
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = int(status.split("VmRSS:")[1].split()[0]) // 1024
    finally:
        proc.terminate()
        proc.wait(10)
    print(f"serve cold start: page up            {up:7.2f} s")
    print(f"serve cold start: first answer       {first:7.2f} s (includes gradio_client connect)")
    print(f"serving process RSS after 1 answer   {rss:7d} MB")


if __name__ == "__main__":
    main()
