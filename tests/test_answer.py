"""Grounding, abstention and the answer contract, on the real model and a real index."""

import json
from pathlib import Path

import pytest

from assistant.answer import marked_sentences
from assistant.errors import InputError

pytestmark = pytest.mark.slow
DEV = [json.loads(line) for line in (Path(__file__).parent.parent / "evals" / "dev.jsonl").read_text().splitlines() if line]


def _check_contract(d):
    assert set(d) >= {"status", "answer", "citations", "notice", "caution"}
    assert d["notice"]
    assert [c["n"] for c in d["citations"]] == list(range(1, len(d["citations"]) + 1))
    for c in d["citations"]:
        assert set(c) == {"n", "doc", "title", "section", "chunk_id", "text", "score", "also_in"}
        for a in c["also_in"]:
            assert a["doc"] != c["doc"] and a["chunk_id"] != c["chunk_id"]
        assert c["doc"].startswith("corpus/") and "#" in c["chunk_id"]
    scores = [c["score"] for c in d["citations"]]
    assert scores[:1] == [max(scores)] if scores else True


@pytest.mark.parametrize("row", [r for r in DEV if r["kind"] != "urgent"], ids=lambda r: r["question"][:40])
def test_every_marked_sentence_is_verbatim_in_its_citation(bot, row):
    d = bot.ask(row["question"], history=row.get("history")).to_dict()
    _check_contract(d)
    by_n = {c["n"]: c["text"] for c in d["citations"]}
    marks = marked_sentences(d["answer"])
    if d["status"] == "answered":
        # A sentence that leans on the one before it is quoted with it: at most two marks a pick.
        assert 1 <= len(marks) <= 2 * bot.settings.tuning.max_answer_sentences
        assert {n for _, n in marks} == set(by_n)  # every citation is used, every marker resolves
    for sent, n in marks:
        assert sent in by_n[n]


@pytest.mark.parametrize("q", ["how much does a massage cost", "does insurance cover medical massage",
                               "what are your opening hours", "what is the capital of france"])
def test_no_answer_when_documents_do_not_say(bot, q):
    d = bot.ask(q).to_dict()
    assert d["status"] == "no_answer" and d["citations"] == []
    assert "couldn't find that in our information" in d["answer"] and "contact the clinic" in d["answer"]
    assert d["reason"]


def test_answer_to_the_issue_question(bot):
    a = bot.ask("Can massage help with the stiffness I get after long drives?")
    assert a.status == "answered" and "[1]" in a.answer and a.citations


def test_urgent_has_no_quotes(bot):
    d = bot.ask("my chest is tight and my arm went numb").to_dict()
    assert d["status"] == "urgent" and d["citations"] == [] and "911" in d["answer"]
    assert d["safety"]["category"] == "emergency" and d["safety"]["rule"] == "heart-attack-signs" and d["notice"]


def test_caution_never_clears(bot):
    d = bot.ask("i had knee surgery last month, can massage help the scar tissue?").to_dict()
    assert d["caution"] is True and d["safety"]["rule"] == "surgery-or-wounds"
    first = d["answer"].splitlines()[0].lower()
    assert "doctor or healthcare provider" in first and "therapist" in first
    for bad in ("yes, it's safe", "it is safe for you", "you can't"):
        assert bad not in d["answer"].lower()


def test_followup_uses_history(bot):
    alone = bot.ask("how often should i do that?")
    follow = bot.ask("how often should i do that?", history=["does medical massage help chronic pain?"])
    assert follow.status == "answered"
    assert follow.resolved_question != alone.resolved_question


@pytest.mark.parametrize("bad, msg", [
    ("", "Please type a question"),
    ("   \n\t ", "Please type a question"),
    ("x" * 10_000, "too long (10,000 characters)"),
    ("?!?!", "Please type a question"),
])
def test_bad_input_gets_polite_error(bot, bad, msg):
    with pytest.raises(InputError, match=msg.replace("(", r"\(").replace(")", r"\)")):
        bot.ask(bad)


