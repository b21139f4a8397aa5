"""The Gradio chat: the standing notice above the chat, answers with [n] markers and a
collapsible list of sources, example questions, no uploads, polite errors.

    >>> from assistant import Assistant
    >>> demo = build_app(Assistant.load())     # doctest: +SKIP
    >>> demo.launch()                          # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import re
from typing import Any

from .answer import Answer
from .errors import AssistantError, InputError
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


def respond(assistant: Assistant, message: str, history: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    history = list(history or [])
    user_turns = [m for m in history if isinstance(m, dict) and m.get("role") == "user"]
    shown = (message or "").strip()
    if len(shown) > 300:
        shown = shown[:300] + "…"
    history.append({"role": "user", "content": as_plain_text(shown) if shown else "(empty message)"})
    try:
        answer = assistant.ask(message, history=user_turns)
    except InputError as exc:
        history.append({"role": "assistant", "content": str(exc)})
        return history
    except AssistantError as exc:
        log.error("assistant error: %s", exc)
        history.append({"role": "assistant", "content": ERROR_TEXT})
        return history
    except Exception:  # never a stack trace for visitors; logged for staff
        log.exception("unexpected error answering a question")
        history.append({"role": "assistant", "content": ERROR_TEXT})
        return history
    history.extend(chat_messages(answer))
    return history


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

        def _respond(message: str, history: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], str]:
            return respond(assistant, message, history), ""

        box.submit(_respond, [box, chatbot], [chatbot, box], api_name="chat", concurrency_limit=4)
        clear.click(lambda: ([], ""), None, [chatbot, box], api_visibility="private")
        # The JSON contract for scripts and tests (same object as `ask --json`).
        hidden = gr.Textbox(visible=False)
        hidden.submit(lambda q: api_ask(assistant, q), hidden, ask_json, api_name="ask", concurrency_limit=4)
    demo.queue(max_size=64, default_concurrency_limit=4)
    return demo


def serve(assistant: Assistant, host: str, port: int, *, block: bool = True) -> Any:
    demo = build_app(assistant)
    demo.launch(
        server_name=host,
        server_port=port,
        show_error=False,  # error details stay in the server log, not in visitors' browsers
        enable_monitoring=False,
        quiet=True,
        css=CSS,
        prevent_thread_lock=not block,
        max_file_size="1kb",
    )
    return demo
