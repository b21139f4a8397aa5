"""The question as the pipeline sees it: built once per turn, then read by retrieval, curated
matching and answer composition, so the text is tokenized and embedded exactly once.

    >>> followup_context("What about for migraines?", ["Can massage help with back pain?"])
    'Can massage help with back pain?'
    >>> followup_context("how often should I do that?", ["Does massage help posture?"])
    'Does massage help posture?'
    >>> followup_context("Does massage help sciatica?", ["Can massage help with back pain?"]) is None
    True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .settings import Tuning
from .text import STOPWORDS, stem, terms, words

History = Iterable[Any]  # earlier turns: user questions as strings, or Gradio/HTTP "messages" dicts

_FOLLOWUP = re.compile(
    r"^\s*(what|how) about\b|^\s*(and|also|but|so)\b|\b(that|this|it|they|them|those|these|one)\b[^a-z]*$"
    r"|\b(do|does|doing|did) (that|this|it)\b|\b(how often|how long|how many times)\b"
    r"|^\W*(why|how come|how so|really|like what|such as|what for|why not|for how long)\W*$",
    re.I,
)
# A short question whose subject is a pronoun standing for the earlier topic ("will that be sore",
# "is it painful", "what techniques would they use"), or that asks why ("why drink water"). Unlike
# `_FOLLOWUP`, such a question may still ask about a thing of its own ("is it good for athletes"
# asks about massage): it follows up only when it has no focus of its own.
_REFERS = re.compile(
    r"^\W*(is|was|will|would|does|did|do|can|could|should|are)\s+(it|that|this|they|those|these)\b"
    r"|\b(would|will|do|does|did|can|could|should|might|must)\s+(they|it|that|this)\s+\w+"
    # "why drink water", "why is that good"; not "why do i feel sore after a massage", which has
    # a subject of its own
    r"|^\W*why\b(?!\s+(do|does|did|is|are|was|were|would|should|can|could|will|am)\s+"
    r"(i|you|we|my|your|massage|massages|medical|people|the|a|an|some|most|therapists?)\b)"
    # "is the effect permanent", "are the results lasting": the definite article points back
    r"|^\W*(is|are|was|were|will|would|does|do|can|how long (is|are|do|does|will))\s+the\s+"
    r"(effects?|results?|benefits?|relief|change|changes|improvements?)\b",
    re.I,
)


# What kind of answer a question wants, recognised from its wording (first match wins).
INTENTS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("frequency", re.compile(r"\bhow (often|frequently|regularly)\b|\bhow many (times|sessions|visits|massages)\b", re.I)),
    ("duration", re.compile(r"\bhow long\b|\bhow many (minutes|hours)\b|\b(duration|length) of\b", re.I)),
    ("steps", re.compile(
        r"\bwhat (should|do|can|must) (i|you|we) (do|avoid|eat|drink|wear|bring|expect)\b.{0,20}\b(before|after|during)\b"
        r"|\bhow (do|should|can) i (prepare|get ready|recover)\b|\b(tips|aftercare|after care|advice)\b"
        r"|\bwhat to do (before|after)\b", re.I)),
    ("who", re.compile(r"^\W*who\b|\b(is|are) (it|medical massage|massage|this) (for|right for|suitable for)\b", re.I)),
    ("definition", re.compile(
        r"^\W*(what\s+(is|are)|whats|what's|wat\s+is)\s+(?!the (difference|point|best|benefit))"
        r"(?!.*\b(do|does|can|should|will|for|of|with)\b)|"
        r"^\W*(define|meaning of)\b|\bwhat does .{1,40} (mean|involve)\b", re.I)),
    ("yesno", re.compile(r"^\W*(can|could|does|do|did|will|would|is|are|should|may|might)\b", re.I)),
)

# Words that say what kind of question it is, not what it is about: never a question's focus.
GENERIC = frozenset(
    stem(w) for w in (
        "help", "benefit", "benefits", "good", "work", "works", "worth", "offer", "offered", "use", "used",
        "provide", "need", "get", "make", "feel", "treat", "treatment", "therapy", "therapeutic", "session",
        "medical", "clinic", "type", "types", "kind", "best", "difference", "effect", "effects", "fewer", "less",
        "more", "much", "many", "often", "long", "recommend", "people", "someone", "person", "person's",
        "ok", "okay", "safe", "right", "able", "go", "regular", "new", "first", "time", "mean", "means",
        "improve", "reduce", "relieve", "ease", "fix", "cure", "sort", "actually", "exactly", "practice",
        "option", "options", "available", "service", "services", "every", "all", "any", "each", "some",
        "most", "whole", "sentence", "word", "words", "short", "simple", "exactly", "really",
        # what a visitor says around the thing asked about, never the thing itself
        "definition", "meaning", "explain", "everyone", "everybody", "anyone", "anybody", "anymore", "else",
        "thing", "stuff", "exact", "basically", "even", "still", "though", "nowadays", "currently",
    )
)
# Where the focus phrase ends: the head noun phrase comes before a preposition or a clause.
_FOCUS_END = re.compile(r"\s+(in|for|with|on|at|to|from|after|before|during|when|while|if|because|so|and|or|like|"
                        r"that|which|who|feel|feels|get|gets|be|is|are|do|does|can|could|would|will)\s.*$")
_FOCUS = re.compile(
    # who it is for ("is massage safe for young children", "ok during pregnancy"): a group or a
    # state the documents never name is not covered (and never cleared as safe)
    r"\b(?:safe|ok|okay|suitable|appropriate|recommended)\s+(?:for|during|while|in)\s+(?:a |an |the |my |me )?"
    r"(?P<f>[a-z' -]{3,60}?)(?=\?|$|\.|,|\bif\b|\bwhen\b|\bor\b)"
    r"|\b(?:help(?:s)?|good|work(?:s)?|useful|treat|ease|relieve|fix|reduce|cure|prevent|get rid of|clear up)\s+(?:me\s+)?"
    r"(?:with|for|on|against)?\s*"
    r"(?P<a>[a-z' -]{3,60}?)(?=\?|$|\.|,|\bif\b|\bwhen\b|\bafter\b|\bbefore\b|\bat night\b|\bor\b)"
    r"|\b(?:(?:you|u|ya|they|clinic|therapists?)\s+(?:\w+\s+)?(?:offer|use|provide|sell|stock|do|have|carry|combine|"
    r"include|perform|practi[cs]e)|i\s+(?:use|buy|try))"
    r"\s+(?:any\s+|an?\s+|the\s+)?"
    r"(?P<b>[a-z' -]{3,60}?)(?=\?|$|\.|,|\bthere\b)"
    r"|^\W*(?:what\s+(?:is|are)|whats|what's)\s+(?:a |an |the )?(?P<c>[a-z' -]{3,60}?)(?=\?|$|\.|,)"
    r"|\b(?:which|what (?:kind|type|sort|brand)s? of)\s+(?P<d>[a-z' -]{3,40}?)\s+"
    r"(?:do|does|is|are|can|would|should|helps?|works?)\b"
    r"|\babout\s+(?P<e>[a-z' -]{3,60}?)(?=\?|$|\.|,)",
    re.I,
)


def intent(question: str) -> str:
    """The kind of answer wanted: frequency, duration, steps, who, definition, yesno or other.

    >>> intent("How long does a session last?"), intent("what's fascia"), intent("What should I do after a massage?")
    ('duration', 'definition', 'steps')
    """
    for name, pattern in INTENTS:
        if pattern.search(question):
            return name
    return "other"


def focus_terms(question: str) -> tuple[tuple[str, ...], str]:
    """(the stems of what the question is about, how it asks), or ((), "") when the wording gives
    no clear focus. How it asks: "help" ("can massage help my X") or "thing" ("do you offer X",
    "what is X", "which X"): a thing the documents never name is not there, while a body part
    they never name may still be covered by what they say about muscles.

    >>> focus_terms("Do you offer hot stone massage?"), focus_terms("could massage help my carpal tunnel at night")
    ((('hot', 'ston'), 'thing'), (('carpal', 'tunnel'), 'help'))
    """
    m = _FOCUS.search(question.lower().replace("’", "'"))
    if not m:
        return (), ""
    group = next(k for k, g in m.groupdict().items() if g)
    phrase = _FOCUS_END.sub("", " " + m.group(group).strip())
    focus = tuple(t for t in dict.fromkeys(terms(phrase)) if t not in GENERIC)
    return focus, ("help" if group == "a" else "thing") if focus else ""


# The technique or product a yes/no question is about, as its grammatical subject: "does
# aromatherapy massage help with anxiety", "is thai yoga massage good for flexibility", "can cold
# laser therapy break down scar tissue". A covered object ("anxiety") says nothing about whether
# the documents discuss the technique; the subject is a thing asked about in its own right.
_SUBJECT = re.compile(
    r"^\W*(?:does|do|is|are|can|could|will|would|should|may|might)\s+(?:an?\s+|the\s+|some\s+)?"
    r"(?P<s>[a-z' -]{3,50}?)\s+(?P<v>help|helps|good|work|works|reduce|improve|ease|relieve|cure|fix|treat|safe|ok|"
    r"okay|better|worse|worth|part|lower|raise|increase|break|flush|boost|speed|prevent|get|clear|heal|hurt|useful|"
    r"effective|suitable|really|actually|also|same|different|count|make|cause|do)\b"
)
# What a technique does to a complaint: the verbs after a subject that is a thing asked about.
_EFFECT_VERBS = frozenset([
    "help", "helps", "work", "works", "reduce", "improve", "ease", "relieve", "cure", "fix",
    "treat", "lower", "raise", "increase", "break", "flush", "boost", "speed", "prevent", "clear",
    "heal"
])
# What a technique or product is called by: the subject names one only when it ends in such a word.
_TECHNIQUE_HEADS = frozenset([
    "massage", "massages", "therapy", "therapies", "treatment", "treatments", "technique",
    "techniques", "release", "needling", "drainage", "manipulation", "stone", "stones", "oil",
    "oils", "cream", "creams", "lotion", "lotions", "sauna", "saunas", "machine", "machines", "gun",
    "guns", "chair", "chairs", "tape", "taping", "device", "devices", "tool", "tools", "roller",
    "rollers", "bath", "baths", "pack", "packs", "wrap", "wraps", "method", "methods", "stimulation",
    "needles", "cups", "cupping", "taping"
])
_PERSONAL = frozenset([
    "i", "me", "my", "you", "your", "u", "it", "its", "they", "their", "them", "this", "that",
    "these", "those", "we", "our", "he", "she", "his", "her"
])


def subject_terms(question: str) -> tuple[str, ...]:
    """The stems naming the technique or product a question is about when it is the subject
    ("does scalp massage help ..." -> scalp), else (). Plain "massage", "medical massage" or "it"
    names none.

    >>> subject_terms("does aromatherapy massage help with anxiety"), subject_terms("can medical massage help my back")
    (('aromatherapy',), ())
    """
    m = _SUBJECT.match(question.lower().replace("’", "'"))
    if not m:
        return ()
    ws = m.group("s").split()
    if not ws or ws[-1] not in _TECHNIQUE_HEADS or _PERSONAL & set(ws):
        return ()
    return tuple(t for t in dict.fromkeys(terms(m.group("s"))) if t not in GENERIC and t not in _TECHNIQUE_STEMS)


def subject_words(question: str) -> tuple[str, ...]:
    """The stems of a short subject with no technique word and no person in it ("does gua sha
    reduce inflammation" -> gua, sha; "does sitting all day ..." -> sit, day): a thing asked about
    when the documents never use its words (`answer.decide` checks), else just a circumstance.

    >>> subject_words("does gua sha reduce inflammation"), subject_words("can my back get better")
    (('gua', 'sha'), ())
    """
    m = _SUBJECT.match(question.lower().replace("’", "'"))
    if not m or m.group("v") not in _EFFECT_VERBS:  # "can older people get ..." names who, not what
        return ()
    ws = m.group("s").split()
    if not ws or len(ws) > 3 or ws[-1] in _TECHNIQUE_HEADS or _PERSONAL & set(ws):
        return ()
    return tuple(t for t in dict.fromkeys(terms(m.group("s"))) if t not in GENERIC)


# Heads that only say "a kind of treatment": the words before them name it ("scalp massage"). A
# product head names the thing itself ("massage chairs", "essential oils") and is kept.
_TECHNIQUE_STEMS = frozenset(stem(w) for w in ("massage", "massages", "therapy", "therapies", "treatment",
                                               "treatments", "technique", "techniques", "method", "methods"))


def focus_tail(question: str) -> str:
    """The clause of the focus phrase, from its start to the end of the question: the words that
    qualify the focus ("the pain from shingles", "a stretch routine for my cat"), which
    `focus_terms` cuts off, and what the same clause asks of it ("write my essay about stress").
    An earlier clause is context ("I do marathons, would massage help my training").

    >>> focus_tail("can massage help the pain from shingles"), focus_tail("I do marathons, would massage help my training")
    ('can massage help the pain from shingles', ' would massage help my training')
    """
    low = question.lower().replace("’", "'")
    m = _FOCUS.search(low)
    if not m:
        return ""
    group = next(k for k, g in m.groupdict().items() if g)
    start = max((low.rfind(p, 0, m.start(group)) for p in ",.;:!?"), default=-1)
    return low[start + 1:]


def own_terms(question: str) -> list[str]:
    """The content-word stems that name a topic: "how long is it" has none ("long" says how it
    asks), "ok and how does it actually work" none, "what about for my jaw" one.

    >>> own_terms("ok and how does it actually work"), own_terms("what about for my jaw")
    ([], ['jaw'])
    """
    return [t for t in terms(question) if t not in GENERIC and t not in _FRAME_STEMS]


def has_topic(question: str) -> bool:
    """Whether a question names anything of its own. Unlike `terms`, "massage" counts here: "What
    should I do after a massage?" stands alone; "how often?" does not."""
    return any(w not in STOPWORDS or w.startswith("massag") for w in words(question) if len(w) > 2 and w not in _FRAME)


_FRAME = frozenset(["what", "how", "often", "long", "should", "would", "could", "can", "does", "about", "that",
                    "this", "those", "these", "then", "also", "and", "but", "for", "the", "with", "you", "your"])
# Chat words that carry no topic in a follow-up ("ok how many times a month tho").
_FRAME_STEMS = frozenset(stem(w) for w in ("tho", "though", "then", "anyway", "btw", "ok", "okay", "so", "also", "too"))


@dataclass(frozen=True)
class Query:
    text: str  # the visitor's question, validated
    resolved: str  # what lexical retrieval reads: the question, plus the earlier one for bare follow-ups
    previous: str | None  # the earlier question this one follows up on
    terms: tuple[str, ...]  # content-word stems of `resolved`
    words: tuple[str, ...]  # the question's own words (clinic-fact check)
    vector: np.ndarray  # unit vector; for follow-ups a mix with the earlier question's
    intent: str = "other"  # what kind of answer it wants (see INTENTS)
    focus: tuple[str, ...] = ()  # stems of what it is about
    frame: str = ""  # how it asks about its focus: "help" or "thing" (see focus_terms)
    subject: tuple[str, ...] = ()  # stems of the technique or product it asks about (see subject_terms)
    subject_other: tuple[str, ...] = ()  # stems of another short subject (see subject_words)

    @property
    def label(self) -> str:
        """The question as retrieved, for the answer's `resolved_question`."""
        return f"{self.text} (follow-up to: {self.previous})" if self.previous else self.text

    @classmethod
    def plain(cls, text: str, vector: np.ndarray) -> Query:
        """A question read on its own (no history)."""
        return cls(text, text, None, tuple(terms(text)), tuple(words(text)), vector, intent(text), *focus_terms(text),
                   subject_terms(text), subject_words(text))

    @classmethod
    def followup(cls, text: str, previous: str, vq: np.ndarray, vp: np.ndarray, tuning: Tuning) -> Query:
        """A follow-up read with the earlier question: the vectors are mixed, the follow-up leading
        when it names its own topic ("what about migraines?"), the earlier one when not ("how often?")."""
        own = bool(terms(text))
        w = tuning.followup_own_weight if own else tuning.followup_bare_weight
        mixed = w * vq + (1 - w) * vp
        vector = (mixed / np.linalg.norm(mixed)).astype(np.float32)
        resolved = text if own else f"{text} {previous}"
        return cls(text, resolved, previous, tuple(terms(resolved)), tuple(words(text)), vector, intent(text),
                   *focus_terms(text), subject_terms(text), subject_words(text))


def make_query(
    text: str,
    history: History | None,
    vector: np.ndarray,
    encode: Callable[[list[str]], np.ndarray],
    tuning: Tuning,
    stands_alone: Callable[[Query], bool] | None = None,
    alone_best: Callable[[Query], float] | None = None,
) -> Query:
    """The question, read with the previous user question only when it cannot stand alone.

    `vector` is the question's own embedding (computed once by the caller). A question that looks
    like a follow-up but names its own topic is read alone when `stands_alone` says it retrieves
    well without the context (the pipeline compares retrieval confidence). A short question with
    no cue and no focus of its own ("what techniques are used?") that finds nothing close enough
    alone (`alone_best`: a reading's best sentence match) is read with the previous question when
    that reading finds a close enough passage."""
    previous = followup_context(text, history, standalone_topics=tuning.standalone_topics)
    if previous is None:
        plain = Query.plain(text, vector)
        earlier = last_user_question(history)
        if (earlier and alone_best is not None and tuning.standalone_topics and len(terms(text)) <= 3
                and not plain.focus and not plain.subject and not plain.subject_other
                and alone_best(plain) < tuning.answer_min_sentence_score):
            with_context = Query.followup(text, earlier, vector, encode([earlier])[0], tuning)
            if alone_best(with_context) >= tuning.answer_min_sentence_score:
                return with_context
        return plain
    if stands_alone is not None and tuning.standalone_topics and terms(text):
        alone = Query.plain(text, vector)
        if stands_alone(alone):
            return alone
    return Query.followup(text, previous, vector, encode([previous])[0], tuning)


def followup_context(question: str, history: History | None, *, standalone_topics: bool = True) -> str | None:
    """The previous user question when `question` may follow up on it, else None.

    A follow-up refers back ("what about...", "and for...", "do that", a trailing "it"; a pronoun
    subject or a "why" with no focus of its own: "will that be sore", "why drink water") or names
    nothing of its own ("how often?"). A question with its own topic and no such cue stands alone
    ("What should I do after a massage?" after a back-pain question; "is it good for athletes").

    >>> followup_context("will that be sore", ["can massage help carpal tunnel"]) is not None
    True
    >>> followup_context("is it good for athletes", ["what should I tell my therapist"]) is None
    True
    """
    previous = last_user_question(history)
    if not previous:
        return None
    own_topic = has_topic(question) if standalone_topics else bool(terms(question))
    short = len(terms(question)) <= 3
    if not own_topic or (_FOLLOWUP.search(question) and short):
        return previous
    if standalone_topics and short and _REFERS.search(question) and not focus_terms(question)[0]:
        return previous
    return None


def user_turns(history: History | None) -> list[str]:
    """The user's earlier messages, oldest first: strings, or messages dicts (a dict without a
    role counts as the user's; Gradio 6 may send content as [{"type": "text", "text": ...}]).

    >>> user_turns(["a", {"role": "assistant", "content": "x"}, {"role": "user", "content": [{"type": "text", "text": "b"}]}])
    ['a', 'b']
    """
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict) and turn.get("role", "user") == "user":
            content = turn.get("content", turn.get("question", turn.get("text")))
            if isinstance(content, str):
                out.append(content)
            elif isinstance(content, list):
                texts = [c.get("text", "") for c in content if isinstance(c, dict)]
                if any(texts):
                    out.append(" ".join(x for x in texts if isinstance(x, str)))
    return out


def last_user_question(history: History | None) -> str | None:
    turns = user_turns(history)
    return turns[-1] if turns else None
