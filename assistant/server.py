"""The HTTP server: FastAPI routes, the Gradio chat mounted at `/`, security headers, CORS,
request limits, and pages rendered from `templates/`.

Every question goes through the one edge (`edge.Edge`); this module only turns HTTP into
`edge.Request`s and `edge.Reply`s into HTTP. The outermost layer (`Guard`, pure ASGI) applies
what must hold for every route, Gradio's included, before any of them runs:

* the client address: the TCP peer, or `X-Forwarded-For` only when the peer is a trusted proxy;
* a body cap (`max_body_bytes`; the chat routes, which send the whole history back each turn,
  16x that): 413 from `Content-Length` before the body is read, and for chunked bodies as soon
  as the running total passes the cap; JSON bodies nested deeper than `MAX_JSON_DEPTH` refused;
* no uploads (`/gradio_api/upload` refused, multipart bodies 415);
* a visitor who goes away mid-body costs one log line, not a traceback;
* Gradio's own error replies rewritten to the answer object (notice included); "queue full"
  becomes the busy reply with a Retry-After;
* security headers on every response; any unexpected exception a 500 with the error shape,
  logged once.

    >>> app = create_app(Assistant.load())                    # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=7860)         # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hmac
import html
import ipaddress
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI  # server.py is only imported to serve: --help stays fast
from fastapi import Request as HttpRequest
from fastapi.responses import HTMLResponse, JSONResponse, Response

from .edge import ERROR_TEXT, Edge, Request, open_gap_store
from .errors import BusyError, LockedOutError
from .limits import Gate, RateLimiter, StaffLockout
from .settings import Branding

log = logging.getLogger(__name__)

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
MAX_JSON_DEPTH = 32  # Gradio's chat payload is ~7 deep; json.loads recurses ~1000 before failing
CHAT_BODY_FACTOR = 16  # chat routes carry the whole history each turn
# Gradio keeps a session skeleton (a copy of the page's component configs, ~20 KiB measured) for every
# browser tab it has seen, 10,000 by default, never expired: that is what grew to +340 MB over
# 26k chats. The chat keeps no server state of its own, so a small cap and an idle expiry lose
# nothing a visitor can notice.
SESSION_CAPACITY = 500
SESSION_IDLE = 900.0  # seconds
NOT_FOUND_TEXT = "There is nothing at this address."
TOO_LARGE_TEXT = "That request is too large."
MEDIA_TEXT = "Send questions as JSON (Content-Type: application/json)."
BAD_JSON_TEXT = "That request is not valid JSON."
FIELDS_TEXT = 'Send {"question": "your question", "history": [earlier messages]} with the question as text.'
STATIC_TYPES = {".js": "application/javascript", ".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png",
                ".woff2": "font/woff2", ".json": "application/json", ".ico": "image/x-icon"}
GRADIO_REASONS = {400: "invalid input", 401: "not found", 403: "not found", 404: "not found", 405: "not found",
                  413: "body too large", 415: "unsupported media type", 422: "invalid request", 429: "rate limited"}
GRADIO_TEXTS = {
    "invalid input": "That request could not be read.", "invalid request": "That request is not in the expected form.",
    "not found": NOT_FOUND_TEXT, "body too large": TOO_LARGE_TEXT, "unsupported media type": "That kind of request is not accepted.",
    "rate limited": "Too many requests. Please wait a minute and try again.",
    "internal error": ERROR_TEXT,
}
_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_PLACEHOLDER = re.compile(r"\{\{\{(\w+)\}\}\}|\{\{(\w+)\}\}")


# --- templates ------------------------------------------------------------------------------


@functools.cache
def _template(name: str) -> str:
    return (TEMPLATES / name).read_text(encoding="utf-8")


def render(name: str, **values: Any) -> str:
    """A page from `templates/`: `{{x}}` becomes the HTML-escaped value, `{{{x}}}` the raw
    value (only for HTML or JSON the server made). One pass, so a value that contains braces is
    never expanded again; a placeholder without a value is an error, not a blank.

    >>> _PLACEHOLDER.sub(lambda m: _fill(m, {"who": "<x>", "raw": "<i>"}), "<b>{{who}}</b>{{{raw}}}")
    '<b>&lt;x&gt;</b><i>'
    """
    return _PLACEHOLDER.sub(lambda m: _fill(m, values), _template(name))


def _fill(m: re.Match[str], values: dict[str, Any]) -> str:
    raw, escaped = m.group(1), m.group(2)
    key = raw or escaped
    if key not in values:
        raise KeyError(f"template value {key!r} missing")
    return str(values[key]) if raw else html.escape(str(values[key]))


def json_for_html(value: Any) -> str:
    """JSON safe inside a <script> element (no `</script>` or `<!--` can close it)."""
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- client address -------------------------------------------------------------------------


def trusted_networks(settings: Any) -> tuple[Any, ...]:
    """Proxies whose `X-Forwarded-For` is believed. The header is set by whoever sends the
    request, so believing it from anyone would let every script pick its own rate-limit key (and
    lock staff out on behalf of any address). Only configured proxy addresses are trusted; with
    none configured, a server bound to loopback trusts loopback peers, since only a proxy on the
    same machine can reach it there."""
    nets = []
    for item in settings.web.trusted_proxies:
        try:
            nets.append(ipaddress.ip_network(item.strip(), strict=False))
        except ValueError:
            log.warning("ignoring trusted proxy %r: not an address or CIDR range", item)
    if not nets and settings.web.host in ("127.0.0.1", "::1", "localhost"):
        nets = [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")]
    return tuple(nets)


def client_address(peer: str | None, forwarded: list[str], trusted: tuple[Any, ...]) -> str:
    """The visitor's address: walk `X-Forwarded-For` from the right while the hop is a trusted
    proxy; the first hop that is not is the client. Entries left of it are the client's own
    claims and are ignored.

    >>> nets = (ipaddress.ip_network("10.0.0.0/8"),)
    >>> client_address("10.0.0.5", ["6.6.6.6, 203.0.113.9"], nets)
    '203.0.113.9'
    >>> client_address("198.51.100.1", ["203.0.113.9"], nets)   # not from a proxy: ignored
    '198.51.100.1'
    """
    peer = peer or "unknown"
    if not forwarded or not _is_trusted(peer, trusted):
        return peer
    hops = [h.strip() for value in forwarded for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            break  # garbage from the proxy's own client: the last trusted hop is all we know
        client = hop
        if not _is_trusted(hop, trusted):
            break
    return client


def _is_trusted(address: str, trusted: tuple[Any, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip.version == net.version and ip in net for net in trusted)


# --- the outer ASGI layer -------------------------------------------------------------------


class Guard:
    """Pure ASGI middleware around the whole app (see the module docstring). Pure ASGI because
    Starlette's @app.middleware("http") re-wraps every response (about 1 ms a request)."""

    def __init__(self, app: Any, settings: Any, error: Any, urgent: Any = None) -> None:
        self.app = app
        # (request body) -> the urgent reply's text when a refused chat message is urgent, else None
        self.urgent = urgent
        self.settings = settings
        self.error = error  # (message, reason, retry_after) -> (status, headers, body)
        self.max_body = max(1024, settings.web.max_body_bytes)
        self.trusted = trusted_networks(settings)
        ancestors = " ".join(["'self'", *settings.web.allowed_origins])
        # Only the listed clinic sites may frame the chat; the browser enforces it.
        self.csp = f"frame-ancestors {ancestors}".encode("latin-1")

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers") or []
        peer = scope.get("client") or ("unknown", 0)
        forwarded = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
        scope = {**scope, "client": (client_address(peer[0], forwarded, self.trusted), peer[1])}
        path: str = scope.get("path", "")
        started = False
        body = b""

        async def send_secured(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                message = {**message, "headers": self._secure(message.get("headers", []))}
            await send(message)

        try:
            if "/gradio_api/upload" in path:  # no route accepts files
                await self._reply(send_secured, NOT_FOUND_TEXT, "not found")
                return
            if scope.get("method") in ("POST", "PUT", "PATCH", "DELETE"):
                ctype = _header(headers, b"content-type").lower()
                if ctype.startswith("multipart/"):
                    await self._reply(send_secured, MEDIA_TEXT, "unsupported media type")
                    return
                cap = self.max_body * CHAT_BODY_FACTOR if "/gradio_api/" in path else self.max_body
                read = await self._read_body(scope, receive, headers, cap, send_secured)
                if read is None:
                    return
                body = read
                # Whatever the declared type: FastAPI and Gradio parse JSON bodies either way.
                if body.lstrip()[:1] in (b"{", b"[") and json_depth(body) > MAX_JSON_DEPTH:
                    await self._reply(send_secured, BAD_JSON_TEXT, "invalid input")
                    return
                receive = _replay(body, receive)
            if not path.startswith("/api/"):  # /api/* replies are ours, already in the one shape
                send_secured = self._gradio_error_rewrite(send_secured, body if "/gradio_api/" in path else b"")
            await self.app(scope, receive, send_secured)
        except Exception as exc:
            if not getattr(exc, "_massage_logged", False):
                log.error("unexpected error serving %s %s: %s", scope.get("method"), path, exc, exc_info=exc)
            if not started:
                await self._reply(send_secured, ERROR_TEXT, "internal error")

    def _secure(self, raw: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
        headers = [(k, v) for k, v in raw if k.lower() != b"content-security-policy"]
        present = {k.lower() for k, _ in headers}
        headers.append((b"content-security-policy", self.csp))
        for name, value in ((b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"strict-origin-when-cross-origin")):
            if name not in present:
                headers.append((name, value))
        return headers

    async def _read_body(self, scope: Any, receive: Any, headers: Any, cap: int, send: Any) -> bytes | None:
        """The whole body, or None after replying 413 (or after the client went away)."""
        length = _header(headers, b"content-length")
        if length:
            try:
                too_big = int(length) > cap
            except ValueError:
                await self._reply(send, BAD_JSON_TEXT, "invalid input")
                return None
            if too_big:  # refused before a byte of the body is read
                await self._reply(send, TOO_LARGE_TEXT, "body too large", close=True)
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                log.info("client %s went away before sending the whole body of %s %s",
                         scope["client"][0], scope.get("method"), scope.get("path"))
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:  # chunked (or lying) bodies: stop at the cap
                await self._reply(send, TOO_LARGE_TEXT, "body too large", close=True)
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _gradio_error_rewrite(self, send: Any, body: bytes = b"") -> Any:
        """JSON error replies we did not write ({"detail": ...} from Gradio or FastAPI: a full
        queue, a malformed call, an unknown path) become the one shape with the notice; ours (they
        carry the notice already, e.g. /healthz's 503) pass through. A full queue is the busy reply
        with a Retry-After, unless the refused message itself is urgent: then the visitor gets the
        urgent text, with the number (`body` is the request, read for that). The "detail" key stays,
        so Gradio's own client still shows it."""
        state: dict[str, Any] = {"start": None, "chunks": []}

        async def wrapped(message: Any) -> None:
            # JSON errors only: the staff page's HTML replies (403, 429) are for people and stay.
            if (message["type"] == "http.response.start" and message.get("status", 200) >= 400
                    and "json" in _header(message.get("headers") or [], b"content-type")):
                state["start"] = message
                return
            if state["start"] is None:
                await send(message)
                return
            if message["type"] != "http.response.body":
                return
            state["chunks"].append(message.get("body", b""))
            if message.get("more_body", False):
                return
            raw = b"".join(state["chunks"])
            if _ours(raw):
                await send(state["start"])
                await send({"type": "http.response.body", "body": raw})
                return
            status = state["start"]["status"]
            if status == 503:
                busy = BusyError()
                urgent = self.urgent(body) if self.urgent and body else None
                await self._reply(send, urgent or str(busy), "busy", retry_after=busy.retry_after, detail=True)
            else:
                reason = GRADIO_REASONS.get(status, "internal error" if status >= 500 else "invalid request")
                await self._reply(send, GRADIO_TEXTS[reason], reason, detail=True, status=status)

        return wrapped

    async def _reply(self, send: Any, message: str, reason: str, *, retry_after: int | None = None,
                     close: bool = False, detail: bool = False, status: int | None = None) -> None:
        code, headers, body = self.error(message, reason, retry_after)
        status = status or code
        if detail:
            body = json.dumps({**json.loads(body), "detail": message}).encode()
        raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        raw += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers]
        if close:
            raw.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})


