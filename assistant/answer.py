"""Grounded answer composition: pick the few sentences that answer, quote them verbatim.

Nothing here generates prose. Each factual sentence in an answer is copied character for
character from the passage it cites; the only other text is fixed connective wording
(templates) that carries no facts. When the evidence is weak the answer is `no_answer`
with the reason recorded.

    >>> Citation(1, "corpus/a.md", "A", "S", "a#0", "Text.", 0.5).to_dict()["chunk_id"]
    'a#0'
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

from .query import Query, focus_tail
from .retrieve import Retrieval, Sentence
from .settings import Tuning
from .text import terms, words
from .vocab import Senses, rarity

Status = Literal["answered", "no_answer", "urgent", "error"]
MARKER = re.compile(r"\[(\d+)\]")
NO_ANSWER_TEXT = "I couldn't find that in our information."

# Sentences that read as web filler rather than information.
_FILLER = re.compile(
    r"\b(this article|read this article|look no further|let's dive|in this article|explore resources|"
    r"learn more|as described here|"
    r"explore professional options|consider scheduling|your body will thank)",
    re.I,
)


# Sentences that give the kind of answer a question wants (query.INTENTS).
ANSWER_SHAPES: dict[str, re.Pattern[str]] = {
    "frequency": re.compile(
        r"\b(regular(ly)?|once a|twice a|every (day|week|month|few)|weekly|monthly|consistent(ly)?|"
        r"frequen\w*|times a (week|month)|schedul\w*)\b", re.I),
    "duration": re.compile(
        r"\b\d+\s*(-\s*\d+\s*)?(minutes?|mins?|hours?|hrs?|days?|weeks?|months?)\b|"
        r"(?<!once )(?<!twice )(?<!every )(?<!per )\b(an?|one|two|three|few|several) (minutes?|hours?|days?|weeks?|months?)\b",
        re.I),
    "steps": re.compile(
        r"^\W*(stay|drink|avoid|follow|rest|take|apply|schedule|wear|eat|communicate|arrive|tell|let|try|make sure|"
        r"remember|allow|give|keep|listen|consider|plan|book|bring|hydrate|stretch|get)\b|^[A-Z][\w ]{2,40} [-–] ", re.I),
    "who": re.compile(
        r"\b(people|patients|individuals|anyone|those|athletes|adults|workers|someone)\b.{0,40}"
        r"\b(who|with|dealing|suffering|living|recovering)\b|\b(appropriate|suitable|ideal|useful) for\b", re.I),
}
# The stems by which a question says what kind of answer it wants (query.INTENTS).
_ASKING: dict[str, frozenset[str]] = {"frequency": frozenset(["often"])}
# A sentence that leans on the one before it: quoted alone it dangles.
DANGLING = re.compile(
    r"^\W*(therefore|thus|hence|in addition|additionally|furthermore|moreover|also|however|for example|"
    r"for instance|as a result|consequently|similarly|likewise|in other words|besides|otherwise|firstly|"
    r"secondly|finally|lastly|then|so|this|these|that|those|it|its|it['’]s|they|their|such|he|she)\b", re.I)


def gives(intent: str, sentence: str, focus: tuple[str, ...]) -> bool:
    """Whether `sentence` gives the kind of answer `intent` wants.

    >>> gives("duration", "Sessions can last anywhere from 30 minutes to 1 hour.", ())
    True
    >>> gives("definition", "Myofascial release targets the fascia, the connective tissue surrounding muscles.", ("fascia",))
    True
    """
    if intent == "definition":
        return bool(focus) and _defines(sentence, focus)
    shape = ANSWER_SHAPES.get(intent)
    return bool(shape and shape.search(sentence))


def _defines(sentence: str, focus: tuple[str, ...]) -> bool:
    """`X is/are/refers to/targets ...` at the start, or an apposition `X, the ...`."""
    low = sentence.lower()
    head = re.escape(focus[0])
    tail = re.escape(focus[-1])
    return bool(
        re.match(rf"^\W*(the |a |an )?{head}\w*(\s+[\w-]+){{0,3}}\s+(is|are|refers|means|involves|targets|uses|works|describes)\b", low)
        or re.search(rf"\b{tail}\w*,\s+(the|a|an)\s", low)
    )


@dataclass(frozen=True)
class Citation:
    n: int
    doc: str
    title: str
    section: str
    chunk_id: str
    text: str
    score: float
    # Other documents that say the same thing in near-identical words: credited, not quoted,
    # so every [n] marker still points at a verbatim sentence.
    also_in: tuple[dict[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["score"] = round(float(self.score), 4)
        d["also_in"] = [dict(a) for a in self.also_in]
        return d


@dataclass(frozen=True)
class Answer:
    """What every entry point returns. Build it with the named constructors below."""

    status: Status
    answer: str
    citations: tuple[Citation, ...]
    notice: str
    caution: bool = False
    safety: dict[str, Any] | None = None  # which rule or exemplar fired, for audit
    reason: str = ""  # why it answered or abstained, for staff and the eval
    confidence: float = 0.0
    resolved_question: str = ""  # the question as retrieved, after follow-up resolution
    quotes: tuple[tuple[str, int], ...] = field(default=(), compare=False)  # (sentence, n)

    @classmethod
    def answered(cls, text: str, citations: tuple[Citation, ...], quotes: tuple[tuple[str, int], ...], *,
                 notice: str, reason: str, confidence: float, resolved: str = "", caution: bool = False,
                 safety: dict[str, Any] | None = None) -> Answer:
        return cls("answered", text, citations, notice, caution, safety, reason, confidence, resolved, quotes)

    @classmethod
    def no_answer(cls, text: str, *, notice: str, reason: str, confidence: float = 0.0, resolved: str = "",
                  caution: bool = False, safety: dict[str, Any] | None = None) -> Answer:
        return cls("no_answer", text, (), notice, caution, safety, reason, confidence, resolved)

    @classmethod
    def urgent(cls, text: str, *, notice: str, safety: dict[str, Any], reason: str, resolved: str = "") -> Answer:
        return cls("urgent", text, (), notice, False, safety, reason, 0.0, resolved)

    @classmethod
    def error(cls, message: str, notice: str, reason: str) -> Answer:
        """The one error shape, with the notice, for every entry point.

        >>> Answer.error("Please type a question.", "Notice.", "invalid input").to_dict()["status"]
        'error'
        """
        return cls("error", message, (), notice, False, None, reason, 0.0)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "answer": self.answer,
            "citations": [c.to_dict() for c in self.citations],
            "notice": self.notice,
            "caution": self.caution,
            "safety": self.safety,
            "reason": self.reason,
            "confidence": round(float(self.confidence), 4),
        }


@dataclass(frozen=True)
class Decision:
    answer: bool
    reason: str
    confidence: float


# Words that ask for the clinic's own facts (prices, cover, hours, policies). The articles
# never state such facts, so unless a document uses the word itself, the assistant abstains
# rather than quoting something loosely related. Curated answers are the place for these.
CLINIC_FACT_WORDS = frozenset(
    ["cost", "costs", "price", "prices", "pricing", "priced", "fee", "fees", "charge", "charges", "pay", "paying", "payment", "paypal", "cash", "insurance", "insured", "insurer", "medicare", "medicaid", "hsa", "fsa", "copay", "deductible", "reimburse", "reimbursement", "book", "booking", "online", "hours", "opening", "closing", "open", "closed", "weekend", "weekends", "saturday", "saturdays", "sunday", "sundays", "holiday", "holidays", "located", "location", "address", "directions", "parking", "park", "gift", "voucher", "vouchers", "card", "cards", "cancel", "cancellation", "cancellations", "refund", "refunds", "policy", "policies", "tip", "tips", "tipping", "gratuity", "discount", "discounts", "deal", "deals", "coupon", "membership", "package", "packages", "wear", "clothes", "undress", "phone", "email", "wheelchair", "accessible", "wifi", "staff", "female", "male", "walk"]
)


# Fact words in their everyday senses: "the benefits wear off", "the hours after a session",
# "neck pain from looking down at my phone",
# "before booking" (a booking is only a clinic fact when asked how or where to make one).
_FACT_SENSES = {
    "wear": re.compile(r"\bwear(s|ing)?\s+(off|away|out)\b"),
    "phone": re.compile(r"\b(my|his|her|their|our)\s+phones?\b(?!\s+number)|\b(looking|staring|scrolling|texting)\b.{0,20}\bphones?\b"),
    "hours": re.compile(r"\b(\d+|few|couple of|several|the|first|24|48)\s+hours\b|\bhours\s+(after|before|later|afterwards)\b"),
}
_BOOKING_ASKED = re.compile(
    r"\b(how|where|when|can|could|may)\s+(do\s+|can\s+|could\s+|should\s+)?(i|we|you|u)\s+(\w+\s+)?book|"
    r"\bbook(ing)?\s+(online|an?\s+(appointment|session|slot|visit)|system|link|page|form)\b|\bonline\s+booking\b")


# Ways of asking about the clinic itself that need no fact word: its prices ("how much is a one
# hour massage"), its place ("near your clinic"), its staff ("how many therapists", "do you have a
# therapist who ...") and its paperwork (referrals, receipts).
_CLINIC_ASKED = re.compile(
    r"\bhow much (is|are|for|would it|will it|do you|does it cost|does an?|does one)\b(?!.{0,30}\b(help|improve|reduce|relieve))"
    r"|\b(at|to|near|in|from|of) your (clinic|office|practice|centre|center|spa|place|building)\b"
    r"|\bhow many (therapists|masseuses|masseurs|staff|practitioners|people work)\b"
    r"|\b(are|is|have|has|were|do|does)\s+(all\s+)?your\s+(therapists?|staff|masseuses?|masseurs?|practitioners?|team)\b"
    r"|\bdo (you|u|they) (have|employ) (an?|any) (\w+ )?(therapists?|masseuses?|masseurs?|practitioners?|specialists?)\b"
    r"|\b(referrals?|receipts?|invoices?)\b"
)


def clinic_facts(text: str, words: tuple[str, ...], vocabulary: frozenset[str]) -> list[str]:
    """The clinic-fact words a question asks about that no document uses.

    >>> clinic_facts("how long till the benefits wear off", ("how", "long", "till", "the", "benefits", "wear", "off"), frozenset())
    []
    >>> clinic_facts("can i book online", ("can", "i", "book", "online"), frozenset())
    ['book', 'online']
    """
    low = text.lower()
    out = set()
    for w in words:
        if w not in CLINIC_FACT_WORDS or w in vocabulary:
            continue
        if (sense := _FACT_SENSES.get(w)) is not None and sense.search(low):
            continue
        if w in ("book", "booking", "booked") and not _BOOKING_ASKED.search(low):
            continue
        out.add(w)
    if not out and (m := _CLINIC_ASKED.search(low)) is not None and (" " in m.group(0) or m.group(0) not in vocabulary):
        out.add(m.group(0))
    return sorted(out)


def decide(retrieval: Retrieval, query: Query, tuning: Tuning, senses: Senses | None = None) -> Decision:
    """Answer or abstain from several signals rather than one cosine threshold.

    * best sentence similarity: how closely any single sentence matches the question;
    * the question's focus ("hot stone massage", "carpal tunnel"): the idf-weighted share of its
      words that the best passages use. Close similarity to *something* is not an answer about
      the thing asked;
    * missing topic words: the idf-weighted share of the question's content words that the
      documents never use (typos mapped first). Similarity alone rates "does insurance cover
      massage" (0.67) above genuine questions, but the documents never say "insurance". An
      everyday English word ("actually", "crazy", "day") weighs little or nothing: it is how
      visitors talk, not what they ask about; nor does a word the question's meaning hardly rests
      on (`senses.importance`); a word whose close relative the documents use ("stressful" ->
      stress, `senses.nearest`) counts as used;
    * clinic-fact words (price, hours, booking...) that no document uses.
    A very close sentence match, or a focus the passages fully cover, overrides missing words.
    """
    if not retrieval.hits:
        return Decision(False, "the documents are empty", 0.0)
    best = retrieval.best_sentence
    facts = clinic_facts(query.text, query.words, retrieval.vocabulary)
    if facts:
        return Decision(False, f"asks about the clinic's own details ({', '.join(facts)}), which the documents do not cover", best)
    # A follow-up's vector mixes two questions, so it sits further from any one sentence.
    floor = tuning.followup_min_sentence_score if query.previous else tuning.answer_min_sentence_score
    if best < floor:
        return Decision(False, f"no passage is close enough (best sentence match {best:.2f})", best)
    relatives: dict[str, tuple[str, float]] = {}

    def relative(words: list[str]) -> dict[str, str]:
        """The corpus stems close enough to stand for these words (one encode, only when needed)."""
        if senses is None or tuning.vocab_map_score <= 0 or not words:
            return {}
        todo = [w for w in words if w not in relatives][: max(0, NEAREST_WORDS - len(relatives))]
        if todo:
            relatives.update(senses.nearest(todo))
        return {w: relatives[w][0] for w in words if w in relatives and relatives[w][1] >= tuning.vocab_map_score}

    # A thing asked about must be named (typos and word forms mapped); a "help with X" focus may
    # also be covered by a close relative of X ("heartbeat" -> heart rate).
    coverage, uncovered = focus_coverage(query, retrieval, relative if query.frame == "help" else None)
    # A thing asked about ("do you offer X", "what is X") must be covered. "Can massage help my X"
    # is left to the other signals: what the articles say about muscles may answer it for a body
    # part they never name; a covered X still counts for the answer below.
    if tuning.focus_min_coverage > 0 and query.frame == "thing" and coverage < tuning.focus_min_coverage:
        return Decision(False, f"the passages found don't cover what was asked about: {', '.join(uncovered)}", best)
    # "Can massage help my X": an X the documents never name may be a body part, which what they
    # say about muscles can still answer, or a condition (lupus, lipedema), which it cannot: the
    # articles list the conditions they discuss. Which one it is, MiniLM tells from the word alone.
    if (tuning.focus_min_coverage > 0 and query.frame == "help" and coverage < 1.0
            and senses is not None):
        typed_of = dict(zip(retrieval.missing_terms, retrieval.missing_words, strict=False))
        unnamed = [typed_of[t] for t in uncovered if t in typed_of]
        named_conditions = [w for w, c in condition_like(unnamed, senses.encode).items() if c]
        if named_conditions:  # a close relative the documents use covers it ("tendonitis" -> tendons)
            near = relative(list(dict.fromkeys([*named_conditions, *retrieval.missing_words])))  # one lookup for all
            named_conditions = [w for w in named_conditions if w not in near]
        if named_conditions:
            return Decision(False, f"the documents never name the condition asked about: {', '.join(named_conditions)}", best)
    # The technique or product asked about ("does aromatherapy massage help with anxiety") is a
    # thing in its own right: what the passages say about anxiety is no answer about aromatherapy.
    # A subject of other words counts when the documents never use any of them ("does gua sha
    # reduce inflammation"), not when it is a circumstance they discuss ("does sitting all day ...").
    subject = (retrieval.subject or query.subject) + tuple(
        t for t in query.subject_other if set(query.subject_other) <= set(retrieval.missing_terms))
    subject_covered = True
    if tuning.focus_min_coverage > 0 and subject:
        s_cov, s_uncovered = focus_coverage(query, retrieval, words=subject)
        if s_cov < tuning.focus_min_coverage:
            return Decision(False, f"the passages found don't cover what was asked about: {', '.join(s_uncovered)}", best)
        subject_covered = s_cov >= 1.0
    idf = retrieval.idf
    unseen = max(idf.values(), default=1.0)  # a word never seen is as rare as it gets
    known = sum(idf.get(t, 0.0) for t in retrieval.query_terms)
    typed = list(retrieval.missing_words) or list(retrieval.missing_terms)
    focus_held = bool(query.focus) and coverage >= 1.0 and tuning.focus_min_coverage > 0 and subject_covered
    # The focus phrase is cut at its first preposition ("the pain from shingles" -> pain): an unseen
    # word that qualifies it ("shingles", "for my cat") means the covered head is not what was asked.
    qualifiers = set(words(focus_tail(query.text))) if focus_held else set()

    def held(weight: dict[str, float]) -> bool:
        return focus_held and not any(weight.get(w, 0.0) > 0 for w in qualifiers)

    def abstains(weight: dict[str, float]) -> bool:
        missing = unseen * sum(weight.values())
        share = missing / (known + missing) if known + missing else 0.0
        return share >= tuning.answer_max_missing_share and best < tuning.answer_confident_score and not held(weight)

    weight = dict.fromkeys(typed, 1.0)
    if abstains(weight):  # only then is it worth asking what the unseen words are
        if tuning.common_zipf > 0:
            rare = {w: rarity(w, tuning.rare_zipf, tuning.common_zipf) for w in typed}
        else:
            rare = dict(weight)
        weight = rare
        # A common word may still be what the question rests on ("my dog"): asked only when the
        # rare words alone would let it answer, and only of words not already counted in full
        # (one encode of the question without each).
        asked = [w for w in typed if rare[w] < 1.0]
        if (senses is not None and tuning.topic_importance > 0 and not abstains(rare)
                and len(asked) * len(query.resolved) <= IMPORTANCE_CHARS):
            base = query.vector if query.previous is None else None  # a follow-up's vector is a mix
            imp = senses.importance(query.resolved, asked, base)
            weight = {w: max(rare[w], min(1.0, imp.get(w, 1.0) / tuning.topic_importance)) for w in typed}
    if abstains(weight):
        # Before abstaining: the words the documents use in another form count as used.
        for w, t in relative(typed).items():  # a word the documents use in another form is known
            weight[w] = 0.0
            known += idf.get(t, 0.0)
    missing = unseen * sum(weight.values())
    share = missing / (known + missing) if known + missing else 0.0
    if share >= tuning.answer_max_missing_share and best < tuning.answer_confident_score and not held(weight):
        return Decision(False, f"the documents never mention: {', '.join(w for w in typed if weight[w] > 0)}", best)
    return Decision(True, f"best sentence match {best:.2f}; {share:.0%} of key words unseen", best)


FOCUS_PASSAGES = 3  # the best passages whose words may cover the question's focus
# General words for body parts and what they do, and for medical conditions (not the articles'
# own): an unseen word nearer the conditions (MiniLM, mean of its 3 closest) names a condition.
BODY_WORDS = ("muscles", "neck", "shoulders", "back", "hips", "joints", "jaw", "head", "spine", "legs", "arms",
              "hands", "knees", "feet", "body", "breathing", "digestion", "movement", "balance")
CONDITION_WORDS = ("disease", "illness", "disorder", "syndrome", "infection", "condition", "diagnosis", "arthritis",
                   "migraine", "asthma", "diabetes", "allergy")


@functools.lru_cache(maxsize=4)
def _kind_vectors(encode: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The body-part and condition words' unit vectors for one model (encoded once)."""
    return (np.asarray(encode(list(BODY_WORDS)), dtype=np.float32),
            np.asarray(encode(list(CONDITION_WORDS)), dtype=np.float32))


