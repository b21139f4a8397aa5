"""One edge, every way in: the same sequence of questions through the Python edge, `POST
/api/ask`, the Gradio chat, the Gradio `/ask` API and `massage-assistant ask --json` gives the
same behaviour: an emergency answered whatever the limits, the rate limit, one error shape with
the notice, an injected failure turned into a clear reply logged once, and the gap log written.

Fast tier: the real pipeline on the tiny corpus with the hashing fake embedder, served by a
real uvicorn server in this process (the Gradio parts through `gradio_client`)."""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from assistant.edge import Edge, Reply, Request, clean_history
from assistant.errors import BusyError, InputError
from assistant.limits import Gate, RateLimiter
from assistant.pipeline import Assistant
from assistant.settings import Settings
from tests.support import HashingEmbedder, make_corpus, serving

LIMIT = 6  # questions per client per minute in these tests
GOOD = "Does massage loosen a stiff neck?"
BOOM = "please fail on purpose"
URGENT = "my chest is tight and my arm went numb"


class RecordingStore:
    """The gap store's interface, in memory (thread-safe enough for list.append)."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, list[str], str]] = []

    def record(self, kind: str, question: str, status: str, chunk_ids: list[str], reason: str = "") -> None:
        self.rows.append((kind, question, status, list(chunk_ids), reason))

    def kinds(self, question: str | None = None) -> list[str]:
        return [r[0] for r in self.rows if question is None or r[1] == question]

    def health(self) -> dict[str, Any]:
        return {"backend": "memory", "ok": True, "dropped": 0, "problem": None}

    def grouped(self, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    def urgent_total(self) -> int:
        return self.kinds().count("urgent")


@pytest.fixture(scope="module")
def fake_bot(tmp_path_factory: pytest.TempPathFactory) -> Assistant:
    root = tmp_path_factory.mktemp("edge")
    settings = Settings.of(corpus_dir=make_corpus(root / "corpus"), index_dir=root / "index", gap_log_path=None,
                           answer_min_sentence_score=0.2, rate_limit_per_minute=LIMIT, max_question_chars=200)
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    real_ask = bot.ask

    def ask(question: Any, history: Any = None) -> Any:
        if question == BOOM:
            raise RuntimeError("injected failure")
        return real_ask(question, history)

    bot.ask = ask  # type: ignore[method-assign]  # the failure injected below every entry point
    return bot


@pytest.fixture(scope="module")
def store() -> RecordingStore:
    return RecordingStore()


@pytest.fixture(scope="module")
def server(fake_bot: Assistant, store: RecordingStore) -> Any:
    from assistant.server import create_app

    app = create_app(fake_bot, store=store)
    with serving(app) as url:
        yield url, app


def steps(entry: str) -> list[str]:
    """The sequence every entry point gets; the no-answer question is made distinct per entry
    point so the gap log rows can be told apart."""
    return [GOOD, "   ", "x" * 201, BOOM, f"zzz qqq {entry}", GOOD, GOOD, URGENT]


EXPECTED = [  # (status, reason) per step, with the limit at 6 a minute
    ("answered", None), ("error", "invalid input"), ("error", "too long"), ("error", "internal error"),
    ("no_answer", None), ("answered", None), ("error", "rate limited"), ("urgent", None),
]
HTTP = [200, 400, 413, 500, 200, 200, 429, 200]


def check(results: list[dict[str, Any]], store: RecordingStore, entry: str, notice: str) -> None:
    got = [(r["status"], r["reason"] if r["status"] == "error" else None) for r in results]
    assert got == EXPECTED, entry
    for r in results:
        assert r["notice"] == notice, (entry, r)  # the notice, errors included
        if r["status"] == "error":
            assert set(r) >= {"status", "answer", "citations", "notice", "reason", "confidence"} and r["citations"] == []
    assert "internal error" not in results[3]["answer"] and "went wrong on our side" in results[3]["answer"]
    assert "no_answer" in store.kinds(f"zzz qqq {entry}")


def count_boom_logs(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for r in caplog.records if r.exc_info and "injected failure" in str(r.exc_info[1]))


def test_python_edge(fake_bot: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    store = RecordingStore()
    edge = Edge(fake_bot, fake_bot.settings, store=store)
    with caplog.at_level(logging.ERROR):
        replies = [edge.handle(Request(q, None, "python-client", "python")) for q in steps("python")]
    check([r.to_dict() for r in replies], store, "python", fake_bot.settings.notice_text)
    assert [r.http_status for r in replies] == HTTP
    assert dict(replies[6].headers)["Retry-After"].isdigit()
    assert count_boom_logs(caplog) == 1  # one traceback for staff, not one per layer
    assert store.kinds().count("urgent") == 1 and "" in [r[1] for r in store.rows if r[0] == "urgent"]


def test_http_api(server: Any, store: RecordingStore, fake_bot: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    import httpx

    url, _ = server
    before = store.kinds().count("urgent")
    with caplog.at_level(logging.ERROR), httpx.Client(base_url=url, timeout=30) as c:
        responses = [c.post("api/ask", json={"question": q}, headers={"X-Forwarded-For": "203.0.113.10"})
                     for q in steps("api")]
    assert [r.status_code for r in responses] == HTTP
    check([r.json() for r in responses], store, "api", fake_bot.settings.notice_text)
    assert responses[6].headers["retry-after"].isdigit()
    assert count_boom_logs(caplog) == 1
    assert store.kinds().count("urgent") == before + 1


def _gradio(url: str, client_ip: str) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, headers={"X-Forwarded-For": client_ip})


def test_gradio_ask_api(server: Any, store: RecordingStore, fake_bot: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    url, _ = server
    c = _gradio(url, "203.0.113.11")
    with caplog.at_level(logging.ERROR):
        results = [c.predict(q, api_name="/ask") for q in steps("gradio-ask")]
    check(results, store, "gradio-ask", fake_bot.settings.notice_text)
    assert count_boom_logs(caplog) == 1


def test_gradio_chat(server: Any, store: RecordingStore, fake_bot: Assistant, caplog: pytest.LogCaptureFixture) -> None:
    """The chat shows the same texts (the notice is on the page above it, not in each bubble)."""
    url, _ = server
    edge = Edge(fake_bot, fake_bot.settings, store=RecordingStore())
    expected = [edge.handle(Request(q, None, "reference", "python")).to_dict() for q in steps("gradio-chat")]
    c = _gradio(url, "203.0.113.12")
    replies = []
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        for q in steps("gradio-chat"):
            history, box = c.predict(q, [], api_name="/chat")
            assert box == "" and history[0]["role"] == "user"
            replies.append(_text(history[1]))
    assert [r.split("\n")[0] for r in replies] == [e["answer"].split("\n")[0] for e in expected]
    assert "no_answer" in store.kinds("zzz qqq gradio-chat")
    assert count_boom_logs(caplog) == 1
    import httpx

    page = httpx.get(url, timeout=30).text
    assert "consult your healthcare provider" in page  # the standing notice, on the page itself


def test_cli_ask_json(fake_bot: Assistant, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                      caplog: pytest.LogCaptureFixture) -> None:
    """`ask --json` prints the same object. The CLI is the one entry point without a rate limit
    (an operator at the keyboard; each run is a new process), so step 7 is answered."""
    import assistant.cli as cli

    store = RecordingStore()
    monkeypatch.setattr(Assistant, "load", classmethod(lambda cls, *a, **k: fake_bot))
    monkeypatch.setattr(cli, "_store", lambda s: store)
    batch = tmp_path / "qs.txt"
    batch.write_text("\n".join(steps("cli")) + "\n")
    with caplog.at_level(logging.ERROR):
        r = CliRunner().invoke(cli.main, ["ask", "--batch", str(batch), "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    expected = [*EXPECTED[:6], ("answered", None), EXPECTED[7]]
    assert [(x["status"], x["reason"] if x["status"] == "error" else None) for x in rows] == expected
    assert all(x["notice"] == fake_bot.settings.notice_text for x in rows)
    assert "no_answer" in store.kinds("zzz qqq cli") and "urgent" in store.kinds()
    assert count_boom_logs(caplog) == 1
    # One question that fails: the error object, and exit code 1 for scripts.
    r = CliRunner().invoke(cli.main, ["ask", "   ", "--json"])
    assert r.exit_code == 1 and json.loads(r.output)["reason"] == "invalid input"


def _text(msg: dict[str, Any]) -> str:
    c = msg["content"]
    return c if isinstance(c, str) else " ".join(part.get("text", "") for part in c)


# --- the edge's own rules -------------------------------------------------------------------


def test_an_emergency_is_answered_even_when_busy_and_limited(fake_bot: Assistant) -> None:
    gate = Gate(workers=1, queue=0)
    edge = Edge(fake_bot, fake_bot.settings, limiter=RateLimiter(1), gate=gate)
    with gate.slot():  # the only worker is taken
        assert edge.handle(Request(GOOD, None, "c")).answer.reason == "busy"  # type: ignore[union-attr]
        assert edge.handle(Request(GOOD, None, "c")).answer.reason == "rate limited"  # type: ignore[union-attr]
        assert edge.handle(Request(URGENT, None, "c")).answer.status == "urgent"  # type: ignore[union-attr]


def test_busy_reply_has_retry_after_and_503(fake_bot: Assistant) -> None:
    gate = Gate(workers=1, queue=0)
    edge = Edge(fake_bot, fake_bot.settings.replace(rate_limit_per_minute=0), gate=gate)
    with gate.slot():
        reply = edge.handle(Request(GOOD))
    assert reply.http_status == 503 and dict(reply.headers)["Retry-After"] == "2"
    assert reply.answer is not None and reply.answer.answer == str(BusyError())


def test_one_gate_bounds_every_entry_point_together(fake_bot: Assistant) -> None:
    """Threads from any entry point share one gate: with 1 computing and 1 waiting, a third
    concurrent question is busy whichever way it came in."""
    gate = Gate(workers=1, queue=1)
    release = threading.Event()
    inside = threading.Event()

    class Slow:
        settings = fake_bot.settings

        def triage(self, q: Any, h: Any = None) -> None:
            return None

        def ask(self, q: Any, h: Any = None) -> Any:
            inside.set()
            release.wait(10)
            return fake_bot.ask(GOOD)

    edge = Edge(Slow(), fake_bot.settings.replace(rate_limit_per_minute=0), gate=gate)
    out: list[Any] = []
    threads = [threading.Thread(target=lambda e=e: out.append(edge.handle(Request(GOOD, None, "x", e)))) for e in ("chat", "api")]
    for t in threads:
        t.start()
    inside.wait(5)
    import time

    deadline = time.time() + 5
    while gate.inside < 2 and time.time() < deadline:
        time.sleep(0.01)
    third = edge.handle(Request(GOOD, None, "y", "cli"))
    release.set()
    for t in threads:
        t.join(10)
    assert third.answer is not None and third.answer.reason == "busy"
    assert [r.answer.status for r in out] == ["answered", "answered"]
    assert gate.inside == 0 and gate.computing == 0


def test_async_visitors_waiting_for_a_turn_hold_no_thread(fake_bot: Assistant) -> None:
    """handle_async (the served chat and POST /api/ask): with one worker and room to wait, many
    concurrent questions all get answered, one at a time, by one computing thread; the others
    wait on the event loop, not in threads (so the framework's thread pool never fills up
    with parked visitors). Past `max_wait` a waiting visitor gets "busy", and the gate is left
    empty."""
    import asyncio
    import time

    gate = Gate(workers=1, queue=8, max_wait=30.0)
    lock = threading.Lock()
    state = {"now": 0, "most": 0, "threads": set()}
    release = threading.Event()

    class Slow:
        settings = fake_bot.settings

        def triage(self, q: Any, h: Any = None) -> None:
            return None

        def ask(self, q: Any, h: Any = None) -> Any:
            with lock:
                state["now"] += 1
                state["most"] = max(state["most"], state["now"])
                state["threads"].add(threading.get_ident())
            release.wait(10)
            time.sleep(0.01)
            with lock:
                state["now"] -= 1
            return fake_bot.ask(GOOD)

    edge = Edge(Slow(), fake_bot.settings.replace(rate_limit_per_minute=0), gate=gate)

    async def main() -> tuple[list[Any], int]:
        tasks = [asyncio.create_task(edge.handle_async(Request(GOOD, None, "x", "api"))) for _ in range(6)]
        deadline = time.time() + 10
        while gate.inside < 6 and time.time() < deadline:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.2)  # let any thread that would be taken for a waiting visitor start
        parked = threading.active_count()
        release.set()
        return list(await asyncio.gather(*tasks)), parked

    before = threading.active_count()
    replies, parked = asyncio.run(main())
    assert [r.answer.status for r in replies] == ["answered"] * 6
    assert state["most"] == 1  # one worker: one question computed at a time
    assert parked - before <= 1 + 4  # the computing thread (+ the small admit pool), not one per visitor
    assert gate.inside == 0 and gate.computing == 0

    # A visitor who waits longer than max_wait for a turn is told "busy" (HTTP 503).
    release.clear()
    gate2 = Gate(workers=1, queue=1, max_wait=0.3)
    edge2 = Edge(Slow(), fake_bot.settings.replace(rate_limit_per_minute=0), gate=gate2)

    async def timed_out() -> list[Any]:
        first = asyncio.create_task(edge2.handle_async(Request(GOOD, None, "x", "api")))
        await asyncio.sleep(0.1)
        second = await edge2.handle_async(Request(GOOD, None, "y", "api"))
        release.set()
        return [await first, second]

    first, second = asyncio.run(timed_out())
    assert first.answer is not None and first.answer.status == "answered"
    assert second.http_status == 503 and second.answer is not None and second.answer.reason == "busy"
    assert gate2.inside == 0 and gate2.computing == 0


def test_async_admission_inline_or_in_a_thread_gives_the_same_replies(fake_bot: Assistant) -> None:
    """handle_async reads a short chat turn's urgent check on the event loop and a long one in
    its admission threads: either way an emergency gets the urgent reply, a malformed history
    is refused with 422, and an ordinary question is answered."""
    import asyncio

    from assistant.edge import INLINE_ADMIT_CHARS, _short

    edge = Edge(fake_bot, fake_bot.settings.replace(rate_limit_per_minute=0))
    padding = "I was reading about massage for a while today and then. " * 10
    long_history = [{"role": "user", "content": [{"type": "text", "text": padding}]}]
    cases = [
        (Request(URGENT), True, "urgent"),
        (Request(padding + URGENT), False, "urgent"),
        (Request(GOOD, long_history), False, "answered"),
        (Request(GOOD, [{"role": "user", "content": "hello"}]), True, "answered"),
        (Request(GOOD, "not a list"), False, "error"),
    ]
    assert len(padding) > INLINE_ADMIT_CHARS
    for request, short, status in cases:
        assert _short(request) is short
        reply = asyncio.run(edge.handle_async(request))
        assert reply.answer is not None and reply.answer.status == status and reply.answer.notice
        if status == "error":
            assert reply.http_status == 422
    assert edge.gate.inside == 0


def test_history_is_checked() -> None:
    assert clean_history(None) == []
    assert clean_history(["a", {"role": "user", "content": "b"}]) == ["a", {"role": "user", "content": "b"}]
    assert len(clean_history(["q"] * 100)) == 20
    for bad in ("text", 5, [5], [{"content": "no role"}], [[["deep"]]]):
        with pytest.raises(InputError):
            clean_history(bad)


def test_feedback_goes_through_the_edge(fake_bot: Assistant) -> None:
    store = RecordingStore()
    edge = Edge(fake_bot, fake_bot.settings, store=store)
    assert edge.feedback("q", "answered", ["neck#0"], False, client="a").http_status == 204
    assert store.rows == [("thumbs_down", "q", "answered", ["neck#0"], "")]
    assert edge.feedback("q", "urgent", [], False).http_status == 204 and len(store.rows) == 1  # never stored
    bad = edge.feedback("q", "answered", "neck#0", "yes")
    assert bad.http_status == 422 and bad.answer is not None and bad.answer.notice
    assert edge.feedback("q" * 5000, "answered", [], True).http_status == 413


def test_gap_log_kinds(fake_bot: Assistant) -> None:
    """Urgent counted (no text), no-answer recorded with its reason, low confidence recorded
    unless the answer is the clinic's own FAQ."""
    store = RecordingStore()
    edge = Edge(fake_bot, fake_bot.settings.replace(low_confidence_score=1.01, rate_limit_per_minute=0), store=store)
    edge.handle(Request(URGENT))
    edge.handle(Request("zzz qqq"))
    edge.handle(Request(GOOD))
    kinds = [(k, q) for k, q, *_ in store.rows]
    assert kinds == [("urgent", ""), ("no_answer", "zzz qqq"), ("low_confidence", GOOD)]
    assert store.rows[1][4]  # the reason is kept for staff


