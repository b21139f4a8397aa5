"""Shared pieces of the browser tests (test_browser, test_widget, test_a11y): Chromium's
launch flags, the clinic's configuration, host pages for the widget, and small page helpers.
The fixtures that use them (`browser`, `chat_server`, `sites`) are in conftest.py."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

from tests.support import REPO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("MASSAGE_SCREENSHOTS", REPO / "test-artifacts"))

# The clinic's ways out of a dead end, as a clinic would configure them.
CONTACTS = {"contact_phone": "+1 555 0100", "contact_email": "hello@riverside.example",
            "booking_url": "https://riverside.example/book"}
FAQ = ("# Clinic FAQ\n\n## What are your opening hours?\nAlso asked: When are you open?\n\n"
       "We are open Monday to Friday, 9:00 to 18:00.\n")


COLOR = "#aa3355"  # the snippet's data-color: the chat must use it inside the frame
COLOR_RGB = "rgb(170, 51, 85)"
ANSWER = ".mfa-msg.mfa-bot:not(.mfa-welcome)"


def host_page(root: Path, assistant_url: str, title: str) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{title}</title><style>body{{font-family:Georgia,serif;max-width:760px;margin:0 auto;padding:24px;"
        "color:#1f2937;line-height:1.6}} nav a{{margin-right:16px;color:#1d4ed8}}</style></head><body>"
        "<nav aria-label=Site><a href='index.html'>Home</a><a href='about.html'>About us</a><a href='#'>Contact</a></nav>"
        f"<main><h1>{title}</h1><p>Riverside Massage Clinic offers medical and relaxation massage in the heart of town. "
        "Our therapists work with your doctor's advice and tailor every session to you.</p>"
        "<p>Questions before you book? Use the chat button in the corner.</p></main>"
        f'<script src="{assistant_url}widget.js" data-clinic="Riverside Clinic" data-color="{COLOR}" async></script>'
        "</body></html>"
    )
    (root / "about.html").write_text((root / "index.html").read_text().replace(f"<h1>{title}</h1>", "<h1>About us</h1>"))


def serve_dir(root: Path, port: int) -> http.server.ThreadingHTTPServer:
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # noqa: ANN002
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), functools.partial(Quiet, directory=str(root)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv


def open_widget(page):
    page.click("button.mfa-btn")
    frame = page.frame_locator("iframe.mfa-frame")
    frame.locator(".mfa-welcome").wait_for(timeout=15_000)  # chat.js is running
    return frame


def ask_in(frame, text: str):
    """Types a question, sends it with Enter, and returns the new answer's locator."""
    n = frame.locator(ANSWER).count()
    frame.locator("#mfa-input").fill(text)
    frame.locator("#mfa-input").press("Enter")
    answer = frame.locator(ANSWER).nth(n)
    answer.wait_for(timeout=30_000)
    return answer


def settle(page, ms: int = 700, frame=None) -> None:
    """Wait out smooth scrolling to the newest message: a fixed pause, then (given the chat's
    frame) until the message list has stopped moving, so a loaded machine doesn't fail a layout check."""
    page.wait_for_timeout(ms)
    if frame is None:
        return
    log = frame.locator("#mfa-log")
    last = None
    for _ in range(40):
        now = log.evaluate("e => e.scrollTop")
        if now == last:
            return
        last = now
        page.wait_for_timeout(150)


def inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)
