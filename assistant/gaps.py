"""The gap report: which questions the documents don't answer, for staff to fill in.

Stored in a local SQLite file: questions that ended in `no_answer`, low-confidence answers and
thumbs-down feedback (with the answer's status and cited chunk ids). Emails, phone numbers and
long digit runs are redacted before anything is written; rows older than the retention period
are deleted. Urgent messages are only counted per day, never stored.

    >>> redact("call me on +1 (555) 123-4567 or mail jo.doe@example.com, card 4111111111111111")
    'call me on [phone] or mail [email], card [number]'
"""

from __future__ import annotations

import csv
import json
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w(])(\+?\(?\d[\d ()./-]{6,}\d)(?!\w)")
_DIGITS = re.compile(r"\d{5,}")

SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY, ts REAL NOT NULL, kind TEXT NOT NULL, question TEXT NOT NULL,
  status TEXT NOT NULL, chunk_ids TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS events_ts ON events(ts);
CREATE TABLE IF NOT EXISTS urgent_counts (day TEXT PRIMARY KEY, n INTEGER NOT NULL);
"""


def redact(text: str) -> str:
    text = _EMAIL.sub("[email]", text)
    text = _PHONE.sub(lambda m: "[phone]" if sum(c.isdigit() for c in m.group()) >= 7 and not m.group().isdigit() else m.group(), text)
    return _DIGITS.sub("[number]", text)


class GapLog:
    """Thread-safe (one short connection per operation)."""

    def __init__(self, path: Path, retention_days: int = 30) -> None:
        self.path = Path(path)
        self.retention_days = retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._db() as db:
            db.executescript(SCHEMA)

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=10)
        try:
            with db:
                yield db
        finally:
            db.close()

    def record(self, kind: str, question: str, status: str, chunk_ids: list[str], reason: str = "") -> None:
        now = time.time()
        with self._db() as db:
            if kind == "urgent":  # counted, never stored verbatim
                day = time.strftime("%Y-%m-%d", time.gmtime(now))
                db.execute("INSERT INTO urgent_counts(day, n) VALUES(?, 1) ON CONFLICT(day) DO UPDATE SET n = n + 1", (day,))
            else:
                db.execute(
                    "INSERT INTO events(ts, kind, question, status, chunk_ids, reason) VALUES(?,?,?,?,?,?)",
                    (now, kind, redact(question.strip())[:1000], status, json.dumps(chunk_ids), reason[:300]),
                )
            db.execute("DELETE FROM events WHERE ts < ?", (now - self.retention_days * 86400,))

    def events(self, kinds: tuple[str, ...] = ("no_answer", "low_confidence", "thumbs_down")) -> list[dict[str, Any]]:
        with self._db() as db:
            db.execute("DELETE FROM events WHERE ts < ?", (time.time() - self.retention_days * 86400,))
            marks = ",".join("?" * len(kinds))
            rows = db.execute(f"SELECT ts, kind, question, status, chunk_ids, reason FROM events WHERE kind IN ({marks}) ORDER BY ts", kinds).fetchall()
        return [dict(zip(("ts", "kind", "question", "status", "chunk_ids", "reason"), r, strict=True)) for r in rows]

    def urgent_total(self) -> int:
        with self._db() as db:
            return int(db.execute("SELECT COALESCE(SUM(n), 0) FROM urgent_counts").fetchone()[0])


@dataclass(frozen=True)
class Gap:
    count: int
    examples: tuple[str, ...]  # distinct wordings, most central first
    last_asked: str  # ISO date
    kinds: dict[str, int]

    @property
    def suggestion(self) -> str:
        """The curated-answer entry staff could add to corpus/faq.md."""
        also = " | ".join(self.examples[1:4])
        return f"## {self.examples[0]}\n" + (f"Also asked: {also}\n" if also else "") + "\n[Your answer here.]\n"


def cluster(events: list[dict[str, Any]], embed: Any, threshold: float = 0.7) -> list[Gap]:
    """Group similar questions (greedy centroid clustering on embeddings), biggest group first."""
    if not events:
        return []
    vecs = embed([e["question"] for e in events])
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
        order = sorted(members, key=lambda i: -float(vecs[i] @ c))
        wordings = list(dict.fromkeys(events[i]["question"] for i in order))
        kinds: dict[str, int] = {}
        for i in members:
            kinds[events[i]["kind"]] = kinds.get(events[i]["kind"], 0) + 1
        last = max(events[i]["ts"] for i in members)
        gaps.append(Gap(len(members), tuple(wordings[:5]), time.strftime("%Y-%m-%d", time.gmtime(last)), kinds))
    return sorted(gaps, key=lambda g: (-g.count, g.examples[0]))


def write_csv(gaps: list[Gap], path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["count", "example", "other_wordings", "last_asked", "no_answer", "low_confidence", "thumbs_down", "suggested_faq_entry"])
        for g in gaps:
            w.writerow([g.count, g.examples[0], " | ".join(g.examples[1:]), g.last_asked, g.kinds.get("no_answer", 0),
                        g.kinds.get("low_confidence", 0), g.kinds.get("thumbs_down", 0), g.suggestion])


def format_gaps(gaps: list[Gap], urgent: int) -> str:
    if not gaps:
        return f"No unanswered questions recorded. (Urgent messages counted: {urgent}.)"
    lines = [f"{len(gaps)} groups of unanswered or unhelpful questions (urgent messages counted, not stored: {urgent})", ""]
    for n, g in enumerate(gaps, 1):
        lines.append(f"{n}. asked {g.count}x, last {g.last_asked}: {g.examples[0]}")
        for ex in g.examples[1:]:
            lines.append(f"     also: {ex}")
        lines.append("     suggested corpus/faq.md entry:")
        lines += ["       " + ln for ln in g.suggestion.rstrip().splitlines()]
    return "\n".join(lines)