def test_chat_feedback_is_read_from_the_history_the_browser_sends(fake_bot: Assistant) -> None:
    """The chat keeps nothing per visitor on the server: a thumbs down on an answer records
    its question, status and cited chunk ids from the history alone."""
    from assistant.web import feedback_of, record_feedback, respond

    store = RecordingStore()
    edge = Edge(fake_bot, fake_bot.settings.replace(rate_limit_per_minute=0), store=store)
    history = respond(edge, "Does *massage* loosen a stiff neck?", [])
    history = respond(edge, "zzz qqq", history)
    history = respond(edge, URGENT, history)
    roles = [m["role"] for m in history]
    assert roles == ["user", "assistant", "assistant", "user", "assistant", "user", "assistant"]
    record_feedback(edge, history, 1, False)  # the answer
    record_feedback(edge, history, [2], True)  # its sources block counts as the same answer
    record_feedback(edge, history, 4, False)  # the no-answer reply
    record_feedback(edge, history, 6, False)  # urgent: never stored
    record_feedback(edge, history, 0, False)  # a visitor's own message: nothing to rate
    thumbs = [r for r in store.rows if r[0].startswith("thumbs")]
    ids = thumbs[0][3]
    assert ids and all(i.startswith(("neck#", "feet#")) for i in ids)
    assert thumbs == [
        ("thumbs_down", "Does *massage* loosen a stiff neck?", "answered", ids, ""),
        ("thumbs_up", "Does *massage* loosen a stiff neck?", "answered", ids, ""),
        ("thumbs_down", "zzz qqq", "no_answer", [], ""),
    ]
    assert feedback_of(history, 99) is None and feedback_of("junk", 1) is None


