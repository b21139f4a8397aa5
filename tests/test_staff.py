"""Fast tier: the staff gap report on a real SQLite store with 10,000 events and the pipeline on the
hashing fake. It pages (aggregated in SQL), drops questions the FAQ now answers, shows why each
question is there, and lists sentences staff should reword. The render time is printed, never
asserted (timings are for benchmarks)."""

from __future__ import annotations

import time
from pathlib import Path

from assistant.gaps import open_store
from assistant.pipeline import Assistant
from assistant.server import STAFF_PAGE_ROWS, StaffCache, staff_page
from assistant.settings import Settings
from tests.support import HashingEmbedder

FAQ = "# FAQ\n\n## Do you sell gift vouchers?\nAlso asked: Can I buy a gift card?\n\nYes, at the front desk.\n"
CLAIM = "Massage is always safe during pregnancy, no doctor needed."


def test_gap_report_pages_drops_what_is_answered_now_and_says_why(tiny: Settings, tmp_path: Path) -> None:
    corpus = Path(tiny.paths.corpus_dir)
    (corpus / "claim.md").write_text(f"# Pregnancy\n\n## Safety\n\n{CLAIM} Side-lying positions are used.\n")
    settings = tiny.replace(gap_log_path=tmp_path / "gaps.sqlite3", answer_min_sentence_score=0.2)
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    store = open_store(settings)
    assert store is not None
    # 10,000 events over 400 distinct questions, one of which the FAQ will answer.
    store.record("no_answer", "Can I buy a gift card?", "no_answer", [], "asks about the clinic's own details (gift)")
    for i in range(9_999):
        store.record("no_answer", f"Do you offer treatment number {i % 399} with volcanic stones?", "no_answer", [],
                     "the documents never mention: volcanic")
    store.flush(30)
    (corpus / "faq.md").write_text(FAQ)
    bot.live.reload()

    cache = StaffCache()
    t0 = time.perf_counter()
    first = staff_page(bot, store, cache, page=1)
    cold = time.perf_counter() - t0
    t0 = time.perf_counter()
    staff_page(bot, store, cache, page=1)
    warm = time.perf_counter() - t0
    print(f"\nstaff page over 10,000 events: first render {cold * 1000:.0f} ms, again {warm * 1000:.0f} ms")

    assert first.count("<tr>") - 1 <= STAFF_PAGE_ROWS  # one page of question groups, not 10,000 rows
    assert 'href="?page=2"' in first and "Page 1" in first
    assert "the documents never mention: volcanic" in first  # the reason for each entry
    assert "Can I buy a gift card?" not in first  # the FAQ answers it now
    assert "Sentences to reword" in first and CLAIM in first
    second = staff_page(bot, store, cache, page=2)
    assert 'href="?page=1"' in second
    store.close()


def test_paging_keeps_the_staff_token_and_a_bad_event_drops_only_itself(tiny: Settings, tmp_path: Path) -> None:
    settings = tiny.replace(gap_log_path=tmp_path / "gaps.sqlite3")
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    store = open_store(settings)
    assert store is not None
    store.record("no_answer", "lone surrogate \ud800 here", "no_answer", [], "x")  # valid JSON, not valid UTF-8
    for i in range(STAFF_PAGE_ROWS + 5):
        store.record("no_answer", f"Do you offer volcanic treatment {i}?", "no_answer", [], "never mention")
    store.flush(30)
    assert len(store.events()) == STAFF_PAGE_ROWS + 6 and store.health()["dropped"] == 0
    page = staff_page(bot, store, StaffCache(), page=1, token="s3cr&t")
    assert 'href="?page=2&amp;token=s3cr%26t"' in page
    store.close()
