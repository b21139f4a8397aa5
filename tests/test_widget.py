"""The clinic-website widget in a real browser, as a visitor meets it: the host page on one
loopback origin, the assistant on another, Chromium driven by Playwright (see test_browser.py).

The messenger page inside the frame is `templates/embed.html` + `static/chat.js`; it asks
`POST /api/ask` and sends thumbs to `POST /api/feedback`. Answers come from the real pipeline
(real model, real index of the repo's corpus plus a small FAQ)."""

from __future__ import annotations

import json
import time

import pytest

from tests.browser_support import (  # noqa: F401
    ANSWER,
    COLOR,
    COLOR_RGB,
    SHOTS,
    ask_in,
    inside,
    open_widget,
    settle,
)

pytestmark = pytest.mark.slow

SIZES = [(1280, 900), (1366, 650), (390, 844), (320, 568), (1440, 900)]


@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
def test_after_three_questions_input_answer_and_notice_are_in_the_panel(browser, sites, size):
    w, h = size
    page = browser.new_page(viewport={"width": w, "height": h})
    page.goto(sites["allowed"])
    frame = open_widget(page)
    for q in ["Can massage help with migraines?", "how long does a session last", "what should I do after a massage"]:
        answer = ask_in(frame, q)
    settle(page, frame=frame)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"widget-{w}x{h}.png"))
    panel = page.locator("#mfa-panel").bounding_box()
    view = {"x": 0, "y": 0, "width": w, "height": h}
    assert inside(panel, view), (panel, view)
    if w < 480:  # full screen on phones
        assert panel["width"] >= w - 1 and panel["height"] >= h - 1
    for sel in ["#mfa-input", "#mfa-send", "#notice", "#mfa-new"]:
        box = frame.locator(sel).bounding_box()
        assert box and inside(box, panel), (sel, box, panel)
    log = frame.locator("#mfa-log").bounding_box()
    a = answer.bounding_box()
    # The newest answer is scrolled into the visible part of the message list: its start at
    # least, and a good part of it.
    assert log["y"] - 1 <= a["y"] < log["y"] + log["height"] - 40, (a, log)
    assert "consult your healthcare provider" in frame.locator("#notice").inner_text()
    # 16 px input (no zoom on focus in iOS) and >= 44 px touch targets.
    assert frame.locator("#mfa-input").evaluate("e => getComputedStyle(e).fontSize") == "16px"
    for sel in ["#mfa-send", "#mfa-new", ".mfa-thumb >> nth=0", "button.mfa-cite >> nth=0"]:
        box = frame.locator(sel).bounding_box()
        if sel.startswith("button.mfa-cite"):  # inline in the text, like a link: 24 px minimum (WCAG 2.5.8)
            assert box["height"] >= 24 and box["width"] >= 24, (sel, box)
        else:
            assert box["height"] >= 44 and box["width"] >= 44, (sel, box)
    page.close()


def test_phone_keyboard_open_keeps_the_input_and_newest_answer_visible(browser, sites):
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(sites["allowed"])
    frame = open_widget(page)
    for q in ["Can massage help with migraines?", "how long does a session last"]:
        answer = ask_in(frame, q)
    frame.locator("#mfa-input").focus()
    page.set_viewport_size({"width": 390, "height": 430})  # the on-screen keyboard takes the rest
    settle(page, frame=frame)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-390-keyboard.png"))
    for sel in ["#mfa-input", "#notice", "#mfa-close"]:
        box = frame.locator(sel).bounding_box()
        assert box and box["y"] >= 0 and box["y"] + box["height"] <= 430 + 1, (sel, box)
    log = frame.locator("#mfa-log").bounding_box()
    assert log["height"] >= 120  # room left to read
    a = answer.bounding_box()  # still in view: the log kept following the newest message
    assert a["y"] < log["y"] + log["height"] and a["y"] + a["height"] > log["y"]