def condition_like(words: list[str], encode: Callable[[list[str]], np.ndarray]) -> dict[str, bool]:
    """word -> whether it names a medical condition rather than a body part (one encode of the
    words). "lupus", "lipedema", "sclerosis": yes; "wrist", "hamstrings", "knee": no."""
    if not words:
        return {}
    body, cond = _kind_vectors(encode)
    v = np.asarray(encode(words), dtype=np.float32)
    top = 3
    c = np.sort(v @ cond.T, axis=1)[:, -top:].mean(axis=1)
    b = np.sort(v @ body.T, axis=1)[:, -top:].mean(axis=1)
    return {w: bool(c[i] >= b[i]) for i, w in enumerate(words)}
# `Senses.importance` encodes the question once without each word it asks about: past this many
# characters in all (words x question length) the words count by their rarity alone. A message
# near max_question_chars full of everyday words the documents never use was ~100 encodes of
# ~1,000 characters, 3.4 s of CPU for one question (18 ms for an ordinary one; one run on the
# shared machine); in so long a message one word's share of the meaning is near 0 anyway. The
# dev sets' largest measure is 516 (6 words x 86 characters).
IMPORTANCE_CHARS = 2000
# Unseen words of one question looked up for a close corpus relative (`Senses.nearest`: one
# encode of them all, plus a scan of the vocabulary per word); the rest stay unseen. A message
# of ~130 made-up words cost ~270 ms against ~5 ms; the dev sets' most is 8.
NEAREST_WORDS = 32


