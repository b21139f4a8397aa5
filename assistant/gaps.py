"""Staff data: the gap log and feedback, in SQLite or PostgreSQL, and the gap report.

What is stored: questions that ended in `no_answer`, low-confidence answers and thumbs up/down
feedback (with the answer's status, cited chunk ids and the reason), each redacted first
(privacy.redact: names, contact and payment data, addresses, dates of birth, health details).
Urgent messages are only counted per day, never stored. Rows older than
`settings.staff.gap_retention_days` are deleted (in SQL, on both backends) and never read.

Where: PostgreSQL when `settings.paths.database_url` is set (shared by every replica), else a
SQLite file at `settings.paths.gap_log_path`; `open_store` returns None when both are off.

Writes never block an answer: `record()` puts the event on a bounded queue and returns; one
writer thread stores events in batches with short database timeouts. When the database is
locked or down the writer keeps its batch and retries (rows are kept once it is back); when the
queue is full new events are dropped and counted (`health()["dropped"]`), with one log line
per problem, not per event. A corrupt SQLite file is moved aside
(`gaps.sqlite3.corrupt-<timestamp>`) and a new one started, with one log line, and
`health()["problem"]` says so (the staff page shows it).

The report: `grouped()` aggregates in SQL (one row per distinct redacted question, with its
count, last time, kinds and reasons), so it stays fast at tens of thousands of events;
`cluster()` then merges similar wordings by their embeddings.
"""

from __future__ import annotations

import contextlib
import csv
import json
import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .errors import AssistantError
from .privacy import redact

log = logging.getLogger(__name__)

KINDS = ("no_answer", "low_confidence", "thumbs_up", "thumbs_down", "urgent")
REPORT_KINDS = ("no_answer", "low_confidence", "thumbs_down")
QUEUE_SIZE = 10_000  # events waiting for the writer; beyond this they are dropped and counted
BATCH = 500  # events per transaction
MAX_QUESTION_CHARS = 1000
MAX_REASON_CHARS = 300
PURGE_EVERY = 3600.0  # seconds between retention sweeps by the writer (reads filter anyway)
SQLITE_BUSY_TIMEOUT = 0.2  # seconds the writer waits on a locked file before retrying later
SQLITE_READ_TIMEOUT = 2.0
PG_CONNECT_TIMEOUT = 3  # seconds
PG_STATEMENT_TIMEOUT_MS = 5000
RETRY_MAX_WAIT = 2.0  # seconds between retries while the database is locked or down

__all__ = ["GapStore", "GroupRow", "Gap", "StoreError", "open_store", "cluster", "format_gaps", "write_csv",
           "SqliteStore", "PostgresStore", "GapLog", "redact", "reason_text", "KINDS", "REPORT_KINDS"]


class StoreError(AssistantError):
    """The gap log cannot be read right now (locked, unreachable); the message says why."""


@dataclass(frozen=True)
class GroupRow:
    """One distinct (redacted) question in the gap report, aggregated in SQL."""

    question: str
    count: int
    last_ts: float
    kinds: dict[str, int]
    reasons: tuple[str, ...]  # why it is a gap, most frequent first

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "count": self.count, "last_ts": self.last_ts,
                "kinds": dict(self.kinds), "reasons": list(self.reasons)}


class GapStore(Protocol):
    def record(self, kind: str, question: str, status: str, chunk_ids: list[str], reason: str = "") -> None: ...
    def grouped(self, kinds: Sequence[str] = REPORT_KINDS, limit: int = 300) -> list[GroupRow]: ...
    def events(self, kinds: Sequence[str] = REPORT_KINDS, limit: int | None = None) -> list[dict[str, Any]]: ...
    def urgent_total(self) -> int: ...
    def health(self) -> dict[str, Any]: ...
    def flush(self, timeout: float = 5.0) -> None: ...
    def close(self) -> None: ...


def _text(value: Any) -> str:
    """Text any database stores: a lone surrogate (valid in JSON, "\\ud800") would otherwise fail
    the insert and, with it, the whole batch of other visitors' events."""
    return str(value or "").encode("utf-8", "replace").decode("utf-8")


