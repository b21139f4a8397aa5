"""The one request edge. Every way in (the Gradio chat and its `/ask` API, `POST /api/ask`,
`massage-assistant ask`, Python callers) hands a `Request` to `Edge.handle` and gets a `Reply`:
the answer object plus the HTTP status and headers an HTTP entry point should use. The rules
live here once, in this order:

1. the cheap urgent check (`assistant.triage`, rules only), so no limit ever hides an emergency;
2. the per-visitor rate limit;
3. the shared concurrency gate (`ask_workers` computing, `ask_queue` waiting, then "busy");
4. `assistant.ask` (safety on the full text, validation, retrieval, composition);
5. the gap log (urgent counted, no-answer and low-confidence questions recorded);
6. one error shape everywhere: `Answer.error(message, notice, reason)`.

    >>> edge = Edge(assistant, settings)                                # doctest: +SKIP
    >>> reply = edge.handle(Request("Can massage help with migraines?"))  # doctest: +SKIP
    >>> reply.http_status, reply.answer.status                          # doctest: +SKIP
    (200, 'answered')
"""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .answer import Answer
from .errors import BusyError, InputError, RateLimitedError
from .limits import Gate, RateLimiter, Ticket

log = logging.getLogger(__name__)
T = TypeVar("T")

ERROR_TEXT = "Sorry, something went wrong on our side. Please try again in a moment, or contact the clinic."
FEEDBACK_TEXT = "Sorry, that feedback could not be read."

# HTTP status for each error reason. A question over max_question_chars is 413 (the content is
# too large for what the server accepts: clients and proxies read 413 as "send less"); input
# that is not a question at all (empty, not text) is 400; a well-formed body whose fields have
# the wrong shape is 422.
STATUS = {
    "invalid input": 400,
    "invalid request": 422,
    "too long": 413,
    "body too large": 413,
    "unsupported media type": 415,
    "not found": 404,
    "rate limited": 429,
    "busy": 503,
    "internal error": 500,
}
ADMIT_THREADS = 4  # threads for the urgent check and limits in handle_async
# handle_async runs the urgent check on the event loop itself when the question and the earlier
# turns are this short together (the rules: ~0.4 ms for a typical question, ~12 ms per 1,000
# characters); longer requests go to the ADMIT_THREADS pool so the loop never stalls on one.
INLINE_ADMIT_CHARS = 400
# Debug only, off by default: a file path to which handle_async appends each turn's stage timings
# (benchmarks/bench_gradio.py --phases sets it and prints them beside Gradio's own phases).
STAGE_LOG_ENV = "MASSAGE_STAGE_LOG"
STAGES = ("admitted", "turn", "thread", "asked", "back")
HISTORY_TURNS = 20  # earlier turns kept from a request's history (follow-ups need the last few)
FEEDBACK_STATUSES = frozenset({"answered", "no_answer", "urgent", "error"})


@dataclass(frozen=True)
class Request:
    """One question at the edge. `client` is the visitor's address (rate limit key); `entry`
    names the way in, for logs only."""

    question: Any
    history: Any = None
    client: str = "local"
    entry: str = "python"


@dataclass(frozen=True)
class Reply:
    """`answer` is None only for a successful feedback (HTTP 204)."""

    answer: Answer | None
    http_status: int = 200
    headers: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any] | None:
        return self.answer.to_dict() if self.answer is not None else None

    @property
    def ok(self) -> bool:
        return self.http_status < 400