def test_blns_inputs_never_crash(bot):
    path = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "blns" / "blns.json"
    if not path.is_file():
        pytest.skip("BLNS not present")
    for s in json.loads(path.read_text())[::3]:
        try:
            d = bot.ask(s).to_dict()
        except InputError:
            continue
        assert d["notice"] and d["status"] in ("answered", "no_answer", "urgent")


def test_near_duplicates_credit_every_document(bot):
    """The articles repeat each other: one wording is quoted, the other documents are credited."""
    import numpy as np

    credited = 0
    for row in DEV:
        if row["kind"] != "answerable":
            continue
        a = bot.ask(row["question"], history=row.get("history"))
        for c in a.citations:
            for other in c.also_in:
                credited += 1
                assert other["doc"] != c.doc
                quoted = [s for s, n in a.quotes if n == c.n]
                vecs = bot.embedder.encode([other["sentence"], *quoted])
                assert float(np.max(vecs[1:] @ vecs[0])) > 0.8
    assert credited >= 3  # the five articles overlap a lot; this must actually happen


# --- issue 13: what a visitor's words mean (real model, real index) ---------------------------


@pytest.mark.parametrize("q", [
    "my job is crazy stressful at the moment, would a massage actually help or just feel nice",
    "does massage do anything mentally or just physically",
    "im super inflexible, cant even touch my toes. would massage loosen me up",
    "how long till the benefits wear off",
])
def test_everyday_words_and_word_forms_do_not_cause_abstention(bot, q):
    """'crazy', 'actually', 'rn' are how visitors talk; 'mentally', 'inflexible' are forms of words
    the documents use; 'wear off' is no question about clothes."""
    a = bot.ask(q)
    assert a.status == "answered", a.reason


@pytest.mark.parametrize("q", ["does massage help with a hangover", "can i massage my dog with arthritis",
                               "what should i wear to my massage", "do you offer hot stone massage"])
def test_what_the_question_rests_on_still_decides(bot, q):
    """A rare word, or a common one the question rests on ('dog'), that the documents never use."""
    a = bot.ask(q)
    assert a.status == "no_answer", a.answer


def test_bare_followup_answers_from_the_earlier_question(bot):
    a = bot.ask("and the effects?", history=["how long does a medical massage session last?"])
    assert a.status == "answered" and "(follow-up to:" in a.resolved_question
    assert "last up to a month" in a.answer


def test_word_helpers():
    from assistant.answer import clinic_facts
    from assistant.query import focus_terms, own_terms
    from assistant.retrieve import Lexical
    from assistant.vocab import rarity

    assert rarity("actually", 2.5, 4.0) == 0.0 and rarity("fasciitis", 2.5, 4.0) == 1.0
    assert rarity("10h", 2.5, 4.0) == 0.0 and 0.0 < rarity("hangover", 2.5, 4.0) < 1.0
    lex = Lexical([["stress", "flexibl"], ["therapy", "operativ"]])
    assert lex.known("stressful") == "stress" and lex.known("inflexibl") == "flexibl"
    assert lex.known("operation") == "operativ"
    assert lex.known("aromatherapy") is None  # a compound is not a form of "therapy"
    assert lex.known("fasciitis") is None
    assert clinic_facts("is it bad to wait before booking", ("before", "booking"), frozenset()) == []
    assert clinic_facts("how do i book an appointment", ("how", "do", "i", "book"), frozenset()) == ["book"]
    assert clinic_facts("any advice for the hours after", ("hours",), frozenset()) == []
    assert clinic_facts("what are your opening hours", ("opening", "hours"), frozenset()) == ["hours", "opening"]
    # "I do marathons" names no thing the clinic offers; "do you do cupping" does
    assert focus_terms("I do marathons, would massage help my training")[1] == "help"
    assert focus_terms("do you do cupping") == (("cupp",), "thing")
    assert focus_terms("whats this fascia thing everyone on tiktok talks about")[0] == ("fascia",)
    assert own_terms("how long is it") == [] and own_terms("what about for my jaw") == ["jaw"]