def focus_coverage(query: Query, retrieval: Retrieval,
                   relative: Callable[[list[str]], dict[str, str]] | None = None,
                   words: tuple[str, ...] | None = None) -> tuple[float, list[str]]:
    """(idf-weighted share of the focus words found in the best passages, the words not found).
    No focus: (1.0, []). A word the corpus never uses weighs as the rarest word. `relative` maps
    a focus word the passages don't use to a close corpus word they may use. `words`: other
    words asked about than the focus (the question's subject)."""
    focus = words if words is not None else (retrieval.focus or query.focus)
    if not focus:
        return 1.0, []
    idf = retrieval.idf
    unseen = max(idf.values(), default=1.0)
    found: set[str] = set()
    for h in retrieval.hits[:FOCUS_PASSAGES]:
        found |= set(terms(f"{h.title} {h.section} {h.text}"))
    weights = {t: idf.get(t, unseen) for t in focus}
    total = sum(weights.values()) or 1.0
    uncovered = [t for t in focus if t not in found]
    if uncovered and relative is not None:
        near = relative(uncovered)
        uncovered = [t for t in uncovered if near.get(t) not in found]
    return 1.0 - sum(weights[t] for t in uncovered) / total, uncovered


@dataclass(frozen=True)
class Composition:
    text: str
    citations: tuple[Citation, ...]
    quotes: tuple[tuple[str, int], ...]  # (sentence, n)


