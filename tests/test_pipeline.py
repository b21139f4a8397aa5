"""Fast tier: the question pipeline on a tiny corpus with the hashing fake, in seconds.

Grounding, abstention reasons, follow-up resolution, curated answers and the safety-first order.
The thresholds are set for the fake embedder (its cosines are word overlaps); the real model's
calibrated figures are checked by the slow tier (test_eval.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.answer import marked_sentences
from assistant.errors import InputError
from assistant.pipeline import Assistant
from assistant.query import make_query
from assistant.settings import Settings
from tests.support import HashingEmbedder

FAQ = """# Clinic FAQ

## What are your opening hours?
Also asked: When are you open? | Are you open on weekends?

We are open Monday to Friday, 9:00 to 18:00.
"""


@pytest.fixture
def fake_bot(tiny: Settings, tmp_path: Path) -> Assistant:
    (Path(tiny.paths.corpus_dir) / "faq.md").write_text(FAQ)
    settings = tiny.replace(gap_log_path=None, answer_min_sentence_score=0.2, contact_phone="+1 555 0100",
                            contact_email="desk@clinic.example", booking_url="https://clinic.example/book")
    return Assistant.load(settings, embedder=HashingEmbedder())


def test_every_quoted_sentence_is_verbatim_in_the_passage_it_cites(fake_bot: Assistant) -> None:
    for q in ("Does massage loosen a stiff neck?", "Will I sleep better after a session?", "Does reflexology work on points of the feet?"):
        a = fake_bot.ask(q)
        assert a.status == "answered", (q, a.reason)
        by_n = {c.n: c.text for c in a.citations}
        marked = marked_sentences(a.answer)
        assert marked, a.answer
        assert all(n in by_n and sentence in by_n[n] for sentence, n in marked)


@pytest.mark.parametrize(("question", "reason"), [
    ("How much does a session cost?", "asks about the clinic's own details (cost)"),
    ("Do you offer hot stone treatments for a stiff neck?", "don't cover what was asked about: hot, ston"),
    ("Can massage loosen tinnitus, vertigo and gout in the neck?", "the documents never mention: tinnitus, vertigo, gout"),
    ("zzz qqq", "no passage is close enough"),
])
def test_abstention_says_why(fake_bot: Assistant, question: str, reason: str) -> None:
    a = fake_bot.ask(question)
    assert a.status == "no_answer"
    assert reason in a.reason
    assert a.citations == ()
    assert a.notice == fake_bot.settings.notice_text


def test_no_answer_offers_real_contact_links(fake_bot: Assistant) -> None:
    a = fake_bot.ask("How much does a session cost?")
    assert "I couldn't find that" in a.answer
    assert "(tel:+15550100)" in a.answer
    assert "(mailto:desk@clinic.example)" in a.answer
    assert "(https://clinic.example/book)" in a.answer


def test_followup_resolves_against_the_previous_question_only_when_it_needs_to(fake_bot: Assistant) -> None:
    tuning = fake_bot.settings.tuning
    embed = fake_bot.embedder.encode

    def make(text: str, history: list) -> object:
        return make_query(text, history, embed([text])[0], embed, tuning)

    bare = make("how often should I do that?", ["Does massage loosen a stiff neck?"])
    assert bare.previous == "Does massage loosen a stiff neck?" and "(follow-up to:" in bare.label
    topicless = make("what about that?", ["Does massage loosen a stiff neck?"])
    assert "neck" in topicless.resolved  # nothing of its own: the earlier question's words are read too
    alone = make("Will I sleep better after a session?", ["Does massage loosen a stiff neck?"])
    assert alone.previous is None and alone.resolved == "Will I sleep better after a session?"
    # Messages dicts (Gradio, HTTP) work like strings; assistant turns are ignored.
    history = [{"role": "user", "content": "Does massage loosen a stiff neck?"}, {"role": "assistant", "content": "x"}]
    assert make("and what about that?", history).previous == "Does massage loosen a stiff neck?"


def test_curated_answer_is_quoted_verbatim_and_cited_as_the_faq(fake_bot: Assistant) -> None:
    a = fake_bot.ask("When are you open?")
    assert a.status == "answered"
    assert a.answer == "We are open Monday to Friday, 9:00 to 18:00. [1]"
    (c,) = a.citations
    assert c.chunk_id == "faq#0" and c.title == "Clinic FAQ" and c.doc.endswith("faq.md")
    assert "curated answer faq#0" in a.reason


def test_an_emergency_is_urgent_whatever_the_length_or_the_rest_of_the_message(fake_bot: Assistant) -> None:
    long = "I have crushing chest pain right now. " + "Some more words about my week. " * 200
    assert len(long) > fake_bot.settings.safety.max_question_chars
    a = fake_bot.ask(long)
    assert a.status == "urgent" and fake_bot.settings.safety.emergency_number in a.answer
    assert a.safety is not None and a.safety["category"] == "emergency"
    with pytest.raises(InputError) as err:
        fake_bot.ask("Tell me about neck massage. " * 100)
    assert err.value.reason == "too long"


@pytest.mark.parametrize("bad", ["", "   ", "?!?", None, 42, ["a"]])
def test_bad_input_is_one_friendly_line(fake_bot: Assistant, bad: object) -> None:
    with pytest.raises(InputError) as err:
        fake_bot.ask(bad)  # type: ignore[arg-type]
    assert err.value.reason == "invalid input"
    assert "\n" not in str(err.value)


def test_caution_topics_keep_the_caution_line_and_still_cite(fake_bot: Assistant) -> None:
    a = fake_bot.ask("I'm pregnant, can a gentle massage loosen my stiff neck?")
    assert a.caution and a.safety is not None and a.safety["category"] == "caution"
    assert a.answer.startswith("**Please check this with your doctor")


def test_health_reports_the_live_build(fake_bot: Assistant) -> None:
    h = fake_bot.health()
    assert h["status"] == "ok" and h["passages"] >= 2 and h["curated"] == 1
    assert h["index"] == fake_bot.index.path.name


CLAIM = "Massage is always safe during pregnancy and with blood clots, no doctor needed."


def test_clearing_claims_are_listed_at_build_and_never_quoted_under_a_caution(tiny: Settings) -> None:
    from assistant.build import build_index

    corpus = Path(tiny.paths.corpus_dir)
    (corpus / "planted.md").write_text(
        f"# Pregnancy massage\n\n## Safety\n\n{CLAIM} Gentle massage during pregnancy uses side-lying positions "
        "and soft pressure on the back.\n")
    settings = tiny.replace(gap_log_path=None, answer_min_sentence_score=0.2)
    report = build_index(settings, HashingEmbedder())
    assert [c["sentence"] for c in report.claims] == [CLAIM]
    assert CLAIM in report.summary()
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    a = bot.ask("I'm pregnant: is massage safe during pregnancy with blood clots, no doctor needed?")
    assert a.caution and a.status == "answered"
    assert CLAIM not in a.answer and "side-lying" in a.answer


def test_staff_faq_answers_obey_the_dose_and_claims_guards(tiny: Settings) -> None:
    from assistant.build import build_index

    corpus = Path(tiny.paths.corpus_dir)
    (corpus / "faq.md").write_text(
        "# FAQ\n\n## Is massage safe during pregnancy?\n\nYes, massage is completely safe during pregnancy, "
        "no doctor needed.\n\n## How much ibuprofen should I take before a massage?\n\n"
        "Take 400 mg of ibuprofen an hour before your session.\n")
    settings = tiny.replace(gap_log_path=None, answer_min_sentence_score=0.2)
    report = build_index(settings, HashingEmbedder())
    assert {c["chunk_id"] for c in report.claims} == {"faq#0", "faq#1"}  # listed for staff
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    for q in ("I'm pregnant, is massage safe during pregnancy?", "How much ibuprofen should I take before a massage?"):
        a = bot.ask(q)
        assert a.caution
        assert "completely safe" not in a.answer and "400 mg" not in a.answer
        assert all(not c.chunk_id.startswith("faq#") for c in a.citations)


def test_a_documents_own_reference_markers_are_never_quoted(tiny: Settings) -> None:
    corpus = Path(tiny.paths.corpus_dir)
    (corpus / "refs.md").write_text("# Stress\n\n## Cortisol\n\nRegular massage sessions lower cortisol levels in "
                                    "stressed adults [2]. Lower cortisol helps stressed adults sleep after sessions.\n")
    bot = Assistant.load(tiny.replace(gap_log_path=None, answer_min_sentence_score=0.2), embedder=HashingEmbedder())
    a = bot.ask("Do massage sessions lower cortisol in stressed adults?")
    assert a.status == "answered" and "[2]" not in a.answer
    assert {n for _, n in marked_sentences(a.answer)} == {c.n for c in a.citations}


def test_an_empty_emergency_number_or_crisis_line_is_refused_at_startup() -> None:
    from assistant.errors import SettingsError

    for name in ("MASSAGE_EMERGENCY_NUMBER", "MASSAGE_CRISIS_LINE"):
        with pytest.raises(SettingsError, match="must not be empty"):
            Settings.from_env({name: "  "})


def test_a_damaged_safety_bank_cache_is_embedded_again(tiny: Settings) -> None:
    """The safety bank's vectors cached in index/safety/ are checked on load like the
    vocabulary's: a file of the right shape but zeroed (or NaN, or another model's rows) used to
    be trusted, which silently switched off the exemplar layer (and the learned model's gate)."""
    import numpy as np

    settings = tiny.replace(gap_log_path=None)
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    (cache,) = (Path(settings.paths.index_dir) / "safety").glob("*.npy")
    good = np.load(cache)
    exemplar = next(g.exemplars[0] for g in bot.semantic.groups if g.level == "emergency")
    assert bot.semantic.check(exemplar) is not None and bot.semantic.check(exemplar).urgent
    for bad in (np.zeros_like(good), np.full_like(good, np.nan), np.roll(good, 1, axis=0)):
        np.save(cache, bad)
        again = Assistant.load(settings, embedder=HashingEmbedder())
        assert np.allclose(again.semantic.matrix, good)
        verdict = again.semantic.check(exemplar)
        assert verdict is not None and verdict.urgent
        assert np.allclose(np.load(cache), good)  # rewritten


def test_the_vocabulary_map_is_made_only_when_a_question_asks_for_a_relative(tiny: Settings) -> None:
    """Embedding the corpus vocabulary (index/vocab/) takes seconds on a real corpus: an ordinary
    question never waits for it (before, every first question after a start or a reload with new
    documents did); the first question that asks for a relative of an unseen word makes it."""
    settings = tiny.replace(gap_log_path=None, answer_min_sentence_score=0.2)
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    cache = Path(settings.paths.index_dir) / "vocab"
    assert bot.ask("Does massage loosen a stiff neck?").status == "answered"
    assert not list(cache.glob("*.npy"))
    senses = bot.vocab.senses(bot.snapshot().index.vocabulary)
    assert not list(cache.glob("*.npy"))
    assert senses.nearest(["stiffness"])["stiffness"][0] in senses.vmap.stems
    assert len(list(cache.glob("*.npy"))) == 1


def test_a_long_message_of_everyday_words_is_not_re_encoded_word_by_word(tiny: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """How much a question rests on each unseen everyday word is measured by encoding the question
    once without each word. For a message near max_question_chars full of such words that was
    ~100 encodes of ~1,000 characters: 3.4 s of CPU for one question with the real model (18 ms for
    an ordinary one). Past answer.IMPORTANCE_CHARS (words x characters) the words count by their
    rarity alone; a visitor's question still gets the measure."""
    from assistant import answer, vocab

    calls: list[tuple[int, int]] = []
    real = vocab.Senses.importance

    def spy(self: object, text: str, words: list[str], vector: object = None) -> dict[str, float]:
        calls.append((len(words), len(text)))
        return real(self, text, words, vector)

    monkeypatch.setattr(vocab.Senses, "importance", spy)
    settings = tiny.replace(gap_log_path=None, answer_min_sentence_score=0.0)
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    everyday = ("yesterday kitchen purple window garden letter dinner morning family picture summer "
                "winter market station evening village river breakfast teacher ")
    long = "does massage help stiff muscles " + everyday * 6
    long = long[: settings.safety.max_question_chars - 1]
    bot.ask(long)
    assert all(n * chars <= answer.IMPORTANCE_CHARS for n, chars in calls)
    calls.clear()
    bot.ask("my kitchen window is purple, is massage good")
    assert calls == [(3, len("my kitchen window is purple, is massage good"))]  # a visitor's question still is


def test_a_message_of_made_up_words_looks_up_a_bounded_number_of_relatives(tiny: Settings,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Each unseen word looked up for a corpus relative costs an encode and a scan of the
    vocabulary: a message of ~130 made-up words asked for all of them. At most
    answer.NEAREST_WORDS now; a question's few unseen words are all still looked up."""
    import random

    from assistant import answer, vocab

    asked: list[str] = []
    real = vocab.Senses.nearest

    def spy(self: object, words: list[str]) -> dict[str, tuple[str, float]]:
        asked.extend(words)
        return real(self, words)

    monkeypatch.setattr(vocab.Senses, "nearest", spy)
    settings = tiny.replace(gap_log_path=None, answer_min_sentence_score=0.0)
    bot = Assistant.load(settings, embedder=HashingEmbedder())
    rng = random.Random(5)
    made_up = " ".join("".join(rng.choice("bcdfghjklmnpqrstvwz") + rng.choice("aeiou") for _ in range(4)) for _ in range(130))
    assert bot.ask(("can massage help with " + made_up)[: settings.safety.max_question_chars - 1]).status == "no_answer"
    assert 0 < len(asked) <= answer.NEAREST_WORDS
    asked.clear()
    bot.ask("can massage help with zorblaxia and quendrilitis")
    assert sorted(asked) == ["quendrilitis", "zorblaxia"]


def test_word_forms_found_inside_a_word_as_before_without_a_vocabulary_scan() -> None:
    """`Lexical.relative` finds a corpus term inside an unseen word from the word's own substrings
    (before: a scan of the whole vocabulary per unseen word, ~0.4 ms each at ~1k terms, a
    question's worth of made-up words ~50 ms and growing with the corpus); same answers as the
    scan, ties included, on a vocabulary with many overlapping terms."""
    import random

    from assistant.retrieve import Lexical

    rng = random.Random(7)
    letters = "aeinrst"
    vocab = sorted({"".join(rng.choice(letters) for _ in range(rng.randint(3, 9))) for _ in range(3000)})
    rng.shuffle(vocab)
    lex = Lexical([vocab[i : i + 30] for i in range(0, len(vocab), 30)])

    def scan(term: str) -> str | None:
        inside = [t for t in lex.postings if len(t) >= 5 and len(term) - len(t) <= 3 and t in term and t.isalpha()]
        return max(inside, key=len) if inside else None

    terms = ["".join(rng.choice(letters) for _ in range(rng.randint(5, 12))) for _ in range(2000)]
    checked = 0
    for term in terms:
        if term in lex.postings or any(t.startswith(term[:6]) for t in lex._prefixes.get(term[:6], ())):
            continue  # answered before the inside rule
        assert lex.relative(term) == scan(term), term
        checked += scan(term) is not None
    assert checked > 50
