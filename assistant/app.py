"""The Gradio chat: the standing notice above the chat, answers with [n] markers and a
collapsible list of sources, example questions, no uploads, polite errors.

    >>> from assistant import Assistant
    >>> demo = build_app(Assistant.load())     # doctest: +SKIP
    >>> demo.launch()                          # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hmac
import html
import json
import logging
import os
import re
import threading
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

from fastapi import Request, Response  # app.py is only imported to serve: --help stays fast
from fastapi.responses import HTMLResponse, JSONResponse

from .answer import Answer
from .errors import InputError
from .pipeline import Assistant

log = logging.getLogger(__name__)

RATE_TEXT = "You're sending questions very quickly. Please wait a minute and try again."


class RateLimiter:
    """Sliding one-minute window per client. CORS and framing rules only bind browsers; this
    is what slows a script hammering the server."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        if self.per_minute <= 0:
            return True
        now = time.monotonic()
        with self._lock:
            q = self._hits[client]
            while q and now - q[0] > 60:
                q.popleft()
            if len(q) >= self.per_minute:
                return False
            q.append(now)
            if len(self._hits) > 10_000:  # forget idle clients
                for k in [k for k, v in self._hits.items() if not v or now - v[-1] > 60]:
                    del self._hits[k]
            return True
BUSY_TEXT = "We're answering a lot of questions right now. Please try again in a few seconds."


class AskGate:
    """At most `workers` questions computed at once, in threads (onnxruntime and FAISS release
    the GIL, so two cores answer two at a time), and at most `queue` more waiting. Past that a
    visitor gets a "busy" reply at once rather than a wait that grows without bound. Used from
    the event loop only, so the counter needs no lock."""

    def __init__(self, workers: int, queue: int) -> None:
        import anyio

        self.limiter = anyio.CapacityLimiter(max(1, workers))
        self.capacity = max(1, workers) + max(0, queue)
        self.inside = 0

    async def run(self, fn: Any, *args: Any) -> Any:
        import anyio

        if self.inside >= self.capacity:
            raise BusyError
        self.inside += 1
        try:
            return await anyio.to_thread.run_sync(fn, *args, limiter=self.limiter)
        finally:
            self.inside -= 1


class BusyError(Exception):
    pass


class SecurityHeaders:
    """Pure ASGI middleware: sets the framing policy on every response and two safe defaults.
    (Starlette's @app.middleware("http") re-wraps every response and cost about 1 ms a request.)"""

    def __init__(self, app: Any, csp: str) -> None:
        self.app = app
        self.csp = csp.encode("latin-1")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-security-policy"]
                present = {k.lower() for k, _ in headers}
                headers.append((b"content-security-policy", self.csp))
                for name, value in ((b"x-content-type-options", b"nosniff"),
                                    (b"referrer-policy", b"strict-origin-when-cross-origin")):
                    if name not in present:
                        headers.append((name, value))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


ERROR_TEXT = "Sorry, something went wrong on our side. Please try again in a moment, or contact the clinic."

WIDGET_PATH = Path(__file__).parent / "static" / "widget.js"
DEMO_HTML = """<!doctype html><html lang=en><meta charset=utf-8><meta name=viewport content="width=device-width,initial-scale=1">
<title>Demo clinic page</title><style>body{font-family:Georgia,serif;max-width:720px;margin:3rem auto;padding:0 1rem;color:#222}</style>
<h1>Riverside Massage Clinic (demo page)</h1><p>This page stands in for a clinic's website. The chat button in the corner
comes from the one-line snippet below, served by the assistant itself.</p><pre>__SNIPPET_TEXT__</pre>
__SNIPPET__</html>"""
# Escape inside the framed chat closes the widget panel (the host page can't see those keys).
COMPACT_HEAD = (
    "<script>document.addEventListener('keydown',function(e){if(e.key==='Escape'&&window.parent!==window)"
    "{window.parent.postMessage('mfa-close','*')}});</script>"
)
COMPACT_CSS = """
#notice {font-size: 0.8rem; padding: 6px 10px; position: sticky; top: 0; z-index: 50;}
footer {display: none !important;}
"""
CSS = """
#notice {border-left: 4px solid #b45309; background: #fffbeb; color: #451a03; padding: 10px 14px;
         border-radius: 6px; font-size: 0.95rem;}
#notice p {margin: 0; color: #451a03;}
"""


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!<>|~])")


