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

import html
import inspect
import os
import re
import typing
from typing import Any

from .answer import NO_ANSWER_TEXT, Answer
from .edge import Edge, Request

# The main page's look (Gradio's own markup restyled): a full-height chat under a heading,
# the notice compact but always on screen, one "New chat", 16 px input (no zoom on focus in
# iOS), 44 px touch targets, readable placeholder, and a dark mode of its own. The clinic's
# colour comes in as CSS variables (see `brand_style`).
CSS = """
.gradio-container {max-width: 920px !important; margin: 0 auto !important;
  --font: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;}
/* The chat fills the window and scrolls inside; the input stays at the bottom. */
body {height: 100vh; height: 100dvh;}
gradio-app, .gradio-container, .gradio-container .main, .gradio-container .wrap, .gradio-container .contain,
.gradio-container .contain > .column {min-height: 0 !important;}
#chat {flex: 1 1 0 !important; min-height: 240px !important;}
.gradio-container .main {padding: clamp(8px, 2.5vw, 24px) clamp(8px, 3vw, 32px) !important;}
.gradio-container {--mfa-muted: #4b5563;}
.dark .gradio-container {--mfa-muted: #cbd5e1;}
.form:has(#question) {background: transparent !important; border: 0 !important; box-shadow: none !important;}
#question {border: 1.5px solid var(--border-color-primary) !important;}
#topbar {align-items: center; gap: 12px; flex-wrap: nowrap;}
.mfa-top h1 {margin: 0; font-size: 1.5rem; line-height: 1.25; font-weight: 700; color: var(--body-text-color);}
.mfa-top p {margin: 2px 0 0; color: var(--mfa-muted); font-size: 0.95rem;}
.mfa-top a {color: var(--mfa-ink); text-underline-offset: 2px; margin: 0 !important; padding: 0 !important;}
#new-chat {flex: 0 0 auto !important; min-width: 0 !important; min-height: 44px; padding: 0 18px; border-radius: 22px;
           white-space: nowrap; border: 1.5px solid var(--mfa-ink); color: var(--mfa-ink); background: transparent;}
#notice {border-left: 4px solid #b45309; background: #fffbeb; color: #451a03; padding: 8px 14px;
         border-radius: 8px; font-size: 0.9rem; line-height: 1.45;}
#notice p {margin: 0; color: #451a03;}
#notice strong {color: #451a03;}
.dark #notice {background: #2b2414; border-left-color: #d9a23a; color: #fde9b0;}
.dark #notice p {color: #fde9b0;}
.dark #notice strong {color: #fde9b0;}
#chat {border-radius: 14px;}
#chat button[aria-label="Clear"] {display: none !important;}  /* one "New chat", above */
#chat .message-row .message {font-size: 15.5px; line-height: 1.55;}
#chat .user-row .message, #chat .user-row .message * {background: var(--mfa-accent) !important;
     color: var(--mfa-on-accent) !important; border-color: var(--mfa-accent) !important;}
#chat .bot-row a {color: var(--mfa-ink) !important;}
#chat .message-row .md {opacity: 1 !important;}  /* Gradio dims the newest message to 0.8 */
#chat .title[role=button] button {pointer-events: none;}  /* clicks go to the toggle itself */
#chat .thought-group .title {min-height: 44px; align-items: center; color: var(--mfa-ink); font-weight: 600;}
#chat .thought-group blockquote, #chat .thought-group p {font-size: 14.5px; line-height: 1.55;}
#chat .message-buttons button {min-width: 44px; min-height: 44px;}
#chat .placeholder-content, #chat .placeholder {font-size: 1.05rem;}
#chat .examples button, #chat .example {min-height: 44px; border-radius: 22px !important;
     border: 1.5px solid var(--mfa-ink) !important; color: var(--mfa-ink) !important;}
#chat .examples button *, #chat .example * {color: var(--mfa-ink) !important;}
#question textarea {font-size: 16px !important; line-height: 22px; min-height: 44px; padding-top: 11px;}
#question textarea::placeholder {color: var(--mfa-muted); opacity: 1;}
#question .submit-button {min-width: 64px; min-height: 44px; border-radius: 22px; font-weight: 600; font-size: 15px;
     background: var(--mfa-accent) !important; color: var(--mfa-on-accent) !important;}
#question {border-radius: 26px !important;}
footer {display: none !important;}
#chat .examples {gap: 8px !important;}
#chat .examples button {padding: 8px 14px !important;}
/* Phones: Gradio scopes rules in media queries to elements inside its .contain */
@media (max-width: 640px) {
  .mfa-top h1 {font-size: 1.2rem;}
  .mfa-top .mfa-sub {display: none;}
  #notice p {font-size: 13px !important; line-height: 1.4 !important;}
  #notice {padding: 6px 10px !important;}
}
"""
# Accessibility fixes Gradio's markup needs: the Sources toggle is a role=button holding a
# second, unlabeled button (axe: nested-interactive, button-name; the outer one works alone),
# and the example questions are buttons inside a role=list (aria-required-children).
PAGE_JS = """() => {
  const fix = () => {
    document.querySelectorAll('#chat .title[role=button] button').forEach(b => {
      if (!b.disabled) { b.disabled = true; b.tabIndex = -1; b.setAttribute('aria-hidden', 'true'); }
    });
    document.querySelectorAll('#chat .examples[role=list]').forEach(e => {
      e.setAttribute('role', 'group'); e.setAttribute('aria-label', 'Example questions');
    });
  };
  fix();
  new MutationObserver(fix).observe(document.body, {childList: true, subtree: true});
}"""


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    h = hex_colour.lstrip("#")
    h = "".join(c * 2 for c in h) if len(h) == 3 else h[:6]
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _luminance(c: tuple[float, float, float]) -> float:
    def lin(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(v) for v in c)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    """WCAG contrast ratio.

    >>> round(contrast((255, 255, 255), (0, 0, 0)), 1)
    21.0
    """
    x, y = _luminance(a), _luminance(b)
    return (max(x, y) + 0.05) / (min(x, y) + 0.05)