def compose(query: Query, retrieval: Retrieval, tuning: Tuning, *,
            allow: Callable[[str], bool] | None = None) -> Composition:
    """Choose 1..max sentences by relevance, answer type and coverage (MMR), merge
    near-duplicates, keep quotes coherent, cite.

    * a sentence that gives the kind of answer asked for (a duration for "how long") gets a bonus;
    * after the first, a sentence from a passage not quoted yet is preferred (`same_passage_penalty`):
      the answer then draws on more of the passages that answer;
    * a sentence that leans on the one before it ("Therefore, ...", "This technique ...") is
      quoted with that sentence, or not at all when the passage starts with it;
    * `allow` vetoes sentences that must not be quoted in this answer (the safety claims guard).
    """
    idf = retrieval.idf
    # The word that says what kind of answer is wanted is no topic to match: "how often" is not
    # answered by "the effects can often last". ("long" is kept: dropping it from duration
    # questions lost more dev rows than it gained.)
    q = set(query.terms) - _ASKING.get(query.intent, frozenset())
    q_weight = sum(idf.get(t, 0.0) for t in q) or 1.0
    hits = retrieval.hits
    by_pos = {(s.hit, s.pos): s for s in retrieval.sentences}

    def ok(text: str) -> bool:
        return allow is None or allow(text)

    def lead_in(s: Sentence) -> Sentence | None:
        """The sentence a dangling one needs before it (None: it stands alone)."""
        if not tuning.coherent_quotes or not DANGLING.match(s.text):
            return None
        return by_pos.get((s.hit, s.pos - 1))

    scored: list[tuple[float, Sentence]] = []
    for s in retrieval.sentences:
        if not _quotable(s.text) or not ok(s.text):
            continue
        if tuning.coherent_quotes and DANGLING.match(s.text):
            prev = lead_in(s)
            if prev is None or DANGLING.match(prev.text) or _FILLER.search(prev.text) or not ok(prev.text):
                continue  # it would dangle: pick another sentence
        overlap = sum(idf.get(t, 0.0) for t in q & s.terms) / q_weight
        score = s.score + tuning.lexical_weight * overlap + tuning.passage_weight * hits[s.hit].dense - 0.01 * s.hit
        if tuning.answer_type_weight and gives(query.intent, s.text, query.focus):
            score += tuning.answer_type_weight
        scored.append((score, s))
    if not scored:
        return Composition("", (), ())
    scored.sort(key=lambda c: (-c[0], c[1].row))
    best = scored[0][0]
    pool = [c for c in scored if c[0] >= best - tuning.pool_margin][:12]

    vecs = retrieval.vectors
    chosen = [pool[0]]
    while len(chosen) < tuning.max_answer_sentences:
        best_mmr, pick = -1e9, None
        for c in pool:
            if any(c[1] is s or lead_in(s) is c[1] for _, s in chosen):
                continue
            sim = max(float(vecs[c[1].row] @ vecs[s.row]) for _, s in chosen)
            if sim > tuning.near_duplicate:  # the articles repeat each other: keep one wording
                continue
            mmr = tuning.mmr_relevance * c[0] - (1 - tuning.mmr_relevance) * sim
            if any(c[1].hit == s.hit for _, s in chosen):  # another passage adds more than a neighbour
                mmr -= tuning.same_passage_penalty
            if mmr > best_mmr:
                best_mmr, pick = mmr, c
        if pick is None:
            break
        chosen.append(pick)

    # Citations numbered by relevance (the best quoted sentence's selection score, then passage
    # rank); the answer reads in citation order, then in the passage's own order.
    strength: dict[int, float] = {}
    for score, s in chosen:
        strength[s.hit] = max(strength.get(s.hit, -1.0), score)
    cited = sorted(strength, key=lambda h: (-strength[h], h))
    number = {h: n for n, h in enumerate(cited, start=1)}
    quoted: dict[tuple[int, int], Sentence] = {}
    for _, s in chosen:
        if (prev := lead_in(s)) is not None:
            quoted[(prev.hit, prev.pos)] = prev
        quoted[(s.hit, s.pos)] = s
    in_order = sorted(quoted.values(), key=lambda s: (number[s.hit], s.pos))
    cited_ids = {hits[h].chunk_id for h in cited}
    also: dict[int, dict[str, dict[str, str]]] = {h: {} for h in cited}
    for _, s in chosen:
        for _, d in scored:
            other = hits[d.hit]
            if (other.doc != hits[s.hit].doc and other.chunk_id not in also[s.hit] and other.chunk_id not in cited_ids
                    and float(vecs[s.row] @ vecs[d.row]) > tuning.near_duplicate):
                also[s.hit][other.chunk_id] = {"doc": other.doc, "title": other.title, "section": other.section,
                                               "chunk_id": other.chunk_id, "sentence": d.text}
    citations = tuple(
        Citation(n=number[h], doc=hits[h].doc, title=hits[h].title, section=hits[h].section,
                 chunk_id=hits[h].chunk_id, text=hits[h].text, score=strength[h], also_in=tuple(also[h].values()))
        for h in cited
    )
    quotes = tuple((s.text, number[s.hit]) for s in in_order)
    return Composition(" ".join(f"{s} [{n}]" for s, n in quotes), citations, quotes)


