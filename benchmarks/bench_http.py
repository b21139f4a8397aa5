"""The served app over raw HTTP on loopback: one visitor, then many at once.

A real `massage-assistant serve` process answers POST /api/ask; the client here speaks plain
HTTP/1.1 over asyncio sockets with keep-alive (gradio_client's polling would add ~75 ms a call
and measure the client, not the server). Every visitor asks, waits for the whole answer and
asks again at once (no think time: a harsher load than real visitors) until the time is up.

Same-run baselines: the in-process ask() time and GET /healthz (the HTTP floor).
Goal (issue 7): 50 visitors for 60 s with zero errors and p95 under 300 ms.

    python bench_http.py                     # sweep ask_workers 1/2/4 (15 s each), then 50 x 60 s
    python bench_http.py --no-sweep --seconds 20

The client shares the server's two cores, so the figures are a floor for a dedicated server.
Rate limiting is off for the load (every visitor is the same loopback address).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from _common import QUESTIONS, free_port, pct, scratch_settings, summary, timed

_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.I)


def start_server(settings, workers: int | None) -> tuple[subprocess.Popen, int]:
    port = free_port()
    env = {**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", "MASSAGE_RATE_LIMIT_PER_MINUTE": "0",
           "MASSAGE_GAP_LOG_PATH": str(settings.paths.index_dir.parent / "gaps.sqlite3")}
    if workers is not None:
        env["MASSAGE_ASK_WORKERS"] = str(workers)
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant", "serve", "--no-watch", "--port", str(port),
         "--corpus", str(settings.paths.corpus_dir), "--index", str(settings.paths.index_dir)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not come up")


def stop(proc: subprocess.Popen) -> int:
    rss = int(Path(f"/proc/{proc.pid}/status").read_text().split("VmHWM:")[1].split()[0]) // 1024
    proc.terminate()
    proc.wait(20)
    return rss


async def one(reader, writer, method: bytes, path: bytes, body: bytes = b"") -> tuple[int, bytes]:
    head = (method + b" " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n")
    writer.write(head + body)
    await writer.drain()
    resp = await reader.readuntil(b"\r\n\r\n")
    status = int(resp.split(b" ", 2)[1])
    m = _LENGTH.search(resp)
    data = await reader.readexactly(int(m.group(1))) if m else b""
    return status, data


def check(status: int, data: bytes) -> str | None:
    """None when the reply is a good answer; otherwise what was wrong."""
    if status != 200:
        return f"HTTP {status}"
    try:
        reply = json.loads(data)
    except ValueError:
        return "not JSON"
    if reply.get("status") == "error" or not reply.get("notice"):
        return f"status {reply.get('status')}"
    return None


async def sequential(port: int, method: bytes, path: bytes, body: bytes, n: int) -> list[float]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    out = []
    for _ in range(n):
        t = time.perf_counter()
        status, data = await one(reader, writer, method, path, body)
        out.append((time.perf_counter() - t) * 1000)
        assert status == 200, (status, data[:200])
    writer.close()
    return out


async def load(port: int, visitors: int, seconds: float) -> dict:
    lat: list[float] = []
    errors: dict[str, int] = {}
    bodies = [json.dumps({"question": q}).encode() for q in QUESTIONS]
    start = time.perf_counter()
    deadline = start + seconds

    async def visitor(i: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        j = i
        while time.perf_counter() < deadline:  # bounded: no request starts after the deadline
            t = time.perf_counter()
            try:
                status, data = await one(reader, writer, b"POST", b"/api/ask", bodies[j % len(bodies)])
                problem = check(status, data)
            except (OSError, asyncio.IncompleteReadError) as exc:
                problem = type(exc).__name__
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if problem:
                errors[problem] = errors.get(problem, 0) + 1
            else:
                lat.append((time.perf_counter() - t) * 1000)
            j += 1
        writer.close()

    await asyncio.gather(*(visitor(i) for i in range(visitors)))
    elapsed = time.perf_counter() - start
    return {"answers": len(lat), "per_s": len(lat) / elapsed, "p50": pct(lat, 50), "p95": pct(lat, 95),
            "p99": pct(lat, 99), "max": max(lat, default=0.0), "errors": errors}


def line(label: str, r: dict) -> str:
    errs = sum(r["errors"].values())
    return (f"{label:<30} {r['answers']:6d} answers  {r['per_s']:6.1f}/s   p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}"
            f"  p99 {r['p99']:6.1f}  max {r['max']:6.1f} ms   errors {errs} {r['errors'] or ''}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visitors", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--sweep", action=argparse.BooleanOptionalAction, default=True)
    args = ap.parse_args()
    settings, root = scratch_settings()

    from assistant.pipeline import Assistant

    bot = Assistant.load(settings.replace(gap_log_path=None))  # builds the index the server will load
    for q in QUESTIONS:
        bot.ask(q)
    per_q = [x / len(QUESTIONS) for x in timed(lambda: [bot.ask(q) for q in QUESTIONS], 25)]
    bot = None  # free the model before the server process starts

    proc, port = start_server(settings, None)
    try:
        body = json.dumps({"question": QUESTIONS[1]}).encode()
        health = asyncio.run(sequential(port, b"GET", b"/healthz", b"", 300))
        ask = asyncio.run(sequential(port, b"POST", b"/api/ask", body, 300))
        print(summary("baseline: in-process ask()", per_q) + "   (mean of 8 questions)")
        print(summary("baseline: GET /healthz", health))
        print(summary("POST /api/ask, one visitor", ask))
    finally:
        rss = stop(proc)
    print(f"server peak RSS after the single-visitor runs: {rss} MB\n")

    if args.sweep:
        for workers in (1, 2, 4):
            proc, port = start_server(settings, workers)
            try:
                r = asyncio.run(load(port, args.visitors, 15))
            finally:
                stop(proc)
            print(line(f"ask_workers={workers}, {args.visitors} x 15 s", r))
        print()
    proc, port = start_server(settings, None)
    try:
        r = asyncio.run(load(port, args.visitors, args.seconds))
    finally:
        rss = stop(proc)
    print(line(f"default, {args.visitors} x {args.seconds:.0f} s", r))
    print(f"server peak RSS under load: {rss} MB   goal: 0 errors, p95 < 300 ms")
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
