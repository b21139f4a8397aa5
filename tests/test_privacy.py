"""Redaction before storage, measured on evals/pii.jsonl.

The set (110 PII-bearing visitor questions, each with its PII items and topic words labelled)
was written and committed before the rules; its held-out part (split "heldout", 33 questions)
was never looked at while tuning. The floors are asserted on the held-out part; both parts are
printed (`pytest tests/test_privacy.py -s`).

An item counts as removed when none of its significant words (letters or digits, not glue
words like "at" or "of") is left in the redacted text more often than the rest of the question
already had it. A topic word counts as kept when the phrase is still in the redacted text.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from assistant.privacy import redact

SET = Path(__file__).resolve().parent.parent / "evals" / "pii.jsonl"
GLUE = frozenset(re.findall(r"\w+", "and of the at on in with to is a an my dot st"))


def _words(text: str) -> Counter[str]:
    return Counter(w for w in re.findall(r"\w+", text.lower()) if w not in GLUE and (len(w) > 1 or w.isdigit()))


def leaked(item: str, question: str, redacted: str) -> bool:
    outside = _words(question.replace(item, " ", 1))
    left = _words(redacted)
    return any(left[w] > outside[w] for w in _words(item))


def kept(topic: str, redacted: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(topic.lower()) + r"(?!\w)", " ".join(redacted.lower().split())) is not None


def score(split: str) -> tuple[float, float, list[str]]:
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["split"] == split]
    removed = total = topics_kept = topics = 0
    misses = []
    for r in rows:
        out = redact(r["question"])
        for item in r["pii"]:
            total += 1
            if leaked(item, r["question"], out):
                misses.append(f"LEAK {item!r}: {out}")
            else:
                removed += 1
        for t in r["topics"]:
            topics += 1
            if kept(t, out):
                topics_kept += 1
            else:
                misses.append(f"LOST {t!r}: {out}")
    return removed / total, topics_kept / topics, misses


def test_the_set_is_big_enough_and_labelled():
    rows = [json.loads(line) for line in SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 100
    held = [r for r in rows if r["split"] == "heldout"]
    assert 0.25 <= len(held) / len(rows) <= 0.35
    for r in rows:
        assert r["pii"] and r["topics"]
        assert all(s in r["question"] for s in r["pii"] + r["topics"]), r["id"]


def test_dev_figures():
    pii, topics, misses = score("dev")
    print(f"\nredaction dev: PII removed {pii:.1%}, topic words kept {topics:.1%}")
    print("\n".join(misses))
    assert pii >= 0.95 and topics >= 0.90


def test_heldout_floors():
    """The floors from the issue, on questions the rules were never tuned on."""
    pii, topics, _ = score("heldout")
    print(f"\nredaction held-out: PII removed {pii:.1%}, topic words kept {topics:.1%}")
    assert pii >= 0.95, pii
    assert topics >= 0.90, topics


@pytest.mark.parametrize("raw, clean", [
    ("mail me: jane.doe+spa@mail.example.org", "mail me: [email]"),
    ("my number is 07700 900123", "my number is [phone]"),
    ("call (212) 555-0199 please", "call [phone] please"),
    ("member 123456789", "member [number]"),
    ("hours on 2 days a week", "hours on 2 days a week"),
    ("jane(at)example(dot)com", "[email]"),
    ("write to jane at example dot com today", "write to [email] today"),
    ("I was born on the fifth of May 1980", "I was born on the [date of birth]"),
    ("card 4111 1111 1111 1111 exp 08/27 cvv 123", "card [card] exp [expiry] cvv [cvv]"),
    ("IBAN GB29 NWBK 6016 1331 9268 19", "IBAN [iban]"),
    ("my IBAN ends in 3000", "my IBAN ends in [number]"),
    ("I live at 42 Elm Street, Springfield IL 62704", "I live at [address], Springfield IL [postcode]"),
    ("SW1A 1AA and K1A 0B1", "[postcode] and [postcode]"),
    ("I have fibromyalgia and HIV, can massage help?", "I have [health], can massage help?"),
    ("my name is John Smith", "my name is [name]"),
])
def test_rules(raw, clean):
    assert redact(raw) == clean


@pytest.mark.parametrize("question", [
    "Can massage help with migraines?",
    "How long does a 60 minute deep tissue massage session last?",
    "Can massage help with fibromyalgia?",  # a topic, not a person's condition: kept
    "What should I do after a massage for my lower back pain?",
    "I'm wondering if massage helps neck stiffness and sleep",
    "Is massage safe during pregnancy?",
    "Do you open on Saturday in May?",
    "Do you sell a gift card for 2 people?",
    "Is my insurance ok for 2 sessions of Swedish massage?",
    "What is the best Thai massage for the neck - Hot Stone or Reflexology?",
])
def test_questions_without_personal_data_are_unchanged(question):
    assert redact(question) == question


def test_ordinary_questions_are_left_alone():
    """Over-redaction: the retrieval eval questions (no personal data, except a few first-person
    health statements, which are redacted on purpose) come through unchanged."""
    root = SET.parent
    qs = [json.loads(line)["question"] for f in ("dev.jsonl", "holdout.jsonl")
          for line in (root / f).read_text(encoding="utf-8").splitlines() if line.strip()]
    same = sum(redact(q) == q for q in qs) / len(qs)
    print(f"\nordinary questions unchanged: {same:.1%} of {len(qs)}")
    assert same >= 0.9


def test_health_clause_keeps_topic_words():
    out = redact("I have a herniated disc and sciatica, can massage help my lower back pain?")
    assert "herniated" not in out and "disc" not in out
    assert "sciatica" in out and "lower back pain" in out and out.startswith("I have [health]")


def test_redaction_is_total_and_idempotent():
    """Any text (the gap log gets whatever visitors type) comes back as a string, and redacting
    twice changes nothing more."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = st.sampled_from(["I have", "I'm", "my name is", "John", "Smith", "born", "5 May 1980", "at", "dot",
                             "com", "4111 1111 1111 1111", "(212) 555-0199", "neck", "pain", "massage", ",", "?",
                             "SW1A 1AA", "GB29 NWBK 6016", "[name]", "12 Elm Street", "cvv 123"])

    @settings(max_examples=300, deadline=None)
    @given(st.one_of(st.text(max_size=300), st.lists(words, max_size=30).map(" ".join)))
    def check(text: str) -> None:
        once = redact(text)
        assert isinstance(once, str) and redact(once) == once

    check()
