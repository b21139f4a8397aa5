"""Curated answers: question-answer pairs staff write in `corpus/faq.md`, answered verbatim
ahead of passage quotes when a visitor's question matches one (paraphrases included).

Format (see docs/faq.example.md)::

    ## What are your opening hours?
    Also asked: When are you open? | What time do you close?

    We are open Monday to Friday, 9:00 to 18:00.

    >>> [e.question for e in parse_faq("## Hours?\\nAlso asked: Open when?\\n\\nNine to five.\\n")]
    ['Hours?']
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .ingest import sha256_bytes

FAQ_FILE = "faq.md"


@dataclass(frozen=True)
class CuratedEntry:
    id: str  # "faq#<n>"
    question: str
    phrasings: tuple[str, ...]  # the question first, then its alternatives
    answer: str


def parse_faq(text: str) -> list[CuratedEntry]:
    entries: list[CuratedEntry] = []
    question: str | None = None
    alts: list[str] = []
    body: list[str] = []

    def flush() -> None:
        answer = "\n".join(body).strip()
        answer = re.sub(r"\n{3,}", "\n\n", answer)
        if question and answer:
            entries.append(CuratedEntry(f"faq#{len(entries)}", question, (question, *alts), answer))

    for line in text.splitlines():
        m = re.match(r"^##\s+(.*?)\s*#*$", line.strip())
        if m:
            flush()
            question, alts, body = m.group(1), [], []
            continue
        if question is None or line.strip().startswith("# "):
            continue
        a = re.match(r"^\s*also asked:\s*(.*)$", line, re.I)
        if a and not body:
            alts += [p.strip() for p in a.group(1).split("|") if p.strip()]
            continue
        if line.strip().startswith("<!--"):
            continue
        body.append(line.rstrip())
    flush()
    return entries


def faq_path(corpus_dir: Path) -> Path:
    return Path(corpus_dir) / FAQ_FILE


def faq_hash(corpus_dir: Path) -> str | None:
    p = faq_path(corpus_dir)
    return sha256_bytes(p.read_bytes()) if p.is_file() else None


def load_faq(corpus_dir: Path) -> list[CuratedEntry]:
    p = faq_path(corpus_dir)
    return parse_faq(p.read_text(encoding="utf-8")) if p.is_file() else []
