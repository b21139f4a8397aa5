"""The chat in a real headless Chromium (Debian's package, driven by Playwright).

Skipped on a developer machine without /usr/bin/chromium; in CI (`MASSAGE_TEST_REQUIRE_BROWSER=1`,
set by .ci/run, which installs Chromium) a missing browser fails instead.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import threading
import time
from pathlib import Path

import pytest
from fastapi import Request  # at module level: the routes below are resolved by annotation

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("MASSAGE_SCREENSHOTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
REPO = Path(__file__).resolve().parent.parent
PKG = REPO / "assistant"

# The clinic's ways out of a dead end, as a clinic would configure them.
CONTACTS = {"contact_phone": "+1 555 0100", "contact_email": "hello@riverside.example",
            "booking_url": "https://riverside.example/book"}
FAQ = ("# Clinic FAQ\n\n## What are your opening hours?\nAlso asked: When are you open?\n\n"
       "We are open Monday to Friday, 9:00 to 18:00.\n")


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("MASSAGE_TEST_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (apt-get install chromium chromium-driver)")
        pytest.skip("no Chromium on this machine")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def _render(name: str, **values: object) -> str:
    """The template contract of docs/architecture.md: {{x}} escaped, {{{x}}} raw."""
    text = (PKG / "templates" / name).read_text(encoding="utf-8")
    text = re.sub(r"\{\{\{(\w+)\}\}\}", lambda m: str(values[m.group(1)]), text)
    return re.sub(r"\{\{(\w+)\}\}", lambda m: html.escape(str(values[m.group(1)])), text)


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory, embedder):
    """The widget's side of the server for the browser tests: `/embed/` from the template,
    `/static/`, `/widget.js`, `POST /api/ask` and `POST /api/feedback` over the real pipeline
    (the repo's corpus plus a small FAQ, the clinic's contacts configured).

    A stand-in for server.py while it is being split out of app.py: same routes, same
    template contract, same framing policy."""
    import socket

    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse, JSONResponse, Response

    from assistant.errors import InputError
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    tmp = tmp_path_factory.mktemp("chat")
    shutil.copytree(REPO / "corpus", tmp / "corpus")
    (tmp / "corpus" / "faq.md").write_text(FAQ)

    def free_port() -> int:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    host_port = free_port()
    allowed = f"http://127.0.0.1:{host_port}"
    s = Settings.of(corpus_dir=tmp / "corpus", index_dir=tmp / "index", gap_log_path=None,
                    clinic_name="Riverside Clinic", allowed_origins=(allowed,), **CONTACTS)
    bot = Assistant.load(s, embedder=embedder)
    feedback: list[dict] = []
    app = FastAPI()

    def framed(resp: Response) -> Response:
        resp.headers["Content-Security-Policy"] = f"frame-ancestors 'self' {allowed}"
        return resp

    @app.get("/embed/")
    def embed() -> Response:
        b = s.branding
        config = {"clinic_name": b.clinic_name, "accent_color": b.accent_color, "welcome_message": b.welcome_message,
                  "examples": list(b.example_questions), "notice": s.notice_text,
                  "emergency_number": s.safety.emergency_number, "crisis_line": s.safety.crisis_line,
                  "contact_phone": b.contact_phone, "contact_email": b.contact_email, "booking_url": b.booking_url,
                  "contact_text": b.contact_text, "max_question_chars": s.safety.max_question_chars}
        page = _render("embed.html", title=f"Chat with {b.clinic_name}", clinic_name=b.clinic_name, lang="en",
                       config_json=json.dumps(config).replace("<", "\\u003c"))
        return framed(HTMLResponse(page))

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        path = PKG / "static" / name
        if "/" in name or ".." in name or not path.is_file():
            return Response(status_code=404)
        kind = {".js": "application/javascript", ".css": "text/css", ".png": "image/png"}.get(path.suffix, "text/plain")
        return Response(path.read_bytes(), media_type=kind)

    @app.get("/widget.js")
    def widget() -> Response:
        defaults = {"clinic": s.branding.clinic_name, "color": s.branding.accent_color,
                    "position": s.branding.widget_position, "origins": [allowed], "base": ""}
        body = (PKG / "static" / "widget.js").read_text().replace("__DEFAULTS__", json.dumps(defaults))
        return Response(body, media_type="application/javascript")

    def error(message: str, reason: str, code: int) -> JSONResponse:
        return JSONResponse({"status": "error", "answer": message, "citations": [], "notice": s.notice_text,
                             "caution": False, "safety": None, "reason": reason, "confidence": 0.0}, status_code=code)

    @app.post("/api/ask")
    async def ask(request: Request) -> Response:
        body = await request.json()
        try:
            return JSONResponse(bot.ask(body.get("question"), history=body.get("history")).to_dict())
        except InputError as exc:
            return error(str(exc), "invalid input", 400)

    @app.post("/api/feedback")
    async def feedback_route(request: Request) -> Response:
        body = await request.json()
        feedback.append({"kind": "thumbs_up" if body.get("helpful") else "thumbs_down", **body})
        return Response(status_code=204)

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 30
    while not server.started and time.time() < deadline:
        time.sleep(0.05)

    def recorded(question: str, kind: str) -> list[dict]:
        deadline = time.time() + 10
        while time.time() < deadline:
            rows = [r for r in feedback if r["question"] == question and r["kind"] == kind]
            if rows:
                return rows
            time.sleep(0.2)
        return []

    yield {"url": f"http://127.0.0.1:{port}/", "host_port": host_port, "feedback": recorded}
    server.should_exit = True
    thread.join(10)
