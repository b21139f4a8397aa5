"""Shared fixtures. The real model and a real index are built once per session in a temp dir
(never touching the repo's index/); fast unit tests use the hashing fake on tiny corpora."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import TINY

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "corpus", root / "corpus")
    return Settings.of(corpus_dir=root / "corpus", index_dir=root / "index", gap_log_path=None)


@pytest.fixture(scope="session")
def embedder(real_settings):
    from assistant.embed import load_embedder

    return load_embedder(real_settings)


@pytest.fixture(scope="session")
def bot(real_settings, embedder):
    from assistant.pipeline import Assistant

    return Assistant.load(real_settings, embedder=embedder)


@pytest.fixture
def tiny(tmp_path: Path):
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TINY.items():
        (corpus / name).write_text(text)
    return Settings.of(corpus_dir=corpus, index_dir=tmp_path / "index")


# --- the browser tier (test_browser, test_widget, test_a11y): one real server for the session ---


# Per module: Playwright's sync API runs an event loop in this thread while it is open, which
# would break later tests that call asyncio.run(). The server behind it is shared per session.
@pytest.fixture(scope="module")
def browser():
    from tests.browser_support import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        if os.environ.get("MASSAGE_TEST_REQUIRE_BROWSER"):
            pytest.fail("Chromium is required here (apt-get install chromium chromium-driver)")
        pytest.skip("no Chromium on this machine")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def chat_server(tmp_path_factory):
    """`massage-assistant serve` (the real server, model and index) over the repo's corpus plus
    a small FAQ, with the clinic's name and contacts configured and one allowed host origin.
    {"url", "host_port" (for the allowed host page), "feedback"(question, kind) -> rows}."""
    import json
    import sqlite3
    import time

    from tests.browser_support import CONTACTS, FAQ
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


@pytest.fixture(scope="session")
def sites(tmp_path_factory, chat_server):
    """{"assistant": url, "allowed": host page url, "other": a host page not on the list}."""
    from tests.browser_support import host_page, serve_dir
    from tests.support import free_port

    tmp = tmp_path_factory.mktemp("sites")
    url, allowed_port = chat_server["url"], chat_server["host_port"]
    host_page(tmp / "allowed", url, "Riverside Massage Clinic")
    host_page(tmp / "other", url, "Some other site")
    allowed = serve_dir(tmp / "allowed", allowed_port)
    other = serve_dir(tmp / "other", free_port())
    yield {"assistant": url, "allowed": f"http://127.0.0.1:{allowed_port}/",
           "other": f"http://127.0.0.1:{other.server_address[1]}/", **chat_server}
    allowed.shutdown()
    other.shutdown()
