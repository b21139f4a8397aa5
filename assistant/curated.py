"""Curated answers: question-answer pairs staff write in `corpus/faq.md`, answered verbatim
ahead of passage quotes when a visitor's question matches one (paraphrases included).

Format (see docs/faq.example.md)::

    ## What are your opening hours?
    Also asked: When are you open? | What time do you close?

    We are open Monday to Friday, 9:00 to 18:00.

Staff copy docs/faq.example.md, whose answers are bracketed placeholders; `check_faq` refuses
any answer that still holds one, so invented clinic facts never reach visitors.

    >>> [(e.question, e.line) for e in parse_faq("## Hours?\\nAlso asked: Open when?\\n\\nNine to five.\\n")]
    [('Hours?', 1)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import FaqError

# Bracketed text with a letter in it, e.g. "[Our opening hours, e.g. ...]". Markdown links
# ("[book online](https://...)"), reference links and images are not placeholders.
_PLACEHOLDER = re.compile(r"(?<!!)\[(?=[^\]\n]*[A-Za-z])([^\[\]\n]{2,})\](?![(\[:])")


@dataclass(frozen=True)
class CuratedEntry:
    id: str  # "faq#<n>"
    question: str
    phrasings: tuple[str, ...]  # the question first, then its alternatives
    answer: str
    line: int = 0  # 1-based line of the entry's heading in faq.md (0: unknown)


def parse_faq(text: str) -> list[CuratedEntry]:
    entries: list[CuratedEntry] = []
    question: str | None = None
    line = 0
    alts: list[str] = []
    body: list[str] = []

    def flush() -> None:
        answer = "\n".join(body).strip()
        answer = re.sub(r"\n{3,}", "\n\n", answer)
        if question and answer:
            entries.append(CuratedEntry(f"faq#{len(entries)}", question, (question, *alts), answer, line))

    for n, raw in enumerate(text.splitlines(), start=1):
        m = re.match(r"^##\s+(.*?)\s*#*$", raw.strip())
        if m:
            flush()
            question, line, alts, body = m.group(1), n, [], []
            continue
        if question is None or raw.strip().startswith("# "):
            continue
        a = re.match(r"^\s*also asked:\s*(.*)$", raw, re.I)
        if a and not body:
            alts += [p.strip() for p in a.group(1).split("|") if p.strip()]
            continue
        if raw.strip().startswith("<!--"):
            continue
        body.append(raw.rstrip())
    flush()
    return entries


def placeholders(text: str) -> list[str]:
    """The bracketed placeholders left in `text`.

    >>> placeholders("Call [your phone, e.g. 000] or [book online](https://x.example/book).")
    ['[your phone, e.g. 000]']
    """
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]


def check_faq(text: str, cited: str) -> list[CuratedEntry]:
    """Parse `text` (the FAQ file cited as `cited`) and refuse an entry whose answer still
    holds a placeholder: raises FaqError `<cited>:<line>: ...` naming the entry and the fix."""
    entries = parse_faq(text)
    lines = text.splitlines()
    found = [(e, p) for e in entries for p in placeholders(e.answer)]
    if not found:
        return entries
    entry, first = found[0]
    # The placeholder's own line: the first line at or after the heading that holds it.
    at = next((n for n in range(entry.line, len(lines) + 1) if first in lines[n - 1]), entry.line)
    shown = first if len(first) <= 50 else first[:47] + "...]"
    more = f" ({len(found) - 1} more placeholder{'s' if len(found) > 2 else ''} in this file)" if len(found) > 1 else ""
    raise FaqError(
        f"{cited}:{at}: the answer to \"{entry.question}\" still holds the placeholder {shown}: "
        f"replace it with your clinic's real details, then run `massage-assistant build`{more}"
    )