def test_conversation_survives_reload_and_other_pages_and_new_chat_clears(browser, sites):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    ask_in(frame, "how long does a session last")
    assert "30 minutes to 1 hour" in frame.locator("#mfa-log").inner_text()
    page.reload()
    page.locator("iframe.mfa-frame").wait_for(timeout=10_000)  # the open chat stays open on desktop
    frame = page.frame_locator("iframe.mfa-frame")
    frame.locator(ANSWER).first.wait_for(timeout=10_000)
    log = frame.locator("#mfa-log").inner_text()
    assert "how long does a session last" in log and "30 minutes to 1 hour" in log
    page.goto(sites["allowed"] + "about.html")  # another page of the same site
    frame = page.frame_locator("iframe.mfa-frame")
    frame.locator(ANSWER).first.wait_for(timeout=10_000)
    assert "30 minutes to 1 hour" in frame.locator("#mfa-log").inner_text()
    frame.locator("#mfa-new").click()
    assert frame.locator(ANSWER).count() == 0
    page.reload()
    frame = page.frame_locator("iframe.mfa-frame")
    frame.locator(".mfa-welcome").wait_for(timeout=10_000)
    assert "30 minutes to 1 hour" not in frame.locator("#mfa-log").inner_text()
    ctx.close()


def test_a_new_browser_session_starts_empty(browser, sites):
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    ask_in(frame, "how long does a session last")
    ctx.close()
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    assert frame.locator(ANSWER).count() == 0
    ctx.close()


def test_brand_colour_is_inside_the_chat_with_readable_text(browser, sites):
    page = browser.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    ask_in(frame, "Can massage help with migraines?")
    style = "e => { const s = getComputedStyle(e); return [s.backgroundColor, s.color]; }"
    bubble_bg, bubble_fg = frame.locator(".mfa-user .mfa-bubble").first.evaluate(style)
    send_bg, _ = frame.locator("#mfa-send").evaluate(style)
    head_bg, _ = frame.locator(".mfa-header").evaluate(style)
    assert bubble_bg == send_bg == head_bg == COLOR_RGB
    assert bubble_fg == "rgb(255, 255, 255)"
    assert frame.locator(".mfa-welcome").inner_text().strip()  # the welcome message
    assert frame.locator("#mfa-title").inner_text() == "Riverside Clinic"


def test_light_brand_colour_gets_dark_text(browser, sites):
    page = browser.new_page()
    page.goto(sites["assistant"] + "embed/?color=%23facc15")  # a light yellow
    page.locator(".mfa-welcome").wait_for()
    fg = page.locator(".mfa-header").evaluate("e => getComputedStyle(e).color")
    assert fg == "rgb(17, 24, 39)"  # not white on yellow
    ink = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--accent-ink-light')")
    r, g, b = (int(x) for x in ink.strip()[4:-1].split(","))
    assert (r, g, b) != (250, 204, 21)  # links and chips use a darkened yellow


