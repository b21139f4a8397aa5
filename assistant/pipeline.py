"""The question pipeline: triage -> validate -> query -> curated answer -> retrieve -> decide -> compose.

`Assistant` holds the model and the live index and answers one question at a time; limits,
logging and the error shape belong to the edge (`edge.py`), which every entry point goes through.

    >>> bot = Assistant.load()                                    # doctest: +SKIP
    >>> bot.ask("Can massage help with migraines?").status        # doctest: +SKIP
    'answered'
"""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .answer import NO_ANSWER_TEXT, Answer, Citation, Composition, compose, decide
from .chunk import split_sentences
from .embed import Embedder, cached_vectors_ok, load_embedder
from .errors import InputError
from .live import LiveIndex, Snapshot
from .query import History, Query, make_query, user_turns
from .retrieve import Retrieval
from .safety import (
    SemanticTriage,
    Triage,
    caution_text,
    is_clearing_claim,
    is_dose_statement,
    language_note,
    load_bank,
    triage_turn,
    urgent_text,
)
from .safety_model import SafetyModel
from .settings import Settings
from .vocab import VocabMaps

FAQ_TITLE = "Clinic FAQ"


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


@functools.lru_cache(maxsize=16384)
def _flags(sentence: str) -> tuple[bool, bool]:
    """(clears someone medically or promises a cure, states a dose): the claims and dose guards
    for one sentence. Both are pure functions of the text, and the same corpus sentences come
    back question after question; uncached, their normalization was about half of ask()'s CPU
    (benchmarks/bench_ask.py). Bounded: a few MB at most."""
    return is_clearing_claim(sentence), is_dose_statement(sentence)


def _safe_quote(sentence: str) -> bool:
    """Neither clears someone medically nor states a dose."""
    return not any(_flags(sentence))


def _no_dose(sentence: str) -> bool:
    return not _flags(sentence)[1]


log = logging.getLogger(__name__)


def load_semantic(settings: Settings, embedder: Embedder) -> SemanticTriage:
    """The semantic safety layer. The bank's vectors are cached beside the model export
    (index/safety/<model>-<bank hash>.npy), so a start embeds nothing it embedded before."""
    groups = load_bank()
    texts = [e for g in groups for e in g.exemplars]
    key = hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]
    cache = Path(settings.paths.index_dir) / "safety" / f"{embedder.fingerprint}-{key}.npy"
    matrix: np.ndarray | None = None
    if cache.is_file():
        try:
            matrix = np.load(cache, allow_pickle=False)
        except (OSError, ValueError):
            matrix = None
    if matrix is None or matrix.shape != (len(texts), embedder.dim) or not cached_vectors_ok(matrix, texts, embedder.encode):
        matrix = np.asarray(embedder.encode(texts), dtype=np.float32)
        try:
            cache.parent.mkdir(parents=True, exist_ok=True)
            tmp = cache.with_suffix(f".tmp{id(matrix)}.npy")
            np.save(tmp, matrix)
            tmp.replace(cache)
        except OSError as exc:  # a read-only index folder: embed at every start instead
            log.info("could not cache the safety bank's vectors in %s: %s", cache.parent, exc)
    owner = np.array([i for i, g in enumerate(groups) for _ in g.exemplars])
    model = SafetyModel.load()
    return SemanticTriage(embedder.encode, groups, matrix, owner, model=model if model.fits(embedder) else None)


# A follow-up is read with the previous question (query.make_query), which the same visitor asked
# a moment ago: its vector is kept from that turn rather than encoded again (an encode is most of
# ask()'s CPU; a follow-up paid two). Bounded: this many vectors (~1.6 KB each).
RECENT_QUESTIONS = 2048