def _ink(c: tuple[int, int, int], bg: tuple[int, int, int], toward: tuple[int, int, int]) -> str:
    """The brand colour moved toward black or white just enough for text in it to reach AA
    (4.5:1) on `bg`."""
    for step in range(26):
        t = step / 25
        r, g, b = (v + (w - v) * t for v, w in zip(c, toward, strict=True))
        m = (r, g, b)
        if contrast(m, bg) >= 4.6:
            return "#" + "".join(f"{round(v):02x}" for v in m)
    return "#" + "".join(f"{v:02x}" for v in toward)


def brand_style(accent: str) -> str:
    """CSS variables for the clinic's colour with text colours that stay readable (WCAG AA)
    whatever the colour: white or near-black on it, and a darker/lighter shade for links.

    >>> "--mfa-on-accent: #111827" in brand_style("#facc15")
    True
    """
    accent = accent if re.fullmatch(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})", accent or "") else "#0f766e"
    c = _rgb(accent)
    on = "#ffffff" if contrast(c, (255, 255, 255)) >= 4.5 else "#111827"
    light, dark = _ink(c, (243, 244, 246), (0, 0, 0)), _ink(c, (31, 41, 55), (255, 255, 255))
    return (f":root {{--mfa-accent: {accent}; --mfa-on-accent: {on}; --mfa-ink: {light};}}\n"
            f".dark {{--mfa-ink: {dark};}}")


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
    """Sources for people: the document's title and section and the passage; a staff FAQ
    answer is named as such rather than repeated (it is the reply itself)."""
    parts = []
    for c in answer.citations:
        if c.chunk_id.startswith("faq#"):
            parts.append(f"**[{c.n}] From our FAQ:** \u201c{c.section}\u201d")
            continue
        passage = c.text.replace("\n\n", "\n>\n> ")
        heading = c.title if c.section in ("", c.title) else f"{c.title} — {c.section}"
        part = f"**[{c.n}] {heading}**\n\n> {passage}"
        if c.also_in:
            part += "\n\nAlso said in: " + "; ".join(f"*{a['title']}*" for a in c.also_in)
        parts.append(part)
    return "\n\n".join(parts)


