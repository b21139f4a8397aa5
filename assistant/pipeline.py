"""The Assistant: validate -> triage -> resolve follow-ups -> retrieve -> decide -> compose.

    >>> bot = Assistant.load()                                    # doctest: +SKIP
    >>> bot.ask("Can massage help with migraines?").status        # doctest: +SKIP
    'answered'
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .answer import NO_ANSWER_TEXT, Answer, Citation, compose, decide
from .curated import CuratedEntry
from .embed import Embedder, load_embedder
from .errors import IndexCorruptError, IndexMismatchError, IndexMissingError, InputError
from .gaps import GapLog
from .index import Index, build_index, check_compatible, corpus_changes, current_build, load_index
from .retrieve import Retriever
from .safety import caution_text, triage, urgent_text
from .settings import Settings
from .text import terms, words

log = logging.getLogger(__name__)

History = Sequence[Any]  # user questions as strings, or Gradio "messages" dicts

_FOLLOWUP = re.compile(
    r"^\s*(what|how) about\b|^\s*(and|also|but|so)\b|\b(that|this|it|they|them|those|these|one)\b[^a-z]*$"
    r"|\b(do|does|doing|did) (that|this|it)\b|\b(how often|how long|how many times)\b",
    re.I,
)


def followup_context(question: str, history: History | None) -> str | None:
    """The previous user question when `question` is a follow-up to it, else None.

    A follow-up either refers back ("what about...", "and for...", "do that", a trailing
    "it") or has no topic words of its own ("how often?").

    >>> followup_context("What about for migraines?", ["Can massage help with back pain?"])
    'Can massage help with back pain?'
    >>> followup_context("how often should I do that?", ["Does massage help posture?"])
    'Does massage help posture?'
    >>> followup_context("Does massage help sciatica?", ["Can massage help with back pain?"]) is None
    True
    """
    previous = _last_user_question(history)
    if not previous:
        return None
    own = terms(question)
    if not own or (_FOLLOWUP.search(question) and len(own) <= 3):
        return previous
    return None


def _last_user_question(history: History | None) -> str | None:
    for turn in reversed(list(history or [])):
        if isinstance(turn, str):
            return turn
        if isinstance(turn, dict) and turn.get("role") == "user":
            content = turn.get("content")
            if isinstance(content, str):
                return content
            if isinstance(content, list):  # Gradio 6 may send [{"type": "text", "text": ...}]
                texts = [c.get("text", "") for c in content if isinstance(c, dict)]
                if any(texts):
                    return " ".join(texts)
    return None


class Assistant:
    """Holds the model and the live index; `ask` is thread-safe (FAISS search is read-only)."""

    def __init__(self, settings: Settings, embedder: Embedder, index: Index) -> None:
        self.settings = settings
        self.embedder = embedder
        self._lock = threading.Lock()
        self._gap_log: GapLog | None = None
        self._set_index(index)

    def _set_index(self, index: Index) -> None:
        retriever = Retriever(index, rrf_k=self.settings.tuning.rrf_k, weights=(1.0, 1.0, self.settings.tuning.bm25_weight))
        with self._lock:  # one reference swap: a request in flight keeps the pair it started with
            self._state = (index, retriever)

    @property
    def index(self) -> Index:
        return self._state[0]

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        auto_build: bool = True,
    ) -> Assistant:
        """Load the model and index; build the index first when it is missing or stale."""
        settings = settings or Settings.from_env()
        embedder = embedder or load_embedder(settings)
        try:
            index = load_index(Path(settings.paths.index_dir))
            check_compatible(index, embedder, settings)
        except (IndexMissingError, IndexMismatchError, IndexCorruptError):
            if not auto_build:
                raise
            report = build_index(settings, embedder)
            assert report.index is not None
            index = report.index
        return cls(settings, embedder, index)

    def reload(self) -> bool:
        """Rebuild if the corpus changed (or pick up a build made by another process), then swap
        the new index in with one reference assignment. Requests in flight finish on the index
        they started with. If anything fails, the last good index keeps serving and the error
        propagates. Returns True when a new index was swapped in."""
        report = build_index(self.settings, self.embedder)  # a no-op when nothing changed
        if report.index is None or report.path == self.index.path:
            return self._adopt_current()  # nothing new here; maybe another process built one
        check_compatible(report.index, self.embedder, self.settings)
        self._set_index(report.index)
        log.info("now serving index %s (%d passages)", report.path.name, len(report.index.chunks))
        return True

    def _adopt_current(self) -> bool:
        name = current_build(Path(self.settings.paths.index_dir))
        if not name or name == self.index.path.name:
            return False
        index = load_index(Path(self.settings.paths.index_dir), name=name)
        check_compatible(index, self.embedder, self.settings)
        self._set_index(index)
        log.info("now serving index %s (%d passages)", name, len(index.chunks))
        return True

    def watch(self, interval: float = 2.0, *, corpus: bool = True) -> threading.Event:
        """Poll in a daemon thread: adopt builds published by `massage-assistant build`, and
        (with `corpus`) rebuild when documents change. Set the returned event to stop."""
        stop = threading.Event()

        def loop() -> None:
            while not stop.wait(interval):
                try:
                    if corpus and any(corpus_changes(self.index, Path(self.settings.paths.corpus_dir)).values()):
                        self.reload()
                    else:
                        self._adopt_current()
                except Exception as exc:  # keep serving the last good index; staff see the log
                    log.error("index reload failed, still serving %s: %s", self.index.path.name, exc)

        threading.Thread(target=loop, name="index-watch", daemon=True).start()
        return stop

    @property
    def gap_log(self) -> GapLog | None:
        if self.settings.paths.gap_log_path is None:
            return None
        if self._gap_log is None:
            self._gap_log = GapLog(Path(self.settings.paths.gap_log_path), self.settings.staff.gap_retention_days)
        return self._gap_log

    def log_outcome(self, question: str, answer: Answer) -> None:
        """Record what the gap report needs: unanswered and low-confidence questions, and a
        count (only) of urgent messages."""
        gaps = self.gap_log
        if gaps is None:
            return
        ids = [c.chunk_id for c in answer.citations]
        if answer.status == "urgent":
            gaps.record("urgent", "", "urgent", [])
        elif answer.status == "no_answer":
            gaps.record("no_answer", question, answer.status, ids, answer.reason)
        elif answer.confidence < self.settings.tuning.low_confidence_score and not any(i.startswith("faq#") for i in ids):
            gaps.record("low_confidence", question, answer.status, ids, answer.reason)

    def feedback(self, question: str, status: str, chunk_ids: list[str], helpful: bool) -> None:
        """Thumbs up/down on an answer: stored with its status and cited chunk ids, no free text."""
        if self.gap_log is not None and status != "urgent":
            self.gap_log.record("thumbs_up" if helpful else "thumbs_down", question, status, chunk_ids)

    def _curated(
        self, index: Index, retriever: Retriever, question: str, qvec: np.ndarray
    ) -> tuple[CuratedEntry, float, Citation] | None:
        """The staff-curated entry this question asks, if any: a blend of cosine and shared
        content words, since similarity alone confuses "how often should I get a massage"
        with "how can I schedule a massage" (threshold calibrated on evals/curated.jsonl)."""
        if not len(index.curated):
            return None
        w = self.settings.tuning.curated_lexical_weight
        q = set(terms(question))
        overlap = np.array([len(q & t) / len(q | t) if q | t else 0.0 for t in retriever.curated_terms])
        scores = (1 - w) * (index.curated_vecs @ qvec) + w * overlap
        row = int(np.argmax(scores))
        score = float(scores[row])
        if score < self.settings.tuning.curated_threshold:
            return None
        entry = index.curated[int(index.curated_owner[row])]
        doc = index.manifest.get("curated", {}).get("path", "corpus/faq.md")
        return entry, score, Citation(1, doc, "Clinic FAQ", entry.question, entry.id, entry.answer, score)

    def validate(self, question: Any) -> str:
        if not isinstance(question, str):
            raise InputError("Please type your question as text.")
        q = question.strip()
        if not q or not re.search(r"\w", q):
            raise InputError("Please type a question, for example: \"Can massage help with back pain?\"")
        if len(q) > self.settings.safety.max_question_chars:
            raise InputError(
                f"That message is too long ({len(q):,} characters). Please ask in under "
                f"{self.settings.safety.max_question_chars:,} characters."
            )
        return q

    def ask(self, question: str, history: History | None = None) -> Answer:
        s = self.settings
        notice = s.notice_text
        q = self.validate(question)
        verdict = triage(q)
        if verdict and verdict.urgent:
            return Answer("urgent", urgent_text(verdict, s), (), notice, caution=False,
                          safety=verdict.to_dict(), reason=f"safety rule {verdict.rule}", resolved_question=q)
        caution = verdict is not None and verdict.category == "caution"
        index, retriever = self._state
        previous = followup_context(q, history)
        if previous:
            # Mix the two questions' vectors: the follow-up leads when it names its own
            # topic ("what about migraines?"), the earlier question when it doesn't.
            own = bool(terms(q))
            vq, vp = self.embedder.encode([q, previous])
            w = 0.7 if own else 0.35
            qvec = w * vq + (1 - w) * vp
            qvec = (qvec / np.linalg.norm(qvec)).astype(np.float32)
            query = q if own else f"{q} {previous}"
            resolved = f"{q} (follow-up to: {previous})"
        else:
            qvec = self.embedder.encode([q])[0]
            query = resolved = q
        safety = verdict.to_dict() if verdict else None
        prefix = caution_text(s) + "\n\n" if caution else ""
        curated = self._curated(index, retriever, query, qvec)  # the same snapshot as retrieval
        if curated is not None:  # staff's own answer wins over passage quotes
            entry, score, citation = curated
            return Answer("answered", f"{prefix}{entry.answer} [1]", (citation,), notice, caution, safety,
                          f"curated answer {entry.id} matched ({score:.2f})", score, resolved, ((entry.answer, 1),))
        retrieval = retriever.search(query, qvec, k=s.tuning.top_k)
        decision = decide(retrieval, retriever.lexical, s, words(q), retriever.corpus_words)
        if decision.answer:
            text, citations, quotes = compose(terms(query), retrieval, index, retriever, s)
            if citations:
                return Answer("answered", prefix + text, citations, notice, caution, safety,
                              decision.reason, decision.confidence, resolved, quotes)
        return Answer("no_answer", prefix + f"{NO_ANSWER_TEXT} {s.branding.contact_text}", (), notice, caution,
                      safety, decision.reason, decision.confidence, resolved)
