"""The live index: one snapshot (index + retriever) that questions read, swapped by reference.

Loading builds the index first when it is missing or stale (unless this process must not write
it: replicas that only adopt builds published by `massage-assistant build`). Reloading rebuilds
aside and swaps one reference: a question in flight keeps the snapshot it started with. When
anything fails the last good snapshot keeps serving, and `health()` says so.

    >>> live = LiveIndex.load(Settings.of(), embedder)   # doctest: +SKIP
    >>> live.snapshot().index.path.name                   # doctest: +SKIP
    '20261124T120000-1a2b3c4d'
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .build import build_index, check_compatible, corpus_changes
from .corpus import scan
from .embed import Embedder
from .errors import AssistantError, IndexCorruptError, IndexMismatchError, IndexMissingError
from .retrieve import Retriever
from .settings import Settings
from .store import Index, current_build, load_index

log = logging.getLogger(__name__)

VERIFY_EVERY = 30  # watch ticks between checksum verifications of the live build


@dataclass(frozen=True)
class Snapshot:
    index: Index
    retriever: Retriever


@dataclass(frozen=True)
class Attempt:
    at: float
    ok: bool
    error: str | None = None


class LiveIndex:
    def __init__(self, settings: Settings, embedder: Embedder, index: Index, *, build: bool = True) -> None:
        self.settings = settings
        self.embedder = embedder
        self.build = build  # False: never write the index, only adopt published builds
        self.last_reload: Attempt | None = None
        self.integrity: str | None = None  # a one-line problem with the live build's files
        self._failed: dict[str, str] | None = None  # corpus hashes whose rebuild failed
        self._swap(index)

    @classmethod
    def load(cls, settings: Settings, embedder: Embedder, *, auto_build: bool = True, build: bool = True,
             log_line: Callable[[str], None] | None = None) -> LiveIndex:
        """Load the live build; build it first when it is missing or stale (and this process
        may build). When a stale index cannot be rebuilt here (a read-only folder), the last good
        build serves with a warning rather than nothing."""
        index_dir = Path(settings.paths.index_dir)
        stale: AssistantError | None = None
        try:
            index = load_index(index_dir)
            check_compatible(index, embedder, settings)
            return cls(settings, embedder, index, build=build)
        except IndexMismatchError as exc:
            stale = exc
        except (IndexMissingError, IndexCorruptError) as exc:
            if not (auto_build and build):
                raise
            stale = exc
        if auto_build and build:
            if log_line:
                log_line(f"building the index: {stale}")
            try:
                report = build_index(settings, embedder, log=log_line)
                assert report.index is not None
                return cls(settings, embedder, report.index, build=build)
            except AssistantError as exc:
                last_good = _last_good(index_dir, embedder, settings)
                if last_good is None:
                    raise
                live = cls(settings, embedder, last_good, build=build)
                live.last_reload = Attempt(time.time(), False, str(exc))
                log.warning("could not rebuild the index (%s); serving the last good build %s", exc, last_good.path.name)
                return live
        last_good = _last_good(index_dir, embedder, settings)
        if last_good is None:
            raise stale
        live = cls(settings, embedder, last_good, build=build)
        live.last_reload = Attempt(time.time(), False, str(stale))
        return live

    def _swap(self, index: Index) -> None:
        snap = Snapshot(index, Retriever(index, self.settings.tuning))
        self._snapshot = snap  # one reference assignment: readers see the old or the new pair

    def snapshot(self) -> Snapshot:
        return self._snapshot

    @property
    def index(self) -> Index:
        return self._snapshot.index

    def reload(self) -> bool:
        """Rebuild if the corpus changed (or pick up a build published by another process), then
        swap it in. On failure the last good snapshot keeps serving and the error propagates once:
        the same corpus is not rebuilt again (nor the error logged again) until a file changes.
        Returns True when a new index was swapped in."""
        corpus = scan(Path(self.settings.paths.corpus_dir)) if self.build else None
        state = corpus.hashes() if corpus is not None else None
        try:
            changed = corpus is not None and any(corpus_changes(self.index, corpus).values())
            if changed and state == self._failed:
                return self._adopt_current()  # still the corpus that failed: wait for an edit
            swapped = self._rebuild() if changed else self._adopt_current()
        except Exception as exc:
            self._failed = state
            self.last_reload = Attempt(time.time(), False, _one_line(exc))
            raise
        self._failed = None
        if swapped or changed or (self.last_reload and not self.last_reload.ok):
            self.last_reload = Attempt(time.time(), True)
        return swapped

    def _rebuild(self) -> bool:
        report = build_index(self.settings, self.embedder)  # a no-op when nothing changed
        if report.index is None or report.path == self.index.path:
            return self._adopt_current()
        check_compatible(report.index, self.embedder, self.settings)
        self._swap(report.index)
        log.info("now serving index %s (%d passages)", report.path.name, len(report.index.chunks))
        return True

    def _adopt_current(self) -> bool:
        index_dir = Path(self.settings.paths.index_dir)
        name = current_build(index_dir)
        if not name or name == self.index.path.name:
            return False
        index = load_index(index_dir, name=name)
        check_compatible(index, self.embedder, self.settings, corpus=self.build)
        self._swap(index)
        log.info("now serving index %s (%d passages)", name, len(index.chunks))
        return True

    def verify(self) -> str | None:
        """Re-check the live build's files against the manifest's checksums."""
        from .store import verify

        self.integrity = verify(self.index)
        return self.integrity

    def watch(self, interval: float = 2.0) -> threading.Event:
        """Poll in a daemon thread: adopt published builds, rebuild on corpus changes (when this
        process builds), and verify the live build's files now and then. Set the event to stop."""
        stop = threading.Event()

        def loop() -> None:
            ticks = 0
            while not stop.wait(interval):
                ticks += 1
                try:
                    self.reload()
                except Exception as exc:  # keep serving the last good index; staff see the log and /healthz
                    log.error("index reload failed, still serving %s: %s", self.index.path.name, _one_line(exc))
                if ticks % VERIFY_EVERY == 0:
                    try:
                        if (problem := self.verify()) is not None:
                            log.error("the live index's files changed on disk: %s", problem)
                    except Exception as exc:
                        log.error("could not verify the live index: %s", _one_line(exc))

        threading.Thread(target=loop, name="index-watch", daemon=True).start()
        return stop

    def health(self) -> dict[str, Any]:
        m = self.index.manifest
        last = self.last_reload
        skipped = self.index.skipped
        degraded = (last is not None and not last.ok) or bool(skipped) or self.integrity is not None
        return {
            "status": "degraded" if degraded else "ok",
            "index": self.index.path.name,
            "model": m["model"]["name"],
            "documents": m["counts"]["documents"],
            "passages": m["counts"]["chunks"],
            "curated": m.get("curated", {}).get("entries", 0),
            "built": m["created_at"],
            "last_reload": {
                "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(last.at)) if last else None,
                "ok": last.ok if last else None,
                "error": last.error if last else None,
            },
            "skipped": skipped,
            "integrity": {"ok": self.integrity is None, "problem": self.integrity},
        }


def _last_good(index_dir: Path, embedder: Embedder, settings: Settings) -> Index | None:
    """The published build, if it loads and fits this model, whatever the corpus says now."""
    try:
        index = load_index(index_dir)
        check_compatible(index, embedder, settings, corpus=False)
        return index
    except AssistantError:
        return None


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