def shown(role: str, text: str, metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    """One chat message exactly as Gradio's Chatbot sends it to the browser: what
    `gr.Chatbot.postprocess([{"role": role, "content": text, "metadata": metadata}]).model_dump()`
    makes of it (text content de-indented by `inspect.cleandoc`, as the Chatbot does), built
    directly. The served chat skips Gradio's pre- and postprocessing (see `build_chat`), so this is
    the one place that form is made; tests/test_edge.py checks it against Gradio's own."""
    return {"role": role, "metadata": metadata, "content": [{"text": inspect.cleandoc(text), "type": "text"}],
            "options": None}


def chat_messages(answer: Answer) -> list[dict[str, Any]]:
    """One answer as chat messages (`shown`): the answer, then its sources in a collapsed block
    whose metadata id carries the cited chunk ids (for feedback; shown nowhere)."""
    msgs = [shown("assistant", answer.answer)]
    if answer.citations:
        ids = " ".join(c.chunk_id for c in answer.citations)
        msgs.append(shown("assistant", sources_markdown(answer),
                          {"title": f"{SOURCES_PREFIX}{len(answer.citations)})", "status": "done", "id": ids}))
    return msgs


def _turn(message: Any, history: list[dict[str, Any]] | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], Any]:
    """The history with the visitor's message shown (escaped, cut to SHOWN_CHARS), the earlier
    user turns for the edge, and the message itself."""
    history = [m for m in (history or []) if isinstance(m, dict)]
    user_turns = [m for m in history if m.get("role") == "user"]
    text = message if isinstance(message, str) else ""
    text = text.strip()
    if len(text) > SHOWN_CHARS:
        text = text[:SHOWN_CHARS] + "…"
    history.append(shown("user", as_plain_text(text) if text else "(empty message)"))
    return history, user_turns, message


def respond(edge: Edge, message: Any, history: list[dict[str, Any]] | None, client: str = "local") -> list[dict[str, Any]]:
    """One chat turn through the edge: the history with the visitor's message and the reply."""
    history, earlier, message = _turn(message, history)
    answer = edge.handle(Request(message, earlier, client, "chat")).answer
    assert answer is not None
    history.extend(chat_messages(answer))
    return history


async def respond_async(edge: Edge, message: Any, history: list[dict[str, Any]] | None,
                        client: str = "local") -> list[dict[str, Any]]:
    """`respond` for the served chat (`Edge.handle_async`): a visitor waiting for a turn holds
    no thread."""
    history, earlier, message = _turn(message, history)
    answer = (await edge.handle_async(Request(message, earlier, client, "chat"))).answer
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


def heading_html(s: Any) -> str:
    """The page's heading: the clinic's name, what this is, the clinic's contacts as real
    links, and the clinic's colour (`brand_style`)."""
    b = s.branding
    links = []
    phone = re.sub(r"[^\d+]", "", b.contact_phone or "")
    if phone:
        links.append(f'<a href="tel:{phone}">Call {html.escape(b.contact_phone)}</a>')
    if b.contact_email and re.fullmatch(r"[^\s@<>\"']+@[^\s@<>\"']+", b.contact_email):
        links.append(f'<a href="mailto:{html.escape(b.contact_email)}">Email us</a>')
    if re.match(r"https?://", b.booking_url or ""):
        links.append(f'<a href="{html.escape(b.booking_url)}" target="_blank" rel="noopener">Book online</a>')
    contacts = f"<p>{' · '.join(links)}</p>" if links else ""
    return (f"<style>{brand_style(b.accent_color)}</style><div class=\"mfa-top\">"
            f"<h1>Ask {html.escape(b.clinic_name)}</h1>"
            f"<p class=\"mfa-sub\">Answers about massage from our own articles, with their sources.</p>{contacts}</div>")