def as_plain_text(text: str) -> str:
    r"""A visitor's message, escaped so Markdown and HTML in it show as typed and never render
    (no images fetched from other hosts, no tags).

    >>> print(as_plain_text("![x](h) <b>"))
    \!\[x\]\(h\) \<b\>
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def sources_markdown(answer: Answer) -> str:
    parts = []
    for c in answer.citations:
        passage = c.text.replace("\n\n", "\n>\n> ")
        heading = c.title if c.section in ("", c.title) else f"{c.title} — {c.section}"
        part = f"**[{c.n}] {heading}**  \n`{c.doc}`\n\n> {passage}"
        if c.also_in:
            part += "\n\nAlso said in: " + "; ".join(f"*{a['title']}* ({a['doc']})" for a in c.also_in)
        parts.append(part)
    return "\n\n".join(parts)


def chat_messages(answer: Answer) -> list[dict[str, Any]]:
    """One answer as Gradio messages: the answer, then its sources in a collapsed block."""
    msgs: list[dict[str, Any]] = [{"role": "assistant", "content": answer.answer}]
    if answer.citations:
        msgs.append(
            {
                "role": "assistant",
                "content": sources_markdown(answer),
                "metadata": {"title": f"Sources ({len(answer.citations)})", "status": "done"},
            }
        )
    return msgs


def respond(
    assistant: Assistant, message: str, history: list[dict[str, Any]] | None, meta: dict[str, Any] | None = None
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One chat turn. `meta` maps the index of each answer message to what feedback records."""
    history = list(history or [])
    meta = dict(meta or {})
    user_turns = [m for m in history if isinstance(m, dict) and m.get("role") == "user"]
    shown = (message or "").strip()
    if len(shown) > 300:
        shown = shown[:300] + "…"
    history.append({"role": "user", "content": as_plain_text(shown) if shown else "(empty message)"})
    try:
        answer = assistant.ask(message, history=user_turns)
    except InputError as exc:
        history.append({"role": "assistant", "content": str(exc)})
        return history, meta
    except Exception:  # never a stack trace for visitors; logged for staff
        log.exception("unexpected error answering a question")
        history.append({"role": "assistant", "content": ERROR_TEXT})
        return history, meta
    try:
        assistant.log_outcome(message, answer)
    except Exception:  # the gap log must never cost a visitor their answer
        log.exception("could not record the gap log")
    info = {"question": message, "status": answer.status, "chunk_ids": [c.chunk_id for c in answer.citations]}
    for msg in chat_messages(answer):
        meta[str(len(history))] = info
        history.append(msg)
    return history, meta


def record_feedback(assistant: Assistant, meta: dict[str, Any], index: Any, liked: Any) -> None:
    i = index[0] if isinstance(index, (list, tuple)) else index
    info = (meta or {}).get(str(i))
    if info and liked in (True, False):
        assistant.feedback(info["question"], info["status"], info["chunk_ids"], bool(liked))


def api_ask(assistant: Assistant, question: str) -> dict[str, Any]:
    """The JSON contract over HTTP (same as `ask --json`); errors keep the notice too."""
    try:
        return assistant.ask(question).to_dict()
    except InputError as exc:
        return {"status": "error", "answer": str(exc), "citations": [], "notice": assistant.settings.notice_text,
                "caution": False, "safety": None, "reason": "invalid input", "confidence": 0.0}