@pytest.mark.parametrize("history", [[123], "earlier", [{"content": 5}], {"a": 1}])
def test_a_malformed_history_never_hides_an_emergency(fake_bot: Assistant, server: Any, history: Any) -> None:
    edge = Edge(fake_bot, fake_bot.settings)
    reply = edge.handle(Request("I have crushing chest pain and can't breathe", history, "10.9.9.9", "python"))
    assert reply.answer is not None and reply.answer.status == "urgent" and reply.http_status == 200
    import httpx

    url = server[0]
    r = httpx.post(url.rstrip("/") + "/api/ask", json={"question": "I have crushing chest pain and can't breathe",
                                                  "history": history}, timeout=30)
    assert r.status_code == 200 and r.json()["status"] == "urgent"
    bad = edge.handle(Request("How long is a session?", history, "10.9.9.9", "python"))  # not urgent: refused
    assert bad.answer is not None and bad.answer.status == "error" and bad.http_status in (400, 422)


def test_a_cancelled_visitor_never_keeps_a_place_in_the_gate(fake_bot: Assistant) -> None:
    """A visitor cancelled mid-turn (Gradio's /cancel route, or a closed stream: asyncio's
    task.cancel(), which anyio's thread shield does not stop) gives its place back, but only once
    nothing computes for it: cancelled during the admission thread (a long message), no place is
    left taken; cancelled while its question computes, the place and the turn stay held until
    that thread ends, so no second question computes beside it."""
    import asyncio
    import time

    started, release = threading.Event(), threading.Event()

    class Slow:
        settings = fake_bot.settings

        def triage(self, q: Any, h: Any = None) -> None:
            if q.startswith("slow triage"):
                started.set()
                time.sleep(0.3)
            return None

        def ask(self, q: Any, h: Any = None) -> Any:
            started.set()
            release.wait(10)
            return fake_bot.ask(GOOD)

    gate = Gate(workers=1, queue=2, max_wait=5.0)
    edge = Edge(Slow(), fake_bot.settings.replace(rate_limit_per_minute=0), gate=gate)

    async def cancel_when_started(request: Request) -> None:
        started.clear()
        task = asyncio.create_task(edge.handle_async(request))
        while not started.is_set():
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    async def admission() -> float:
        t0 = time.monotonic()
        await cancel_when_started(Request("slow triage " + "x" * 500, None, "a", "chat"))
        return time.monotonic() - t0

    release.set()
    waited = asyncio.run(admission())
    assert waited >= 0.25  # the cancelled visitor's admission thread ran to its end first
    assert gate.inside == 0 and gate.computing == 0

    async def answering() -> tuple[int, int]:
        release.clear()
        t0 = time.monotonic()
        cancelled = asyncio.create_task(cancel_when_started(Request(GOOD, None, "a", "chat")))
        while not started.is_set():
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.05)
        held = gate.inside  # the cancelled visitor's thread still computes
        threading.Timer(0.3, release.set).start()
        await cancelled  # returns only when that thread has ended
        assert time.monotonic() - t0 >= 0.25
        return held, gate.inside

    held, after = asyncio.run(answering())
    assert held == 1 and after == 0 and gate.computing == 0
    assert asyncio.run(edge.handle_async(Request(GOOD, None, "b", "chat"))).answer.status == "answered"