class Edge:
    """Shared by every entry point of one process: one limiter, one gate, one gap store."""

    def __init__(self, assistant: Any, settings: Any = None, *, store: Any = None,
                 limiter: RateLimiter | None = None, gate: Gate | None = None) -> None:
        self.assistant = assistant
        self.settings = settings if settings is not None else assistant.settings
        web = self.settings.web
        self.store = store
        self.limiter = limiter if limiter is not None else RateLimiter(web.rate_limit_per_minute)
        # Feedback clicks have their own budget, so thumbs never use up a visitor's questions.
        self.feedback_limiter = RateLimiter(web.rate_limit_per_minute)
        self.gate = gate if gate is not None else Gate(web.ask_workers, web.ask_queue)
        self._threads: Any = None  # anyio limiters for handle_async, made on first use
        self._turns: Any = None
        self._admit_threads: Any = None
        self.stages = StageLog.from_env()

    # -- errors ---------------------------------------------------------------------------

    def error(self, message: str, reason: str, *, retry_after: int | None = None) -> Reply:
        """The one error shape: the answer object with status "error", the message, the
        notice and a reason; the HTTP status follows from the reason."""
        headers = (("Retry-After", str(retry_after)),) if retry_after else ()
        answer = Answer.error(message, self.settings.notice_text, reason)
        return Reply(answer, STATUS.get(reason, 400), headers)

    def _failure(self, exc: BaseException, request: Request | None) -> Reply:
        if isinstance(exc, InputError):
            reason = getattr(exc, "reason", "") if getattr(exc, "reason", "") in STATUS else "invalid input"
            return self.error(str(exc), reason)
        if isinstance(exc, RateLimitedError):
            return self.error(str(exc), "rate limited", retry_after=exc.retry_after)
        if isinstance(exc, BusyError):
            return self.error(str(exc), "busy", retry_after=exc.retry_after)
        # Logged for staff once, here (one traceback); the visitor gets a clear reply.
        where = request.entry if request else "?"
        log.error("unexpected error answering a question (%s): %s", where, exc, exc_info=exc)
        return self.error(ERROR_TEXT, "internal error")

    # -- questions ------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        """Answer one request in the calling thread (the CLI, Python callers)."""
        try:
            early = self._screen(request)
            if early is not None:
                return early
            return self._answer(request, self.gate.reserve())
        except Exception as exc:
            return self._failure(exc, request)

    async def handle_async(self, request: Request) -> Reply:
        """The same for async callers (the HTTP API and the Gradio chat), off the event loop: the
        urgent check and the limits in a small pool of threads (the rules read every character:
        ~190 ms for a 16 KB body), then the question in a thread of its own. Visitors waiting for
        a turn wait on the event loop, holding a place in the gate but no thread: only `workers`
        threads ever compute, so the framework's own thread pool (Gradio's pre/postprocessing)
        never queues behind parked visitors, and fewer threads compete for the GIL."""
        import anyio

        ticket: Ticket | None = None
        marks = [time.perf_counter()] if self.stages is not None else None
        try:
            if self._threads is None:
                self._turns = anyio.CapacityLimiter(self.gate.workers)
                self._threads = anyio.CapacityLimiter(self.gate.workers)  # never waits: a turn is held
                self._admit_threads = anyio.CapacityLimiter(ADMIT_THREADS)
            if _short(request):  # a thread hop costs more than the rules on a short chat turn
                early = self._screen(request)
            else:
                early = await _in_thread(self._screen, request, limiter=self._admit_threads)
            if early is not None:
                return early
            _mark(marks)
            # The place is taken here, on the loop, never in the admission thread: a visitor
            # cancelled while that thread ran (Gradio's /cancel is asyncio's task.cancel(), which
            # anyio's shield does not stop) would otherwise leave a place taken for good.
            ticket = self.gate.reserve()
            try:
                with anyio.fail_after(self.gate.max_wait):  # only the wait is timed, never the answer
                    await self._turns.acquire()
            except TimeoutError:
                raise BusyError() from None
            _mark(marks)
            try:
                if marks is None:
                    return await _in_thread(self._answer, request, ticket, limiter=self._threads)
                reply = await _in_thread(self._timed_answer, request, ticket, marks, limiter=self._threads)
                _mark(marks)
                assert self.stages is not None
                self.stages.add(marks)
                return reply
            finally:
                self._turns.release()
        except Exception as exc:
            return self._failure(exc, request)
        finally:
            if ticket is not None:
                ticket.release()

    def _screen(self, request: Request) -> Reply | None:
        """Before any place in the gate: the urgent reply (the rules, before any limit), a
        refused history, the rate limit. None: the question may take a place."""
        try:
            history = clean_history(request.history)
        except InputError:
            history = None  # refused below, but a malformed history never hides an emergency
        question = request.question
        if isinstance(question, str):
            urgent = self.assistant.triage(question, history or [])
            if urgent is not None:
                self._record(question, urgent)
                return Reply(urgent)
        if history is None:
            clean_history(request.history)  # raises the one-line InputError
        wait = self.limiter.check(request.client)
        if wait:
            raise RateLimitedError(wait)
        return None

    def _timed_answer(self, request: Request, ticket: Ticket, marks: list[float]) -> Reply:
        _mark(marks)
        try:
            return self._answer(request, ticket)
        finally:
            _mark(marks)

    def _answer(self, request: Request, ticket: Ticket) -> Reply:
        try:
            with ticket.turn():
                answer = self.assistant.ask(request.question, clean_history(request.history))
        finally:
            ticket.release()
        self._record(request.question, answer)
        return Reply(answer)

    def _record(self, question: str, answer: Answer) -> None:
        """What the gap report needs: a count (only) of urgent messages, unanswered questions,
        and low-confidence answers that did not come from the clinic's own FAQ."""
        store = self.store
        if store is None:
            return
        ids = [c.chunk_id for c in answer.citations]
        if answer.status == "urgent":
            store.record("urgent", "", "urgent", [])
        elif answer.status == "no_answer":
            store.record("no_answer", question, answer.status, ids, answer.reason)
        elif (answer.status == "answered" and answer.confidence < self.settings.tuning.low_confidence_score
              and not any(i.startswith("faq#") for i in ids)):
            store.record("low_confidence", question, answer.status, ids, answer.reason)

    # -- feedback -------------------------------------------------------------------------

    def feedback(self, question: Any, status: Any, chunk_ids: Any, helpful: Any, reason: Any = "",
                 *, client: str = "local") -> Reply:
        """A thumbs up or down on an answer: stored with the answer's status and cited chunk
        ids (no free text beyond an optional short reason). 204 when taken."""
        try:
            wait = self.feedback_limiter.check(client)
            if wait:
                raise RateLimitedError(wait)
            limit = self.settings.safety.max_question_chars
            if (not isinstance(question, str) or not isinstance(status, str) or not isinstance(helpful, bool)
                    or not isinstance(reason, str) or status not in FEEDBACK_STATUSES
                    or not isinstance(chunk_ids, list) or len(chunk_ids) > 20
                    or not all(isinstance(c, str) and len(c) <= 200 for c in chunk_ids)):
                return self.error(FEEDBACK_TEXT, "invalid request")
            if len(question) > limit or len(reason) > 200:
                return self.error(FEEDBACK_TEXT, "too long")
            if self.store is not None and status != "urgent":  # urgent messages are never stored
                self.store.record("thumbs_up" if helpful else "thumbs_down", question, status, chunk_ids, reason)
            return Reply(None, 204)
        except Exception as exc:
            return self._failure(exc, None)


