"""Server hardening (issue #15, the server items), each through a real uvicorn server on
loopback: body caps (Content-Length and chunked), JSON depth, HTTP semantics of bad requests,
no uploads and no leaked paths, the staff token (bytes compare, lockout), Gradio's queue-full
reply, aborted bodies, bounded chat sessions, honest /healthz, and which client address is
believed. Fast tier: the real pipeline on the tiny corpus with the hashing fake embedder."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from assistant import server as server_mod
from assistant.pipeline import Assistant
from assistant.server import (
    client_address,
    create_app,
    json_depth,
    sweep_sessions,
    trusted_networks,
)
from assistant.settings import Settings
from tests.support import HashingEmbedder, make_corpus, serving

TOKEN = "s3cret-staff-token"
GOOD = "Does massage loosen a stiff neck?"


@pytest.fixture(scope="module")
def bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("hard")
    settings = Settings.of(corpus_dir=make_corpus(root / "corpus"), index_dir=root / "index", gap_log_path=None,
                           answer_min_sentence_score=0.2, rate_limit_per_minute=0, staff_token=TOKEN)
    return Assistant.load(settings, embedder=HashingEmbedder())


@pytest.fixture(scope="module")
def url(bot: Assistant) -> Any:
    with serving(create_app(bot, store=None)) as u:
        yield u


def raw(url: str, head: str, body: bytes = b"", *, chunks: list[bytes] | None = None, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    """One HTTP/1.1 exchange over a plain socket, so the test controls exactly what is sent."""
    u = urlparse(url)
    with socket.create_connection((u.hostname, u.port), timeout=timeout) as s:
        s.sendall(head.encode("latin-1") + body)
        try:
            for c in chunks or []:
                s.sendall(f"{len(c):x}\r\n".encode() + c + b"\r\n")
        except OSError:
            pass  # the server answered and closed before we finished: that is the point
        data = b""
        while b"\r\n\r\n" not in data:
            got = s.recv(65536)
            if not got:
                break
            data += got
        header_blob, _, rest = data.partition(b"\r\n\r\n")
        lines = header_blob.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            got = s.recv(65536)
            if not got:
                break
            rest += got
        return status, headers, rest


def _post_head(path: str, length: int | None, ctype: str = "application/json", extra: str = "") -> str:
    size = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    return f"POST {path} HTTP/1.1\r\nHost: t\r\nContent-Type: {ctype}\r\n{size}{extra}\r\n"


def _shape(body: bytes, reason: str) -> dict[str, Any]:
    d = json.loads(body)
    assert d["status"] == "error" and d["reason"] == reason and "consult your healthcare provider" in d["notice"], d
    assert d["citations"] == [] and d["answer"]
    return d


# --- body and JSON limits ---------------------------------------------------------------------


def test_huge_content_length_is_refused_before_the_body_is_read(url: str) -> None:
    t = time.perf_counter()
    status, headers, body = raw(url, _post_head("/api/ask", 400_000_000), b'{"question": "')
    assert status == 413 and headers.get("connection") == "close"
    _shape(body, "body too large")
    assert time.perf_counter() - t < 5  # it did not wait for 400 MB that never came


def test_chunked_body_over_the_cap_is_refused(url: str) -> None:
    status, _, body = raw(url, _post_head("/api/ask", None), chunks=[b"x" * 4096] * 16)
    assert status == 413
    _shape(body, "body too large")


def test_chunked_body_under_the_cap_is_answered(url: str) -> None:
    payload = json.dumps({"question": GOOD}).encode()
    status, _, body = raw(url, _post_head("/api/ask", None), chunks=[payload[:10], payload[10:], b""])
    assert status == 200 and json.loads(body)["status"] == "answered"


def test_deeply_nested_json_is_a_400_not_a_500(url: str) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    r = httpx.post(url + "api/ask", content=deep, headers={"content-type": "application/json"})
    assert r.status_code == 400
    _shape(r.content, "invalid input")
    # Gradio's routes too, at 100,000 deep (they take bigger bodies: the chat sends its history).
    deeper = b'{"data": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    r = httpx.post(url + "gradio_api/call/chat", content=deeper, headers={"content-type": "application/json"})
    assert r.status_code == 400
    _shape(r.content, "invalid input")
    assert json_depth(b'{"a": "[[[[", "b": [{"c": []}]}') == 4
    assert json_depth(json.dumps({"a": 'x" [[[ \\', "b": [], "c": "]]]"}).encode()) == 2  # escapes inside strings
    # Declared as text, parsed as JSON all the same: still checked.
    r = httpx.post(url + "gradio_api/call/chat", content=deeper, headers={"content-type": "text/plain"})
    assert r.status_code == 400


@pytest.mark.parametrize(("content", "ctype", "status", "reason"), [
    (b"{not json", "application/json", 400, "invalid input"),
    (b"\xff\xfe", "application/json", 400, "invalid input"),
    (b'{"question": 5}', "application/json", 422, "invalid request"),
    (b"{}", "application/json", 422, "invalid request"),
    (b'["a question"]', "application/json", 422, "invalid request"),
    (b'{"question": "hi", "history": "not a list"}', "application/json", 422, "invalid request"),
    (b'{"question": "hi", "history": [5]}', "application/json", 400, "invalid input"),
    (b'{"question": "   "}', "application/json", 400, "invalid input"),
    (b"question=hi", "application/x-www-form-urlencoded", 415, "unsupported media type"),
])
def test_bad_requests_are_4xx_with_the_one_shape(url: str, content: bytes, ctype: str, status: int, reason: str) -> None:
    r = httpx.post(url + "api/ask", content=content, headers={"content-type": ctype})
    assert r.status_code == status
    _shape(r.content, reason)


def test_gradio_error_replies_come_in_the_one_shape_too(url: str) -> None:
    r = httpx.post(url + "gradio_api/call/chat", json={"data": "not a list"})
    assert 400 <= r.status_code < 500
    d = _shape(r.content, {400: "invalid input", 422: "invalid request"}[r.status_code])
    assert d["detail"] == d["answer"]
    r = httpx.get(url + "gradio_api/file=/etc/passwd")
    assert r.status_code == 403 and "/etc/passwd" not in r.text
    _shape(r.content, "not found")


def test_unknown_api_paths_are_404_with_the_shape(url: str) -> None:
    r = httpx.get(url + "api/nothing-here")
    assert r.status_code == 404
    _shape(r.content, "not found")


# --- uploads and paths --------------------------------------------------------------------------


def test_no_route_accepts_uploads_and_no_server_path_leaks(url: str, tmp_path: Any) -> None:
    r = httpx.post(url + "gradio_api/upload", files={"files": ("a.txt", b"hello")})
    assert r.status_code == 404
    _shape(r.content, "not found")
    r = httpx.post(url + "api/ask", files={"files": ("a.txt", b"hello")})
    assert r.status_code == 415
    _shape(r.content, "unsupported media type")
    for resp in (r, httpx.post(url + "gradio_api/upload", files={"files": ("a.txt", b"x")}),
                 httpx.get(url + "gradio_api/file=/etc/passwd"), httpx.get(url + "static/..%2F..%2Fsettings.py")):
        text = resp.text
        assert "/tmp/" not in text and str(server_mod.HERE) not in text and "root:" not in text


# --- staff token --------------------------------------------------------------------------------


def test_staff_token_compares_bytes_and_locks_out_guessing(url: str) -> None:
    r = httpx.get(url + "staff", params={"token": "éé"}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert r.status_code == 403
    for _ in range(4):  # five wrong in all: still just "wrong"
        assert httpx.get(url + "staff", params={"token": "guess"}, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 403
    r = httpx.get(url + "staff", params={"token": "guess"}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert r.status_code == 403  # the sixth failure sets the lock
    r = httpx.get(url + "staff", params={"token": TOKEN}, headers={"X-Forwarded-For": "198.51.100.7"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1  # locked: even the right token waits
    other = httpx.get(url + "staff", headers={"X-Forwarded-For": "198.51.100.8", "X-Staff-Token": TOKEN})
    assert other.status_code == 200 and "Unanswered questions" in other.text
    assert other.headers["cache-control"] == "no-store"


# --- Gradio's queue -----------------------------------------------------------------------------


def test_gradio_queue_full_reply_has_the_notice_and_retry_after(bot: Assistant) -> None:
    """ask_workers=1, ask_queue=1: Gradio runs at most 2 chat handlers (one computing, one
    waiting in the shared gate) and queues 1 more; the next visitor gets the busy reply."""
    settings = bot.settings.replace(ask_workers=1, ask_queue=1)
    slow = Assistant(settings, bot.embedder, bot.live)
    release = threading.Event()
    real_ask = slow.ask
    slow.ask = lambda q, h=None: (release.wait(20), real_ask(q, h))[1]  # type: ignore[method-assign]
    with serving(create_app(slow, store=None)) as u, httpx.Client(base_url=u, timeout=30) as c:
        try:
            codes = []
            for i in range(20):
                r = c.post("gradio_api/call/chat", json={"data": [GOOD, []], "session_hash": f"s{i}"})
                codes.append(r.status_code)
                if r.status_code == 503:
                    break
                time.sleep(0.3)
        finally:
            release.set()
    # Two running (one computing, one waiting in the gate), then Gradio's own queue of 4 x 2.
    assert codes[-1] == 503 and set(codes[:-1]) == {200} and len(codes) > 3, codes
    assert r.headers["retry-after"] == "2"
    d = _shape(r.content, "busy")
    assert d["detail"] == d["answer"]  # Gradio's own client still finds its message
    # Even then an urgent message is read: the refusal carries the urgent reply and its number.
    with serving(create_app(slow, store=None)) as u, httpx.Client(base_url=u, timeout=30) as c:
        release.clear()
        try:
            for i in range(20):
                r = c.post("gradio_api/call/chat", json={"data": [GOOD, []], "session_hash": f"t{i}"})
                if r.status_code == 503:
                    break
                time.sleep(0.3)
            r = c.post("gradio_api/call/chat", json={"data": ["I have crushing chest pain and can't breathe", []],
                                                     "session_hash": "urgent"})
        finally:
            release.set()
    assert r.status_code == 503 and "911" in r.json()["answer"] and "emergency" in r.json()["answer"].lower()


# --- aborted bodies -----------------------------------------------------------------------------


def test_aborted_request_bodies_log_one_line_each_not_a_traceback(url: str, caplog: pytest.LogCaptureFixture) -> None:
    u = urlparse(url)
    caplog.clear()
    with caplog.at_level(logging.INFO):
        for path in ("/api/ask", "/gradio_api/call/chat"):
            for _ in range(5):
                with socket.create_connection((u.hostname, u.port), timeout=5) as s:
                    s.sendall(_post_head(path, 1000).encode() + b'{"question": "')
                time.sleep(0.05)
        time.sleep(0.5)
    went_away = [r for r in caplog.records if "went away" in r.getMessage()]
    assert len(went_away) == 10
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


# --- no state that grows with visitors ----------------------------------------------------------


def test_chat_sessions_are_capped_and_expire(bot: Assistant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(server_mod, "SESSION_CAPACITY", 20)
    app = create_app(bot, store=None)
    import gradio as gr

    page = app.chats[-1]
    assert not [b for b in page.blocks.values() if isinstance(b, gr.State)]  # nothing kept per chat by us
    with serving(app) as u, httpx.Client(base_url=u, timeout=30) as c:
        for i in range(60):
            r = c.post("gradio_api/queue/join", json={"data": [GOOD, []], "fn_index": _fn_index(page, "chat"),
                                                      "session_hash": f"visitor-{i}", "event_data": None, "trigger_id": None})
            assert r.status_code == 200
        c.get("gradio_api/queue/data", params={"session_hash": "visitor-59"}, timeout=30)
        holder = page.state_holder
        assert 0 < len(holder.session_data) <= 20
        import datetime

        for sid in list(holder.time_last_used):
            holder.time_last_used[sid] = datetime.datetime.now() - datetime.timedelta(hours=1)
        assert sweep_sessions(page, idle=600) > 0 and len(holder.session_data) == 0


def _fn_index(blocks: Any, api_name: str) -> int:
    return next(i for i, fn in blocks.fns.items() if fn.api_name == api_name)


# --- errors anywhere, health ----------------------------------------------------------------------


def test_an_unexpected_error_in_any_route_is_a_500_with_the_shape_logged_once(
        bot: Assistant, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    def broken() -> str:
        raise RuntimeError("widget file vanished")

    monkeypatch.setattr(server_mod, "widget_source", broken)
    with serving(create_app(bot, store=None)) as u:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            r = httpx.get(u + "widget.js")
            time.sleep(0.2)
    assert r.status_code == 500
    _shape(r.content, "internal error")
    assert "vanished" not in r.text
    assert len([x for x in caplog.records if x.exc_info]) == 1


@pytest.mark.parametrize(("status", "code"), [("ok", 200), ("degraded", 200), ("down", 503)])
def test_healthz_status_follows_the_index(bot: Assistant, url: str, monkeypatch: pytest.MonkeyPatch, status: str, code: int) -> None:
    real = bot.health()
    monkeypatch.setattr(bot, "health", lambda: {**real, "status": status, "last_reload": {"at": None, "ok": status == "ok", "error": None}})
    r = httpx.get(url + "healthz")
    assert r.status_code == code and r.json()["status"] == status and r.json()["index"] == real["index"]


def test_healthz_when_health_itself_fails_is_503(bot: Assistant, url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bot, "health", lambda: 1 / 0)
    r = httpx.get(url + "healthz")
    assert r.status_code == 503 and r.json()["status"] == "down"


# --- which client address is believed -------------------------------------------------------------


def test_client_address_rules() -> None:
    import ipaddress

    nets = (ipaddress.ip_network("10.0.0.0/8"),)
    assert client_address("10.0.0.1", ["1.1.1.1, 10.0.0.2"], nets) == "1.1.1.1"
    assert client_address("10.0.0.1", ["spoofed, 2.2.2.2"], nets) == "2.2.2.2"
    assert client_address("10.0.0.1", ["garbage"], nets) == "10.0.0.1"
    assert client_address("8.8.8.8", ["1.1.1.1"], nets) == "8.8.8.8"
    assert client_address("10.0.0.1", [], nets) == "10.0.0.1"
    loop = Settings.of(host="127.0.0.1")
    assert [str(n) for n in trusted_networks(loop)] == ["127.0.0.0/8", "::1/128"]
    assert trusted_networks(Settings.of(host="0.0.0.0")) == ()  # bound publicly: no one by default
    assert [str(n) for n in trusted_networks(loop.replace(trusted_proxies=("10.1.0.0/16",)))] == ["10.1.0.0/16"]


def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(bot: Assistant) -> None:
    """Bound to loopback but with an explicit proxy list that excludes loopback: two requests
    claiming different addresses are one client, so the second is limited."""
    settings = bot.settings.replace(rate_limit_per_minute=1, trusted_proxies=("10.9.0.0/16",))
    limited = Assistant(settings, bot.embedder, bot.live)
    with serving(create_app(limited, store=None)) as u:
        a = httpx.post(u + "api/ask", json={"question": GOOD}, headers={"X-Forwarded-For": "203.0.113.1"})
        b = httpx.post(u + "api/ask", json={"question": GOOD}, headers={"X-Forwarded-For": "203.0.113.2"})
    assert a.status_code == 200 and b.status_code == 429
    _shape(b.content, "rate limited")


def test_staff_page_says_what_is_wrong_instead_of_a_500(bot: Assistant) -> None:
    from assistant.gaps import StoreError

    class BrokenStore:
        def record(self, *a: Any, **k: Any) -> None:
            pass

        def health(self) -> dict[str, Any]:
            return {"backend": "sqlite", "ok": False, "dropped": 3, "problem": "gaps.sqlite3 was corrupt: moved aside"}

        def grouped(self, *a: Any, **k: Any) -> list[Any]:
            raise StoreError("database is locked")

        def urgent_total(self) -> int:
            return 0

    with serving(create_app(bot, store=BrokenStore())) as u:
        r = httpx.get(u + "staff", headers={"X-Staff-Token": TOKEN})
    assert r.status_code == 200
    assert "moved aside" in r.text and "events dropped: 3" in r.text and "database is locked" in r.text


# --- limits: bounded memory, windows, backoff -----------------------------------------------------


def test_rate_limiter_memory_is_bounded_and_the_window_slides() -> None:
    from assistant.limits import RateLimiter

    now = [0.0]
    lim = RateLimiter(2, max_clients=100, clock=lambda: now[0])
    for i in range(10_000):
        lim.allow(f"10.0.{i // 256}.{i % 256}")
    assert len(lim) == 100  # a flood of addresses costs 100 entries, not 10,000
    assert lim.check("a") == 0 and lim.check("a") == 0 and lim.check("a") == 60
    now[0] = 30.0
    assert lim.check("a") == 30  # the oldest hit leaves the window in 30 s
    now[0] = 60.0
    assert lim.check("a") == 0
    # One IPv6 /64 is one visitor.
    assert lim.allow("2001:db8::1") and lim.allow("2001:db8::2") and not lim.allow("2001:db8::ffff")
    assert lim.allow("2001:db8:0:1::1")


def test_staff_lockout_doubles_forgets_and_is_bounded() -> None:
    from assistant.errors import LockedOutError
    from assistant.limits import StaffLockout

    now = [0.0]
    lock = StaffLockout(free=2, max_lock=8, forget=100, max_clients=10, clock=lambda: now[0])
    waits = []
    for _ in range(6):
        lock.failed("x")
        try:
            lock.check("x")
            waits.append(0)
        except LockedOutError as e:
            waits.append(e.retry_after)
    assert waits == [0, 0, 1, 2, 4, 8]  # doubling, capped at max_lock
    now[0] = 200.0
    lock.check("x")  # forgotten after `forget` seconds
    for i in range(50):
        lock.failed(f"c{i}")
    assert len(lock._state) == 10


def test_gate_counts_places_and_gives_up_waiting() -> None:
    from assistant.errors import BusyError
    from assistant.limits import Gate

    gate = Gate(workers=1, queue=1, max_wait=0.2)
    with gate.slot():
        ticket = gate.reserve()  # the one waiting place
        with pytest.raises(BusyError):
            gate.reserve()  # full: at once
        t = time.perf_counter()
        with pytest.raises(BusyError), ticket.turn():
            pass  # waited max_wait for the busy worker, then gave up
        assert time.perf_counter() - t >= 0.2
        ticket.release()
        ticket.release()  # idempotent
        assert gate.inside == 1 and gate.computing == 1
    assert gate.inside == 0 and gate.computing == 0
    assert gate.run(lambda a, b: a + b, 2, 3) == 5