def test_gradio_cancel_through_the_server_gives_the_place_back(fake_bot: Assistant) -> None:
    """End to end: a chat turn long enough for its urgent check to run in a thread, cancelled
    with Gradio's public /gradio_api/cancel route while that check runs. Before the fix each
    such cancel kept one place in the gate for good (66 with the default settings, and every
    later question was "busy" until a restart)."""
    import time

    import httpx

    from assistant.server import create_app

    class SlowTriage:
        settings = fake_bot.settings.replace(rate_limit_per_minute=0)

        def triage(self, q: Any, h: Any = None) -> Any:
            if len(q) > 400:
                time.sleep(0.6)
                read.set()
            return fake_bot.triage(q, h)

        def __getattr__(self, name: str) -> Any:
            return getattr(fake_bot, name)

    read = threading.Event()
    bot = SlowTriage()
    edge = Edge(bot, bot.settings, gate=Gate(workers=1, queue=2))
    with serving(create_app(bot, edge=edge, store=RecordingStore())) as url, httpx.Client(base_url=url, timeout=20) as c:
        fn = next(i for i, d in enumerate(c.get("config").json()["dependencies"]) if d.get("api_name") == "chat")
        for k in range(2):
            session = f"cancel-{k}"
            read.clear()
            join = c.post("gradio_api/queue/join", json={"data": ["x" * 600, []], "fn_index": fn, "session_hash": session,
                                                         "event_data": None, "trigger_id": None})
            assert join.status_code == 200

            def listen(session: str = session) -> None:  # the visitor's event stream, as the page opens it
                try:
                    with c.stream("GET", f"gradio_api/queue/data?session_hash={session}") as stream:
                        for line in stream.iter_lines():
                            if "process_completed" in line or "close_stream" in line:
                                break
                except httpx.HTTPError:
                    pass  # the server stopped at the end of the test

            listener = threading.Thread(target=listen, daemon=True)
            listener.start()
            time.sleep(0.3)  # the admission thread is reading the message
            assert c.post("gradio_api/cancel", json={"session_hash": session, "fn_index": fn, "event_id": ""}).status_code == 200
            assert read.wait(5)
            time.sleep(0.2)  # past the end of the admission thread
            assert edge.gate.inside == 0, k
        ok = c.post("api/ask", json={"question": GOOD})
        assert ok.status_code == 200 and ok.json()["status"] == "answered"


