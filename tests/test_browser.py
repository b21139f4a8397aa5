"""The chat in a real headless Chromium (Debian's package, driven by Playwright).

Skipped on a developer machine without /usr/bin/chromium; in CI (`MASSAGE_TEST_REQUIRE_BROWSER=1`,
set by .ci/run, which installs Chromium) a missing browser fails instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.test_server import server  # noqa: F401  (the real server fixture)

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = Path(os.environ.get("MASSAGE_SCREENSHOTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


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


def _ask(page, text: str) -> None:
    page.fill("#question textarea", text)
    page.keyboard.press("Enter")


@pytest.mark.parametrize("size", [(1100, 900), (390, 844)], ids=["desktop", "phone"])
def test_visitor_sees_answer_sources_and_notice(browser, server, size):  # noqa: F811
    page = browser.new_page(viewport={"width": size[0], "height": size[1]})
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    notice = page.locator("#notice")
    assert "consult your healthcare provider" in notice.inner_text()
    _ask(page, "Can massage help with migraines?")
    page.wait_for_selector("text=Sources (", timeout=30_000)
    page.click("text=Sources (")
    chat = page.locator("#chat").inner_text()
    assert "[1]" in chat and "corpus/" in chat
    assert notice.is_visible()
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"chat-{size[0]}.png"), full_page=True)
    assert dialogs == []


def test_markup_is_shown_as_text_and_never_runs(browser, server):  # noqa: F811
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    external: list[str] = []
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(server.rstrip("/")) and not r.url.startswith("data:") else None)
    page.goto(server)
    for payload in ["<img src=x onerror=alert(1)>", "<script>alert(1)</script>", "![x](http://203.0.113.9/pixel.png)"]:
        _ask(page, payload)
        page.wait_for_timeout(1500)
    page.wait_for_timeout(1000)
    assert dialogs == []
    assert not [u for u in external if "203.0.113.9" in u]
    assert page.locator("#chat img[src='x']").count() == 0
    chat = page.locator("#chat").inner_text()
    assert "<img src=x onerror=alert(1)>" in chat and "<script>alert(1)</script>" in chat


def test_emergency_shows_template_with_nothing_above(browser, server):  # noqa: F811
    page = browser.new_page()
    page.goto(server)
    _ask(page, "my leg is hot and swollen since the session")
    page.wait_for_selector("text=Call 911 now", timeout=30_000)
    chat = page.locator("#chat").inner_text()
    assert "Sources (" not in chat and "[1]" not in chat
    assert page.locator("#notice").is_visible()
