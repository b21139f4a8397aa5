import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.safety import RULES, normalize, triage, urgent_text
from assistant.settings import Settings

ROWS = [json.loads(line) for line in (Path(__file__).parent.parent / "evals" / "safety.jsonl").read_text().splitlines() if line]
URGENT = [r for r in ROWS if r["expect"] in ("emergency", "crisis")]
FAQ = [r for r in ROWS if r["expect"] == "faq"]


def test_set_is_large_enough():
    assert len(ROWS) >= 60
    assert {r["expect"] for r in ROWS} == {"emergency", "crisis", "caution", "faq"}


@pytest.mark.parametrize("row", URGENT, ids=lambda r: r["message"][:40])
def test_every_emergency_and_crisis_is_caught(row):
    t = triage(row["message"])
    assert t is not None and t.urgent, row["message"]


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"] == "crisis"], ids=lambda r: r["message"][:40])
def test_crises_get_the_crisis_template(row):
    assert triage(row["message"]).category == "crisis"


@pytest.mark.parametrize("row", [r for r in ROWS if r["expect"] == "caution"], ids=lambda r: r["message"][:40])
def test_cautions(row):
    t = triage(row["message"])
    assert t is not None and t.category == "caution", row["message"]


def test_ordinary_faqs_rarely_urgent():
    urgent = [r["message"] for r in FAQ if (t := triage(r["message"])) and t.urgent]
    assert len(urgent) / len(FAQ) <= 0.05, urgent


def test_rule_ids_are_unique_and_recorded():
    ids = [r.id for r in RULES]
    assert len(ids) == len(set(ids))
    assert triage("I want to kill myself").to_dict() == {"category": "crisis", "rule": "self-harm-or-suicide"}


@pytest.mark.parametrize("number, line", [("911", "988"), ("999", "Samaritans 116 123")])
def test_configured_numbers_in_every_urgent_template(number, line):
    s = Settings.of(emergency_number=number, crisis_line=line)
    for msg in ("my chest hurts", "I want to die"):
        text = urgent_text(triage(msg), s)
        assert number in text
    assert line in urgent_text(triage("I want to die"), s)
    crisis = urgent_text(triage("I want to die"), s).lower()
    assert "are you sure" not in crisis


ZW = st.sampled_from(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u202a", "\u2066", "\u2069", "\u200e"])
MESSAGES = st.sampled_from([r["message"] for r in ROWS]) | st.text(max_size=80)


def _insert(text: str, chars: list[str], positions: list[int]) -> str:
    out = list(text)
    for ch, p in zip(chars, positions, strict=False):
        out.insert(p % (len(out) + 1), ch)
    return "".join(out)


def _decision(text: str):
    t = triage(text)
    return t and (t.category, t.rule)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_triage_never_raises(text):
    triage(text)
    normalize(text)


@settings(max_examples=300, deadline=None)
@given(MESSAGES, st.lists(ZW, max_size=6), st.lists(st.integers(0, 500), max_size=6))
def test_invisible_characters_do_not_change_decision(msg, chars, positions):
    assert _decision(_insert(msg, chars, positions)) == _decision(msg)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@settings(max_examples=300, deadline=None)
@given(MESSAGES.filter(lambda m: m.isascii()))
def test_case_and_width_do_not_change_decision(msg):
    d = _decision(msg)
    assert _decision(msg.upper()) == d
    assert _decision(msg.lower()) == d
    assert _decision(_fullwidth(msg)) == d
    assert _decision(unicodedata.normalize("NFKC", _fullwidth(msg))) == d


def test_bad_inputs_from_blns_never_crash():
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "blns" / "blns.json"
    if not path.is_file():
        pytest.skip("BLNS not present")
    for s in json.loads(path.read_text()):
        triage(s)