def test_no_answer_reply_offers_the_clinic_contacts(browser, sites):
    page = browser.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    answer = ask_in(frame, "do you take paypal")
    assert "couldn't find" in answer.inner_text()
    hrefs = answer.locator("a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert "tel:+15550100" in hrefs and "mailto:hello@riverside.example" in hrefs
    assert "https://riverside.example/book" in hrefs
    header = frame.locator("#mfa-contacts a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert "tel:+15550100" in header
    assert answer.locator(".mfa-thumb").count() == 0


def test_urgent_reply_is_an_alert_with_a_tel_link_and_no_thumbs(browser, sites):
    page = browser.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    answer = ask_in(frame, "my leg is hot and swollen since the session")
    assert answer.locator("[role=alert]").count() == 1
    assert answer.locator("a[href='tel:911']").count() >= 1
    assert answer.locator(".mfa-thumb").count() == 0 and answer.locator(".mfa-sources").count() == 0
    bg = answer.locator(".mfa-bubble").evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg == "rgb(254, 242, 242)"  # alert styling, not the ordinary grey bubble


def test_sources_show_titles_and_passages_and_markers_open_them(browser, sites):
    page = browser.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    answer = ask_in(frame, "how long does a session last")
    sources = answer.locator("details.mfa-sources")
    assert sources.get_attribute("open") is None  # collapsed until asked for
    answer.locator("button.mfa-cite").first.click()
    assert sources.get_attribute("open") is not None
    item = answer.locator(".mfa-source").first
    text = item.inner_text()
    assert "Medical Massage Therapy" in text and "30 minutes to 1 hour" in text
    assert "corpus/" not in text and ".md" not in text  # titles for people, not file paths
    assert frame.locator(".mfa-source:focus").count() == 1
    size = item.locator(".mfa-source-text").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 14
    # A staff FAQ answer: the source says so rather than repeating the answer.
    faq = ask_in(frame, "what are your opening hours")
    assert "Monday to Friday" in faq.locator(".mfa-bubble > p").first.inner_text()
    faq.locator("details.mfa-sources summary").click()
    src = faq.locator(".mfa-source").first.inner_text()
    assert "From our FAQ" in src and "Monday to Friday" not in src


def test_keyboard_only_from_the_page_to_an_answer_and_back(browser, sites):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(sites["allowed"])
    page.locator("button.mfa-btn").wait_for()
    page.keyboard.press("Tab")  # the launcher is the first stop on the page
    assert page.evaluate("document.activeElement.className") == "mfa-btn"
    page.keyboard.press("Enter")
    handle = page.locator("iframe.mfa-frame").element_handle()
    inner = handle.content_frame()
    deadline = time.time() + 10
    while time.time() < deadline and inner.evaluate("document.activeElement && document.activeElement.id") != "mfa-input":
        time.sleep(0.1)
    assert inner.evaluate("document.activeElement.id") == "mfa-input"  # focus went into the chat
    page.keyboard.type("how long does a session last")
    page.keyboard.press("Enter")
    inner.wait_for_selector(ANSWER, timeout=30_000)
    for _ in range(12):  # back from the input to the answer's [1]
        page.keyboard.press("Shift+Tab")
        if inner.evaluate("document.activeElement.className") == "mfa-cite":
            break
    assert inner.evaluate("document.activeElement.className") == "mfa-cite"
    page.keyboard.press("Enter")
    assert "mfa-source" in inner.evaluate("document.activeElement.className")
    page.keyboard.press("Escape")  # closes the panel from inside the frame
    page.locator("#mfa-panel").wait_for(state="hidden", timeout=5000)
    assert page.evaluate("document.activeElement.className") == "mfa-btn"
    page.keyboard.press("Enter")  # and opens it again, conversation kept
    assert page.locator("#mfa-panel").is_visible()
    assert "30 minutes to 1 hour" in inner.locator("#mfa-log").inner_text()


def test_site_not_on_the_list_gets_a_message_instead_of_a_blank_frame(browser, sites):
    page = browser.new_page()
    page.goto(sites["other"])
    page.click("button.mfa-btn")
    panel = page.locator("#mfa-panel")
    assert panel.is_visible()
    assert page.locator("iframe.mfa-frame").count() == 0
    text = panel.inner_text()
    assert "MASSAGE_ALLOWED_ORIGINS" in text and sites["other"].rstrip("/") in text
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "widget-origin-not-allowed.png"))
    page.keyboard.press("Escape")
    assert not panel.is_visible()


def test_a_frame_on_a_site_not_on_the_list_is_refused(browser, sites):
    # Even a page that frames /embed/ by itself gets nothing: CSP frame-ancestors.
    page = browser.new_page()
    page.goto(sites["other"])
    page.evaluate("u => { const f = document.createElement('iframe'); f.src = u; document.body.appendChild(f); }",
                  sites["assistant"] + "embed/")
    page.wait_for_timeout(2000)
    frame = next(f for f in page.frames if f != page.main_frame)
    assert "healthcare provider" not in (frame.content() or "")