def test_chat_messages_are_built_exactly_as_gradios_chatbot_would_send_them(fake_bot: Assistant) -> None:
    """The served chat skips Gradio's pre- and postprocessing (four thread hops and a pydantic
    round trip a turn): `web.shown` must make exactly what `gr.Chatbot.postprocess` makes, and a
    history must come back from the browser (validated by the Chatbot's data model) unchanged."""
    import gradio as gr
    from gradio.components.chatbot import ChatbotDataMessages

    from assistant.web import respond, shown

    bot = gr.Chatbot()
    meta = {"title": "Sources (2)", "status": "done", "id": "neck#1 feet#0"}
    for role, text, metadata in [("user", "plain", None), ("assistant", "  indented\n    lines\n\n\tand a tab\n", None),
                                 ("assistant", "\n\n**bold** [1]\n> quote\n>\n> more", meta),
                                 ("user", r"\!\[x\]\(h\) \<b\>", None), ("assistant", "", None), ("user", "é 😀 中文", None)]:
        assert [shown(role, text, metadata)] == bot.postprocess([{"role": role, "content": text,
                                                                  "metadata": metadata}]).model_dump()
    edge = Edge(fake_bot, fake_bot.settings.replace(rate_limit_per_minute=0))
    history: list[dict[str, Any]] = []
    for question in ("Does *massage* loosen a stiff neck?", "zzz qqq", URGENT, "  tabs\tand <b>tags</b>  "):
        before = history
        history = respond(edge, question, history)
        assert history[:len(before)] == before  # earlier messages are passed through as they came
        assert bot.postprocess(history).model_dump() == history  # what Gradio would have sent
        assert ChatbotDataMessages.model_validate(history).model_dump() == history  # what the browser sends back
    assert any((m["metadata"] or {}).get("title", "").startswith("Sources (") for m in history)


