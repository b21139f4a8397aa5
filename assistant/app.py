"""The Gradio chat: the standing notice above the chat, answers with [n] markers and a
collapsible list of sources, example questions, no uploads, polite errors.

    >>> from assistant import Assistant
    >>> demo = build_app(Assistant.load())     # doctest: +SKIP
    >>> demo.launch()                          # doctest: +SKIP
"""

from __future__ import annotations

import hmac
import html
import logging
import os
import re
from typing import Any

from .answer import Answer
from .errors import InputError
from .pipeline import Assistant

log = logging.getLogger(__name__)

EXAMPLES = [
    "Can massage help with the stiffness I get after long drives?",
    "How long does a medical massage session last?",
    "Can massage help with migraines?",
    "What should I do after a massage?",
]
ERROR_TEXT = "Sorry, something went wrong on our side. Please try again in a moment, or contact the clinic."

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


def build_app(assistant: Assistant) -> Any:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    s = assistant.settings
    with gr.Blocks(title=f"Ask {s.clinic_name} about massage", analytics_enabled=False) as demo:
        gr.Markdown(f"**Please note:** {s.notice_text}", elem_id="notice")
        chatbot = gr.Chatbot(
            label="Massage questions",
            elem_id="chat",
            height=460,
            sanitize_html=True,
            render_markdown=True,
            allow_tags=False,
            buttons=["copy"],
            feedback_options=("Like", "Dislike"),
            placeholder="Ask a question about massage. Answers are quoted from our clinic's articles, with sources.",
        )
        with gr.Row():
            box = gr.Textbox(
                placeholder="Type your question…",
                show_label=False,
                max_length=s.max_question_chars,
                scale=8,
                elem_id="question",
                autofocus=True,
                submit_btn="Ask",
            )
        clear = gr.Button("New chat", variant="secondary", size="sm", elem_id="new-chat")
        gr.Examples(EXAMPLES, inputs=box, label="Try asking")
        ask_json = gr.JSON(visible=False)

        meta = gr.State({})

        def _respond(message: str, history: list[dict[str, Any]], m: dict[str, Any]) -> tuple[list[dict[str, Any]], str, dict[str, Any]]:
            h, m = respond(assistant, message, history, m)
            return h, "", m

        def _like(m: dict[str, Any], data: gr.LikeData) -> None:
            record_feedback(assistant, m, data.index, data.liked)

        box.submit(_respond, [box, chatbot, meta], [chatbot, box, meta], api_name="chat", concurrency_limit=4)
        chatbot.like(_like, [meta], None, api_visibility="private")
        clear.click(lambda: ([], "", {}), None, [chatbot, box, meta], api_visibility="private")
        # The JSON contract for scripts and tests (same object as `ask --json`).
        hidden = gr.Textbox(visible=False)
        hidden.submit(lambda q: api_ask(assistant, q), hidden, ask_json, api_name="ask", concurrency_limit=4)
    demo.queue(max_size=64, default_concurrency_limit=4)
    return demo


def create_app(assistant: Assistant) -> Any:
    """One ASGI app: the chat at `/`, `/healthz`, and the token-protected `/staff` gap report."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr
    from fastapi import FastAPI, Header
    from fastapi.responses import HTMLResponse, JSONResponse

    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        m = assistant.index.manifest
        return JSONResponse({"status": "ok", "index": assistant.index.path.name, "model": m["model"]["name"],
                             "documents": m["counts"]["documents"], "passages": m["counts"]["chunks"],
                             "curated": m.get("curated", {}).get("entries", 0), "built": m["created_at"]})

    @app.get("/staff")
    def staff(token: str = "", x_staff_token: str = Header("")) -> HTMLResponse:  # noqa: B008
        given = token or x_staff_token
        token = assistant.settings.staff_token
        if not token:
            return HTMLResponse("The staff page is off: set MASSAGE_STAFF_TOKEN to enable it.", status_code=404)
        if not hmac.compare_digest(given, token):
            return HTMLResponse("Wrong or missing staff token.", status_code=403)
        return HTMLResponse(staff_page(assistant), headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    demo = build_app(assistant)
    return gr.mount_gradio_app(
        app, demo, path="", show_error=False, enable_monitoring=False, css=CSS, max_file_size="1kb",
        footer_links=[], run_history=False,
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
        f"<h1>Unanswered questions</h1><p>{len(events)} recorded in the last {assistant.settings.gap_retention_days} days; "
        f"urgent messages counted (never stored): {urgent}. Add an entry to <code>corpus/faq.md</code> or a document to "
        "<code>corpus/</code>, and the assistant re-indexes by itself.</p>"
        f"<table><tr><th>Asked</th><th>Wordings</th><th>Last asked</th><th>Suggested FAQ entry</th></tr>{rows}</table>"
    )


def serve(assistant: Assistant, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(assistant), host=host, port=port, log_level="warning", timeout_graceful_shutdown=2)