def test_vocabulary_map_is_cached_beside_the_index(bot, real_settings):
    from pathlib import Path

    vocabulary = bot.snapshot().index.vocabulary
    senses = bot.vocab.senses(vocabulary)
    near = senses.nearest(["stressful", "mentally"])
    assert near["stressful"][0] == "stress" and near["mentally"][0].startswith("mental")
    assert list((Path(real_settings.paths.index_dir) / "vocab").glob("*.npy"))
    imp = senses.importance("does massage help with a hangover", ["hangover"])
    chat = senses.importance("work is crazy stressful rn, would a massage actually help", ["actually"])
    assert imp["hangover"] > 0.2 > chat["actually"]


def test_sentence_choice_prefers_a_passage_not_quoted_yet():
    """With `same_passage_penalty` the second sentence comes from another passage when it is nearly
    as good; off (the before-#13 rule), the best passage's neighbours win."""
    import numpy as np

    from assistant.answer import compose
    from assistant.query import Query
    from assistant.retrieve import Hit, Retrieval, Sentence
    from assistant.settings import Tuning

    texts = [["Massage eases tight muscles in the neck.", "Massage loosens knots in the upper back.",
              "Massage relaxes sore shoulders after work."], ["Regular sessions keep shoulder pain from coming back."]]
    hits = [Hit(h, 1.0 - h / 10, 0.6, 0.6, 1.0, f"d#{h}", f"corpus/d{h}.md", "T", "S", " ".join(t))
            for h, t in enumerate(texts)]
    scores = [0.62, 0.61, 0.60, 0.58]
    sentences = [Sentence(i, h, p, t, scores[i], frozenset())
                 for i, (h, p, t) in enumerate((h, p, t) for h, ts in enumerate(texts) for p, t in enumerate(ts))]
    vectors = np.eye(4, dtype=np.float32)  # no two say the same thing
    retrieval = Retrieval(hits, sentences, vectors, [], [], {}, frozenset())
    query = Query.plain("can massage help my shoulders", np.zeros(4, np.float32))
    on = compose(query, retrieval, Tuning(max_answer_sentences=2))
    off = compose(query, retrieval, Tuning(max_answer_sentences=2, same_passage_penalty=0.0))
    assert [c.chunk_id for c in on.citations] == ["d#0", "d#1"]
    assert [c.chunk_id for c in off.citations] == ["d#0"]


def test_word_frequencies_match_wordfreq_above_the_floor():
    """vocab.zipf reads wordfreq's data file itself (a smaller table than wordfreq keeps in memory):
    the same numbers for every word above the floor, 0 at or below it."""
    from wordfreq import zipf_frequency

    from assistant.vocab import ZIPF_FLOOR, _frequencies, zipf

    words = list(_frequencies())[::97] + ["massage", "actually", "cellulite", "fasciitis", "hangover", "qwzx"]
    for w in words:
        expected = zipf_frequency(w, "en")
        assert zipf(w) == (expected if expected > ZIPF_FLOOR else 0.0), w


def test_vocabulary_map_cache_is_checked_on_load(tmp_path):
    """A cached vocabulary matrix that is damaged or not this model's (wrong shape, wrong type,
    NaNs, another model's rows) is embedded again and rewritten, never trusted: before, any file
    with the right row count was used, and a question asking for a relative then failed."""
    import numpy as np

    from assistant.vocab import VocabMap
    from tests.support import HashingEmbedder

    model = HashingEmbedder()
    vocabulary = frozenset(["stress", "shoulder", "posture", "tension"])
    good = VocabMap.build(vocabulary, model.encode, "fp", tmp_path)
    (cache,) = tmp_path.glob("*.npy")
    n, dim = good.matrix.shape
    other = np.roll(good.matrix, 1, axis=0)  # unit rows, but not these words' vectors
    for bad in (np.zeros(n, np.float32), np.array(1.0), np.full((n, dim), np.nan, np.float32),
                np.zeros((n, 3), np.float32), good.matrix.astype(np.float64), other):
        np.save(cache, bad)
        vmap = VocabMap.build(vocabulary, model.encode, "fp", tmp_path)
        assert vmap.matrix.shape == (n, dim) and np.allclose(vmap.matrix, good.matrix), bad.shape
        assert np.allclose(np.load(cache), good.matrix)  # rewritten
        assert vmap.nearest(["stressful"], model.encode)["stressful"][0] in vmap.stems
    seen: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        seen.append(len(texts))
        return model.encode(texts)

    VocabMap.build(vocabulary, counting, "fp", tmp_path)
    assert seen == [1]  # a sound cache: only the one-word probe is embedded