def _mark(marks: list[float] | None) -> None:
    if marks is not None:
        marks.append(time.perf_counter())


class StageLog:
    """Where a turn's time goes inside the edge, for finding waits under load (debug; off unless
    MASSAGE_STAGE_LOG names a file): per answered turn, the milliseconds spent in each of `STAGES`
    (admitted: the urgent check and limits; turn: waiting for one of the `ask_workers`; thread:
    the hop into the worker thread; asked: `ask()` itself; back: the hop back to the event loop),
    appended to the file as JSON lines in batches, so the loop rarely touches the file."""

    BATCH = 50

    def __init__(self, path: str) -> None:
        self.path = path
        self._rows: list[list[float]] = []
        self._lock = threading.Lock()

    @classmethod
    def from_env(cls) -> StageLog | None:
        path = os.environ.get(STAGE_LOG_ENV, "")
        return cls(path) if path else None

    def add(self, marks: list[float]) -> None:
        if len(marks) != len(STAGES) + 1:
            return  # a turn that ended early (busy, an error) has no full set of stages
        row = [round((b - a) * 1000, 3) for a, b in zip(marks, marks[1:], strict=False)]
        with self._lock:
            self._rows.append(row)
            if len(self._rows) < self.BATCH:
                return
            rows, self._rows = self._rows, []
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write("".join(json.dumps(r) + "\n" for r in rows))
        except OSError as exc:
            log.warning("could not write stage timings to %s: %s", self.path, exc)


async def _in_thread(fn: Callable[..., T], *args: Any, limiter: Any) -> T:
    """`fn(*args)` in a worker thread. A visitor cancelled meanwhile (Gradio's /cancel, a closed
    stream: asyncio's task.cancel(), which anyio's thread shield does not stop, so it would abandon
    the thread and give back the limiter's token and the visitor's turn and place while the thread
    still runs) still waits here until the thread ends, then the cancellation goes on."""
    import asyncio

    import anyio

    work = asyncio.ensure_future(anyio.to_thread.run_sync(fn, *args, limiter=limiter))
    try:
        return await asyncio.shield(work)
    except asyncio.CancelledError:
        while not work.done():
            try:
                await asyncio.wait([work])
            except asyncio.CancelledError:
                continue  # cancelled again: still wait for the thread
        exc = None if work.cancelled() else work.exception()
        if exc is not None and not isinstance(exc, (InputError, RateLimitedError, BusyError)):
            log.error("unexpected error answering a question (visitor gone): %s", exc, exc_info=exc)
        raise


def _short(request: Request) -> bool:
    """Whether the question and its history's text add up to at most INLINE_ADMIT_CHARS (a
    history of the wrong shape is not short: clean_history refuses it in the thread)."""
    if not isinstance(request.question, str):
        return False
    total = len(request.question)
    history = request.history if request.history is not None else []
    if not isinstance(history, list):
        return False
    for turn in history[-HISTORY_TURNS:]:
        content = turn.get("content") if isinstance(turn, dict) else turn
        if isinstance(content, list):  # Gradio's [{"type": "text", "text": ...}]
            content = " ".join(str(c.get("text", "")) if isinstance(c, dict) else "" for c in content)
        if not isinstance(content, str):
            return False
        total += len(content)
        if total > INLINE_ADMIT_CHARS:
            return False
    return total <= INLINE_ADMIT_CHARS


def clean_history(history: Any) -> list[str | dict[str, Any]]:
    """A request's history as the pipeline takes it: a list of strings or {"role","content"}
    messages, the last HISTORY_TURNS only. Anything else is refused as invalid input (a
    scripted client sending a number or a nested blob gets a 4xx, not a crash)."""
    if history is None:
        return []
    if not isinstance(history, Sequence) or isinstance(history, (str, bytes)):
        raise InputError("The conversation history must be a list of messages.", reason="invalid request")
    out: list[str | dict[str, Any]] = []
    for turn in list(history)[-HISTORY_TURNS:]:
        if isinstance(turn, str) or isinstance(turn, dict) and isinstance(turn.get("role"), str):
            out.append(turn)
        else:
            raise InputError("Each message in the history must be text or a {role, content} object.")
    return out


def open_gap_store(settings: Any) -> Any:
    """The gap store the settings name (None when off): `gaps.open_store`, imported here so
    the CLI and the server open it the same way."""
    from .gaps import open_store

    return open_store(settings)