def test_markup_in_questions_and_answers_is_only_text(browser, sites):
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url))
    page.goto(sites["allowed"])
    frame = open_widget(page)
    for payload in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "![x](http://203.0.113.9/p.png)",
                    "[click](javascript:alert(1)) **bold**"]:
        ask_in(frame, payload)
    log = frame.locator("#mfa-log")
    assert "<img src=x onerror=alert(1)>" in log.inner_text() and dialogs == []
    assert "**bold**" in log.inner_text()  # visitors' text is never Markdown either
    assert log.locator("img").count() == 0 and log.locator("script").count() == 0
    assert log.locator("a[href^='javascript']").count() == 0
    assert not [u for u in fetched if "203.0.113.9" in u]


def test_errors_are_polite_with_the_notice_and_busy_offers_a_retry(browser, sites):
    page = browser.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    busy = {"status": "error", "answer": "We're answering a lot of questions right now.", "citations": [],
            "notice": "General information only: consult your healthcare provider.", "caution": False,
            "safety": None, "reason": "busy", "confidence": 0.0}
    calls = {"n": 0}

    def once_busy(route):
        calls["n"] += 1
        if calls["n"] == 1:
            route.fulfill(status=503, content_type="application/json", body=json.dumps(busy), headers={"Retry-After": "2"})
        else:
            route.continue_()

    page.route("**/api/ask", once_busy)
    frame.locator("#mfa-input").fill("how long does a session last")
    frame.locator("#mfa-input").press("Enter")
    err = frame.locator(".mfa-error")
    err.wait_for(timeout=10_000)
    text = err.inner_text()
    assert "lot of questions" in text and "healthcare provider" in text and "Try again" in text
    err.locator("button.mfa-retry").click()
    frame.locator(ANSWER + ":not(.mfa-error)").first.wait_for(timeout=30_000)
    assert "30 minutes to 1 hour" in frame.locator("#mfa-log").inner_text()
    assert frame.locator(".mfa-error").count() == 0
    # A 4xx error from the server: its message and the notice, no retry.
    frame.locator("#mfa-input").fill("?!")
    frame.locator("#mfa-input").press("Enter")
    err = frame.locator(".mfa-error")
    err.wait_for(timeout=10_000)
    assert "healthcare provider" in err.inner_text() and err.locator("button.mfa-retry").count() == 0


def test_typing_indicator_while_waiting(browser, sites):
    page = browser.new_page()
    page.goto(sites["allowed"])
    frame = open_widget(page)
    held: list = []
    page.route("**/api/ask", lambda route: held.append(route))  # the answer is held back
    frame.locator("#mfa-input").fill("how long does a session last")
    frame.locator("#mfa-input").press("Enter")
    frame.locator("#mfa-typing .mfa-dots").wait_for(timeout=5000)
    assert "looking that up" in frame.locator("#mfa-typing").inner_text()
    assert frame.locator("#mfa-send").is_disabled()
    page.wait_for_timeout(300)
    held[0].continue_()
    frame.locator(ANSWER).first.wait_for(timeout=30_000)
    assert frame.locator("#mfa-typing").inner_text() == "" and not frame.locator("#mfa-send").is_disabled()


def test_thumbs_down_in_the_widget_is_recorded_with_its_reason(browser, sites):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    page.goto(sites["allowed"])
    frame = open_widget(page)
    answer = ask_in(frame, "what is myofascial release")
    answer.get_by_role("button", name="Not helpful").click()
    answer.get_by_role("button", name="Didn't answer my question").click()
    assert "Thanks" in answer.inner_text()
    rows = sites["feedback"](question="what is myofascial release", kind="thumbs_down")
    assert rows and rows[0]["status"] == "answered" and rows[0]["reason"] == "Didn't answer my question"
    assert rows[0]["chunk_ids"] and all("#" in c for c in rows[0]["chunk_ids"])
    assert answer.get_by_role("button", name="Not helpful").get_attribute("aria-pressed") == "true"
