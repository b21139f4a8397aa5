"""Massage FAQ Assistant: grounded, cited answers from a clinic's own documents.

Heavy modules (torch, faiss, gradio) are imported lazily so that `import assistant`
and `massage-assistant --help` stay instant.

    >>> from assistant import Assistant, Settings
    >>> bot = Assistant.load()                                  # doctest: +SKIP
    >>> bot.ask("Can massage help with migraines?").to_dict()   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Answer", "Assistant", "Settings", "__version__"]

if TYPE_CHECKING:
    from .pipeline import Answer, Assistant
    from .settings import Settings


def __getattr__(name: str) -> Any:
    if name in ("Assistant", "Answer"):
        from . import pipeline

        return getattr(pipeline, name)
    if name == "Settings":
        from .settings import Settings

        return Settings
    raise AttributeError(name)
