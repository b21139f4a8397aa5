"""The Gradio chat page (UI only): the standing notice above the chat, answers with [n] markers
and a collapsible list of sources, example questions, no uploads. Every question, from the chat
box or the page's `/ask` API, goes through the one request edge (`edge.Edge`).

No per-visitor state is kept on the server (no gr.State): the chat history lives in the browser
and is sent back with each turn, and what a thumbs up or down records is read from that history
(the question before the answer; the cited chunk ids carried in the sources block's metadata).
Nothing grows with the number of visitors except Gradio's own session skeletons, which
`server.py` caps and expires.

    >>> demo = build_chat(Edge(Assistant.load()))    # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from typing import Any

from .answer import NO_ANSWER_TEXT, Answer
from .edge import Edge, Request

CSS = """
#notice {border-left: 4px solid #b45309; background: #fffbeb; color: #451a03; padding: 10px 14px;
         border-radius: 6px; font-size: 0.95rem;}
#notice p {margin: 0; color: #451a03;}
"""
COMPACT_CSS = """
#notice {font-size: 0.8rem; padding: 6px 10px; position: sticky; top: 0; z-index: 50;}
footer {display: none !important;}
"""
# Escape inside the framed chat closes the widget panel (the host page can't see those keys).
COMPACT_HEAD = (
    "<script>document.addEventListener('keydown',function(e){if(e.key==='Escape'&&window.parent!==window)"
    "{window.parent.postMessage('mfa-close','*')}});</script>"
)
SHOWN_CHARS = 300  # a visitor's message is echoed into the chat cut to this length
SOURCES_PREFIX = "Sources ("

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!<>|~])")
_MD_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+!<>|~])")


def as_plain_text(text: str) -> str:
    r"""A visitor's message, escaped so Markdown and HTML in it show as typed and never render
    (no images fetched from other hosts, no tags).

    >>> print(as_plain_text("![x](h) <b>"))
    \!\[x\]\(h\) \<b\>
    """
    return _MD_SPECIAL.sub(r"\\\1", text)


def from_plain_text(text: str) -> str:
    r"""The inverse of `as_plain_text`.

    >>> from_plain_text(as_plain_text("![x](h) <b>"))
    '![x](h) <b>'
    """
    return _MD_ESCAPED.sub(r"\1", text)


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
    """One answer as Gradio messages: the answer, then its sources in a collapsed block whose
    metadata id carries the cited chunk ids (for feedback; shown nowhere)."""
    msgs: list[dict[str, Any]] = [{"role": "assistant", "content": answer.answer}]
    if answer.citations:
        ids = " ".join(c.chunk_id for c in answer.citations)
        msgs.append({"role": "assistant", "content": sources_markdown(answer),
                     "metadata": {"title": f"{SOURCES_PREFIX}{len(answer.citations)})", "status": "done", "id": ids}})
    return msgs


def respond(edge: Edge, message: Any, history: list[dict[str, Any]] | None, client: str = "local") -> list[dict[str, Any]]:
    """One chat turn through the edge: the history with the visitor's message and the reply."""
    history = [m for m in (history or []) if isinstance(m, dict)]
    user_turns = [m for m in history if m.get("role") == "user"]
    text = message if isinstance(message, str) else ""
    shown = text.strip()
    if len(shown) > SHOWN_CHARS:
        shown = shown[:SHOWN_CHARS] + "…"
    history.append({"role": "user", "content": as_plain_text(shown) if shown else "(empty message)"})
    answer = edge.handle(Request(message, user_turns, client, "chat")).answer
    assert answer is not None
    history.extend(chat_messages(answer))
    return history


