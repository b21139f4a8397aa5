"""Visitors of a Gradio chat, the way a browser's chat calls it, over raw HTTP/1.1 on asyncio.

One chat turn is `POST /gradio_api/call/chat` (the message, and for chats that send it the whole
history) and then `GET /gradio_api/call/chat/<event_id>`, an event stream read until its
`complete` (or `error`) event; the turn's latency runs from the POST to that event. No
gradio_client: its polling adds about 75 ms a call and measures the client, not the server.

A visitor arrives after an exponential think time, opens a new connection, starts a new
session (a fresh session_hash), asks 1-3 questions with think times between them, leaves, and
comes back later as a new visitor. With `think=0` the visitors ask back to back (closed-loop
saturation). Everything is bounded: no turn starts after the deadline, each has a timeout,
and turns still running at the end get a grace period and are then cancelled.

The servers are subprocesses on loopback (`Server`); their memory is read from /proc.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import resource
import secrets
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from _common import QUESTIONS, pct

FOLLOW_UPS = ["how often should I do that?", "what about for migraines?", "and how long does it last?",
              "is it safe for that?", "what should I do after it?"]
# The project's own polite failures arrive as chat messages, not HTTP errors: count them as errors.
FAILURE_REPLIES = {"Sorry, something went wrong": "error reply", "We're answering a lot of questions": "busy reply",
                   "You're sending questions very quickly": "rate limited"}


class Server:
    """A server subprocess on loopback; `rss_mb()` is its resident memory now."""

    def __init__(self, label: str, cmd: list[str], port: int, *, env: dict[str, str] | None = None,
                 cwd: Path | None = None, ready_path: str = "/", timeout: float = 180) -> None:
        self.label, self.port = label, port
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd,
                                     env={**os.environ, "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})})
        deadline = time.time() + timeout
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2).read()
                return
            except OSError:
                if self.proc.poll() is not None or time.time() > deadline:
                    self.proc.kill()
                    err = self.proc.stderr.read().decode(errors="replace")[-3000:] if self.proc.stderr else ""
                    raise SystemExit(f"{label} did not come up:\n{err}") from None
                time.sleep(0.2)

    def _status(self, key: str) -> int:
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        return int(status.split(key + ":")[1].split()[0]) // 1024

    def rss_mb(self) -> int:
        return self._status("VmRSS")

    def peak_mb(self) -> int:
        return self._status("VmHWM")

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()


class ChatError(Exception):
    """A turn that did not end in a good answer; str() is its category."""


class Conn:
    """One keep-alive HTTP/1.1 connection."""

    IDLE = 4.0  # uvicorn closes keep-alive connections idle for 5 s; a browser would open another

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.used = time.monotonic()

    def stale(self) -> bool:
        return time.monotonic() - self.used > self.IDLE

    @classmethod
    async def open(cls, port: int) -> Conn:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 22)
        return cls(reader, writer)

    def close(self) -> None:
        self.writer.close()

    async def _head(self) -> tuple[int, dict[bytes, bytes]]:
        raw = await self.reader.readuntil(b"\r\n\r\n")
        self.used = time.monotonic()
        lines = raw.split(b"\r\n")
        headers = {}
        for h in lines[1:]:
            k, _, v = h.partition(b":")
            headers[k.strip().lower()] = v.strip()
        return int(lines[0].split(b" ", 2)[1]), headers

    async def _body(self, headers: dict[bytes, bytes]) -> bytes:
        if headers.get(b"transfer-encoding") == b"chunked":
            parts = []
            while chunk := await self._chunk():
                parts.append(chunk)
            return b"".join(parts)
        return await self.reader.readexactly(int(headers.get(b"content-length", b"0")))

    async def _chunk(self) -> bytes:
        size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
        data = await self.reader.readexactly(size + 2)  # the chunk and its CRLF
        return data[:-2]

    async def post_json(self, path: str, payload: bytes) -> tuple[int, bytes]:
        self.writer.write(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                          b"Content-Length: " + str(len(payload)).encode() + b"\r\n\r\n" + payload)
        status, headers = await self._head()
        return status, await self._body(headers)

    async def events(self, path: str) -> tuple[str, bytes]:
        """GET an event stream; (event, data) of its first `complete` or `error` event. The stream
        is then read to its end so that the connection can be reused."""
        self.writer.write(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        status, headers = await self._head()
        if status != 200 or headers.get(b"transfer-encoding") != b"chunked":
            await self._body(headers)
            raise ChatError(f"stream HTTP {status}")
        buf = b""
        found: tuple[str, bytes] | None = None
        while chunk := await self._chunk():
            if found:
                continue
            buf += chunk
            self.used = time.monotonic()
            while b"\n\n" in buf and not found:
                event, buf = buf.split(b"\n\n", 1)
                name, data = b"", b""
                for line in event.split(b"\n"):
                    if line.startswith(b"event:"):
                        name = line[6:].strip()
                    elif line.startswith(b"data:"):
                        data = line[5:].strip()
                if name in (b"complete", b"error"):
                    found = (name.decode(), data)
        if not found:
            raise ChatError("stream ended without an answer")
        return found


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # ms, good answers only
    errors: dict[str, int] = field(default_factory=dict)
    sessions: int = 0
    bytes_sent: int = 0
    bytes_answer: int = 0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


def answer_text(kind: str, sent_history: list, data: list) -> tuple[str, list]:
    """The answer's text and the history to send next turn; ChatError when it is no answer."""
    if kind == "message":  # gr.ChatInterface: the reply alone, history kept by the server
        text = data[0] if data and isinstance(data[0], str) else ""
        history = sent_history
    else:
        history = data[0] if data and isinstance(data[0], list) else []
        if len(history) <= len(sent_history):
            raise ChatError("no new messages")
        replies = [m for m in history[len(sent_history):] if isinstance(m, dict) and m.get("role") == "assistant"]
        content = replies[0].get("content") if replies else ""
        if isinstance(content, list):
            content = " ".join(c.get("text", "") for c in content if isinstance(c, dict))
        text = content if isinstance(content, str) else ""
    if not text.strip():
        raise ChatError("empty answer")
    for prefix, category in FAILURE_REPLIES.items():
        if text.startswith(prefix):
            raise ChatError(category)
    return text, history


