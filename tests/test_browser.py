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
