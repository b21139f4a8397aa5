"""Structure-aware chunking: section -> paragraphs -> sentences, measured in model tokens.

all-MiniLM-L6-v2 silently truncates past 256 word pieces, so limits are counted with the
model's own tokenizer, on the text that is actually embedded (title and section as context
plus the passage). The passage text itself stays clean for display and quoting.

    >>> from assistant.ingest import parse_markdown
    >>> doc = parse_markdown("# T\\n\\n## S\\n\\nOne sentence. Another one.\\n", path="corpus/t.md")
    >>> [c.id for c in chunk_document(doc, WordCounter(), max_tokens=200, min_tokens=40)]
    ['t#0']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .ingest import Document

# Bumped whenever splitting changes, so an index built by an older splitter is rebuilt.
SPLITTER_VERSION = 1
MODEL_WINDOW = 256

_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "dr", "mr", "mrs", "ms", "st", "no", "approx", "fig"}
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+|$)")


@dataclass(frozen=True)
class Chunk:
    id: str  # "<doc-slug>#<position>": stable while the document is unchanged
    doc: str  # cited path, e.g. "corpus/x.md"
    title: str
    section: str
    position: int
    text: str
    sentences: tuple[tuple[int, int], ...]  # character spans of each sentence in `text`

    @property
    def sentence_texts(self) -> list[str]:
        return [self.text[a:b] for a, b in self.sentences]

    @property
    def embed_text(self) -> str:
        return context_text(self.title, self.section, self.text)


def context_text(title: str, section: str, text: str) -> str:
    head = title if section in ("", title) else f"{title} - {section}"
    return f"{head}: {text}"


class TokenCounter(Protocol):
    def count(self, text: str) -> int: ...


class WordCounter:
    """A stand-in for fast unit tests: roughly 1.3 word pieces a word."""

    def count(self, text: str) -> int:
        return int(len(text.split()) * 1.3) + 1


class ModelTokenCounter:
    """Counts word pieces with the model's own `tokenizer.json` (no torch import)."""

    def __init__(self, model_path: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(model_path / "tokenizer.json"))
        self._tok.no_truncation()
        self._tok.no_padding()

    def count(self, text: str) -> int:
        return len(self._tok.encode(text, add_special_tokens=True).ids)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences in `text`, whitespace excluded.

    >>> t = "Massage helps, e.g. for pain. It can: relax you! Done"
    >>> [t[a:b] for a, b in split_sentences(t)]
    ['Massage helps, e.g. for pain.', 'It can: relax you!', 'Done']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        end = m.end()
        before = text[start : m.start()].split()
        last = before[-1].lower().rstrip(".") if before else ""
        nxt = text[end:].lstrip()[:1]
        if m.group().startswith(".") and (last in _ABBREVIATIONS or (len(last) == 1 and last.isalpha())):
            continue
        if nxt and not (nxt.isupper() or nxt.isdigit() or nxt in "\"'“‘(["):
            continue
        spans.append(_trim(text, start, end))
        start = end
    if text[start:].strip():
        spans.append(_trim(text, start, len(text)))
    return [s for s in spans if s[1] > s[0]]


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def chunk_document(
    doc: Document, counter: TokenCounter, *, max_tokens: int, min_tokens: int
) -> list[Chunk]:
    """Pack each section's paragraphs into passages of at most `max_tokens` embedded tokens.

    Paragraphs stay whole when they fit; short ones (list items) are merged with their
    neighbours; a paragraph that is too long is split at sentence boundaries.
    """
    if max_tokens > MODEL_WINDOW:
        raise ValueError(f"max_tokens {max_tokens} exceeds the model window of {MODEL_WINDOW}")
    chunks: list[Chunk] = []
    for section in doc.sections:
        overhead = counter.count(context_text(doc.title, section.heading, ""))
        budget = max_tokens - overhead
        for pieces in _pack(section.paragraphs, counter, budget, min_tokens):
            text = "\n\n".join(pieces)
            spans: list[tuple[int, int]] = []
            offset = 0
            for piece in pieces:
                spans += [(offset + a, offset + b) for a, b in split_sentences(piece)]
                offset += len(piece) + 2
            chunks.append(
                Chunk(
                    id=f"{doc.slug}#{len(chunks)}",
                    doc=doc.path,
                    title=doc.title,
                    section=section.heading,
                    position=len(chunks),
                    text=text,
                    sentences=tuple(spans),
                )
            )
    return chunks


def _pack(
    paragraphs: Sequence[str], counter: TokenCounter, budget: int, min_tokens: int
) -> Iterable[list[str]]:
    current: list[str] = []
    used = 0
    for para in _fit(paragraphs, counter, budget):
        n = counter.count(para)
        small = used < min_tokens or n < min_tokens
        if current and used + n <= budget and small:
            current.append(para)
            used += n
            continue
        if current:
            yield current
        current, used = [para], n
    if current:
        yield current


def _fit(paragraphs: Sequence[str], counter: TokenCounter, budget: int) -> Iterable[str]:
    """Paragraphs as they are, or cut at sentence boundaries when one exceeds the budget."""
    for para in paragraphs:
        if counter.count(para) <= budget:
            yield para
            continue
        piece = ""
        for a, b in split_sentences(para):
            sent = para[a:b]
            candidate = f"{piece} {sent}" if piece else sent
            if piece and counter.count(candidate) > budget:
                yield piece
                piece = sent
            else:
                piece = candidate
        if piece:
            # A single sentence longer than the window is kept whole; the embedder truncates
            # its tail, but quoting it stays verbatim.
            yield piece