# A web source named in a sentence: filler in a short sentence ("Read more on x.com."), harmless
# at the end of an informative one ("..., according to muscletherapies.com.", "..., lower blood
# pressure and heart rate, ..., as reported by eacuwell.com.").
_WEB_SOURCE = re.compile(r"according to [a-z]+\.com|\.com\b", re.I)


def _quotable(sentence: str) -> bool:
    words = sentence.split()
    return (
        len(words) >= 5
        and not sentence.rstrip().endswith((":", "?"))
        and not _FILLER.search(sentence)
        and (len(words) >= 15 or not _WEB_SOURCE.search(sentence))
        and not MARKER.search(sentence)  # a document's own "[2]" would read as our citation
    )


def marked_sentences(answer: str) -> list[tuple[str, int]]:
    """(sentence, n) for every `[n]` marker in an answer: what grounding checks verify.

    >>> marked_sentences("Massage eases pain. [1] It helps sleep. [2]")
    [('Massage eases pain.', 1), ('It helps sleep.', 2)]
    """
    out = []
    for line in answer.splitlines():  # connective lines (cautions) carry no markers
        pos = 0
        for m in MARKER.finditer(line):
            sent = line[pos : m.start()].strip()
            if sent:
                out.append((sent, int(m.group(1))))
            pos = m.end()
    return out
