"""Grounded answer composition: pick the few sentences that answer, quote them verbatim.

Nothing here generates prose. Each factual sentence in an answer is copied character for
character from the passage it cites; the only other text is fixed connective wording
(templates) that carries no facts. When the evidence is weak the answer is `no_answer`
with the reason recorded.

    >>> Citation(1, "corpus/a.md", "A", "S", "a#0", "Text.", 0.5).to_dict()["chunk_id"]
    'a#0'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .index import Index
from .retrieve import Lexical, Retrieval, Retriever
from .settings import Settings

Status = Literal["answered", "no_answer", "urgent"]
NEAR_DUPLICATE = 0.82  # sentence cosine above which two sentences say the same thing
POOL_MARGIN = 0.2  # candidate sentences within this of the best (calibrated on the dev set)
MARKER = re.compile(r"\[(\d+)\]")
NO_ANSWER_TEXT = "I couldn't find that in our information."

# Sentences that read as web filler rather than information.
_FILLER = re.compile(
    r"\b(this article|read this article|look no further|let's dive|in this article|explore resources|"
    r"learn more|as described here|as reported by|according to [a-z]+\.com|\.com\b|"
    r"explore professional options|consider scheduling|your body will thank)",
    re.I,
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
    status: Status
    answer: str
    citations: tuple[Citation, ...]
    notice: str
    caution: bool = False
    safety: dict[str, str] | None = None  # which rule fired, for audit
    reason: str = ""  # why it answered or abstained, for staff and the eval
    confidence: float = 0.0
    resolved_question: str = ""  # the question as retrieved, after follow-up resolution
    quotes: tuple[tuple[str, int], ...] = field(default=(), compare=False)  # (sentence, n)

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


def decide(retrieval: Retrieval, lexical: Lexical, settings: Settings, question_words: list[str],
           corpus_words: frozenset[str]) -> Decision:
    """Answer or abstain from several signals rather than one cosine threshold.

    * best sentence similarity: how closely any single sentence matches the question;
    * missing topic words: the idf-weighted share of the question's content words that the
      documents never use (typos mapped first). Similarity alone rates "does insurance cover
      massage" (0.67) above genuine questions, but the documents never say "insurance";
    * clinic-fact words (price, hours, booking...) that no document uses.
    A very close sentence match overrides missing words ("drink water" -> "Stay hydrated").
    """
    if not retrieval.hits:
        return Decision(False, "the documents are empty", 0.0)
    best = max(h.sentence for h in retrieval.hits)
    facts = sorted({w for w in question_words if w in CLINIC_FACT_WORDS and w not in corpus_words})
    if facts:
        return Decision(False, f"asks about the clinic's own details ({', '.join(facts)}), which the documents do not cover", best)
    if best < settings.tuning.answer_min_sentence_score:
        return Decision(False, f"no passage is close enough (best sentence match {best:.2f})", best)
    unseen = max(lexical.idf.values(), default=1.0)  # a word never seen is as rare as it gets
    known = sum(lexical.idf.get(t, 0.0) for t in retrieval.query_terms)
    missing = unseen * len(retrieval.missing_terms)
    share = missing / (known + missing) if known + missing else 0.0
    if share >= settings.tuning.answer_max_missing_share and best < settings.tuning.answer_confident_score:
        return Decision(False, f"the documents never mention: {', '.join(retrieval.missing_terms)}", best)
    return Decision(True, f"best sentence match {best:.2f}; {share:.0%} of key words unseen", best)


def compose(
    question_terms: list[str],
    retrieval: Retrieval,
    index: Index,
    retriever: Retriever,
    settings: Settings,
) -> tuple[str, tuple[Citation, ...], tuple[tuple[str, int], ...]]:
    """Choose 1..max sentences by relevance and coverage (MMR), merge near-duplicates, cite."""
    lexical = retriever.lexical
    q = set(question_terms)
    q_weight = sum(lexical.idf.get(t, 0.0) for t in q) or 1.0
    hit_rank = {h.idx: r for r, h in enumerate(retrieval.hits)}

    cands: list[tuple[float, int, int, int]] = []  # (score, sentence row, chunk idx, sentence pos)
    for h in retrieval.hits:
        chunk = index.chunks[h.idx]
        for pos, row in enumerate(index.sentence_rows(h.idx)):
            a, b = chunk.sentences[pos]
            sent = chunk.text[a:b]
            if not _quotable(sent):
                continue
            overlap = sum(lexical.idf.get(t, 0.0) for t in q & retriever.sentence_terms[row]) / q_weight
            score = retrieval.sentence_scores.get(row, 0.0) + settings.tuning.lexical_weight * overlap - 0.01 * hit_rank[h.idx]
            cands.append((score, row, h.idx, pos))
    if not cands:
        return "", (), ()
    cands.sort(reverse=True)
    best = cands[0][0]
    pool = [c for c in cands if c[0] >= best - POOL_MARGIN][:12]

    chosen: list[tuple[float, int, int, int]] = [pool[0]]
    vecs = index.sentence_vecs
    while len(chosen) < settings.tuning.max_answer_sentences:
        best_mmr, pick = -1e9, None
        for c in pool:
            if c in chosen:
                continue
            sim = max(float(vecs[c[1]] @ vecs[s[1]]) for s in chosen)
            if sim > NEAR_DUPLICATE:  # the articles repeat each other: keep one wording
                continue
            mmr = 0.75 * c[0] - 0.25 * sim
            if mmr > best_mmr:
                best_mmr, pick = mmr, c
        if pick is None:
            break
        chosen.append(pick)

    # Citations numbered by relevance (the best quoted sentence's selection score, then passage
    # rank); the answer reads in citation order, then in the passage's own order.
    strength: dict[int, float] = {}
    for c in chosen:
        strength[c[2]] = max(strength.get(c[2], -1.0), c[0])
    cited = sorted(strength, key=lambda i: (-strength[i], hit_rank[i]))
    number = {idx: n for n, idx in enumerate(cited, start=1)}
    chosen.sort(key=lambda c: (number[c[2]], c[3]))
    also: dict[int, dict[str, dict[str, str]]] = {i: {} for i in cited}
    for c in chosen:
        doc = index.chunks[c[2]].doc
        for d in cands:
            other = index.chunks[d[2]]
            if other.doc != doc and other.id not in also[c[2]] and float(vecs[c[1]] @ vecs[d[1]]) > NEAR_DUPLICATE:
                also[c[2]][other.id] = {"doc": other.doc, "title": other.title, "section": other.section,
                                        "chunk_id": other.id, "sentence": other.sentence_texts[d[3]]}
    citations = tuple(
        Citation(
            n=number[i],
            doc=index.chunks[i].doc,
            title=index.chunks[i].title,
            section=index.chunks[i].section,
            chunk_id=index.chunks[i].id,
            text=index.chunks[i].text,
            score=strength[i],
            also_in=tuple(a for cid, a in also[i].items() if cid not in {index.chunks[j].id for j in cited}),
        )
        for i in cited
    )
    quotes = tuple((index.chunks[i].sentence_texts[pos], number[i]) for _, _, i, pos in chosen)
    text = " ".join(f"{s} [{n}]" for s, n in quotes)
    return text, citations, quotes


def _quotable(sentence: str) -> bool:
    words = sentence.split()
    return (
        len(words) >= 5
        and not sentence.rstrip().endswith((":", "?"))
        and not _FILLER.search(sentence)
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