def test_word_frequencies_without_wordfreqs_data_file(monkeypatch):
    """When wordfreq's data file is missing or in another format (a new wordfreq release), `zipf`
    asks wordfreq itself (the same numbers) instead of the assistant failing to start."""
    from wordfreq import zipf_frequency

    from assistant import vocab

    good = {w: vocab.zipf(w) for w in ("massage", "actually", "cellulite", "hangover", "qwzx")}
    monkeypatch.setattr(vocab, "WORDFREQ_DATA", ("data", "no_such_file.msgpack.gz"))
    vocab._frequencies.cache_clear()
    try:
        assert vocab._frequencies() is None
        assert {w: vocab.zipf(w) for w in good} == good
        assert vocab.zipf("Actually") == zipf_frequency("actually", "en")
        assert vocab.rarity("actually", 2.5, 4.0) == 0.0 and vocab.rarity("fasciitis", 2.5, 4.0) == 1.0
    finally:
        monkeypatch.undo()
        vocab._frequencies.cache_clear()
    assert vocab._frequencies() is not None


def test_vocabulary_maps_of_earlier_documents_are_removed(tmp_path):
    """A new vocabulary (the documents changed) writes a new map and removes this model's map of
    the earlier one (before, one more file of megabytes per change, never read again); other
    models' maps and other files stay."""
    from assistant.vocab import VocabMap
    from tests.support import HashingEmbedder

    model = HashingEmbedder()
    (tmp_path / "other-0123456789abcdef.npy").write_bytes(b"x")
    (tmp_path / "README").write_text("x")
    VocabMap.build(frozenset(["stress", "shoulder"]), model.encode, "fp", tmp_path)
    first = set(tmp_path.glob("fp-*.npy"))
    VocabMap.build(frozenset(["stress", "shoulder", "posture"]), model.encode, "fp", tmp_path)
    second = set(tmp_path.glob("fp-*.npy"))
    assert len(first) == len(second) == 1 and first != second
    assert (tmp_path / "other-0123456789abcdef.npy").exists() and (tmp_path / "README").exists()


def test_vocabulary_maps_of_the_live_and_the_previous_index_stay_in_memory(tmp_path):
    """During a reload, questions started on the previous snapshot finish on it: its map stays in
    memory beside the new one, so the two never embed the vocabulary again by turns (its file is
    removed once the new map is written)."""
    import numpy as np

    from assistant.vocab import VocabMaps
    from tests.support import HashingEmbedder

    model = HashingEmbedder()
    runs: list[int] = []

    def counting(texts: list[str]) -> np.ndarray:
        runs.append(len(texts))
        return model.encode(texts)

    maps = VocabMaps(counting, "fp", tmp_path)
    old, new = frozenset(["stress", "shoulder"]), frozenset(["stress", "shoulder", "posture"])
    maps.of(old)
    maps.of(new)
    built = len(runs)
    for _ in range(3):
        maps.of(old)
        maps.of(new)
    assert len(runs) == built
    maps.of(frozenset(["neck", "tension"]))
    maps.of(new)  # still kept: the previous one
    assert len(runs) == built + 1


# --- issue 13, dev_visitors3: follow-ups in more forms, foci that must be named -----------------


