"""The corpus folder as one concept: one scan finds the articles and the FAQ file, with the
sha256 of their raw bytes and the paths answers cite. Freshness checks and builds both start
from this scan, so they can never disagree about what the corpus is.

A document that cannot be read (permissions, not UTF-8, no readable text) is skipped and
reported, never fatal: one bad file dropped into `corpus/` must not stop the rest from being
indexed and served. A missing or empty folder is fatal (`CorpusError`).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp()) / "corpus"; d.mkdir()
    >>> _ = (d / "neck.md").write_text("# Neck\\n\\nRest helps.\\n"); _ = (d / "faq.md").write_text("")
    >>> c = scan(d)
    >>> [a.cited for a in c.articles], c.faq.cited
    (['corpus/neck.md'], 'corpus/faq.md')
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from .curated import CuratedEntry, check_faq
from .errors import CorpusError, DocumentError, FaqError
from .ingest import Document, cited_path, load_document

SUPPORTED_SUFFIXES = (".md", ".txt", ".html", ".htm")
FAQ_FILE = "faq.md"  # staff's curated answers: the one place this name is known
# Files staff keep in corpus/ that are neither articles nor the FAQ.
IGNORED_NAMES = frozenset({"readme.md"})
UNREADABLE = "unreadable"  # stands in for the hash of a file that cannot be read


@dataclass(frozen=True)
class SourceFile:
    path: Path
    cited: str  # as answers cite it, e.g. "corpus/neck.md"
    sha256: str | None  # of the raw bytes; None when the file cannot be read
    problem: str | None = None  # why it cannot be read (one line)


@dataclass(frozen=True)
class Skipped:
    """A document left out of the index, and why (one line staff can act on)."""

    path: str  # cited path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "problem": self.problem}


@dataclass(frozen=True)
class Corpus:
    dir: Path
    articles: tuple[SourceFile, ...]
    faq: SourceFile | None

    @property
    def faq_cited(self) -> str:
        """How FAQ answers are cited, whether or not the file exists yet."""
        return cited_path(self.dir / FAQ_FILE, self.dir)

    def hashes(self) -> dict[str, str]:
        """Cited path -> sha256 of every article and the FAQ (UNREADABLE for unreadable files)."""
        files = [*self.articles, *([self.faq] if self.faq else [])]
        return {f.cited: f.sha256 or UNREADABLE for f in files}


def _hash(path: Path) -> tuple[str | None, str | None]:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest(), None
    except PermissionError:
        return None, "cannot be read (permission denied): let the assistant's user read it, or remove it"
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc}): check the file or remove it"


def scan(corpus_dir: Path | str) -> Corpus:
    """The articles and the FAQ file in `corpus_dir`, hashed. Hidden files, unsupported types
    and README.md are ignored. Raises CorpusError when the folder does not exist."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError(f"corpus directory {corpus_dir} does not exist: create it and add .md, .txt or .html files")
    try:
        entries = sorted(corpus_dir.iterdir())
    except OSError as exc:
        raise CorpusError(f"corpus directory {corpus_dir} cannot be listed ({exc.strerror}): check its permissions") from exc
    articles: list[SourceFile] = []
    faq: SourceFile | None = None
    for p in entries:
        name = p.name.lower()
        if name.startswith(".") or not p.is_file() or p.suffix.lower() not in SUPPORTED_SUFFIXES or name in IGNORED_NAMES:
            continue
        sha, problem = _hash(p)
        f = SourceFile(p, cited_path(p, corpus_dir), sha, problem)
        if name == FAQ_FILE:
            faq = f
        else:
            articles.append(f)
    return Corpus(corpus_dir, tuple(articles), faq)


def load_documents(corpus: Corpus) -> tuple[list[Document], list[Skipped]]:
    """Parse every readable article; skip (and report) the ones that cannot be read.

    Raises CorpusError when there are no articles at all, or none that can be read.
    """
    if not corpus.articles:
        raise CorpusError(f"no documents in {corpus.dir}: add .md, .txt or .html files")
    docs: list[Document] = []
    skipped: list[Skipped] = []
    slugs: dict[str, str] = {}
    for f in corpus.articles:
        if f.problem:
            skipped.append(Skipped(f.cited, f.problem))
            continue
        try:
            doc = load_document(f.path, corpus.dir)
        except DocumentError as exc:
            skipped.append(Skipped(f.cited, exc.problem))
            continue
        except OSError as exc:  # removed or locked since the scan
            skipped.append(Skipped(f.cited, f"cannot be read ({exc.strerror or exc}): check the file or remove it"))
            continue
        if doc.slug in slugs:  # passage ids are "<slug>#<n>": they must not collide
            skipped.append(Skipped(f.cited, f"has the same name as {slugs[doc.slug]} once slugified: rename one"))
            continue
        slugs[doc.slug] = doc.path
        docs.append(doc)
    if not docs:
        raise CorpusError(f"no readable documents in {corpus.dir} ({skipped[0]})")
    return docs, skipped


def load_corpus(corpus_dir: Path | str) -> list[Document]:
    """The readable articles of `corpus_dir`, after the checks a build would fail on (no
    readable document, a FAQ placeholder), so a caller can report them before loading the
    model. Builds use `load_documents`, which also says what was skipped."""
    corpus = scan(corpus_dir)
    docs = load_documents(corpus)[0]
    load_faq(corpus)
    return docs


def load_faq(corpus: Corpus | Path | str) -> list[CuratedEntry]:
    """The FAQ entries, validated: raises FaqError (one line, `corpus/faq.md:<line>: ...`)
    for a leftover placeholder or an unreadable file. No FAQ file: no entries."""
    if not isinstance(corpus, Corpus):
        corpus = scan(corpus)
    f = corpus.faq
    if f is None:
        return []
    if f.problem:
        raise FaqError(f"{f.cited}: {f.problem}")
    try:
        text = f.path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise FaqError(f"{f.cited}: not UTF-8 text: save it as UTF-8 and rebuild") from exc
    except OSError as exc:
        raise FaqError(f"{f.cited}: cannot be read ({exc.strerror or exc}): check the file") from exc
    return check_faq(text, f.cited)


__all__ = [
    "FAQ_FILE",
    "Corpus",
    "Skipped",
    "SourceFile",
    "cited_path",
    "load_corpus",
    "load_documents",
    "load_faq",
    "scan",
]