class RecentVectors:
    """The vectors of recently asked questions by exact text (thread-safe, bounded, oldest
    forgotten first). `encode` is the embedder's for anything else. A text's vector is what the
    model gives for that text alone, so a kept one is exactly what encoding it again would give."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], size: int = RECENT_QUESTIONS) -> None:
        self._encode = encode
        self.size = size
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def remember(self, text: str, vector: np.ndarray) -> None:
        kept = np.array(vector, dtype=np.float32)
        kept.setflags(write=False)
        with self._lock:
            self._vectors[text] = kept
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)

    def encode(self, texts: list[str]) -> np.ndarray:
        if len(texts) == 1:
            with self._lock:
                kept = self._vectors.get(texts[0])
            if kept is not None:
                return kept[None, :]
        return self._encode(texts)


class Assistant:
    """Holds the model and the live index; `ask` is thread-safe (each question reads one snapshot)."""

    def __init__(self, settings: Settings, embedder: Embedder, live: LiveIndex,
                 semantic: SemanticTriage | None = None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.live = live
        # The semantic safety layer: the exemplar bank embedded with the same model.
        self.semantic = semantic if semantic is not None else load_semantic(settings, embedder)
        # The corpus vocabulary's vectors (cached beside the index): unseen words -> corpus words.
        self.vocab = VocabMaps(embedder.encode, embedder.fingerprint, Path(settings.paths.index_dir) / "vocab")
        self.recent = RecentVectors(embedder.encode)

    @classmethod
    def load(
        cls,
        settings: Settings | None = None,
        *,
        embedder: Embedder | None = None,
        auto_build: bool = True,
        build: bool = True,
        log: Callable[[str], None] | None = None,
    ) -> Assistant:
        """Load the model and the index; build the index first when it is missing or stale
        (`build=False`: never write it, only load and adopt published builds)."""
        settings = settings or Settings.from_env()
        embedder = embedder or load_embedder(settings, log=log)
        live = LiveIndex.load(settings, embedder, auto_build=auto_build, build=build, log_line=log)
        return cls(settings, embedder, live)

    @property
    def index(self) -> Any:
        return self.live.index

    def snapshot(self) -> Snapshot:
        return self.live.snapshot()

    def health(self) -> dict[str, Any]:
        return self.live.health()

    # --- the question ---------------------------------------------------------------------

    def triage(self, question: Any, history: History | None = None) -> Answer | None:
        """The urgent reply when the rules flag an emergency or a crisis in this message or in the
        conversation so far, else None. Cheap (no embedding): the edge runs it before any limit, so
        no limit ever hides an emergency."""
        if not isinstance(question, str):
            return None
        verdict = triage_turn(question, user_turns(history))
        return self._urgent(verdict, question) if verdict is not None and verdict.urgent else None

    def _urgent(self, verdict: Triage, question: str) -> Answer:
        return Answer.urgent(urgent_text(verdict, self.settings), notice=self.settings.notice_text,
                             safety=verdict.to_dict(), reason=f"safety {verdict.layer} {verdict.rule}",
                             resolved=question.strip())

    def ask(self, question: Any, history: History | None = None) -> Answer:
        s = self.settings
        notice = s.notice_text
        if not isinstance(question, str):
            raise InputError("Please type your question as text.", reason="invalid input")
        try:
            q = self.validate(question)
        except InputError:
            # Bad input or a long message never hides an emergency: read it in full first (the
            # rules, and for a long message the semantic layer sentence by sentence, capped).
            urgent = self.triage(question, history)
            if urgent is not None:
                return urgent
            if len(question.strip()) > s.safety.max_question_chars and self.semantic is not None:
                found = self.semantic.check(question)
                if found is not None and found.urgent:
                    return self._urgent(found, question)
            raise
        # A valid question: one pass of triage_turn (rules, semantic layer, context) decides.
        turns = user_turns(history)
        vec = self.embedder.encode([q])[0]  # the one embedding of this question
        verdict = triage_turn(q, turns, self.semantic, vec)
        if verdict is not None and verdict.urgent:
            return self._urgent(verdict, q)
        self.recent.remember(q, vec)  # for a follow-up to it (urgent messages are never kept)
        caution = verdict is not None and verdict.category == "caution"
        safety = verdict.to_dict() if verdict else None
        prefix = caution_text(s, verdict) + "\n\n" if caution else ""
        if (note := language_note(q)) is not None:
            prefix = note + "\n\n" + prefix

        snap = self.live.snapshot()  # one snapshot for the whole question
        query, retrieval = self._resolve(q, turns, vec, snap)
        curated = snap.retriever.curated(query)
        if curated is not None and self._guarded(curated[0].answer, caution):
            curated = None  # the claims and dose guards hold for staff's answers too: use the articles
        if curated is not None:  # staff's own answer wins over passage quotes
            entry, score = curated
            doc = snap.index.manifest.get("curated", {}).get("path", "corpus/faq.md")
            citation = Citation(1, doc, FAQ_TITLE, entry.question, entry.id, entry.answer, score)
            return Answer.answered(f"{prefix}{entry.answer} [1]", (citation,), ((entry.answer, 1),), notice=notice,
                                   reason=f"curated answer {entry.id} matched ({score:.2f})", confidence=score,
                                   resolved=query.label, caution=caution, safety=safety)
        retrieval = retrieval or snap.retriever.search(query, k=s.tuning.top_k)
        decision = decide(retrieval, query, s.tuning, self.vocab.senses(retrieval.vocabulary))
        if decision.answer:
            comp = self._compose(query, retrieval, caution)
            if comp.citations:
                return Answer.answered(prefix + comp.text, comp.citations, comp.quotes, notice=notice,
                                       reason=decision.reason, confidence=decision.confidence, resolved=query.label,
                                       caution=caution, safety=safety)
        return Answer.no_answer(prefix + self.no_answer_text(), notice=notice, reason=decision.reason,
                                confidence=decision.confidence, resolved=query.label, caution=caution, safety=safety)

    @staticmethod
    def _guarded(text: str, caution: bool) -> bool:
        """Whether a text must not be quoted here: it states a dose, or, under a caution, clears
        someone medically."""
        return any(_flags(sent)[1] or (caution and _flags(sent)[0]) for sent in sentences_of(text))

    def _compose(self, query: Query, retrieval: Retrieval, caution: bool) -> Composition:
        """The claims guard: a sentence that clears someone medically or promises a cure is never
        quoted under a caution, nor a dose ever; elsewhere it is quoted only when no safer sentence
        answers."""
        tuning = self.settings.tuning
        if caution:
            return compose(query, retrieval, tuning, allow=_safe_quote)
        safer = compose(query, retrieval, tuning, allow=_safe_quote)
        return safer if safer.citations else compose(query, retrieval, tuning, allow=_no_dose)

    def _resolve(self, q: str, turns: list[str], vq: np.ndarray, snap: Snapshot) -> tuple[Query, Retrieval | None]:
        """The query, read with the previous question only when it cannot stand alone; a question
        that retrieves well without the context is never rewritten (its retrieval is reused)."""
        tuning = self.settings.tuning
        tried: list[tuple[Query, Retrieval]] = []

        def best(reading: Query) -> float:
            tried.append((reading, snap.retriever.search(reading, k=tuning.top_k)))
            return tried[-1][1].best_sentence

        def stands_alone(alone: Query) -> bool:
            return best(alone) >= tuning.followup_standalone_score

        query = make_query(q, turns, vq, self.recent.encode, tuning, stands_alone, best)
        return query, next((r for read, r in tried if read is query), None)  # the chosen reading's retrieval

    def validate(self, question: str) -> str:
        q = question.strip()
        if not q or not re.search(r"\w", q):
            raise InputError("Please type a question, for example: \"Can massage help with back pain?\"",
                             reason="invalid input")
        limit = self.settings.safety.max_question_chars
        if len(q) > limit:
            raise InputError(f"That message is too long ({len(q):,} characters). Please ask in under {limit:,} characters.",
                             reason="too long")
        return q

    def no_answer_text(self) -> str:
        """"I couldn't find that", with a way out: the clinic's phone, email and booking page."""
        b = self.settings.branding
        links = []
        if b.contact_phone:
            links.append(f"call [{b.contact_phone}](tel:{re.sub(r'[^0-9+]', '', b.contact_phone)})")
        if b.contact_email:
            links.append(f"email [{b.contact_email}](mailto:{b.contact_email})")
        if b.booking_url:
            links.append(f"[book online]({b.booking_url})")
        ways = f" You can {', '.join(links[:-1]) + ' or ' + links[-1] if len(links) > 1 else links[0]}." if links else ""
        return f"{NO_ANSWER_TEXT} {b.contact_text}{ways}"

    def answered_now(self, question: str) -> bool:
        """Whether the current FAQ and articles answer this question (the gap report drops those)."""
        try:
            return self.ask(question).status == "answered"
        except InputError:
            return False