@pytest.mark.parametrize("q, previous", [
    ("will that be sore", "can massage help with carpal tunnel"),
    ("what techniques would they use", "can massage help my lower back"),
    ("what should they ask me first", "what does a medical massage therapist do"),
    ("why drink water", "what should i do after a massage"),
    ("is it painful", "what is deep tissue massage"),
    ("is the effect permanent?", "does massage help with headaches"),
])
def test_pronoun_subject_and_why_questions_follow_up(q, previous):
    """A short question whose subject stands for the earlier topic, or that asks why, is read with it."""
    from assistant.query import followup_context

    assert followup_context(q, [previous]) == previous


@pytest.mark.parametrize("q", ["is it good for athletes", "is it ok for tmj",
                               "What should I do after a massage?", "why is massage good for posture and stress relief",
                               "why do i feel sore after a massage"])
def test_a_pronoun_with_a_focus_of_its_own_stands_alone(q):
    """'is it good for athletes' asks about massage in general, not about the previous answer."""
    from assistant.query import followup_context

    assert followup_context(q, ["what should i tell my therapist before a session"]) is None


@pytest.mark.parametrize("q", ["does aromatherapy massage help with anxiety", "is thai yoga massage good for flexibility",
                               "does gua sha reduce inflammation", "can facial massage reduce wrinkles",
                               "does electrical stimulation help muscle spasms"])
def test_a_technique_the_documents_never_discuss_is_not_answered_by_its_object(bot, q):
    """The subject is a thing asked about: what the articles say about anxiety is no answer about aromatherapy."""
    a = bot.ask(q)
    assert a.status == "no_answer" and "don't cover what was asked about" in a.reason, a.answer


@pytest.mark.parametrize("q", ["does deep tissue massage help with inflammation", "is myofascial release good for posture",
                               "can lymphatic massage reduce swelling"])
def test_a_technique_the_documents_discuss_still_answers(bot, q):
    assert bot.ask(q).status == "answered"


@pytest.mark.parametrize("q", ["does lymphatic drainage massage help with lipedema",
                               "can massage help with multiple sclerosis muscle stiffness", "does massage clear up acne"])
def test_a_condition_the_documents_never_name_is_not_covered(bot, q):
    a = bot.ask(q)
    assert a.status == "no_answer" and "never name the condition" in a.reason, a.answer


def test_body_parts_are_told_from_conditions(bot):
    """What lets "can massage help my hamstrings" be answered from what the articles say about
    muscles while "can massage help my lupus" is not: MiniLM, against general word lists."""
    from assistant.answer import condition_like

    got = condition_like(["lupus", "lipedema", "sclerosis", "eczema", "wrist", "hamstrings", "knee", "thighs",
                          "breathing", "digestion"], bot.embedder.encode)
    assert [w for w, c in got.items() if c] == ["lupus", "lipedema", "sclerosis", "eczema"]
    assert bot.ask("can massage help carpal tunnel wrist pain").status == "answered"
    assert bot.ask("does massage help asthma breathing").status == "answered"
    a = bot.ask("does massage help with lupus flare ups")  # a covered "flare-ups" does not cover lupus
    assert a.status == "no_answer" and "lupus" in a.reason


@pytest.mark.parametrize("q", ["is medical massage safe for young children", "is prenatal massage safe in the first trimester"])
def test_safe_for_a_group_the_documents_never_name_is_not_answered(bot, q):
    """Never clear someone as safe from a sentence about something else."""
    assert bot.ask(q).status == "no_answer"


@pytest.mark.parametrize("q, word", [("do you combine ultrasound therapy with deep tissue massage", "ultrasound"),
                                     ("which essential oil helps with headaches", "essential"),
                                     ("what kind of lotion is best for self massage", "lotion")])
def test_a_service_asked_about_in_other_words_must_be_named(bot, q, word):
    a = bot.ask(q)
    assert a.status == "no_answer" and word in a.reason


