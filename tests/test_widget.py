"""The clinic-website widget in a real browser: the host page on one loopback origin, the
assistant on another. Chromium is Debian's; Playwright drives it (see tests/test_browser.py)."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from tests.test_browser import ARGS, CHROMIUM, SHOTS, browser  # noqa: F401
from tests.test_server import _free_port, running_server

pytestmark = pytest.mark.slow


def _host(tmp: Path, assistant_url: str, name: str) -> tuple[str, http.server.ThreadingHTTPServer]:
    root = tmp / name
    root.mkdir()
    (root / "index.html").write_text(
        "<!doctype html><html><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>"
        f"<title>{name}</title></head><body><h1>{name} clinic</h1><p>Welcome.</p>"
        f'<script src="{assistant_url}widget.js" data-clinic="Riverside Clinic" data-color="#aa3355" async></script>'
        "</body></html>"
    )
    port = _free_port()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}/", srv


@pytest.fixture(scope="module")
def sites(tmp_path_factory, real_settings, bot):
    tmp = tmp_path_factory.mktemp("sites")
    allowed_port = _free_port()
    allowed_origin = f"http://127.0.0.1:{allowed_port}"
    with running_server(real_settings.paths.corpus_dir, real_settings.paths.index_dir, "--no-watch",
                        env={"MASSAGE_ALLOWED_ORIGINS": allowed_origin}) as url:
        root = tmp / "allowed"
        root.mkdir()
        (root / "index.html").write_text(
            "<!doctype html><html><head><meta charset=utf-8><meta name=viewport content='width=device-width,initial-scale=1'>"
            "<title>Clinic</title></head><body><h1>Riverside clinic</h1><p>Welcome to our clinic.</p>"
            f'<script src="{url}widget.js" data-clinic="Riverside Clinic" data-color="#aa3355" async></script>'
            "</body></html>"
        )
        handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
        allowed = http.server.ThreadingHTTPServer(("127.0.0.1", allowed_port), handler)
        threading.Thread(target=allowed.serve_forever, daemon=True).start()
        other, other_srv = _host(tmp, url, "other")
        yield {"assistant": url, "allowed": allowed_origin + "/", "other": other}
        allowed.shutdown()
        other_srv.shutdown()


def _open(page):
    page.click("button.mfa-btn")
    return page.frame_locator("iframe.mfa-frame")


@pytest.mark.parametrize("size", [(1200, 900), (390, 844)], ids=["desktop", "phone"])
def test_widget_answers_with_sources_and_notice(browser, sites, size):  # noqa: F811
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    page.goto(sites["allowed"])
    btn = page.locator("button.mfa-btn")
    assert btn.get_attribute("aria-expanded") == "false" and "Open chat" in btn.get_attribute("aria-label")
    frame = _open(page)
    assert btn.get_attribute("aria-expanded") == "true"
    frame.locator("#question textarea").fill("Can massage help with migraines?")
    frame.locator("#question textarea").press("Enter")
    frame.locator("text=Sources (").wait_for(timeout=30_000)
    frame.locator("text=Sources (").click()
    chat = frame.locator("#chat").inner_text()
    assert "[1]" in chat and "corpus/" in chat
    assert "consult your healthcare provider" in frame.locator("#notice").inner_text()
    box = page.locator("#mfa-panel").bounding_box()
    if size[0] < 480:  # full screen on phones
        assert box["width"] >= size[0] - 1 and box["height"] >= size[1] - 1
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"widget-{size[0]}.png"))


def test_close_reopen_keeps_conversation_and_new_chat_clears(browser, sites):  # noqa: F811
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(sites["allowed"])
    frame = _open(page)
    frame.locator("#question textarea").fill("how long does a session last")
    frame.locator("#question textarea").press("Enter")
    frame.locator("text=30 minutes to 1 hour").first.wait_for(timeout=30_000)
    page.keyboard.press("Escape")  # keyboard close, with focus inside the chat frame
    page.locator("#mfa-panel").wait_for(state="hidden", timeout=5000)
    page.locator("button.mfa-btn").focus()
    page.keyboard.press("Enter")  # keyboard open
    assert page.locator("#mfa-panel").is_visible()
    assert "30 minutes to 1 hour" in frame.locator("#chat").inner_text()
    frame.locator("#new-chat").click()
    page.wait_for_timeout(1000)
    assert "30 minutes to 1 hour" not in frame.locator("#chat").inner_text()


def test_site_not_on_the_list_cannot_frame_the_chat(browser, sites):  # noqa: F811
    page = browser.new_page()
    page.goto(sites["other"])
    page.click("button.mfa-btn")
    page.wait_for_timeout(3000)
    frame = next(f for f in page.frames if f != page.main_frame)
    # Chromium refuses the frame (CSP frame-ancestors): no chat, no notice inside it.
    assert frame.locator("#question").count() == 0
    assert "healthcare provider" not in (frame.content() or "")


def test_widget_shows_markup_as_text(browser, sites):  # noqa: F811
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(sites["allowed"])
    frame = _open(page)
    for payload in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "![x](http://203.0.113.9/p.png)"]:
        frame.locator("#question textarea").fill(payload)
        frame.locator("#question textarea").press("Enter")
        page.wait_for_timeout(1200)
    chat = frame.locator("#chat").inner_text()
    assert "<img src=x onerror=alert(1)>" in chat and dialogs == []
    assert not [u for u in fetched if "203.0.113.9" in u]


def test_cors_allowlist_and_csp_headers(sites):
    import json
    import urllib.request

    def call(origin: str):
        req = urllib.request.Request(sites["assistant"] + "api/ask", method="POST",
                                     data=json.dumps({"question": "how long does a session last"}).encode(),
                                     headers={"Content-Type": "application/json", "Origin": origin})
        return urllib.request.urlopen(req)

    allowed = sites["allowed"].rstrip("/")
    ok = call(allowed)
    assert ok.headers["Access-Control-Allow-Origin"] == allowed
    assert json.loads(ok.read())["status"] == "answered"
    assert call(sites["other"].rstrip("/")).headers.get("Access-Control-Allow-Origin") is None
    page = urllib.request.urlopen(sites["assistant"] + "embed/")
    assert page.headers["Content-Security-Policy"] == f"frame-ancestors 'self' {allowed}"
    snippet_page = urllib.request.urlopen(sites["assistant"] + "embed-code").read().decode()
    assert "widget.js" in snippet_page and allowed in snippet_page


def test_rate_limit_and_same_origin_default(tmp_path, real_settings, bot):
    import json
    import urllib.error
    import urllib.request

    with running_server(real_settings.paths.corpus_dir, real_settings.paths.index_dir, "--no-watch",
                        env={"MASSAGE_RATE_LIMIT_PER_MINUTE": "2", "MASSAGE_ALLOWED_ORIGINS": ""}) as url:
        def ask():
            req = urllib.request.Request(url + "api/ask", method="POST", data=b'{"question": "hi there massage"}',
                                         headers={"Content-Type": "application/json"})
            return urllib.request.urlopen(req)

        ask()
        ask()
        with pytest.raises(urllib.error.HTTPError) as e:
            ask()
        assert e.value.code == 429
        body = json.loads(e.value.read())
        assert "wait a minute" in body["answer"] and body["notice"]
        assert urllib.request.urlopen(url).headers["Content-Security-Policy"] == "frame-ancestors 'self'"
    log = next((Path(real_settings.paths.index_dir).parent / "var").glob("serve-*.log"))
    logs = " ".join(p.read_text() for p in log.parent.glob("serve-*.log"))
    assert "same origin" in logs


def test_thumbs_down_in_the_widget_is_recorded(browser, sites, real_settings):  # noqa: F811
    import sqlite3
    import time

    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(sites["allowed"])
    frame = _open(page)
    frame.locator("#question textarea").fill("what is myofascial release")
    frame.locator("#question textarea").press("Enter")
    frame.locator("text=Sources (").wait_for(timeout=30_000)
    frame.get_by_label("Dislike").first.click()
    db = Path(real_settings.paths.index_dir).parent / "var" / "gaps.sqlite3"
    deadline = time.time() + 10
    rows: list = []
    while time.time() < deadline and not rows:
        if db.exists():
            with sqlite3.connect(db) as con:
                rows = con.execute("SELECT question, status, chunk_ids FROM events WHERE kind = 'thumbs_down'"
                                   " AND question = 'what is myofascial release'").fetchall()
        time.sleep(0.3)
    assert rows and rows[0][1] == "answered" and "#" in rows[0][2]