def test_the_served_chat_takes_the_raw_box_value_as_gradio_would_give_it(fake_bot: Assistant) -> None:
    """Unpreprocessed, the box's value is the raw JSON value: a number becomes its text, as
    Textbox.preprocess (str()) made it, and None stays None; the chat event skips Gradio's
    processing and its handler's type hints are resolved once."""
    from assistant.web import build_chat

    demo = build_chat(Edge(fake_bot, fake_bot.settings.replace(rate_limit_per_minute=0)))
    chat = [f for f in demo.fns.values() if f.api_name == "chat"]
    assert len(chat) == 1 and chat[0].preprocess is False and chat[0].postprocess is False
    examples = [f for f in demo.fns.values() if f.fn is chat[0].fn and f.api_name != "chat"]
    assert examples and all(f.preprocess is False and f.postprocess is False for f in examples)
    assert not any(isinstance(v, str) for v in chat[0].fn.__annotations__.values())
    import asyncio
    from types import SimpleNamespace

    request = SimpleNamespace(client=SimpleNamespace(host="10.1.2.3"))
    history, box = asyncio.run(chat[0].fn(12345, None, request))
    assert box == "" and history[0]["content"][0]["text"] == "12345" and history[0]["role"] == "user"
    history, _ = asyncio.run(chat[0].fn(None, None, request))
    assert history[0]["content"][0]["text"] == "(empty message)" and history[1]["role"] == "assistant"