@pytest.mark.parametrize("q", ["how much is a one hour medical massage", "how many therapists work at your clinic",
                               "can my doctor send a referral to your clinic",
                               "do you have a therapist who specializes in sports injuries"])
def test_clinic_facts_asked_without_a_fact_word(bot, q):
    a = bot.ask(q)
    assert a.status == "no_answer" and "clinic's own details" in a.reason, a.answer


def test_clinic_fact_words_in_everyday_senses():
    from assistant.answer import clinic_facts
    from assistant.text import words

    for q in ("can massage help neck pain from looking down at my phone", "how much does massage help with stress",
              "can your therapists help with sciatica"):
        assert clinic_facts(q, tuple(words(q)), frozenset()) == [], q
    for q in ("what is your phone number", "how much is a 30 minute session", "is there a cafe near your clinic",
              "are your therapists certified in myofascial release", "how long have your therapists been practicing"):
        assert clinic_facts(q, tuple(words(q)), frozenset()) != [], q


def test_an_english_word_is_no_typo_of_a_corpus_word(bot):
    """"facial" is not "fascia", "laser" not "layer", "older" not "order"; real typos still map."""
    lex = bot.snapshot().retriever.lexical
    assert lex.known("facial", "facial") is None and lex.known("laser", "laser") is None
    assert lex.known("older", "older") is None
    assert lex.known("inflamation", "inflamation") == "inflammation" and lex.known("carpel", "carpel") == "carpal"
    assert lex.known("stressful", "stressful") == "stress"  # word forms still count
    # the focus is mapped as typed too: "varicose" (stem "varicos") is not "various"
    a = bot.ask("does massage get rid of varicose veins")
    assert a.status == "no_answer" and "varicose" in a.reason


def test_a_why_follow_up_answers_about_the_earlier_question(bot):
    a = bot.ask("why drink water", history=["what should i do after a massage"])
    assert a.status == "answered" and "(follow-up to:" in a.resolved_question
    assert "flush out toxins" in a.answer


def test_an_informative_sentence_ending_in_its_source_is_quotable(bot):
    """'..., lower blood pressure and heart rate, ..., as reported by eacuwell.com.' is information,
    not web filler (the only place the articles say heart rate)."""
    a = bot.ask("and heart rate too?", history=["can massage lower blood pressure"])
    assert a.status == "answered" and "lower blood pressure and heart rate" in a.answer


@pytest.mark.parametrize("q", ["can massage help the pain from shingles", "what's a good stretch routine for my cat",
                               "do massage chairs help with back pain", "can you write my essay about stress"])
def test_a_covered_head_with_an_unseen_qualifier_is_not_covered(bot, q):
    """The focus phrase is cut at its first preposition ('the pain from shingles' -> pain); a
    product is named by its head ('massage chairs')."""
    assert bot.ask(q).status == "no_answer"


def test_context_before_the_question_does_not_block_a_covered_focus(bot):
    """An unseen word outside the focus phrase, before it, is context ('I do marathons')."""
    assert bot.ask("I do marathons, would massage help my training").status == "answered"


def test_how_often_is_not_matched_by_often_in_a_sentence(bot):
    """'how often' asks for a frequency: 'the effects can often last' is no answer to it."""
    a = bot.ask("and how often?", history=["can massage help with arthritis"])
    assert a.status == "answered"
    assert any(p in a.citations[0].text for p in ("once a month or more frequently", "Schedule regular sessions",
                                                   "on a regular basis")), a.citations[0].text


def test_a_short_question_that_finds_nothing_alone_is_read_with_the_previous_one(bot):
    """No cue word, no focus of its own, nothing close enough alone: the reading with the earlier
    question is tried, and kept only when it finds a close enough passage."""
    a = bot.ask("what techniques are used?", history=["can massage help sciatica"])
    assert a.status == "answered" and "(follow-up to:" in a.resolved_question
    b = bot.ask("tell me a joke", history=["can massage help with back pain"])
    assert b.status == "no_answer" and "(follow-up to:" not in b.resolved_question
