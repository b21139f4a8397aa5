"""End to end through the real server: a subprocess running `massage-assistant serve`."""

from pathlib import Path

import pytest

from tests.support import free_port, running_server

pytestmark = pytest.mark.slow


# test_widget.py and test_reload.py import these names from here.
_free_port = free_port


@pytest.fixture(scope="module")
def server(real_settings, bot):
    with running_server(real_settings.paths.corpus_dir, real_settings.paths.index_dir, "--no-watch",
                        env={"MASSAGE_STAFF_TOKEN": "s3cret-test-token"}) as url:
        yield url


def _client(url):
    from gradio_client import Client

    return Client(url, verbose=False)


def _text(msg):
    c = msg["content"]
    return c if isinstance(c, str) else " ".join(part.get("text", "") for part in c)


def test_chat_shows_markers_sources_and_notice(server):
    import urllib.request

    page = urllib.request.urlopen(server).read().decode()
    c = _client(server)
    d = c.predict("Can massage help with migraines?", api_name="/ask")
    assert d["status"] == "answered" and "[1]" in d["answer"] and d["notice"]
    history, box = c.predict("Can massage help with migraines?", [], api_name="/chat")
    assert box == ""
    answer, sources = history[1], history[2]
    assert "[1]" in _text(answer)
    assert sources["metadata"]["title"].startswith("Sources (")
    assert d["citations"][0]["text"].split(".")[0] in _text(sources)
    # the standing notice is part of the page itself, not a chat message
    assert "consult your healthcare provider" in page


def test_emergency_through_server_shows_template_first(server):
    c = _client(server)
    history, _ = c.predict("my chest is tight and my arm went numb", [], api_name="/chat")
    assert len(history) == 2  # the user's message and the urgent template, no sources
    text = _text(history[1])
    assert text.startswith("**What you describe may need emergency care.") and "tel:911" in text.split("\n")[0]
    assert "[1]" not in text
    d = c.predict("I'm thinking of ending it all", api_name="/ask")
    assert d["status"] == "urgent" and "988" in d["answer"] and d["notice"] and d["citations"] == []


def test_bad_input_is_polite(server):
    c = _client(server)
    history, _ = c.predict("x" * 10_000, [], api_name="/chat")
    assert "too long" in _text(history[-1])
    history, _ = c.predict("   ", [], api_name="/chat")
    assert "Please type a question" in _text(history[-1])
    d = c.predict("", api_name="/ask")
    assert d["status"] == "error" and d["notice"]


def test_healthz_reports_the_index(server):
    import json
    import urllib.request

    h = json.loads(urllib.request.urlopen(server + "healthz").read())
    assert h["status"] == "ok" and h["documents"] == 5 and h["last_reload"]["ok"] in (None, True)
    assert h["documents"] == 5 and h["passages"] > 0 and h["model"].endswith("all-MiniLM-L6-v2")


def test_gap_report_records_and_protects(server, real_settings):
    import urllib.error
    import urllib.request

    c = _client(server)
    for q in ("do you sell gift cards? email me at jo@example.com", "can i buy a gift card for my mum",
              "gift vouchers available?", "I want to die"):
        c.predict(q, [], api_name="/chat")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(server + "staff?token=wrong")
    assert e.value.code == 403
    page = urllib.request.urlopen(server + "staff?token=s3cret-test-token").read().decode()
    assert "gift" in page and "[email]" in page and "jo@example.com" not in page
    import re

    assert "I want to die" not in page
    assert int(re.search(r"urgent messages counted \(never stored\): (\d+)", page).group(1)) >= 1

    import sqlite3

    db = sqlite3.connect(Path(real_settings.paths.index_dir).parent / "var" / "gaps.sqlite3")
    stored = " ".join(r[0] for r in db.execute("SELECT question FROM events"))
    assert "jo@example.com" not in stored and "want to die" not in stored


