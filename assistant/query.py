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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .settings import Tuning
from .text import terms, words

History = Sequence[Any]  # earlier turns: user questions as strings, or Gradio/HTTP "messages" dicts

_FOLLOWUP = re.compile(
    r"^\s*(what|how) about\b|^\s*(and|also|but|so)\b|\b(that|this|it|they|them|those|these|one)\b[^a-z]*$"
    r"|\b(do|does|doing|did) (that|this|it)\b|\b(how often|how long|how many times)\b",
    re.I,
)


@dataclass(frozen=True)
class Query:
    text: str  # the visitor's question, validated
    resolved: str  # what lexical retrieval reads: the question, plus the earlier one for bare follow-ups
    previous: str | None  # the earlier question this one follows up on
    terms: tuple[str, ...]  # content-word stems of `resolved`
    words: tuple[str, ...]  # the question's own words (clinic-fact check)
    vector: np.ndarray  # unit vector; for follow-ups a mix with the earlier question's

    @property
    def label(self) -> str:
        """The question as retrieved, for the answer's `resolved_question`."""
        return f"{self.text} (follow-up to: {self.previous})" if self.previous else self.text

    @classmethod
    def plain(cls, text: str, vector: np.ndarray) -> Query:
        """A question read on its own (no history)."""
        return cls(text, text, None, tuple(terms(text)), tuple(words(text)), vector)


def make_query(
    text: str, history: History | None, encode: Callable[[list[str]], np.ndarray], tuning: Tuning
) -> Query:
    """Resolve a follow-up against the previous user question and embed once.

    A follow-up's vector mixes the two questions: the follow-up leads when it names its own topic
    ("what about migraines?"), the earlier question when it doesn't ("how often?").
    """
    previous = followup_context(text, history)
    if previous is None:
        return Query.plain(text, encode([text])[0])
    own = bool(terms(text))
    vq, vp = encode([text, previous])
    w = tuning.followup_own_weight if own else tuning.followup_bare_weight
    mixed = w * vq + (1 - w) * vp
    vector = (mixed / np.linalg.norm(mixed)).astype(np.float32)
    resolved = text if own else f"{text} {previous}"
    return Query(text, resolved, previous, tuple(terms(resolved)), tuple(words(text)), vector)


def followup_context(question: str, history: History | None) -> str | None:
    """The previous user question when `question` is a follow-up to it, else None.

    A follow-up either refers back ("what about...", "and for...", "do that", a trailing
    "it") or has no topic words of its own ("how often?").
    """
    previous = last_user_question(history)
    if not previous:
        return None
    own = terms(question)
    if not own or (_FOLLOWUP.search(question) and len(own) <= 3):
        return previous
    return None


def user_turns(history: History | None) -> list[str]:
    """The user's earlier messages, oldest first, from strings or messages dicts.

    >>> user_turns(["a", {"role": "assistant", "content": "x"}, {"role": "user", "content": [{"type": "text", "text": "b"}]}])
    ['a', 'b']
    """
    out: list[str] = []
    for turn in history or []:
        if isinstance(turn, str):
            out.append(turn)
        elif isinstance(turn, dict) and turn.get("role") == "user":
            content = turn.get("content")
            if isinstance(content, str):
                out.append(content)
            elif isinstance(content, list):  # Gradio 6 may send [{"type": "text", "text": ...}]
                texts = [c.get("text", "") for c in content if isinstance(c, dict)]
                if any(texts):
                    out.append(" ".join(t for t in texts if isinstance(t, str)))
    return out


def last_user_question(history: History | None) -> str | None:
    turns = user_turns(history)
    return turns[-1] if turns else None