def _ours(raw: bytes) -> bool:
    """An error body this server wrote itself (the answer shape with the notice, or /healthz's
    report), not a framework's bare {"detail": ...}."""
    try:
        data = json.loads(raw)
    except ValueError:
        return False
    return isinstance(data, dict) and ("notice" in data or "detail" not in data)


def _header(headers: Any, name: bytes) -> str:
    for k, v in headers:
        if k == name:
            return v.decode("latin-1")
    return ""


def _replay(body: bytes, receive: Any) -> Any:
    sent = False

    async def replay() -> Any:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as servers do

    return replay


_JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
_NOT_BRACKETS = bytes(c for c in range(256) if c not in b"[]{}")


def json_depth(body: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, found without parsing it (a
    100,000-deep body would make json.loads raise RecursionError). Strings are cut out and the
    rest reduced to its brackets in C, so a 130 KB chat body costs a few milliseconds.

    >>> json_depth(b'{"a": [1, {"b": "[[[{"}]}')
    3
    """
    depth = deepest = 0
    for ch in _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS):
        if ch in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_JSON_DEPTH:
                    break
        else:
            depth -= 1
    return deepest


def sweep_sessions(blocks: Any, idle: float = SESSION_IDLE) -> int:
    """Forget Gradio session skeletons not used for `idle` seconds; returns how many."""
    import datetime

    holder = blocks.state_holder
    cutoff = datetime.datetime.now() - datetime.timedelta(seconds=idle)
    with holder.lock:
        old = [sid for sid, t in list(holder.time_last_used.items()) if t < cutoff]
        for sid in old:
            holder.session_data.pop(sid, None)
            holder.time_last_used.pop(sid, None)
    return len(old)


# --- the app --------------------------------------------------------------------------------


def create_app(assistant: Any, *, edge: Edge | None = None, store: Any = None) -> Any:
    """One ASGI app: the chat at `/`, the JSON API, `/healthz`, the widget and its pages, and
    the token-protected `/staff` gap report. `store`: the gap store (None: `gaps.open_store`)."""
    _quiet_gradio()
    import gradio as gr

    from .web import CSS, build_chat

    s = assistant.settings
    if edge is None:
        if store is None:
            store = open_gap_store(s)
        edge = Edge(assistant, s, store=store, limiter=RateLimiter(s.web.rate_limit_per_minute),
                    gate=Gate(s.web.ask_workers, s.web.ask_queue))
    store = edge.store
    lockout = StaffLockout()
    staff_cache = StaffCache()
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    def error_parts(message: str, reason: str, retry_after: int | None) -> tuple[int, list[tuple[str, str]], bytes]:
        reply = edge.error(message, reason, retry_after=retry_after)
        assert reply.answer is not None
        return reply.http_status, list(reply.headers), json.dumps(reply.answer.to_dict(), ensure_ascii=False).encode()

    def json_reply(reply: Any) -> Response:
        if reply.answer is None:
            return Response(status_code=reply.http_status, headers=dict(reply.headers))
        return JSONResponse(reply.to_dict(), status_code=reply.http_status, headers=dict(reply.headers))

    def error_reply(message: str, reason: str) -> Response:
        return json_reply(edge.error(message, reason))

    @app.exception_handler(Exception)
    async def unexpected(request: HttpRequest, exc: Exception) -> Response:
        log.error("unexpected error serving %s %s: %s", request.method, request.url.path, exc, exc_info=exc)
        exc._massage_logged = True  # type: ignore[attr-defined]  # Starlette re-raises it: log once
        return error_reply(ERROR_TEXT,
                           "internal error")

    if s.web.allowed_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=list(s.web.allowed_origins), allow_methods=["GET", "POST"],
                           allow_headers=["content-type"], max_age=600)

    async def read_json(request: HttpRequest) -> tuple[dict[str, Any] | None, Response | None]:
        if "json" not in request.headers.get("content-type", "").lower():
            return None, error_reply(MEDIA_TEXT, "unsupported media type")
        try:
            body = json.loads(await request.body())  # already capped and depth-checked by Guard
        except (ValueError, RecursionError):
            return None, error_reply(BAD_JSON_TEXT, "invalid input")
        if not isinstance(body, dict):
            return None, error_reply(FIELDS_TEXT, "invalid request")
        return body, None

    def client(request: HttpRequest) -> str:
        return request.client.host if request.client else "unknown"

    @app.post("/api/ask")
    async def api_ask(request: HttpRequest) -> Response:
        body, bad = await read_json(request)
        if bad is not None:
            return bad
        assert body is not None
        question, history = body.get("question"), body.get("history")
        if not isinstance(question, str):  # a malformed history is the edge's to refuse, after triage
            return error_reply(FIELDS_TEXT, "invalid request")
        return json_reply(await edge.handle_async(Request(question, history, client(request), "api")))

    @app.post("/api/feedback")
    async def api_feedback(request: HttpRequest) -> Response:
        body, bad = await read_json(request)
        if bad is not None:
            return bad
        assert body is not None
        return json_reply(edge.feedback(body.get("question"), body.get("status"), body.get("chunk_ids"),
                                        body.get("helpful"), body.get("reason", ""), client=client(request)))

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def api_unknown(rest: str) -> Response:
        return error_reply(NOT_FOUND_TEXT, "not found")

    @app.get("/healthz")
    def healthz() -> Response:
        """200 while the server can answer ("ok", or "degraded" while reloads fail or documents
        were skipped); 503 when it cannot answer at all."""
        try:
            h = dict(assistant.health())
        except Exception as exc:
            log.error("health check failed: %s", exc, exc_info=exc)
            h = {"status": "down", "problem": str(exc).splitlines()[0] if str(exc) else type(exc).__name__}
        if store is not None:
            try:
                h["gap_store"] = store.health()
            except Exception as exc:
                h["gap_store"] = {"ok": False, "problem": str(exc)}
        h["busy"] = {"computing": edge.gate.computing, "inside": edge.gate.inside, "capacity": edge.gate.capacity}
        return JSONResponse(h, status_code=503 if h.get("status") == "down" else 200, headers={"Cache-Control": "no-store"})

    @app.get("/widget.js")
    def widget_js() -> Response:
        defaults = {"clinic": s.branding.clinic_name, "color": s.branding.accent_color, "position": s.branding.widget_position,
                    "origins": list(s.web.allowed_origins), "base": ""}
        body = widget_source().replace("__DEFAULTS__", json_for_html(defaults))
        return Response(body, media_type="application/javascript", headers={"Cache-Control": "public, max-age=300"})

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        path = STATIC / name
        if not _STATIC_NAME.match(name) or not path.is_file():
            return error_reply(NOT_FOUND_TEXT, "not found")
        media = STATIC_TYPES.get(path.suffix, "application/octet-stream")
        return Response(path.read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=300"})

    @app.get("/embed-code")
    def embed_code() -> HTMLResponse:
        origins = ", ".join(s.web.allowed_origins) or "none yet: only this assistant's own pages can show the chat"
        unnamed = s.branding.clinic_name == Branding().clinic_name
        hint = ("The snippet says \u201cour clinic\u201d: set clinic_name (MASSAGE_CLINIC_NAME) to your clinic's "
                "name first.") if unnamed else ""
        return HTMLResponse(render("embed_code.html", snippet=snippet(s, base_url(s)), origins=origins, hint=hint,
                                   clinic_name=s.branding.clinic_name))

    @app.get("/demo")
    def demo_page() -> HTMLResponse:
        return HTMLResponse(render("demo.html", clinic_name=s.branding.clinic_name, snippet=snippet(s, "")))

    @app.get("/staff")
    def staff(request: HttpRequest, token: str = "", page: int = 1) -> HTMLResponse:
        expected = s.web.staff_token
        if not expected:
            return HTMLResponse("The staff page is off: set MASSAGE_STAFF_TOKEN to enable it.", status_code=404)
        who = client(request)
        try:
            lockout.check(who)
        except LockedOutError as exc:
            return HTMLResponse(str(exc), status_code=429, headers={"Retry-After": str(exc.retry_after)})
        given = token or request.headers.get("x-staff-token", "")
        # Bytes, so any text (é, emoji) compares in constant time instead of raising TypeError.
        if not given or not hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8")):
            if given:
                lockout.failed(who)
                log.warning("wrong staff token from %s", who)
            return HTMLResponse("Wrong or missing staff token.", status_code=403, headers={"Cache-Control": "no-store"})
        lockout.succeeded(who)
        body = staff_page(assistant, store, staff_cache, page, token)
        return HTMLResponse(body, headers={"Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    # Public-deployment settings: no monitoring endpoint, no run history in visitors' browsers,
    # no error details, a tiny upload cap (uploads are refused by Guard anyway).
    public = {"show_error": False, "enable_monitoring": False, "max_file_size": "1kb", "footer_links": [], "run_history": False}
    chats: list[Any] = []

    @app.get("/embed")
    @app.get("/embed/")
    def embed_page() -> HTMLResponse:
        """The widget's messenger page (framed by widget.js); it calls /api/ask and /api/feedback."""
        return HTMLResponse(render("embed.html", **embed_values(s)), headers={"Cache-Control": "no-cache"})

    page = build_chat(edge)
    chats.append(page)
    page.state_session_capacity = SESSION_CAPACITY
    app = gr.mount_gradio_app(app, page, path="", css=CSS, **public)
    login_check_on_loop(app)
    _start_sweeper(chats)
    def urgent_in(body: bytes) -> str | None:
        """The urgent text for a Gradio chat call refused before it reached the edge (queue full)."""
        try:
            data = json.loads(body).get("data") or []
        except (ValueError, AttributeError):
            return None
        message = data[0] if data and isinstance(data[0], str) else None
        history = data[1] if len(data) > 1 and isinstance(data[1], list) else []
        answer = assistant.triage(message, history) if message else None
        return answer.answer if answer is not None else None

    guarded = Guard(app, s, error_parts, urgent_in)
    guarded.edge = edge  # type: ignore[attr-defined]  # for tests and tools
    guarded.fastapi = app  # type: ignore[attr-defined]
    guarded.chats = chats  # type: ignore[attr-defined]
    return guarded


def login_check_on_loop(app: Any) -> int:
    """Gradio guards its routes (the chat's POST and its event stream among them) with a
    `login_check` dependency, a plain function, so FastAPI runs it in its thread pool: two thread
    hops a chat turn, each waiting for the GIL behind the event loop under load, to learn that
    there is no login. No Gradio login is ever configured here, so an async stand-in answers on
    the loop; it refuses (401) should a login ever be configured, rather than let anyone in.
    Returns how many Gradio apps got it."""
    from starlette.routing import Mount

    done = 0
    for route in app.routes:
        gradio_app: Any = route.app if isinstance(route, Mount) else None
        if gradio_app is None or not hasattr(gradio_app, "dependency_overrides") or not hasattr(gradio_app, "auth"):
            continue
        if gradio_app.auth is not None or getattr(gradio_app, "auth_dependency", None) is not None:
            continue  # a login is configured: Gradio's own check stays

        checks = {dep.call for r in gradio_app.routes for dep in getattr(getattr(r, "dependant", None), "dependencies", [])
                  if getattr(dep.call, "__name__", "") == "login_check"}
        for check in checks:
            gradio_app.dependency_overrides[check] = _no_login(gradio_app)
        done += bool(checks)
    return done


def _no_login(gradio_app: Any) -> Any:
    from fastapi import HTTPException

    async def no_login() -> None:  # no parameters: FastAPI reads none from the request
        if gradio_app.auth is not None or getattr(gradio_app, "auth_dependency", None) is not None:
            raise HTTPException(status_code=401, detail="Not authenticated")

    return no_login


def _quiet_gradio() -> None:
    """Gradio work no visitor benefits from, measured in benchmarks/bench_gradio.py: after every
    event its queue summarises up to 10,000 past events with pandas for a monitoring page that is
    off here (2 ms of CPU an event, 11 ms on an aged server), and it tries `import matplotlib` on
    every event, which, when matplotlib is not installed, searches the whole path each time."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", str(10**9))  # never recomputed
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "100")
    import importlib.util
    import sys

    if importlib.util.find_spec("matplotlib") is None:
        sys.modules.setdefault("matplotlib", None)  # type: ignore[arg-type]  # "not installed", at once
    _skip_gradio_stubs()


def _skip_gradio_stubs() -> None:
    """Gradio re-derives a `.pyi` type stub for every component class each time it is imported
    (`component_meta.create_or_modify_pyi`: read the class's source, build the stub, compare with the
    file): a tool for Gradio's own developers that cost about a second of a cold start here
    (engineer P2, benchmarks/bench_startup.py). Visitors never see the stubs, so the function is
    replaced by a no-op as the module loads, before any component class is created."""
    import sys

    if "gradio.component_meta" in sys.modules or any(isinstance(f, _NoStubs) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _NoStubs())


class _NoStubs:
    """A meta path finder for the one module `gradio.component_meta` (see `_skip_gradio_stubs`)."""

    def find_spec(self, name: str, path: Any, target: Any = None) -> Any:
        import importlib.machinery
        import sys

        if name != "gradio.component_meta":
            return None
        sys.meta_path.remove(self)
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        loader = spec.loader if spec is not None else None
        if loader is not None and hasattr(loader, "exec_module"):
            run = loader.exec_module

            def exec_module(module: Any) -> None:
                run(module)
                if hasattr(module, "create_or_modify_pyi"):  # else Gradio changed: nothing to skip
                    module.create_or_modify_pyi = lambda *args, **kwargs: None

            loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def _start_sweeper(chats: list[Any]) -> None:
    def loop() -> None:
        while True:
            time.sleep(60)
            for blocks in chats:
                try:
                    sweep_sessions(blocks)
                except Exception as exc:  # Gradio internals changed: say so, keep serving
                    log.warning("could not expire chat sessions: %s", exc)
                    return

    threading.Thread(target=loop, name="session-sweeper", daemon=True).start()


@functools.cache
def widget_source() -> str:
    return (STATIC / "widget.js").read_text(encoding="utf-8")


def base_url(s: Any) -> str:
    host = "127.0.0.1" if s.web.host in ("0.0.0.0", "::") else s.web.host
    return f"http://{host}:{s.web.port}"


def snippet(s: Any, base: str) -> str:
    return (f'<script src="{base}/widget.js" data-clinic="{html.escape(s.branding.clinic_name)}" '
            f'data-color="{html.escape(s.branding.accent_color)}" data-position="{html.escape(s.branding.widget_position)}" async></script>')


def embed_values(s: Any) -> dict[str, Any]:
    b, safety = s.branding, s.safety
    config = {
        "clinic_name": b.clinic_name, "accent_color": b.accent_color, "welcome_message": b.welcome_message,
        "examples": list(b.example_questions), "notice": s.notice_text, "emergency_number": safety.emergency_number,
        "crisis_line": safety.crisis_line, "contact_phone": b.contact_phone, "contact_email": b.contact_email,
        "booking_url": b.booking_url, "contact_text": b.contact_text, "max_question_chars": safety.max_question_chars,
    }
    return {"title": f"Ask {b.clinic_name}", "clinic_name": b.clinic_name, "lang": "en", "config_json": json_for_html(config)}


STAFF_PAGE_ROWS = 50  # question groups a page: the page re-checks each against the live index


class StaffCache:
    """What the gap report would otherwise recompute on every load: whether the live build now
    answers a question (per build), and each question's vector for grouping. Bounded."""

    def __init__(self, size: int = 5000) -> None:
        self.size = size
        self._answered: OrderedDict[tuple[str, str], bool] = OrderedDict()
        self._vectors: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()

    def answered(self, assistant: Any, question: str) -> bool:
        key = (assistant.index.path.name, question)
        with self._lock:
            if key in self._answered:
                return self._answered[key]
        value = bool(assistant.answered_now(question))
        self._put(self._answered, key, value)
        return value

    def encode(self, assistant: Any, texts: list[str]) -> Any:
        import numpy as np

        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if missing:
            for text, vec in zip(missing, assistant.embedder.encode(missing), strict=True):
                self._put(self._vectors, text, vec)
        with self._lock:
            return np.vstack([self._vectors[t] for t in texts])

    def _put(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        with self._lock:
            table[key] = value
            table.move_to_end(key)
            while len(table) > self.size:
                table.popitem(last=False)


def staff_page(assistant: Any, store: Any, cache: StaffCache | None = None, page: int = 1, token: str = "") -> str:
    """The gap report: similar questions grouped, most asked first, with the reason and a
    suggested FAQ entry; questions the current FAQ and articles now answer are left out. One
    page holds STAFF_PAGE_ROWS question groups (aggregated in SQL), so it stays fast at any
    volume. A broken store or index never turns the page into a 500: the problem is shown at the
    top instead."""
    from .gaps import cluster

    cache = cache or StaffCache()
    page = max(1, page)
    problems: list[str] = []
    gaps: list[Any] = []
    urgent: Any = "?"
    hidden = 0
    more = False
    if store is None:
        problems.append("The gap log is off (MASSAGE_GAP_LOG_PATH is empty and no MASSAGE_DATABASE_URL is set).")
    else:
        try:
            health = store.health()
            if not health.get("ok", True) or health.get("problem"):
                problems.append(f"Gap log ({health.get('backend', '?')}): {health.get('problem') or 'not working'}"
                                f"; events dropped: {health.get('dropped', 0)}.")
            rows = list(store.grouped(limit=page * STAFF_PAGE_ROWS + 1))
            more = len(rows) > page * STAFF_PAGE_ROWS
            rows = rows[(page - 1) * STAFF_PAGE_ROWS : page * STAFF_PAGE_ROWS]
            urgent = store.urgent_total()
            # Only unanswered questions can have been fixed since; low-confidence and thumbs-down
            # rows are about answers given, and stay.
            still = [r for r in rows if set(r.kinds) - {"no_answer"} or not cache.answered(assistant, r.question)]
            hidden = len(rows) - len(still)
            gaps = cluster(still, lambda texts: cache.encode(assistant, texts), assistant.settings.tuning.gap_cluster_threshold)
        except Exception as exc:
            log.error("staff page: the gap log could not be read: %s", exc)
            problems.append(f"The gap log could not be read: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")
    try:
        h = assistant.health()
        claims = assistant.index.manifest.get("claims", [])
    except Exception as exc:
        h = {"status": "down", "index": "?", "passages": 0}
        claims = []
        problems.append(f"The index health could not be read: {exc}")
    for item in h.get("skipped", []) or []:
        problems.append(f"Skipped document {item.get('path')}: {item.get('problem')}")
    last = h.get("last_reload") or {}
    if last.get("ok") is False:
        problems.append(f"The last re-index failed ({last.get('at')}): {last.get('error')}. Still serving {h.get('index')}.")
    integrity = h.get("integrity") or {}
    if integrity.get("ok") is False:
        problems.append(f"Index files changed on disk: {integrity.get('problem')}")
    body = "".join(
        f"<tr><td>{g.count}</td><td>{html.escape(g.examples[0])}<br><small>{html.escape(' | '.join(g.examples[1:]))}</small></td>"
        f"<td>{html.escape(str(g.last_asked))}</td>"
        f"<td>{html.escape(', '.join(f'{k}: {n}' for k, n in g.kinds.items()))}"
        f"<br><small>{html.escape(' | '.join(g.reasons[:3]))}</small></td><td><pre>{html.escape(g.suggestion)}</pre></td></tr>"
        for g in gaps
    )
    claim_items = "".join(f"<li><code>{html.escape(c.get('doc', ''))}</code>: {html.escape(c.get('sentence', ''))}</li>"
                          for c in claims)
    keep = f"&amp;token={html.escape(quote(token, safe=''))}" if token else ""
    nav = "".join([
        f'<a href="?page={page - 1}{keep}">Previous page</a> ' if page > 1 else "",
        f'<a href="?page={page + 1}{keep}">Next page</a>' if more else "",
    ])
    return render(
        "staff.html",
        problems="".join(f'<p class="problem">{html.escape(p)}</p>' for p in problems),
        total=sum(g.count for g in gaps), retention_days=assistant.settings.staff.gap_retention_days,
        urgent=urgent, hidden=hidden, index=h.get("index", "?"), passages=h.get("passages", 0),
        status=h.get("status", "?"), rows=body, page=page, nav=nav,
        claims=(f"<h2>Sentences to reword</h2><p>These sentences in your documents may clear someone medically "
                f"or promise a cure. The assistant never quotes them under a health caution, and only when "
                f"nothing safer answers otherwise.</p><ul>{claim_items}</ul>") if claims else "",
    )


# uvicorn's own proxy handling is off: by default it believes X-Forwarded-For from 127.0.0.1
# whatever MASSAGE_TRUSTED_PROXIES says. Guard is the one place that decides (trusted_networks).
# timeout_keep_alive: an idle keep-alive connection is closed after 75 s, longer than a proxy keeps
# it (nginx upstream `keepalive_timeout 60s`, set in deploy/nginx): with uvicorn's default 5 s, nginx
# reused connections the replica was just closing, took the error as a failed replica and sent the
# visitor's Gradio event stream to another replica, which answered 404 (tests/test_deploy.py).
UVICORN_OPTIONS: dict[str, Any] = {"proxy_headers": False, "server_header": False, "log_level": "warning",
                                   "timeout_graceful_shutdown": 2, "timeout_keep_alive": 75}


# glibc gives each thread that allocates a heap arena of its own (up to 8 per core) and keeps
# them: memory that grows with the number of threads that ever ran a request. Two arenas cost
# no measurable CPU per answer and about 20 MB less RSS after the load of bench_gradio.py.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt parameter (malloc.h)


def tune_process() -> None:
    """Settings for the serving process, before the server starts its threads."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        if libc is not None and hasattr(libc, "mallopt"):
            libc.mallopt(_M_ARENA_MAX, MALLOC_ARENAS)
    except OSError:
        pass  # not glibc: nothing to tune


def serve(assistant: Any, host: str, port: int, *, store: Any = None) -> None:
    import uvicorn

    tune_process()
    uvicorn.run(create_app(assistant, store=store), host=host, port=port, **UVICORN_OPTIONS)