def test_many_visitors_at_once_all_get_answers(server):
    """24 questions in flight together over raw HTTP, and 4 chats through Gradio's queue."""
    import json
    import urllib.request
    from concurrent.futures import ThreadPoolExecutor

    questions = ["how long does a session last", "can massage help sciatica", "what is myofascial release",
                 "do you sell gift cards"]

    def ask(i):
        req = urllib.request.Request(server + "api/ask", data=json.dumps({"question": questions[i % 4]}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read())

    def chat(q):
        history, _ = _client(server).predict(q, [], api_name="/chat")
        return _text(history[1])

    with ThreadPoolExecutor(24) as pool:
        chats = [pool.submit(chat, q) for q in questions]
        replies = list(pool.map(ask, range(24)))
    assert all(status == 200 and d["notice"] for status, d in replies)
    assert [d["status"] for _, d in replies[:4]] == ["answered", "answered", "answered", "no_answer"]
    assert len({json.dumps(d["citations"]) for _, d in replies[0::4]}) == 1  # same question, same answer
    texts = [c.result(timeout=120) for c in chats]
    assert all("[1]" in t for t in texts[:3]) and "[1]" not in texts[3]


def test_past_its_queue_the_server_replies_busy_at_once(bot, monkeypatch):
    """ask_workers=1, ask_queue=1: with one question computing and one waiting, a third visitor
    is told to try again (503, notice included) instead of joining an unbounded wait."""
    import asyncio
    import threading

    import httpx

    from assistant.errors import BusyError
    from assistant.pipeline import Assistant
    from assistant.server import create_app

    busy_bot = Assistant(bot.settings.replace(ask_workers=1, ask_queue=1, rate_limit_per_minute=0), bot.embedder, bot.live)
    release = threading.Event()
    real_ask = busy_bot.ask
    monkeypatch.setattr(busy_bot, "ask", lambda q, history=None: (release.wait(10), real_ask(q, history))[1])
    app = create_app(busy_bot, store=None)
    BUSY_TEXT = str(BusyError())

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            first = [asyncio.create_task(c.post("/api/ask", json={"question": "how long does a session last"})) for _ in range(2)]
            await asyncio.sleep(0.3)  # both admitted: one computing, one queued
            third = await c.post("/api/ask", json={"question": "how long does a session last"})
            release.set()
            return third, [await t for t in first]

    third, first = asyncio.run(scenario())
    assert third.status_code == 503 and third.headers["retry-after"] == "2"
    assert third.json()["answer"] == BUSY_TEXT and third.json()["reason"] == "busy" and third.json()["notice"]
    assert [r.status_code for r in first] == [200, 200] and all(r.json()["status"] == "answered" for r in first)


def test_every_way_in_writes_the_gap_log_and_errors_share_one_shape(server, real_settings):
    """The real model behind the real server: no-answer questions asked through POST /api/ask
    and the Gradio /ask API are recorded like the chat's; a bad request is a 4xx in the shape."""
    import json
    import sqlite3
    import time
    import urllib.error
    import urllib.request

    marks = {"api": "do you sell gift vouchers for my sister", "gradio": "do you sell gift vouchers for my brother"}
    req = urllib.request.Request(server + "api/ask", data=json.dumps({"question": marks["api"]}).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    assert json.loads(urllib.request.urlopen(req).read())["status"] == "no_answer"
    assert _client(server).predict(marks["gradio"], api_name="/ask")["status"] == "no_answer"
    bad = urllib.request.Request(server + "api/ask", data=b'{"question": 5}', headers={"Content-Type": "application/json"},
                                 method="POST")
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(bad)
    d = json.loads(e.value.read())
    assert e.value.code == 422 and d["status"] == "error" and d["notice"] and d["reason"] == "invalid request"
    db = Path(real_settings.paths.index_dir).parent / "var" / "gaps.sqlite3"
    deadline = time.time() + 10
    while time.time() < deadline:  # the store writes in the background, off the answer path
        stored = {r[0] for r in sqlite3.connect(db).execute("SELECT question FROM events WHERE kind = 'no_answer'")}
        if all(m in stored for m in marks.values()):
            break
        time.sleep(0.2)
    assert all(m in stored for m in marks.values()), stored


def test_gradio_type_stubs_are_not_regenerated_when_serving():
    """Gradio re-derives .pyi stubs for every component at import (a tool for its own developers,
    about a second of a cold start); the server skips it before Gradio loads, and Gradio still works."""
    import subprocess
    import sys

    code = (
        "from assistant.server import _quiet_gradio\n"
        "_quiet_gradio()\n"
        "import gradio as gr, gradio.component_meta as m\n"
        "assert m.create_or_modify_pyi.__name__ == '<lambda>'\n"
        "with gr.Blocks() as demo:\n"
        "    gr.Chatbot()\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "GRADIO_ANALYTICS_ENABLED": "False"})
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr[-2000:]
