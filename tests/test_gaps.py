import csv
import io
import sqlite3
import time

import pytest
from click.testing import CliRunner

from assistant.gaps import GapLog, cluster, redact, write_csv
from tests.support import HashingEmbedder


@pytest.mark.parametrize("raw, clean", [
    ("mail me: jane.doe+spa@mail.example.org", "mail me: [email]"),
    ("my number is 07700 900123", "my number is [phone]"),
    ("call (212) 555-0199 please", "call [phone] please"),
    ("member 123456789", "member [number]"),
    ("hours on 2 days a week", "hours on 2 days a week"),
])
def test_redaction(raw, clean):
    assert redact(raw) == clean


def test_records_only_gaps_and_counts_urgent(tmp_path):
    log = GapLog(tmp_path / "g.sqlite3")
    log.record("no_answer", "price? call 555-123-4567", "no_answer", [], "asks about the clinic's own details")
    log.record("urgent", "", "urgent", [])
    log.record("thumbs_down", "how long is a session", "answered", ["a#1"])
    rows = log.events()
    assert [r["kind"] for r in rows] == ["no_answer", "thumbs_down"]
    assert rows[0]["question"] == "price? call [phone]" and log.urgent_total() == 1
    db = sqlite3.connect(tmp_path / "g.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM events WHERE kind = 'urgent'").fetchone()[0] == 0


def test_retention_deletes_old_rows(tmp_path):
    log = GapLog(tmp_path / "g.sqlite3", retention_days=30)
    log.record("no_answer", "old question", "no_answer", [])
    db = sqlite3.connect(tmp_path / "g.sqlite3")
    with db:
        db.execute("UPDATE events SET ts = ?", (time.time() - 31 * 86400,))
    log.record("no_answer", "new question", "no_answer", [])
    assert [r["question"] for r in log.events()] == ["new question"]


def test_clusters_sorted_by_count_with_suggestion(tmp_path):
    emb = HashingEmbedder()
    events = [{"question": q, "kind": "no_answer", "ts": time.time()} for q in
              ["do you sell gift cards", "gift cards for sale?", "do you sell gift cards online", "where can I park"]]
    gaps = cluster(events, emb.encode, threshold=0.3)
    assert gaps[0].count == 3 and "gift" in gaps[0].examples[0] and gaps[-1].count == 1
    assert gaps[0].suggestion.startswith("## ") and "Also asked:" in gaps[0].suggestion
    write_csv(gaps, tmp_path / "gaps.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "gaps.csv").read_text())))
    assert rows[0]["count"] == "3" and rows[0]["suggested_faq_entry"].startswith("## ")


@pytest.mark.slow
def test_gaps_cli(tmp_path, monkeypatch):
    from assistant.cli import main

    log = GapLog(tmp_path / "g.sqlite3")
    for q in ("what are your prices", "how much does a session cost", "price list please"):
        log.record("no_answer", q, "no_answer", [])
    r = CliRunner().invoke(main, ["gaps", "--db", str(tmp_path / "g.sqlite3"), "--csv", str(tmp_path / "o.csv")])
    assert r.exit_code == 0, r.output
    assert "asked" in r.output and "suggested corpus/faq.md entry" in r.output and (tmp_path / "o.csv").exists()


@pytest.mark.slow
def test_chat_feedback_is_stored_with_status_and_chunks(bot, tmp_path):
    from assistant.app import record_feedback, respond

    bot.settings = bot.settings.replace(gap_log_path=tmp_path / "fb.sqlite3")
    bot._gap_log = None
    try:
        history, meta = respond(bot, "Can massage help with migraines?", [], {})
        answer_index = next(i for i, m in enumerate(history) if m["role"] == "assistant")
        record_feedback(bot, meta, answer_index, False)
        rows = bot.gap_log.events(("thumbs_down",))
        assert len(rows) == 1 and rows[0]["status"] == "answered" and "#" in rows[0]["chunk_ids"]
        history, meta = respond(bot, "do you do hot stone massage", history, meta)
        assert any(r["kind"] == "no_answer" for r in bot.gap_log.events())
    finally:
        bot.settings = bot.settings.replace(gap_log_path=None)
        bot._gap_log = None


def test_rate_limiter_window():
    from assistant.app import RateLimiter

    rl = RateLimiter(3)
    assert [rl.allow("a") for _ in range(4)] == [True, True, True, False]
    assert rl.allow("b")  # per client
    assert all(RateLimiter(0).allow("a") for _ in range(100))  # 0 disables