def test_gradios_login_check_runs_on_the_loop_and_still_refuses_if_a_login_appears(server: Any) -> None:
    """Gradio's `login_check` (a plain function: a thread-pool hop on each chat POST and event
    stream) is replaced by an async stand-in while no login is configured; the chat works through
    it, and it refuses (401) as soon as a login is configured rather than let anyone in."""
    import httpx
    from starlette.routing import Mount

    url, app = server
    gradio_app = next(r.app for r in app.fastapi.routes if isinstance(r, Mount) and hasattr(r.app, "auth"))
    checks = {dep.call for r in gradio_app.routes for dep in getattr(getattr(r, "dependant", None), "dependencies", [])
              if dep.call.__name__ == "login_check"}
    assert checks and all(gradio_app.dependency_overrides.get(c).__name__ == "no_login" for c in checks)

    def turn() -> httpx.Response:
        r = httpx.post(url + "gradio_api/call/chat", json={"data": [GOOD, []], "session_hash": "login1"}, timeout=30)
        if r.status_code != 200:
            return r
        return httpx.get(url + f"gradio_api/call/chat/{r.json()['event_id']}", timeout=30)

    r = turn()
    assert r.status_code == 200 and "event: complete" in r.text and "[1]" in r.text
    gradio_app.auth = [("staff", "pw")]
    try:
        r = turn()
        assert r.status_code == 401 and r.json()["notice"]
    finally:
        gradio_app.auth = None
    assert turn().status_code == 200


