"""Live re-indexing: edits show up, deletions never get quoted again, no request fails."""

import shutil
import threading

import pytest

from assistant.errors import CorpusError
from tests.support import REPO

pytestmark = pytest.mark.slow
NEW = "Warm compresses before a session can soften stubborn calf knots remarkably well."


@pytest.fixture
def live(tmp_path, embedder):
    from assistant.pipeline import Assistant
    from assistant.settings import Settings

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    return Assistant.load(Settings.of(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index"), embedder=embedder)


def _quoted(bot, q):
    a = bot.ask(q)
    return a.answer, [c.doc for c in a.citations]


def test_edit_delete_and_no_change(live):
    doc = live.settings.paths.corpus_dir / "benefits-of-regular-medical-massages.md"
    assert live.live.reload() is False  # nothing changed: nothing rebuilt, same index
    doc.write_text(doc.read_text() + f"\n## Warm compresses\n\n{NEW}\n")
    assert live.live.reload() is True
    answer, _ = _quoted(live, "can compresses before a session soften stubborn knots?")
    assert NEW in answer

    gone = live.settings.paths.corpus_dir / "the-health-advantages-of-medical-massage.md"
    gone.unlink()
    assert live.live.reload() is True
    for q in ("what are the 7 benefits of massage", "should i stay hydrated after a massage", "Mental clarity from massage"):
        _, docs = _quoted(live, q)
        assert "corpus/the-health-advantages-of-medical-massage.md" not in docs


def test_a_bad_faq_keeps_the_last_good_index_and_is_reported_once(live):
    before = live.index.path
    faq = live.settings.paths.corpus_dir / "faq.md"
    faq.write_text("# FAQ\n\n## What are your opening hours?\n\n[Our opening hours, e.g. 9 to 5.]\n")
    with pytest.raises(CorpusError, match="placeholder"):
        live.live.reload()
    assert live.index.path == before and live.ask("how long does a session last").status == "answered"
    health = live.health()
    assert health["status"] == "degraded" and "placeholder" in health["last_reload"]["error"]
    assert live.live.reload() is False  # the same broken corpus is not rebuilt (nor logged) again
    faq.write_text("# FAQ\n\n## What are your opening hours?\n\nMonday to Friday, 9:00 to 17:00.\n")
    assert live.live.reload() is True and live.health()["status"] == "ok"


def test_an_unreadable_document_is_skipped_and_reported(live):
    bad = live.settings.paths.corpus_dir / "broken.md"
    bad.write_bytes(b"\xff\xfe not utf-8 \x80")
    assert live.live.reload() is True  # the rest is indexed
    health = live.health()
    assert health["status"] == "degraded"
    assert [s["path"] for s in health["skipped"]] == ["corpus/broken.md"]
    assert live.ask("how long does a session last").status == "answered"


def test_questions_keep_working_while_the_index_swaps(live):
    errors: list[BaseException] = []
    answers = 0
    stop = threading.Event()

    def visitor():
        nonlocal answers
        while not stop.is_set():
            try:
                assert live.ask("Can massage help with migraines?").status == "answered"
                answers += 1
            except BaseException as exc:  # noqa: BLE001 - any failure counts
                errors.append(exc)

    threads = [threading.Thread(target=visitor) for _ in range(3)]
    for t in threads:
        t.start()
    doc = live.settings.paths.corpus_dir / "benefits-of-regular-medical-massages.md"
    swaps = 0
    for i in range(4):
        doc.write_text(doc.read_text() + f"\nExtra line number {i} about gentle stretching after sessions.\n")
        swaps += live.live.reload()
    stop.set()
    for t in threads:
        t.join()
    assert swaps == 4 and answers > 0 and errors == []


def test_watcher_adopts_a_build_made_elsewhere(live):
    import time

    from assistant.build import build_index

    live.live.build = False  # a replica: it only adopts builds published elsewhere
    stop = live.live.watch(0.1)
    try:
        doc = live.settings.paths.corpus_dir / "benefits-of-regular-medical-massages.md"
        doc.write_text(doc.read_text() + f"\n## Warm compresses\n\n{NEW}\n")
        report = build_index(live.settings, live.embedder)  # what `massage-assistant build` does
        deadline = time.time() + 10
        while live.index.path != report.path and time.time() < deadline:
            time.sleep(0.05)
        assert live.index.path == report.path
    finally:
        stop.set()


def test_served_app_picks_up_edits_and_deletions(tmp_path, live):
    """Through the real server and the real CLI: staff edit, then delete, a document."""
    import time

    from click.testing import CliRunner
    from gradio_client import Client

    from assistant.cli import main
    from tests.support import running_server

    corpus, index = live.settings.paths.corpus_dir, live.settings.paths.index_dir
    with running_server(corpus, index, env={"MASSAGE_RELOAD_INTERVAL": "0.5"}) as url:
        c = Client(url, verbose=False)

        def wait_for(pred, timeout=60):
            deadline = time.time() + timeout
            while time.time() < deadline:
                d = c.predict(QUESTION, api_name="/ask")
                if pred(d):
                    return d
                time.sleep(0.5)
            raise AssertionError(f"timed out; last answer: {d}")

        doc = corpus / "benefits-of-regular-medical-massages.md"
        doc.write_text(doc.read_text() + f"\n## Warm compresses\n\n{NEW}\n")  # the watcher rebuilds
        wait_for(lambda d: NEW in d["answer"])
        doc.unlink()
        r = CliRunner().invoke(main, ["build", "--corpus", str(corpus), "--index", str(index)])
        # The watcher may already have rebuilt for the deletion; either way the CLI leaves it out.
        assert r.exit_code == 0
        assert "removed: corpus/benefits-of-regular-medical-massages.md" in r.output or "4 unchanged" in r.output
        d = wait_for(lambda d: NEW not in d["answer"])
        assert all(x["doc"] != "corpus/benefits-of-regular-medical-massages.md" for x in d["citations"])


QUESTION = "can compresses before a session soften stubborn knots?"