def build_app(assistant: Assistant, *, compact: bool = False, limiter: RateLimiter | None = None) -> Any:
    """The chat page; `compact` is the version the widget frames (no examples block header)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    s = assistant.settings
    limiter = limiter or RateLimiter(s.web.rate_limit_per_minute)
    with gr.Blocks(title=f"Ask {s.branding.clinic_name} about massage", analytics_enabled=False, fill_height=compact) as demo:
        gr.Markdown(f"**Please note:** {s.notice_text}", elem_id="notice")
        chatbot = gr.Chatbot(
            label=f"Ask {s.branding.clinic_name}",
            elem_id="chat",
            height=None if compact else 460,
            scale=1,
            sanitize_html=True,
            render_markdown=True,
            allow_tags=False,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            placeholder=s.branding.welcome_message,
        )
        with gr.Row():
            box = gr.Textbox(
                placeholder="Type your question…",
                show_label=False,
                max_length=s.safety.max_question_chars,
                scale=8,
                elem_id="question",
                autofocus=True,
                submit_btn="Ask",
            )
        clear = gr.Button("New chat", variant="secondary", size="sm", elem_id="new-chat")
        if s.branding.example_questions:
            gr.Examples(list(s.branding.example_questions), inputs=box, label="Try asking")
        ask_json = gr.JSON(visible=False)

        meta = gr.State({})

        def _respond(
            message: str, history: list[dict[str, Any]], m: dict[str, Any], request: gr.Request
        ) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
            client = request.client.host if request and request.client else "unknown"
            if not limiter.allow(client):
                shown = as_plain_text((message or "").strip()[:300])
                return [*history, {"role": "user", "content": shown}, {"role": "assistant", "content": RATE_TEXT}], "", m
            h, m = respond(assistant, message, history, m)
            return h, "", m

        def _like(m: dict[str, Any], data: gr.LikeData) -> None:
            record_feedback(assistant, m, data.index, data.liked)

        # Gradio injects Request and LikeData by their (real, not postponed) annotations.
        _respond.__annotations__["request"] = gr.Request
        _like.__annotations__["data"] = gr.LikeData
        box.submit(_respond, [box, chatbot, meta], [chatbot, box, meta], api_name="chat", concurrency_limit=s.web.ask_workers)
        chatbot.like(_like, [meta], None, api_visibility="private")
        clear.click(lambda: ([], "", {}), None, [chatbot, box, meta], api_visibility="private")
        # The JSON contract for scripts and tests (same object as `ask --json`).
        hidden = gr.Textbox(visible=False)
        hidden.submit(lambda q: api_ask(assistant, q), hidden, ask_json, api_name="ask", concurrency_limit=s.web.ask_workers)
    demo.queue(max_size=s.web.ask_queue, default_concurrency_limit=s.web.ask_workers)
    return demo


def create_app(assistant: Assistant) -> Any:
    """One ASGI app: the chat at `/`, `/healthz`, and the token-protected `/staff` gap report."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi import FastAPI, Header

    s = assistant.settings
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    limiter = RateLimiter(s.web.rate_limit_per_minute)
    gate = AskGate(s.web.ask_workers, s.web.ask_queue)
    ancestors = " ".join(["'self'", *s.web.allowed_origins])

    # Only the listed clinic sites may frame the chat; the browser enforces it.
    app.add_middleware(SecurityHeaders, csp=f"frame-ancestors {ancestors}")

    if s.web.allowed_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=s.web.allowed_origins, allow_methods=["GET", "POST"],
                           allow_headers=["content-type"], max_age=600)

    @app.get("/widget.js")
    def widget_js() -> Response:
        defaults = {"clinic": s.branding.clinic_name, "color": s.branding.accent_color, "position": s.branding.widget_position}
        body = widget_source().replace("__DEFAULTS__", json.dumps(defaults))
        return Response(body, media_type="application/javascript", headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed-code")
    def embed_code() -> HTMLResponse:
        return HTMLResponse(embed_page(s, _base_url(s)))

    @app.get("/demo")
    def demo_page() -> HTMLResponse:
        code = snippet(s, "")
        return HTMLResponse(DEMO_HTML.replace("__SNIPPET_TEXT__", html.escape(code)).replace("__SNIPPET__", code))

    @app.post("/api/ask")
    async def api(request: Request) -> JSONResponse:
        client = request.client.host if request.client else "unknown"
        if not limiter.allow(client):
            return JSONResponse({"status": "error", "answer": RATE_TEXT, "citations": [], "notice": s.notice_text,
                                 "caution": False, "safety": None, "reason": "rate limited", "confidence": 0.0}, status_code=429)
        try:
            body = await request.json()
            question = body.get("question", "") if isinstance(body, dict) else ""
        except ValueError:
            question = ""
        try:
            return JSONResponse(await gate.run(api_ask, assistant, question))
        except BusyError:
            return JSONResponse({"status": "error", "answer": BUSY_TEXT, "citations": [], "notice": s.notice_text,
                                 "caution": False, "safety": None, "reason": "busy", "confidence": 0.0},
                                status_code=503, headers={"Retry-After": "2"})


    @app.get("/healthz")
    def healthz() -> JSONResponse:
        m = assistant.index.manifest
        return JSONResponse({"status": "ok", "index": assistant.index.path.name, "model": m["model"]["name"],
                             "documents": m["counts"]["documents"], "passages": m["counts"]["chunks"],
                             "curated": m.get("curated", {}).get("entries", 0), "built": m["created_at"]})

    @app.get("/staff")
    def staff(token: str = "", x_staff_token: str = Header("")) -> HTMLResponse:  # noqa: B008
        given = token or x_staff_token
        token = assistant.settings.web.staff_token
        if not token:
            return HTMLResponse("The staff page is off: set MASSAGE_STAFF_TOKEN to enable it.", status_code=404)
        if not hmac.compare_digest(given, token):
            return HTMLResponse("Wrong or missing staff token.", status_code=403)
        return HTMLResponse(staff_page(assistant), headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    # Public-deployment settings: no monitoring endpoint, no run history kept in visitors'
    # browsers, no error details, tiny upload cap (there are no file components anyway).
    public = {"show_error": False, "enable_monitoring": False, "max_file_size": "1kb", "footer_links": [], "run_history": False}
    gr.mount_gradio_app(app, build_app(assistant, compact=True, limiter=limiter), path="/embed", css=CSS + COMPACT_CSS, head=COMPACT_HEAD, **public)
    return gr.mount_gradio_app(app, build_app(assistant, limiter=limiter), path="", css=CSS, **public)


@functools.cache
def widget_source() -> str:
    return WIDGET_PATH.read_text(encoding="utf-8")


def _base_url(s: Any) -> str:
    host = "127.0.0.1" if s.web.host in ("0.0.0.0", "::") else s.web.host
    return f"http://{host}:{s.web.port}"


def snippet(s: Any, base: str) -> str:
    return (f'<script src="{base}/widget.js" data-clinic="{html.escape(s.branding.clinic_name)}" '
            f'data-color="{html.escape(s.branding.accent_color)}" data-position="{html.escape(s.branding.widget_position)}" async></script>')


def embed_page(s: Any, base: str) -> str:
    origins = ", ".join(s.web.allowed_origins) or "none yet: only this assistant's own pages can show the chat"
    return (
        "<!doctype html><meta charset=utf-8><title>Embed the chat</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:760px;margin:2rem auto;padding:0 1rem}"
        "pre{background:#f3f4f6;padding:12px;white-space:pre-wrap;word-break:break-all}</style>"
        "<h1>Add the chat to your website</h1><p>Paste this line before <code>&lt;/body&gt;</code> on your pages "
        "(replace the address with this assistant's public address):</p>"
        f"<pre id=snippet>{html.escape(snippet(s, base))}</pre>"
        f"<p>Sites allowed to show the chat (MASSAGE_ALLOWED_ORIGINS): <b>{html.escape(origins)}</b>.</p>"
        '<p><a href="/demo">See a demo page with the widget</a>.</p>'
    )


def staff_page(assistant: Assistant) -> str:
    from .gaps import cluster

    gaps_log = assistant.gap_log
    events = gaps_log.events() if gaps_log else []
    gaps = cluster(events, assistant.embedder.encode)
    rows = "".join(
        f"<tr><td>{g.count}</td><td>{html.escape(g.examples[0])}<br><small>{html.escape(' | '.join(g.examples[1:]))}</small></td>"
        f"<td>{g.last_asked}</td><td><pre>{html.escape(g.suggestion)}</pre></td></tr>"
        for g in gaps
    )
    urgent = gaps_log.urgent_total() if gaps_log else 0
    return (
        "<!doctype html><meta charset=utf-8><title>Gap report</title>"
        "<style>body{font-family:sans-serif;margin:2rem}td,th{border:1px solid #ccc;padding:6px;vertical-align:top}"
        "table{border-collapse:collapse}pre{margin:0;white-space:pre-wrap}</style>"
        f"<h1>Unanswered questions</h1><p>{len(events)} recorded in the last {assistant.settings.staff.gap_retention_days} days; "
        f"urgent messages counted (never stored): {urgent}. Add an entry to <code>corpus/faq.md</code> or a document to "
        "<code>corpus/</code>, and the assistant re-indexes by itself.</p>"
        f"<table><tr><th>Asked</th><th>Wordings</th><th>Last asked</th><th>Suggested FAQ entry</th></tr>{rows}</table>"
    )


def serve(assistant: Assistant, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(assistant), host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