def open_store(settings: Any, *, queue_size: int = QUEUE_SIZE) -> SqliteStore | PostgresStore | None:
    """PostgreSQL when a database URL is set, SQLite at the gap log path otherwise, None when
    both are off. Cheap and never blocking: the database is opened by the writer thread."""
    retention = int(settings.staff.gap_retention_days)
    if settings.paths.database_url:
        return PostgresStore(settings.paths.database_url, retention, queue_size=queue_size)
    if settings.paths.gap_log_path is not None:
        return SqliteStore(Path(settings.paths.gap_log_path), retention, queue_size=queue_size)
    return None


def reason_text(kind: str, status: str, reason: str) -> str:
    """Why an event is in the report, for staff."""
    if kind == "thumbs_down":
        text = f"thumbs down on an answer with status {status!r}"
        return f"{text}: {reason}" if reason else text
    if kind == "thumbs_up":
        return "thumbs up"
    if kind == "low_confidence":
        return f"low confidence: {reason}" if reason else "low confidence"
    return reason or kind.replace("_", " ")


@dataclass(frozen=True)
class _Event:
    ts: float
    kind: str
    question: str
    status: str
    chunk_ids: tuple[str, ...]
    reason: str


_STOP = object()


class _Store:
    """The queue, the writer thread and health, shared by both backends. A backend supplies
    `_connect` (a ready connection, schema created), `_write`, `_purge`, `_query` and `_problem_of`."""

    backend = ""
    events_table = "events"
    urgent_table = "urgent_counts"

    def __init__(self, retention_days: int, queue_size: int = QUEUE_SIZE) -> None:
        self.retention_days = retention_days
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=queue_size)
        self._lock = threading.Lock()  # health fields and the pending count
        self._idle = threading.Condition(self._lock)
        self._pending = 0  # events recorded and neither stored nor dropped yet
        self._dropped = 0
        self._problem: str | None = None  # what is wrong now, or a past event staff must know
        self._problem_sticky = False  # a corrupt file moved aside stays reported
        self._ok = True
        self._logged: str | None = None  # the problem last logged (one line per problem)
        self._closing = threading.Event()
        self._writer = threading.Thread(target=self._run, name=f"gap-store-{self.backend}", daemon=True)
        self._writer.start()

    # -- the caller's side -------------------------------------------------------------------
    def record(self, kind: str, question: str, status: str, chunk_ids: list[str], reason: str = "") -> None:
        """Queue one event; never blocks, never raises (a full queue drops it and counts it)."""
        try:
            event = _Event(time.time(), _text(kind), _text(question), _text(status),
                           tuple(_text(c) for c in (chunk_ids or ())), _text(reason))
            with self._lock:
                if self._closing.is_set():
                    self._drop_locked(1, "the gap log is closed")
                    return
                self._pending += 1
            try:
                self._queue.put_nowait(event)
            except queue.Full:
                with self._lock:
                    self._pending -= 1
                    self._drop_locked(1, f"the gap log queue is full ({self._queue.maxsize} events waiting)")
                    self._idle.notify_all()
        except Exception:  # never cost a visitor their answer; logged once per problem
            with self._lock:
                self._drop_locked(1, "an event could not be queued")
            log.debug("gap log: event not queued", exc_info=True)

    def flush(self, timeout: float = 5.0) -> None:
        """Wait until every queued event is stored or dropped (tests, shutdown)."""
        end = time.monotonic() + timeout
        with self._idle:
            while self._pending > 0:
                left = end - time.monotonic()
                if left <= 0:
                    return
                self._idle.wait(left)

    def close(self, timeout: float = 5.0) -> None:
        """Store what is queued (up to `timeout`), then stop the writer; later events are dropped."""
        self.flush(timeout)
        self._closing.set()
        with contextlib.suppress(queue.Full):  # the writer also polls _closing
            self._queue.put_nowait(_STOP)
        self._writer.join(timeout=max(1.0, timeout))

    def health(self) -> dict[str, Any]:
        with self._lock:
            return {"backend": self.backend, "ok": self._ok, "dropped": self._dropped, "problem": self._problem,
                    "queued": self._pending, "where": self.where}

    # -- reads (the staff page, the CLI) -----------------------------------------------------
    def grouped(self, kinds: Sequence[str] = REPORT_KINDS, limit: int = 300) -> list[GroupRow]:
        """One row per distinct redacted question: the `limit` most asked (then most recent),
        with their counts by kind and the reasons, aggregated in SQL."""
        kinds = tuple(kinds)
        if not kinds:
            return []
        marks = ",".join("?" * len(kinds))
        t = self.events_table
        sql = (f"SELECT question, kind, status, reason, COUNT(*), MAX(ts) FROM {t} "
               f"WHERE ts >= ? AND kind IN ({marks}) AND question IN ("
               f"SELECT question FROM {t} WHERE ts >= ? AND kind IN ({marks}) "
               f"GROUP BY question ORDER BY COUNT(*) DESC, MAX(ts) DESC LIMIT ?) "
               f"GROUP BY question, kind, status, reason")
        cutoff = self._cutoff()
        rows = self._query(sql, (cutoff, *kinds, cutoff, *kinds, int(limit)))
        merged: dict[str, dict[str, Any]] = {}
        for question, kind, status, reason, n, last in rows:
            g = merged.setdefault(question, {"count": 0, "last": 0.0, "kinds": {}, "reasons": {}})
            g["count"] += int(n)
            g["last"] = max(g["last"], float(last))
            g["kinds"][kind] = g["kinds"].get(kind, 0) + int(n)
            text = reason_text(kind, status, reason)
            g["reasons"][text] = g["reasons"].get(text, 0) + int(n)
        out = [GroupRow(q, g["count"], g["last"], dict(sorted(g["kinds"].items())),
                        tuple(r for r, _ in sorted(g["reasons"].items(), key=lambda kv: (-kv[1], kv[0]))))
               for q, g in merged.items()]
        return sorted(out, key=lambda r: (-r.count, -r.last_ts, r.question))

    def events(self, kinds: Sequence[str] = REPORT_KINDS, limit: int | None = None) -> list[dict[str, Any]]:
        """Raw stored events, newest first (chunk_ids decoded to a list)."""
        kinds = tuple(kinds)
        if not kinds:
            return []
        marks = ",".join("?" * len(kinds))
        sql = (f"SELECT ts, kind, question, status, chunk_ids, reason FROM {self.events_table} "
               f"WHERE ts >= ? AND kind IN ({marks}) ORDER BY ts DESC, id DESC")
        params: tuple[Any, ...] = (self._cutoff(), *kinds)
        if limit is not None:
            sql += " LIMIT ?"
            params += (int(limit),)
        return [{"ts": float(ts), "kind": k, "question": q, "status": s, "chunk_ids": json.loads(c or "[]"),
                 "reason": r} for ts, k, q, s, c, r in self._query(sql, params)]

    def urgent_total(self) -> int:
        """Urgent messages counted within the retention period (they are never stored)."""
        rows = self._query(f"SELECT COALESCE(SUM(n), 0) FROM {self.urgent_table} WHERE day >= ?", (self._cutoff_day(),))
        return int(rows[0][0]) if rows else 0

    def purge(self) -> None:
        """Apply the retention period now (the writer also does it every hour)."""
        db = self._connect(read=True)
        try:
            self._purge(db, self._cutoff(), self._cutoff_day())
        finally:
            db.close()

    # -- the writer thread -------------------------------------------------------------------
    def _run(self) -> None:
        db: Any = None
        batch: list[_Event] = []
        next_purge = 0.0
        wait = 0.05
        handled = 0
        stopping = False
        while True:
            if not batch:
                if stopping:
                    break
                try:
                    item = self._queue.get(timeout=0.5)
                except queue.Empty:
                    if self._closing.is_set():
                        break
                    continue
                items = [item]
                while len(items) < BATCH:
                    try:
                        items.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                stopping = any(i is _STOP for i in items)
                batch = [i for i in items if i is not _STOP]
                if not batch:
                    continue
            try:
                if db is None or self._stale(db):
                    if db is not None:
                        _close_quietly(db)
                    db = None
                    db = self._connect()
                if time.time() >= next_purge:
                    self._purge(db, self._cutoff(), self._cutoff_day())
                    next_purge = time.time() + PURGE_EVERY
                self._write(db, [self._prepare(e) for e in batch if e.kind != "urgent"], _urgent_days(batch))
            except Exception as exc:
                if db is not None:
                    _close_quietly(db)
                    db = None
                try:
                    what, transient = self._problem_of(exc)
                except Exception as inner:  # e.g. the corrupt file could not be moved aside
                    what, transient = f"{exc}; and could not recover: {inner}", True
                handled = handled + 1 if what is None else 0
                if what is None and handled < 3:  # a corrupt file moved aside: try again at once
                    continue
                what = what or f"the gap log keeps failing after recovery: {exc}"
                if transient and not (stopping or self._closing.is_set()):
                    self._report(what, ok=False)
                    self._closing.wait(wait)
                    wait = min(wait * 2, RETRY_MAX_WAIT)
                    continue
                if not transient:
                    log.error("gap log: %s", what, exc_info=exc)
                self._finish(len(batch), dropped=True, why=what)
                batch = []
                continue
            self._finish(len(batch))
            batch = []
            wait = 0.05
            self._recovered()
        if db is not None:
            _close_quietly(db)
        # Anything still queued after the stop is dropped and counted.
        left = 0
        while True:
            try:
                if self._queue.get_nowait() is not _STOP:
                    left += 1
            except queue.Empty:
                break
        if left:
            self._finish(left, dropped=True, why="the gap log was closed with events still queued")

    def _prepare(self, e: _Event) -> tuple[Any, ...]:
        # Redaction happens here, on the writer thread: never on the answer path.
        return (e.ts, e.kind, redact(e.question.strip())[:MAX_QUESTION_CHARS], e.status[:40],
                json.dumps(list(e.chunk_ids)[:50]), redact(e.reason)[:MAX_REASON_CHARS])

    def _finish(self, n: int, dropped: bool = False, why: str = "") -> None:
        with self._lock:
            self._pending = max(0, self._pending - n)
            if dropped:
                self._drop_locked(n, why)
            self._idle.notify_all()

    def _drop_locked(self, n: int, why: str) -> None:
        self._dropped += n
        key = f"dropping events: {why}"
        if self._logged != key:
            self._logged = key
            log.warning("gap log: %s (events are counted in health()['dropped'], not logged one by one)", key)
        if not self._problem_sticky:
            self._problem = f"events dropped: {why}"

    def _report(self, what: str, ok: bool, sticky: bool = False) -> None:
        with self._lock:
            self._ok = ok
            if sticky or not self._problem_sticky:
                self._problem = what
                self._problem_sticky = self._problem_sticky or sticky
            if self._logged != what:
                self._logged = what
                (log.error if sticky else log.warning)("gap log: %s", what)

    def _recovered(self) -> None:
        with self._lock:
            if not self._ok:
                log.warning("gap log: writing again after: %s", self._problem)
            self._ok = True
            self._logged = None
            if not self._problem_sticky:
                self._problem = None

    def _cutoff(self) -> float:
        return time.time() - self.retention_days * 86400

    def _cutoff_day(self) -> str:
        return time.strftime("%Y-%m-%d", time.gmtime(self._cutoff()))

    # -- backend hooks -------------------------------------------------------------------------
    where = ""

    def _connect(self, read: bool = False) -> Any:
        raise NotImplementedError

    def _stale(self, db: Any) -> bool:
        return False

    def _write(self, db: Any, rows: list[tuple[Any, ...]], urgent: dict[str, int]) -> None:
        raise NotImplementedError

    def _purge(self, db: Any, cutoff: float, cutoff_day: str) -> None:
        raise NotImplementedError

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def _problem_of(self, exc: Exception) -> tuple[str | None, bool]:
        """(what went wrong for staff, whether retrying may help); (None, _) when handled."""
        raise NotImplementedError