async def turn(conn: Conn, kind: str, session: str, message: str, history: list, tally: Tally) -> list:
    data = [message] if kind == "message" else [message, history]
    payload = json.dumps({"data": data, "session_hash": session}).encode()
    tally.bytes_sent += len(payload)
    status, body = await conn.post_json("/gradio_api/call/chat", payload)
    if status != 200:
        raise ChatError(f"HTTP {status}")
    event_id = json.loads(body)["event_id"]
    event, data_raw = await conn.events(f"/gradio_api/call/chat/{event_id}")
    if event != "complete":
        raise ChatError(f"event {event}")
    tally.bytes_answer += len(data_raw)
    _, history = answer_text(kind, history, json.loads(data_raw))
    return history


async def visitors(port: int, kind: str, n: int, seconds: float, think: float, *, turns: tuple[int, int] = (1, 3),
                   timeout: float = 30.0, grace: float = 10.0, seed: int = 0,
                   max_sessions: int | None = None, tally: Tally | None = None) -> dict:
    """`n` visitors for `seconds`, each session 1-3 turns with exponential think times of mean
    `think` seconds (0: back to back). Returns throughput, percentiles, errors and client CPU."""
    rng = random.Random(seed)
    tally = tally if tally is not None else Tally()
    start = time.perf_counter()
    deadline = start + seconds
    last_answer = [start]
    ru0 = resource.getrusage(resource.RUSAGE_SELF)

    def pause() -> float:
        return rng.expovariate(1 / think) if think > 0 else 0.0

    async def visitor(i: int) -> None:
        j = i
        await asyncio.sleep(pause() if think > 0 else 0.0)  # arrivals spread out: never lockstep
        while time.perf_counter() < deadline and (max_sessions is None or tally.sessions < max_sessions):
            tally.sessions += 1
            session = secrets.token_hex(6)
            history: list = []
            conn: Conn | None = None
            try:
                conn = await Conn.open(port)
                for t in range(rng.randint(*turns)):
                    if t and think > 0:
                        await asyncio.sleep(pause())
                    if time.perf_counter() >= deadline:
                        break
                    message = QUESTIONS[j % len(QUESTIONS)] if t == 0 else FOLLOW_UPS[j % len(FOLLOW_UPS)]
                    j += 1
                    t0 = time.perf_counter()
                    if conn.stale():
                        conn.close()
                        conn = await Conn.open(port)
                    try:
                        history = await asyncio.wait_for(turn(conn, kind, session, message, history, tally), timeout)
                    except ChatError as exc:
                        tally.error(str(exc))
                        if not str(exc).startswith(("HTTP", "event", "stream")):
                            continue
                        break  # the connection's state is unknown: this visitor leaves
                    tally.latencies.append((time.perf_counter() - t0) * 1000)
                    last_answer[0] = time.perf_counter()
            except TimeoutError:
                tally.error("timeout")
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                tally.error(type(exc).__name__)
            finally:
                if conn:
                    conn.close()
            if think > 0 and time.perf_counter() < deadline:
                await asyncio.sleep(pause())

    tasks = [asyncio.create_task(visitor(i)) for i in range(n)]
    _, pending = await asyncio.wait(tasks, timeout=seconds + grace + timeout)
    for t in pending:
        t.cancel()
    if pending:
        tally.error("cancelled at the end")
        await asyncio.gather(*pending, return_exceptions=True)
    wall = time.perf_counter() - start
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    lat = tally.latencies
    return {"answers": len(lat), "per_s": len(lat) / max(last_answer[0] - start, 1e-9),
            "p50": pct(lat, 50) if lat else float("nan"), "p95": pct(lat, 95) if lat else float("nan"),
            "p99": pct(lat, 99) if lat else float("nan"), "errors": tally.errors, "sessions": tally.sessions,
            "client_cpu": cpu / wall, "wall": wall,
            "bytes_sent": tally.bytes_sent / max(1, len(lat)), "bytes_answer": tally.bytes_answer / max(1, len(lat))}


def run(coro):
    """asyncio.run on uvloop when it is installed (a cheaper load generator)."""
    try:
        import uvloop

        return uvloop.run(coro)
    except ImportError:
        return asyncio.run(coro)


def python() -> str:
    return sys.executable
