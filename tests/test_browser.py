"""The chat in a real headless Chromium (Debian's package, driven by Playwright).

Skipped on a developer machine without /usr/bin/chromium; in CI (`MASSAGE_TEST_REQUIRE_BROWSER=1`,
set by .ci/run, which installs Chromium) a missing browser fails instead.
"""

from __future__ import annotations

import pytest

from tests.browser_support import CONTACTS, FAQ, SHOTS  # noqa: F401

pytestmark = pytest.mark.slow

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