def _urgent_days(batch: list[_Event]) -> dict[str, int]:
    days: dict[str, int] = {}
    for e in batch:
        if e.kind == "urgent":
            day = time.strftime("%Y-%m-%d", time.gmtime(e.ts))
            days[day] = days.get(day, 0) + 1
    return days


def _close_quietly(db: Any) -> None:
    try:
        db.close()
    except Exception:  # closing a broken connection: nothing left to save
        log.debug("gap log: closing a broken connection failed", exc_info=True)


_SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL, question TEXT NOT NULL,
  status TEXT NOT NULL, chunk_ids TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE INDEX IF NOT EXISTS events_question ON events(question);
CREATE TABLE IF NOT EXISTS urgent_counts (day TEXT PRIMARY KEY, n INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
REDACTION_VERSION = "2"  # rows written before this redaction are redacted again on open


class SqliteStore(_Store):
    """The gap log in one SQLite file (WAL: the staff page reads while the writer writes)."""

    backend = "sqlite"

    def __init__(self, path: Path, retention_days: int = 30, queue_size: int = QUEUE_SIZE) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        self._generation = 0  # bumped when the file is moved aside: the writer reconnects
        self._file_lock = threading.Lock()
        super().__init__(retention_days, queue_size)

    def _connect(self, read: bool = False) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()
        db = sqlite3.connect(self.path, timeout=SQLITE_READ_TIMEOUT if read else SQLITE_BUSY_TIMEOUT,
                             isolation_level=None, check_same_thread=False)
        try:
            if not read:  # the writer checks the file; a reader just reads (and fails if corrupt)
                db.execute("PRAGMA journal_mode=WAL")
                if not fresh:
                    bad = db.execute("PRAGMA quick_check(1)").fetchone()[0]
                    if bad != "ok":
                        raise sqlite3.DatabaseError(f"database disk image is malformed ({bad})")
            db.executescript(_SQLITE_SCHEMA)
            if not read:
                self._redact_old_rows(db)
        except BaseException:
            db.close()
            raise
        if not read:
            self._writer_generation = self._generation
            if fresh and self._writer_started:
                self._report(f"the gap log file {self.path} was missing; started a new one", ok=True, sticky=True)
            self._writer_started = True
        return db

    _writer_started = False
    _writer_generation = -1

    def _redact_old_rows(self, db: sqlite3.Connection) -> None:
        """Rows stored by an older, weaker redaction are redacted again, once."""
        row = db.execute("SELECT value FROM meta WHERE key = 'redaction'").fetchone()
        if row and row[0] == REDACTION_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for rid, q, r in db.execute("SELECT id, question, reason FROM events").fetchall():
                db.execute("UPDATE events SET question = ?, reason = ? WHERE id = ?", (redact(q), redact(r), rid))
            db.execute("INSERT INTO meta(key, value) VALUES('redaction', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       (REDACTION_VERSION,))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _stale(self, db: Any) -> bool:
        # Moved aside by a reader, or deleted under us: writing on would lose the rows.
        return self._writer_generation != self._generation or not self.path.exists()

    def _write(self, db: sqlite3.Connection, rows: list[tuple[Any, ...]], urgent: dict[str, int]) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.executemany("INSERT INTO events(ts, kind, question, status, chunk_ids, reason) VALUES(?,?,?,?,?,?)", rows)
            db.executemany("INSERT INTO urgent_counts(day, n) VALUES(?, ?) ON CONFLICT(day) DO UPDATE SET n = n + excluded.n",
                           list(urgent.items()))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _purge(self, db: sqlite3.Connection, cutoff: float, cutoff_day: str) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("DELETE FROM events WHERE ts < ?", (cutoff,))
            db.execute("DELETE FROM urgent_counts WHERE day < ?", (cutoff_day,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        for attempt in range(2):
            try:
                db = self._connect(read=True)
                try:
                    return db.execute(sql, params).fetchall()
                finally:
                    db.close()
            except sqlite3.Error as exc:
                what, transient = self._problem_of(exc)
                if what is None and attempt == 0:
                    continue  # the corrupt file was moved aside: read the new, empty one
                raise StoreError(f"the gap log {self.path} cannot be read: {what or exc}") from exc
        return []

    def _problem_of(self, exc: Exception) -> tuple[str | None, bool]:
        if isinstance(exc, sqlite3.OperationalError):
            msg = str(exc)
            if "locked" in msg or "busy" in msg:
                return f"the gap log {self.path} is locked by another process; holding events and retrying", True
            return f"cannot write the gap log {self.path}: {msg}", True
        if isinstance(exc, sqlite3.DatabaseError):  # "file is not a database", "malformed"
            self._move_aside(str(exc))
            return None, True
        return f"could not store events ({type(exc).__name__}: {exc}); dropped", False

    def _move_aside(self, why: str) -> None:
        with self._file_lock:
            if not self.path.exists():
                return
            stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
            n = 1
            while aside.exists():
                n += 1
                aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            self.path.rename(aside)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.rename(aside.with_name(aside.name + suffix))
            self._generation += 1
        self._report(f"the gap log {self.path} was corrupt ({why}); moved aside to {aside.name} and started a "
                     f"new one at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", ok=True, sticky=True)


class PostgresStore(_Store):
    """The gap log in PostgreSQL (psycopg 3), shared by every replica."""

    backend = "postgresql"
    events_table = "gap_events"
    urgent_table = "gap_urgent_counts"

    def __init__(self, url: str, retention_days: int = 30, queue_size: int = QUEUE_SIZE) -> None:
        self.url = url
        self.where = _mask_password(url)
        super().__init__(retention_days, queue_size)

    def _connect(self, read: bool = False) -> Any:
        import psycopg

        db = psycopg.connect(self.url, autocommit=True, connect_timeout=PG_CONNECT_TIMEOUT,
                             options=f"-c statement_timeout={PG_STATEMENT_TIMEOUT_MS} -c lock_timeout=1000")
        try:
            with db.transaction():
                # Replicas starting together: one creates the tables, the others wait for it.
                db.execute("SELECT pg_advisory_xact_lock(72736482)")
                db.execute(
                    "CREATE TABLE IF NOT EXISTS gap_events (id BIGSERIAL PRIMARY KEY, ts DOUBLE PRECISION NOT NULL, "
                    "kind TEXT NOT NULL, question TEXT NOT NULL, status TEXT NOT NULL, chunk_ids TEXT NOT NULL, "
                    "reason TEXT NOT NULL DEFAULT '')")
                db.execute("CREATE INDEX IF NOT EXISTS gap_events_ts ON gap_events(ts)")
                db.execute("CREATE INDEX IF NOT EXISTS gap_events_question ON gap_events(question)")
                db.execute("CREATE TABLE IF NOT EXISTS gap_urgent_counts (day TEXT PRIMARY KEY, n BIGINT NOT NULL)")
        except BaseException:
            db.close()
            raise
        return db

    def _stale(self, db: Any) -> bool:
        return bool(db.closed or db.broken)

    def _write(self, db: Any, rows: list[tuple[Any, ...]], urgent: dict[str, int]) -> None:
        with db.transaction(), db.cursor() as cur:
            if rows:
                cur.executemany("INSERT INTO gap_events(ts, kind, question, status, chunk_ids, reason) "
                                "VALUES(%s,%s,%s,%s,%s,%s)", rows)
            if urgent:
                cur.executemany("INSERT INTO gap_urgent_counts(day, n) VALUES(%s, %s) ON CONFLICT(day) "
                                "DO UPDATE SET n = gap_urgent_counts.n + EXCLUDED.n", list(urgent.items()))

    def _purge(self, db: Any, cutoff: float, cutoff_day: str) -> None:
        with db.transaction():
            db.execute("DELETE FROM gap_events WHERE ts < %s", (cutoff,))
            db.execute("DELETE FROM gap_urgent_counts WHERE day < %s", (cutoff_day,))

    def _query(self, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        import psycopg

        try:
            db = self._connect(read=True)
            try:
                return list(db.execute(sql.replace("?", "%s"), params).fetchall())
            finally:
                db.close()
        except psycopg.Error as exc:
            raise StoreError(f"the gap log database {self.where} cannot be read: {_one_line(exc)}") from exc

    def _problem_of(self, exc: Exception) -> tuple[str | None, bool]:
        import psycopg

        if isinstance(exc, psycopg.OperationalError | psycopg.errors.UndefinedTable):
            return f"the gap log database {self.where} is unreachable or busy ({_one_line(exc)}); holding events and retrying", True
        return f"could not store events ({type(exc).__name__}: {_one_line(exc)}); dropped", False


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _mask_password(url: str) -> str:
    """postgresql://user:secret@host/db -> postgresql://user:***@host/db (for logs and /healthz)."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}{':***' if ':' in creds else ''}@{host}"


class GapLog(SqliteStore):
    """The SQLite gap log under its old name, for callers not yet moved to `open_store`."""


# -- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    count: int
    examples: tuple[str, ...]  # distinct wordings, most central first
    last_asked: str  # ISO date
    kinds: dict[str, int]
    reasons: tuple[str, ...] = field(default=())

    @property
    def suggestion(self) -> str:
        """The curated-answer entry staff could add to corpus/faq.md."""
        also = " | ".join(self.examples[1:4])
        return f"## {self.examples[0]}\n" + (f"Also asked: {also}\n" if also else "") + "\n[Your answer here.]\n"


def _as_row(item: GroupRow | dict[str, Any]) -> GroupRow:
    if isinstance(item, GroupRow):
        return item
    kind = item.get("kind", "no_answer")
    return GroupRow(item["question"], int(item.get("count", 1)), float(item.get("ts", item.get("last_ts", 0.0))),
                    dict(item.get("kinds") or {kind: 1}),
                    tuple(item.get("reasons") or [reason_text(kind, item.get("status", ""), item.get("reason", ""))]))


def cluster(rows: Iterable[GroupRow | dict[str, Any]], embed: Any, threshold: float = 0.7) -> list[Gap]:
    """Group similar questions (greedy centroid clustering on embeddings), biggest group first.
    Takes `grouped()` rows (each distinct question once, with its count) or raw events; the
    threshold is `settings.tuning.gap_cluster_threshold`."""
    items = [_as_row(r) for r in rows]
    if not items:
        return []
    vecs = embed([r.question for r in items])
    groups: list[list[int]] = []
    centroids: list[np.ndarray] = []
    for i, v in enumerate(vecs):
        sims = [float(c @ v) / float(np.linalg.norm(c)) for c in centroids]
        j = int(np.argmax(sims)) if sims else -1
        if j >= 0 and sims[j] >= threshold:
            groups[j].append(i)
            centroids[j] = centroids[j] + v
        else:
            groups.append([i])
            centroids.append(v.copy())
    gaps = []
    for members, c in zip(groups, centroids, strict=True):
        order = sorted(members, key=lambda i: (-float(vecs[i] @ c), -items[i].count))
        wordings = list(dict.fromkeys(items[i].question for i in order))
        kinds: dict[str, int] = {}
        reasons: dict[str, int] = {}
        for i in members:
            for k, n in items[i].kinds.items():
                kinds[k] = kinds.get(k, 0) + n
            for r in items[i].reasons:
                reasons[r] = reasons.get(r, 0) + items[i].count
        last = max(items[i].last_ts for i in members)
        gaps.append(Gap(sum(items[i].count for i in members), tuple(wordings[:5]),
                        time.strftime("%Y-%m-%d", time.gmtime(last)), kinds,
                        tuple(r for r, _ in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))))
    return sorted(gaps, key=lambda g: (-g.count, g.examples[0]))


def write_csv(gaps: list[Gap], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["count", "example", "other_wordings", "last_asked", "no_answer", "low_confidence", "thumbs_down",
                    "reasons", "suggested_faq_entry"])
        for g in gaps:
            w.writerow([g.count, g.examples[0], " | ".join(g.examples[1:]), g.last_asked, g.kinds.get("no_answer", 0),
                        g.kinds.get("low_confidence", 0), g.kinds.get("thumbs_down", 0), " | ".join(g.reasons),
                        g.suggestion])


def format_gaps(gaps: list[Gap], urgent: int) -> str:
    if not gaps:
        return f"No unanswered questions recorded. (Urgent messages counted: {urgent}.)"
    lines = [f"{len(gaps)} groups of unanswered or unhelpful questions (urgent messages counted, not stored: {urgent})", ""]
    for n, g in enumerate(gaps, 1):
        lines.append(f"{n}. asked {g.count}x, last {g.last_asked}: {g.examples[0]}")
        for ex in g.examples[1:]:
            lines.append(f"     also: {ex}")
        if g.reasons:
            lines.append(f"     why: {'; '.join(g.reasons[:3])}")
        lines.append("     suggested corpus/faq.md entry:")
        lines += ["       " + ln for ln in g.suggestion.rstrip().splitlines()]
    return "\n".join(lines)