def build_chat(edge: Edge, *, compact: bool = False) -> Any:
    """The chat page; `compact` is the version a frame shows (no examples block header)."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    s = edge.settings
    b = s.branding
    with gr.Blocks(title=f"Ask {b.clinic_name} about massage", analytics_enabled=False, fill_height=True) as demo:
        if not compact:
            with gr.Row(elem_id="topbar", equal_height=True):
                gr.HTML(heading_html(s), elem_id="heading", js_on_load=None, padding=False)
                clear = gr.Button("New chat", variant="secondary", size="md", elem_id="new-chat", scale=0)
        gr.Markdown(f"**Please note:** {s.notice_text}", elem_id="notice")
        examples: list[Any] | None = [{"text": q} for q in b.example_questions] or None
        chatbot = gr.Chatbot(
            label=f"Conversation with {b.clinic_name}",
            show_label=False,
            elem_id="chat",
            height=None,
            min_height=320,
            scale=1,
            sanitize_html=True,
            render_markdown=True,
            allow_tags=False,
            buttons=[],
            feedback_options=("Like", "Dislike"),
            placeholder=f"**{b.welcome_message}**",
            examples=examples,
        )
        with gr.Row():
            box = gr.Textbox(placeholder="Type your question…", label="Your question", show_label=False,
                             max_length=s.safety.max_question_chars, scale=8, elem_id="question", autofocus=True,
                             submit_btn="Ask")
        if compact:
            clear = gr.Button("New chat", variant="secondary", size="sm", elem_id="new-chat")
        ask_json = gr.JSON(visible=False)

        # Async handlers: Gradio runs them on its event loop and they wait for a turn there
        # (Edge.handle_async), so only the gate's workers hold threads (see edge.py).
        async def _respond(message: Any, history: list[dict[str, Any]] | None,
                           request: gr.Request) -> tuple[list[dict[str, Any]], str]:
            # Unpreprocessed, the box's value is the raw JSON value: Textbox.preprocess's str().
            message = None if message is None else str(message)
            return await respond_async(edge, message, history, client_of(request)), ""

        async def _ask(question: str, request: gr.Request) -> dict[str, Any] | None:
            """The JSON contract for scripts and tests (same object as `ask --json`)."""
            return (await edge.handle_async(Request(question, None, client_of(request), "gradio-api"))).to_dict()

        def _like(history: list[dict[str, Any]], data: gr.LikeData, request: gr.Request) -> None:
            record_feedback(edge, history, data.index, data.liked, client_of(request))

        def _example(data: gr.SelectData) -> str:
            value = data.value if isinstance(data.value, dict) else {}
            return str(value.get("text", ""))

        # Gradio injects Request and LikeData by their (real, not postponed) annotations.
        for fn in (_respond, _ask, _like):
            fn.__annotations__["request"] = gr.Request
        _like.__annotations__["data"] = gr.LikeData
        _example.__annotations__["data"] = gr.SelectData
        for handler in (_respond, _ask, _like, _example):
            # Resolved once: Gradio reads a handler's type hints on every call, and string
            # annotations (this module's `from __future__ import annotations`) are re-evaluated
            # each time (~50 us of the event loop a turn).
            handler.__annotations__ = typing.get_type_hints(handler)
        # The shared gate (edge.gate) bounds the computing; Gradio may run as many handlers as
        # the gate admits (workers + waiting line). A handler past the gate gets "busy" from the
        # edge at once, after the urgent check, so slots free fast; Gradio's own queue is sized
        # to refuse ("queue full", no triage) only far beyond that.
        limit = edge.gate.capacity
        # No Gradio pre- or postprocessing for the chat: they are four thread hops a turn (each
        # waiting for the GIL behind the event loop under load) and a pydantic round trip of the
        # whole history; the history is validated by the Chatbot's data model either way, and the
        # messages are built in the form Gradio would send (`shown`, tested against Gradio's own).
        box.submit(_respond, [box, chatbot], [chatbot, box], api_name="chat", concurrency_limit=limit, concurrency_id="ask",
                   preprocess=False, postprocess=False)
        chatbot.like(_like, [chatbot], None, api_visibility="private")
        # An example question sends itself: it fills the box, then goes through the same
        # handler (and edge) as a typed question.
        chatbot.example_select(_example, None, box, api_visibility="private").then(
            _respond, [box, chatbot], [chatbot, box], api_visibility="private", concurrency_limit=limit,
            concurrency_id="ask", preprocess=False, postprocess=False)
        demo.load(None, None, None, js=PAGE_JS)
        clear.click(lambda: ([], ""), None, [chatbot, box], api_visibility="private")
        hidden = gr.Textbox(visible=False)
        hidden.submit(_ask, hidden, ask_json, api_name="ask", concurrency_limit=limit, concurrency_id="ask")
    demo.queue(max_size=4 * limit, default_concurrency_limit=limit)
    return demo