def test_stage_timings_are_written_only_when_asked_for(fake_bot: Assistant, tmp_path: Path, monkeypatch: Any) -> None:
    """MASSAGE_STAGE_LOG (debug, for bench_gradio.py --phases): each answered turn's milliseconds
    per stage, in batches; off by default, and a turn refused early leaves no partial row."""
    import asyncio

    from assistant.edge import STAGE_LOG_ENV, STAGES, StageLog

    settings = fake_bot.settings.replace(rate_limit_per_minute=0)
    monkeypatch.delenv(STAGE_LOG_ENV, raising=False)
    assert Edge(fake_bot, settings).stages is None
    path = tmp_path / "stages.jsonl"
    monkeypatch.setenv(STAGE_LOG_ENV, str(path))
    edge = Edge(fake_bot, settings)

    async def turns() -> list[Reply]:
        replies = [await edge.handle_async(Request(GOOD, None, "10.3.3.3", "chat")) for _ in range(StageLog.BATCH - 1)]
        replies.append(await edge.handle_async(Request(URGENT, None, "10.3.3.3", "chat")))  # early: no row
        assert not path.exists()
        replies.append(await edge.handle_async(Request(GOOD, None, "10.3.3.3", "chat")))
        return replies

    replies = asyncio.run(turns())
    assert [r.answer.status for r in replies].count("answered") == StageLog.BATCH
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(rows) == StageLog.BATCH and all(len(r) == len(STAGES) and min(r) >= 0 for r in rows)


def test_a_follow_up_reuses_the_previous_questions_vector_and_answers_the_same(fake_bot: Assistant) -> None:
    """The previous question of a follow-up was asked a moment ago: its vector is kept from that
    turn (pipeline.RecentVectors) instead of being encoded again, and the answer is exactly what
    encoding it again gives. Urgent messages are never kept; the memory is bounded."""
    from assistant.pipeline import RecentVectors

    on = Assistant(fake_bot.settings, fake_bot.embedder, fake_bot.live, fake_bot.semantic)
    off = Assistant(fake_bot.settings, fake_bot.embedder, fake_bot.live, fake_bot.semantic)
    off.recent.encode = off.embedder.encode  # type: ignore[method-assign]
    encoded: list[str] = []
    real = on.recent._encode
    on.recent._encode = lambda texts: (encoded.extend(texts), real(texts))[1]  # type: ignore[method-assign]
    for bot in (on, off):
        bot.ask(GOOD)
        bot.ask(URGENT)
    assert GOOD in on.recent._vectors and URGENT not in on.recent._vectors
    asked: list[str] = []
    lookup = on.recent.encode
    on.recent.encode = lambda texts: (asked.extend(texts), lookup(texts))[1]  # type: ignore[method-assign]
    for follow_up in ("how often should I do that?", "and is it safe for that?", "what about for feet?"):
        assert on.ask(follow_up, [GOOD]).to_dict() == off.ask(follow_up, [GOOD]).to_dict()
    assert GOOD in asked and GOOD not in encoded  # read with the previous question, never encoded again
    small = RecentVectors(lambda texts: np.zeros((len(texts), 3), dtype=np.float32), size=2)
    for i in range(3):
        small.remember(f"q{i}", np.full(3, i, dtype=np.float32))
    assert list(small._vectors) == ["q1", "q2"] and small.encode(["q2"])[0][0] == 2.0
    assert small.encode(["q0"])[0][0] == 0.0 and not small.encode(["q2"]).flags.writeable