def feedback_of(history: Any, index: Any) -> tuple[str, str, list[str]] | None:
    """(question, status, cited chunk ids) for the answer message at `index` of a chat
    history, or None when there is nothing to record (no such answer, an urgent reply, an
    error). Read from the history the browser sent, so the server keeps nothing per chat."""
    i = index[0] if isinstance(index, (list, tuple)) else index
    if not isinstance(history, list) or not isinstance(i, int) or not 0 <= i < len(history):
        return None
    msgs = [m if isinstance(m, dict) else {} for m in history]
    if msgs[i].get("role") != "assistant":
        return None
    start = i
    while start > 0 and msgs[start - 1].get("role") == "assistant":
        start -= 1  # the first message of this reply (the answer before its sources block)
    if start == 0:
        return None
    question = from_plain_text(_text(msgs[start - 1].get("content")))
    end = start
    while end + 1 < len(msgs) and msgs[end + 1].get("role") == "assistant":
        end += 1
    ids: list[str] = []
    for m in msgs[start:end + 1]:
        meta = m.get("metadata") or {}
        if isinstance(meta, dict) and str(meta.get("title", "")).startswith(SOURCES_PREFIX):
            ids = str(meta.get("id", "")).split()
    if ids:
        return question, "answered", ids
    if NO_ANSWER_TEXT in _text(msgs[start].get("content")):
        return question, "no_answer", []
    return None  # urgent replies are never stored; errors are not answers


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # Gradio may send [{"type": "text", "text": ...}]
        return " ".join(str(c.get("text", "")) for c in content if isinstance(c, dict))
    return ""


def record_feedback(edge: Edge, history: Any, index: Any, liked: Any, client: str = "local") -> None:
    found = feedback_of(history, index)
    if found is not None and liked in (True, False):
        question, status, ids = found
        edge.feedback(question, status, ids, bool(liked), client=client)


def client_of(request: Any) -> str:
    """The visitor's address as the server resolved it (server.py applies trusted proxies)."""
    client = getattr(request, "client", None)
    return getattr(client, "host", None) or "unknown"


def build_chat(edge: Edge, *, compact: bool = False) -> Any:
    """The chat page; `compact` is the version a frame shows (no examples block header)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    s = edge.settings
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
            box = gr.Textbox(placeholder="Type your question…", show_label=False, max_length=s.safety.max_question_chars,
                             scale=8, elem_id="question", autofocus=True, submit_btn="Ask")
        clear = gr.Button("New chat", variant="secondary", size="sm", elem_id="new-chat")
        if s.branding.example_questions:
            gr.Examples(list(s.branding.example_questions), inputs=box, label="Try asking")
        ask_json = gr.JSON(visible=False)

        def _respond(message: str, history: list[dict[str, Any]], request: gr.Request) -> tuple[list[dict[str, Any]], str]:
            return respond(edge, message, history, client_of(request)), ""

        def _ask(question: str, request: gr.Request) -> dict[str, Any] | None:
            """The JSON contract for scripts and tests (same object as `ask --json`)."""
            return edge.handle(Request(question, None, client_of(request), "gradio-api")).to_dict()

        def _like(history: list[dict[str, Any]], data: gr.LikeData, request: gr.Request) -> None:
            record_feedback(edge, history, data.index, data.liked, client_of(request))

        # Gradio injects Request and LikeData by their (real, not postponed) annotations.
        for fn in (_respond, _ask, _like):
            fn.__annotations__["request"] = gr.Request
        _like.__annotations__["data"] = gr.LikeData
        # The shared gate (edge.gate) bounds the computing; Gradio may run as many handlers as
        # the gate admits (workers + waiting line), and queues a few more before "queue full".
        limit = edge.gate.capacity
        box.submit(_respond, [box, chatbot], [chatbot, box], api_name="chat", concurrency_limit=limit, concurrency_id="ask")
        chatbot.like(_like, [chatbot], None, api_visibility="private")
        clear.click(lambda: ([], ""), None, [chatbot, box], api_visibility="private")
        hidden = gr.Textbox(visible=False)
        hidden.submit(_ask, hidden, ask_json, api_name="ask", concurrency_limit=limit, concurrency_id="ask")
    demo.queue(max_size=max(1, s.web.ask_queue), default_concurrency_limit=limit)
    return demo
