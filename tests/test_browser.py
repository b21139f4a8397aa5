"""The chat in a real headless Chromium (Debian's package, driven by Playwright).

Skipped on a developer machine without /usr/bin/chromium; in CI (`MASSAGE_TEST_REQUIRE_BROWSER=1`,
set by .ci/run, which installs Chromium) a missing browser fails instead.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("MASSAGE_SCREENSHOTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
REPO = Path(__file__).resolve().parent.parent

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


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory):
    """`massage-assistant serve` (the real server, model and index) over the repo's corpus plus
    a small FAQ, with the clinic's name and contacts configured and one allowed host origin.
    {"url", "host_port" (for the allowed host page), "feedback"(question, kind) -> rows}."""
    import sqlite3

    from tests.support import free_port, running_server

    tmp = tmp_path_factory.mktemp("chat")
    shutil.copytree(REPO / "corpus", tmp / "corpus")
    (tmp / "corpus" / "faq.md").write_text(FAQ)
    host_port = free_port()
    env = {"MASSAGE_ALLOWED_ORIGINS": f"http://127.0.0.1:{host_port}", "MASSAGE_CLINIC_NAME": "Riverside Clinic",
           **{f"MASSAGE_{k.upper()}": v for k, v in CONTACTS.items()}}
    db = tmp / "var" / "gaps.sqlite3"

    def recorded(question: str, kind: str) -> list[dict]:
        deadline = time.time() + 10
        while time.time() < deadline:
            if db.exists():
                with sqlite3.connect(db) as con:
                    rows = con.execute("SELECT status, chunk_ids, reason FROM events WHERE kind = ? AND question = ?",
                                       (kind, question)).fetchall()
                if rows:
                    return [{"status": st, "chunk_ids": json.loads(ids) if ids.startswith("[") else ids.split(","),
                             "reason": r} for st, ids, r in rows]
            time.sleep(0.3)
        return []

    with running_server(tmp / "corpus", tmp / "index", "--no-watch", env=env) as url:
        yield {"url": url, "host_port": host_port, "feedback": recorded}


# --- the main page (/) -----------------------------------------------------------------------


def _ask_main(page, text: str) -> None:
    n = page.locator("#chat .bot-row").count()
    page.fill("#question textarea", text)
    page.keyboard.press("Enter")
    page.locator("#chat .bot-row").nth(n).wait_for(timeout=30_000)
    page.wait_for_timeout(300)


MAIN_SIZES = [(1280, 900), (1366, 650), (390, 844)]


@pytest.mark.parametrize("size", MAIN_SIZES, ids=[f"{w}x{h}" for w, h in MAIN_SIZES])
def test_main_page_is_a_full_height_chat_under_a_heading(browser, chat_server, size):
    w, h = size
    page = browser.new_page(viewport={"width": w, "height": h})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(chat_server["url"])
    page.locator("#chat").wait_for(timeout=30_000)
    assert page.locator("h1").inner_text().strip() == "Ask Riverside Clinic"
    for q in ["Can massage help with migraines?", "how long does a session last", "do you take paypal"]:
        _ask_main(page, q)
    page.wait_for_timeout(800)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"main-{w}x{h}.png"))
    # The page itself does not scroll: the chat does, and the input and notice stay on screen.
    assert page.evaluate("document.documentElement.scrollHeight") <= h + 1
    for sel in ["#question textarea", "#notice", "#new-chat"]:
        box = page.locator(sel).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= h + 1, (sel, box)
    assert "consult your healthcare provider" in page.locator("#notice").inner_text()
    assert page.locator("#question textarea").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    ask = page.locator("#question .submit-button").bounding_box()
    assert ask["height"] >= 44 and ask["width"] >= 44
    # The clinic's colour on the visitor's bubbles and the Ask button, with readable text.
    bubble = page.locator("#chat .user-row .message").first
    assert bubble.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(15, 118, 110)"
    assert page.locator("#question .submit-button").evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"
    # The no-answer reply carries the clinic's contacts.
    last = page.locator("#chat .bot-row").last
    hrefs = last.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert "tel:+15550100" in hrefs and "mailto:hello@riverside.example" in hrefs
    assert dialogs == []


def test_main_page_examples_send_and_one_new_chat_clears(browser, chat_server):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(chat_server["url"])
    example = page.get_by_role("button", name="How long does a medical massage session last?")
    example.click()
    page.wait_for_selector("text=30 minutes to 1 hour", timeout=30_000)  # it sent by itself
    visible_clear = [b for b in page.get_by_role("button").all() if b.is_visible()
                     and (b.get_attribute("aria-label") or b.inner_text()).strip() in ("Clear", "New chat")]
    assert len(visible_clear) == 1
    page.locator("#chat .thought-group .title").first.click()  # Sources, for people
    sources = page.locator("#chat .thought-group").first.inner_text()
    assert "Medical Massage Therapy" in sources and "corpus/" not in sources
    page.click("#new-chat")
    page.wait_for_timeout(800)
    assert page.locator("#chat .bot-row").count() == 0


def test_main_page_markup_is_shown_as_text_and_never_runs(browser, chat_server):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    url = chat_server["url"].rstrip("/")
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if "203.0.113.9" in r.url else None)
    page.goto(chat_server["url"])
    for payload in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "![x](http://203.0.113.9/pixel.png)"]:
        _ask_main(page, payload)
    assert dialogs == [] and external == [] and url
    assert page.locator("#chat img[src='x']").count() == 0
    chat = page.locator("#chat").inner_text()
    assert "<img src=x onerror=alert(1)>" in chat and "<script>alert(1)</script>" in chat


def test_main_page_emergency_has_the_number_to_tap_and_nothing_above(browser, chat_server):
    page = browser.new_page()
    page.goto(chat_server["url"])
    _ask_main(page, "my leg is hot and swollen since the session")
    last = page.locator("#chat .bot-row").last
    assert "911" in last.inner_text() and last.locator("a[href='tel:911']").count() >= 1
    chat = page.locator("#chat").inner_text()
    assert "Sources (" not in chat and "[1]" not in chat
    assert page.locator("#notice").is_visible()
