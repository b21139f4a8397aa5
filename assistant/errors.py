"""Domain errors. Each carries a one-line, actionable message shown as-is at the CLI and UI edges."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class: `str(err)` is a single line a clinic's staff member can act on."""


class CorpusError(AssistantError):
    """The corpus directory is missing, empty or holds an unreadable document."""


class IndexMissingError(AssistantError):
    def __init__(self, index_dir: object) -> None:
        super().__init__(f"no index in {index_dir}: run `massage-assistant build`")


class IndexMismatchError(AssistantError):
    """The index on disk does not match the model, format or corpus in use."""


class IndexCorruptError(AssistantError):
    """Files in the index directory are missing or inconsistent with the manifest."""


class ModelError(AssistantError):
    """The embedding model could not be loaded offline."""


class InputError(AssistantError):
    """A visitor's message cannot be processed (empty, too long, not text). The message is for
    the visitor; `reason` ("invalid input" or "too long") is for the error shape and the logs."""

    def __init__(self, message: str, *, reason: str = "invalid input") -> None:
        super().__init__(message)
        self.reason = reason


class DocumentError(CorpusError):
    """One document cannot be read. Builds skip it and report it; the rest is indexed."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem


class FaqError(CorpusError):
    """`faq.md` holds an entry that must not go live (e.g. a leftover [placeholder])."""


class IndexWriteError(AssistantError):
    """The index directory cannot be written; the last good build can still be served read-only."""
