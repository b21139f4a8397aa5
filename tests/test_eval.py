"""Quality floors on the labelled dev set (set a little below measured figures, to catch
regressions). Measured figures and baselines: `massage-assistant eval`."""

import pytest

from assistant.evaluate import grounded, hit, run_eval

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report(real_settings, bot):
    return run_eval(real_settings, baselines=True, assistant=bot)


def test_dev_set_size(report):
    c = report["counts"]
    assert sum(c.values()) >= 80 and c["unanswerable"] >= 20 and c["answerable"] >= 50


def test_quality_floors(report):
    s = report["system"]
    assert s["grounding"] == 1.0
    assert s["hit@1"] >= 0.85
    assert s["hit@3"] >= 0.95
    assert s["quote_hit"] >= 0.88
    assert s["answered_rate"] >= 0.97
    assert s["abstention_rate"] >= 0.95
    assert s["urgent_rate"] == 1.0 and s["caution_rate"] == 1.0


def test_beats_baselines(report):
    s, b = report["system"], report["baselines"]
    assert s["hit@1"] > max(b["bm25"]["hit@1"], b["dense"]["hit@1"], b["window-1000"]["hit@1"])
    assert s["quote_hit"] > b["top3-sentences"]["quote_hit"]
    t = b["cosine-threshold"]
    assert min(s["answered_rate"], s["abstention_rate"]) > min(t["answered_rate"], t["abstention_rate"])


def test_metric_helpers():
    assert hit(["a", "Stay hydrated."], ["stay hydrated"], 1) == 0.0
    assert hit(["a", "Stay hydrated."], ["stay hydrated"], 3) == 1.0
    ok = {"status": "answered", "answer": "Stay hydrated. [1]", "citations": [{"n": 1, "text": "Always Stay hydrated. Yes."}]}
    assert grounded(ok)
    assert not grounded({**ok, "answer": "Stay very hydrated. [1]"})
    assert not grounded({**ok, "answer": "Stay hydrated. [2]"})


def test_miss_causes_partition_the_misses():
    from assistant.evaluate import miss_cause, miss_causes

    row = {"kind": "answerable", "status": "answered", "hit1": 1.0, "hit3": 1.0, "quote": 1.0}
    rows = [row, {**row, "status": "urgent", "hit1": 0.0, "hit3": 0.0, "quote": 0.0},
            {**row, "status": "no_answer", "hit1": 0.0, "hit3": 0.0, "quote": 0.0},
            {**row, "hit1": 0.0}, {**row, "quote": 0.0}, {**row, "hit1": 0.0, "quote": 0.0},
            {**row, "hit1": 0.0, "hit3": 0.0, "quote": 0.0}, {**row, "kind": "unanswerable", "hit1": 0.0}]
    assert [miss_cause(r) for r in rows] == [
        None, "urgent reply (safety false alarm)", "abstained", "answer quoted from a later citation",
        "right passage first, another of its sentences quoted", "right passage cited, not first and not quoted",
        "right passage not cited", None]
    assert sum(miss_causes(rows).values()) == 6


def test_report_counts_every_answerable_miss(report):
    s, n = report["system"], report["counts"]["answerable"]
    misses = sum(report["miss_causes"].values())
    # every row missing hit@1 or the quote is counted once
    assert misses >= round((1 - min(s["hit@1"], s["quote_hit"])) * n)
    assert misses <= round((2 - s["hit@1"] - s["quote_hit"]) * n)


def test_holdout_floors(real_settings, bot):
    """A set written after calibration and never tuned on: guards against overfitting the dev set."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "evals" / "holdout.jsonl"
    s = run_eval(real_settings, path, baselines=False, assistant=bot)["system"]
    assert s["grounding"] == 1.0
    assert s["hit@1"] >= 0.75 and s["hit@3"] >= 0.85 and s["quote_hit"] >= 0.85
    assert s["answered_rate"] >= 0.9 and s["abstention_rate"] >= 0.9


def test_visitor_holdout_floors(real_settings, bot):
    """The independent visitor held-out set (issue 13; written by a third author before any
    tuning, never tuned on). Floors a little below the measured figures guard against
    regressions; the issue's goals (hit@1 >= 0.88 ...) are not reached yet: README "Quality"."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "evals" / "visitors_holdout.jsonl"
    s = run_eval(real_settings, path, baselines=False, assistant=bot)["system"]
    assert s["grounding"] == 1.0
    assert s["dangling_openers"] == 0 and s["shifts_hijacked"] == 0
    assert s["hit@1"] >= 0.58 and s["hit@3"] >= 0.72 and s["quote_hit"] >= 0.67
    assert s["answered_rate"] >= 0.87 and s["abstention_rate"] >= 0.92
    assert s["followup_resolved"] >= 0.5


def test_visitor_holdout2_floors(real_settings, bot):
    """The second blind visitor held-out set (issue 13; written by a fourth author from the articles alone,
    never tuned on, looked at in aggregate only). Measured at 95f901b: hit@1 0.634, hit@3 0.718, quote
    0.603, answered 0.832, abstained 0.750, follow-ups 5/14 (at the session's start, 62fbca4: abstained
    0.646, follow-ups 3/14). Floors about a row below: regression guards, far from the issue's goals."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "evals" / "visitors_holdout2.jsonl"
    r = run_eval(real_settings, path, baselines=False, assistant=bot)
    s, c = r["system"], r["counts"]
    assert c["answerable"] >= 120 and c["unanswerable"] >= 40 and c["followup"] >= 12 and c["shift"] >= 12
    assert s["grounding"] == 1.0 and s["shifts_hijacked"] == 0 and s["dangling_openers"] == 0
    assert s["hit@1"] >= 0.61 and s["hit@3"] >= 0.70 and s["quote_hit"] >= 0.58
    assert s["answered_rate"] >= 0.81 and s["abstention_rate"] >= 0.72
    assert s["followup_resolved"] >= 0.28


def test_dev_visitors3_floors(real_settings, bot):
    """dev_visitors3 (dev, tuned on): unanswerables that share words with the articles, clinic facts
    asked without a fact word, follow-ups in many forms. Measured 2026-11-25 (int8_embeddings):
    hit@1 0.84, quote 0.813, answered 0.987, abstained 0.947, follow-ups 0.714; before this work
    0.76 / 0.72 / 0.907 / 0.632 / 0.536. Floors a little below: a regression guard, not a held-out figure."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "evals" / "dev_visitors3.jsonl"
    r = run_eval(real_settings, path, baselines=False, assistant=bot)
    s, c = r["system"], r["counts"]
    assert c["unanswerable"] >= 50 and c["followup"] >= 25 and c["shift"] >= 10
    assert s["grounding"] == 1.0 and s["shifts_hijacked"] == 0 and s["dangling_openers"] == 0
    assert s["abstention_rate"] >= 0.9 and s["answered_rate"] >= 0.95
    assert s["hit@1"] >= 0.8 and s["quote_hit"] >= 0.78 and s["followup_resolved"] >= 0.65
