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


class RateLimitedError(AssistantError):
    """One visitor (client address) sent more questions than the per-minute limit allows."""

    def __init__(self, retry_after: int = 60) -> None:
        super().__init__("You're sending questions very quickly. Please wait a minute and try again.")
        self.retry_after = retry_after


class BusyError(AssistantError):
    """Every worker is computing and the waiting line is full: try again shortly."""

    def __init__(self, retry_after: int = 2) -> None:
        super().__init__("We're answering a lot of questions right now. Please try again in a few seconds.")
        self.retry_after = retry_after


class LockedOutError(AssistantError):
    """Too many wrong staff tokens from one client address: locked out for a while."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Too many wrong staff tokens from your address. Try again in {retry_after} s.")
        self.retry_after = retry_after


class SettingsError(AssistantError, ValueError):
    """A setting has a value it cannot take (a wrong type, an empty emergency number, an unknown
    key in the settings file)."""
