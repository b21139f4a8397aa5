"""Accessibility: axe-core (vendored by axe-playwright-python, offline) finds no serious or
critical violation on the main page `/`, the messenger page `/embed/` and the widget on a host
page, in light and dark mode, with a conversation on screen (answer with sources open,
no-answer with contacts, urgent alert, thumbs-down reasons)."""

from __future__ import annotations

import pytest

from tests.browser_support import SHOTS, ask_in, open_widget

pytestmark = pytest.mark.slow
SCHEMES = ["light", "dark"]


def _serious(target) -> list[str]:
    """Serious and critical axe violations in a page or frame, as readable lines."""
    from axe_playwright_python.sync_playwright import Axe

    result = Axe().run(target)
    return [f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:4]}"
            for v in result.response["violations"] if v["impact"] in ("serious", "critical")]


def _converse(frame) -> None:
    """A conversation that shows every kind of message the chat can show."""
    answer = ask_in(frame, "how long does a session last")
    answer.locator("details.mfa-sources summary").click()
    ask_in(frame, "do you take paypal")
    ask_in(frame, "my leg is hot and swollen since the session")
    answer.get_by_role("button", name="Not helpful").click()  # the reason chips


@pytest.mark.parametrize("scheme", SCHEMES)
def test_embed_page_has_no_serious_violations(browser, sites, scheme):
    page = browser.new_page(color_scheme=scheme, viewport={"width": 420, "height": 760})
    page.goto(sites["assistant"] + "embed/")
    page.locator(".mfa-welcome").wait_for()
    assert _serious(page) == []
    _converse(page)
    page.locator("#mfa-notice-more").click()  # the expanded notice too
    assert _serious(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"embed-{scheme}.png"))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_widget_on_a_host_page_has_no_serious_violations(browser, sites, scheme):
    page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page.goto(sites["allowed"])
    page.locator("button.mfa-btn").wait_for()
    assert _serious(page) == []
    frame = open_widget(page)
    _converse(frame)
    assert _serious(page) == []  # the host page with the launcher and the open panel
    inner = page.locator("iframe.mfa-frame").element_handle().content_frame()
    assert _serious(inner) == []  # the chat inside the frame
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"widget-host-{scheme}.png"))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_widget_origin_message_has_no_serious_violations(browser, sites, scheme):
    page = browser.new_page(color_scheme=scheme)
    page.goto(sites["other"])
    page.click("button.mfa-btn")
    assert _serious(page) == []


@pytest.mark.parametrize("scheme", SCHEMES)
def test_main_page_has_no_serious_violations(browser, sites, scheme):
    page = browser.new_page(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page.goto(sites["assistant"])
    page.locator("#notice").wait_for(timeout=30_000)
    assert _serious(page) == []
    page.fill("#question textarea", "how long does a session last")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=30 minutes to 1 hour", timeout=30_000)
    assert _serious(page) == []
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"main-{scheme}.png"))
