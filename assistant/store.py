"""The index directory format: a build is written aside, checksummed, published atomically,
verified on load and pruned. Nothing here decides *what* goes into a build (see build.py).

    index/
      README.md                 (the only file in git)
      CURRENT                   name of the live build, replaced atomically with os.replace
      .build.lock               held (flock) by the one build running; leftovers are cleaned under it
      builds/.tmp-<name>/       a build being written; never loaded
      builds/<name>/
        manifest.json           format, model, chunking, documents, skipped files, counts, and the
                                sha256 and size of every other file; written last
        chunks.jsonl            chunk metadata and text, one JSON object a line
        passages.faiss          FAISS inner-product index over unit passage vectors (flat or HNSW)
        passages.npy            the same vectors (reused by incremental builds)
        sentences.npy           one unit vector per sentence, in chunk order
        curated.jsonl           staff FAQ entries; curated.npy: one vector per phrasing
        terms.npz               lexical terms (`text.terms`) of every passage and sentence, as
                                ids into one vocabulary, and every word the passages use
                                (`text.words`): loading does not re-tokenize the corpus

Loading reads every file into memory once, checks its size and sha256 against the manifest
and parses from those bytes: a damaged or hand-edited file is refused with one line naming
it, and no file is memory-mapped, so a file truncated under a live build cannot crash the
server (SIGBUS). Nothing is pickled.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import hashlib
import io
import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .chunk import Chunk
from .curated import CuratedEntry
from .errors import IndexCorruptError, IndexMismatchError, IndexMissingError, IndexWriteError

FORMAT_VERSION = 4  # 2: curated answers; 3: "vector_index"; 4: per-file checksums, terms.npz, skipped
REBUILD = "run `massage-assistant build`"
KEEP_BUILDS = 2  # the live one and its predecessor, which in-flight requests may still read
LOCK_FILE = ".build.lock"
MANIFEST = "manifest.json"
CHUNKS = "chunks.jsonl"
PASSAGES = "passages.npy"
SENTENCES = "sentences.npy"
FAISS = "passages.faiss"
CURATED = "curated.jsonl"
CURATED_VECS = "curated.npy"
TERMS = "terms.npz"
FILES = (CHUNKS, PASSAGES, SENTENCES, FAISS, CURATED, CURATED_VECS, TERMS)


@dataclass
class Index:
    path: Path
    manifest: dict[str, Any]
    chunks: list[Chunk]
    passages: Any  # faiss.Index
    passage_vecs: np.ndarray
    sentence_vecs: np.ndarray
    sent_offsets: np.ndarray  # chunk i owns sentence rows sent_offsets[i]:sent_offsets[i+1]
    curated: list[CuratedEntry] = field(default_factory=list)
    curated_vecs: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), np.float32))
    curated_owner: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # row -> entry
    # `text.terms(f"{title} {section} {text}")` of each chunk, and `frozenset(text.terms(s))` of
    # each sentence (sentence-row order), as stored by the build.
    chunk_terms: list[list[str]] = field(default_factory=list, repr=False)
    sentence_terms: list[frozenset[str]] = field(default_factory=list, repr=False)
    # Every word the passages use: `text.words(f"{title} {section} {text}")`, stop words included.
    vocabulary: frozenset[str] = field(default_factory=frozenset, repr=False)
    # file name -> (size, mtime_ns, sha256) as read at load time, for `verify`.
    stamps: dict[str, tuple[int, int, str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def dim(self) -> int:
        return int(self.manifest["model"]["dim"])

    @property
    def skipped(self) -> list[dict[str, str]]:
        """Documents the build left out, as [{"path", "problem"}]."""
        return [{"path": p, "problem": d["problem"]} for p, d in self.manifest.get("skipped", {}).items()]

    def sentence_rows(self, chunk_idx: int) -> range:
        return range(int(self.sent_offsets[chunk_idx]), int(self.sent_offsets[chunk_idx + 1]))


@dataclass(frozen=True)
class BuildContents:
    """Everything a build writes; `manifest` without "files" (store.py adds it)."""

    manifest: dict[str, Any]
    chunks: list[Chunk]
    passages: Any  # faiss.Index over passage_vecs
    passage_vecs: np.ndarray
    sentence_vecs: np.ndarray
    curated: list[CuratedEntry]
    curated_vecs: np.ndarray
    chunk_terms: list[list[str]]
    sentence_terms: list[list[str]]
    vocabulary: list[str]  # every word the passages use (`text.words`, stop words included)


# ---------------------------------------------------------------- writing


@contextlib.contextmanager
def build_lock(index_dir: Path) -> Iterator[None]:
    """Hold the index directory's build lock (blocking) for the whole build. Under it, the
    leftovers of builds that died (`builds/.tmp-*`, stray `.CURRENT.*`) are removed: no live
    build can own them. Raises IndexWriteError when the directory cannot be written."""
    index_dir = Path(index_dir)
    try:
        (index_dir / "builds").mkdir(parents=True, exist_ok=True)
        fd = os.open(index_dir / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise _write_error(index_dir, exc) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _check_writable(index_dir)
        _remove_leftovers(index_dir)
        yield
    finally:
        os.close(fd)  # releases the lock; so does the death of the process


def _write_error(index_dir: Path, exc: OSError) -> IndexWriteError:
    return IndexWriteError(
        f"cannot write the index directory {index_dir} ({exc.strerror or exc}): make it writable "
        f"for the user running the assistant, or serve its last good build read-only "
        f"(massage-assistant serve --read-only-index)"
    )


def _check_writable(index_dir: Path) -> None:
    # A real write, not os.access: it also catches read-only mounts and full disks.
    for d in (index_dir, index_dir / "builds"):
        probe = d / f".write-check-{uuid.uuid4().hex[:8]}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise _write_error(d, exc) from exc


def _remove_leftovers(index_dir: Path) -> None:
    for stale in (index_dir / "builds").glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    for stale in index_dir.glob(".CURRENT.*"):
        stale.unlink(missing_ok=True)


def write_build(index_dir: Path, contents: BuildContents) -> Path:
    """Write a build into `builds/.tmp-<name>`, the manifest (with every file's sha256 and
    size) last, then rename it to `builds/<name>`. Call under `build_lock`. Not published."""
    builds = Path(index_dir) / "builds"
    # Names sort in build order (prune relies on it), down to the microsecond.
    now = time.time_ns()
    name = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now / 1e9)) + f".{now // 1000 % 1_000_000:06d}-{uuid.uuid4().hex[:8]}"
    tmp = builds / f".tmp-{name}"
    try:
        tmp.mkdir(parents=True)
        files: dict[str, dict[str, Any]] = {}
        for fname, data in _serialize(contents):
            _write_file(tmp, fname, data)
            files[fname] = {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
        manifest = {**contents.manifest, "format_version": FORMAT_VERSION, "files": files}
        manifest["manifest_sha256"] = _manifest_hash(manifest)
        # The manifest goes last: a build without one is never loaded.
        _write_file(tmp, MANIFEST, (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode())
        _fsync_dir(tmp)
        final = builds / name
        os.replace(tmp, final)
        _fsync_dir(builds)
        return final
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _write_error(Path(index_dir), exc) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _serialize(c: BuildContents) -> Iterator[tuple[str, bytes]]:
    import faiss

    rows = []
    for ch in c.chunks:
        row = asdict(ch)
        row["sentences"] = [list(s) for s in ch.sentences]
        rows.append(json.dumps(row, ensure_ascii=False) + "\n")
    yield CHUNKS, "".join(rows).encode()
    yield PASSAGES, _npy(c.passage_vecs)
    yield SENTENCES, _npy(c.sentence_vecs)
    yield FAISS, faiss.serialize_index(c.passages).tobytes()
    yield CURATED, "".join(json.dumps(asdict(e), ensure_ascii=False) + "\n" for e in c.curated).encode()
    yield CURATED_VECS, _npy(c.curated_vecs)
    yield TERMS, _terms_npz(c.chunk_terms, c.sentence_terms, c.vocabulary)


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(a, dtype=np.float32), allow_pickle=False)
    return buf.getvalue()


def _terms_npz(chunk_terms: list[list[str]], sentence_terms: list[list[str]], vocabulary: list[str]) -> bytes:
    """Terms as int32 ids into one sorted vocabulary, with row offsets: a few MB of plain
    arrays instead of millions of JSON strings, and shared string objects once loaded."""
    vocab = sorted({t for row in chunk_terms for t in row} | {t for row in sentence_terms for t in row})
    ids = {t: i for i, t in enumerate(vocab)}

    def flat(rows: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        offsets = np.zeros(len(rows) + 1, dtype=np.int64)
        np.cumsum([len(r) for r in rows], out=offsets[1:])
        return np.fromiter((ids[t] for r in rows for t in r), dtype=np.int32, count=int(offsets[-1])), offsets

    chunk_ids, chunk_offsets = flat(chunk_terms)
    sentence_ids, sentence_offsets = flat(sentence_terms)
    buf = io.BytesIO()
    np.savez(buf, vocab=np.array(vocab, dtype=np.str_), chunk_ids=chunk_ids, chunk_offsets=chunk_offsets,
             sentence_ids=sentence_ids, sentence_offsets=sentence_offsets,
             words=np.array(sorted(vocabulary), dtype=np.str_))
    return buf.getvalue()


def _read_terms(data: bytes) -> tuple[list[list[str]], list[frozenset[str]], frozenset[str]]:
    with np.load(io.BytesIO(data), allow_pickle=False) as z:
        vocabulary = frozenset(z["words"].tolist())
        vocab = np.array(z["vocab"].tolist(), dtype=object)  # one str object per term, shared
        chunk_ids, chunk_offsets = z["chunk_ids"], z["chunk_offsets"]
        sentence_ids, sentence_offsets = z["sentence_ids"], z["sentence_offsets"]
    words = vocab[chunk_ids].tolist()
    bounds = chunk_offsets.tolist()
    chunk_terms = [words[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    words = vocab[sentence_ids].tolist()
    bounds = sentence_offsets.tolist()
    sentence_terms = [frozenset(words[a:b]) for a, b in zip(bounds, bounds[1:], strict=False)]
    return chunk_terms, sentence_terms, vocabulary


def _write_file(directory: Path, name: str, data: bytes) -> None:
    with open(directory / name, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _manifest_hash(manifest: dict[str, Any]) -> str:
    body = {k: v for k, v in manifest.items() if k != "manifest_sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def publish(index_dir: Path, name: str) -> None:
    """Make `name` the live build: one atomic rename of CURRENT."""
    index_dir = Path(index_dir)
    tmp = index_dir / f".CURRENT.{uuid.uuid4().hex[:8]}"
    try:
        tmp.write_text(name + "\n", encoding="utf-8")
        os.replace(tmp, index_dir / "CURRENT")
        _fsync_dir(index_dir)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _write_error(index_dir, exc) from exc


def prune(index_dir: Path, keep: int = KEEP_BUILDS) -> list[str]:
    """Remove the oldest builds beyond `keep`, never the live one. Returns the names removed."""
    builds = Path(index_dir) / "builds"
    live = current_build(index_dir)
    names = sorted(p.name for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    gone = [n for n in names if n != live][: max(0, len(names) - keep)]
    for old in gone:
        shutil.rmtree(builds / old, ignore_errors=True)
    return gone


# ---------------------------------------------------------------- reading


def current_build(index_dir: Path) -> str | None:
    try:
        return (Path(index_dir) / "CURRENT").read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _damaged(file: Path, what: str) -> IndexCorruptError:
    return IndexCorruptError(f"index file {file} {what}: {REBUILD}")


def _read_sized(path: Path, name: str, expected: dict[str, Any]) -> tuple[bytes, tuple[int, int, str]]:
    """The file's bytes, their size checked against the manifest (the sha256 is checked by
    the caller); and its (size, mtime_ns) for `verify`."""
    file = path / name
    try:
        st = os.stat(file)
        data = file.read_bytes()
    except FileNotFoundError as exc:
        raise _damaged(file, "is missing") from exc
    except OSError as exc:
        raise _damaged(file, f"cannot be read ({exc.strerror})") from exc
    if len(data) != expected.get("bytes"):
        raise _damaged(file, f"has {len(data)} bytes, the manifest says {expected.get('bytes')} (truncated or changed)")
    return data, (st.st_size, st.st_mtime_ns, "")


def _array(data: bytes) -> np.ndarray:
    """A float32 .npy file's array, viewing `data` (no mmap, no second copy)."""
    buf = io.BytesIO(data)
    fmt = np.lib.format
    version = fmt.read_magic(buf)
    read_header = fmt.read_array_header_1_0 if version == (1, 0) else fmt.read_array_header_2_0
    shape, fortran, dtype = read_header(buf)
    if fortran or dtype != np.float32:
        raise ValueError("unexpected array layout")
    return np.frombuffer(data, dtype=np.float32, offset=buf.tell(), count=int(np.prod(shape))).reshape(shape)


def load_index(index_dir: Path, *, name: str | None = None) -> Index:
    """Load the live build (or `name`): every file's size and sha256 checked against the
    manifest, then the parts checked against each other. Raises IndexMissingError,
    IndexMismatchError (another format) or IndexCorruptError (one line naming the file)."""
    import faiss

    index_dir = Path(index_dir)
    name = name or current_build(index_dir)
    if not name:
        raise IndexMissingError(index_dir)
    path = index_dir / "builds" / name
    mfile = path / MANIFEST
    try:
        mst = os.stat(mfile)
        mbytes = mfile.read_bytes()
        manifest = json.loads(mbytes)
    except FileNotFoundError as exc:
        raise _damaged(mfile, "is missing") from exc
    except (OSError, ValueError) as exc:
        raise _damaged(mfile, "is damaged (not readable JSON)") from exc
    if not isinstance(manifest, dict):
        raise _damaged(mfile, "is damaged (not a JSON object)")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise IndexMismatchError(f"index format {version} is not the supported format {FORMAT_VERSION}: {REBUILD}")
    if manifest.get("manifest_sha256") != _manifest_hash(manifest):
        raise _damaged(mfile, "is damaged (checksum mismatch)")
    listed = manifest.get("files") or {}
    stamps = {MANIFEST: (mst.st_size, mst.st_mtime_ns, hashlib.sha256(mbytes).hexdigest())}
    raw: dict[str, bytes] = {}
    for fname in FILES:
        if fname not in listed:
            raise _damaged(path / fname, "is not listed in the manifest")
        raw[fname], stamps[fname] = _read_sized(path, fname, listed[fname])
    # The plain vector files (most of the bytes) are hashed in a helper thread while the rest
    # is checked and parsed: hashlib releases the GIL. Their parse is only a bounds-checked
    # view of the bytes; every other file is verified before it is parsed (FAISS must never
    # see unverified bytes). Nothing is returned before every checksum has matched.
    with ThreadPoolExecutor(1) as pool:
        late = {f: pool.submit(_sha256, raw[f]) for f in _HASHED_ASIDE}
        try:
            for fname in FILES:
                if fname not in late:
                    _check_sha(path, fname, _sha256(raw[fname]), listed[fname], stamps)
            with _gc_paused():
                parts = _parse(path, raw)
        finally:
            hashes = {f: fut.result() for f, fut in late.items()}
            for fname, sha in hashes.items():
                _check_sha(path, fname, sha, listed[fname], stamps)
    chunks, passage_vecs, sentence_vecs, passages, curated, curated_vecs, chunk_terms, sentence_terms, vocabulary = parts
    counts = manifest.get("counts", {})
    dim = int(manifest["model"]["dim"])
    n_sent = sum(len(c.sentences) for c in chunks)
    mismatch = [
        (CHUNKS, len(chunks) != counts.get("chunks")),
        (PASSAGES, passage_vecs.shape != (len(chunks), dim)),
        (SENTENCES, sentence_vecs.shape != (n_sent, dim) or n_sent != counts.get("sentences")),
        (FAISS, passages.ntotal != len(chunks) or passages.d != dim),
        (CURATED_VECS, curated_vecs.shape[0] != sum(len(e.phrasings) for e in curated)),
        (TERMS, len(chunk_terms) != len(chunks) or len(sentence_terms) != n_sent),
    ]
    for fname, bad in mismatch:
        if bad:
            raise _damaged(path / fname, "does not match the manifest")
    vinfo = manifest.get("vector_index", {})
    if vinfo.get("type") == "hnsw-ip":
        faiss.ParameterSpace().set_index_parameter(passages, "efSearch", int(vinfo["ef_search"]))
    offsets = np.zeros(len(chunks) + 1, dtype=np.int64)
    np.cumsum([len(c.sentences) for c in chunks], out=offsets[1:])
    owner = np.repeat(np.arange(len(curated)), [len(e.phrasings) for e in curated]).astype(np.int64)
    return Index(
        path, manifest, chunks, passages, passage_vecs, sentence_vecs, offsets,
        curated, curated_vecs.reshape(-1, dim) if len(curated_vecs) else np.zeros((0, dim), np.float32), owner,
        chunk_terms, sentence_terms, vocabulary, stamps,
    )


_HASHED_ASIDE = (SENTENCES, PASSAGES)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _check_sha(path: Path, fname: str, sha: str, expected: dict[str, Any], stamps: dict[str, tuple[int, int, str]]) -> None:
    if sha != expected.get("sha256"):
        raise _damaged(path / fname, "is damaged (checksum mismatch)")
    size, mtime, _ = stamps[fname]
    stamps[fname] = (size, mtime, sha)


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Parsing creates a few hundred thousand small objects; the cyclic collector would walk
    them (and everything already loaded) again and again: about half the parse time at 11k
    passages. Nothing parsed here holds a cycle."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _parse(path: Path, raw: dict[str, bytes]) -> tuple[Any, ...]:
    import faiss

    current = ""
    try:
        current = CHUNKS
        chunks = [_chunk_from_row(json.loads(line)) for line in raw[CHUNKS].decode().splitlines() if line.strip()]
        current = PASSAGES
        passage_vecs = _array(raw[PASSAGES])
        current = SENTENCES
        sentence_vecs = _array(raw[SENTENCES])
        current = FAISS
        passages = faiss.deserialize_index(np.frombuffer(raw[FAISS], dtype=np.uint8))
        current = CURATED
        curated = [
            CuratedEntry(r["id"], r["question"], tuple(r["phrasings"]), r["answer"], int(r.get("line", 0)))
            for r in map(json.loads, raw[CURATED].decode().splitlines())
            if r
        ]
        current = CURATED_VECS
        curated_vecs = _array(raw[CURATED_VECS])
        current = TERMS
        chunk_terms, sentence_terms, vocabulary = _read_terms(raw[TERMS])
    except (ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise _damaged(path / current, "cannot be parsed") from exc
    return chunks, passage_vecs, sentence_vecs, passages, curated, curated_vecs, chunk_terms, sentence_terms, vocabulary


def _chunk_from_row(row: dict[str, Any]) -> Chunk:
    return Chunk(
        id=row["id"],
        doc=row["doc"],
        title=row["title"],
        section=row["section"],
        position=row["position"],
        text=row["text"],
        # Plain JSON ints already (the file's checksum was verified): no per-number int().
        sentences=tuple(map(tuple, row["sentences"])),
    )


def verify(index: Index) -> str | None:
    """Re-check a loaded build's files on disk; a one-line problem, or None when intact.

    Cheap enough to run every few seconds: a file whose size and mtime are as loaded is not
    re-read; one that changed is re-hashed against the manifest. (The loaded index itself is
    in memory and keeps answering; this tells health and reload that the disk copy is bad.)
    """
    for fname, (size, mtime, sha) in list(index.stamps.items()):
        file = index.path / fname
        try:
            st = os.stat(file)
            if (st.st_size, st.st_mtime_ns) == (size, mtime):
                continue
            if st.st_size != size:
                return f"index file {file} changed size on disk ({size} -> {st.st_size} bytes): {REBUILD}"
            if hashlib.sha256(file.read_bytes()).hexdigest() != sha:
                return f"index file {file} changed on disk (checksum mismatch): {REBUILD}"
        except FileNotFoundError:
            return f"index file {file} is missing: {REBUILD}"
        except OSError as exc:
            return f"index file {file} cannot be read ({exc.strerror}): {REBUILD}"
        index.stamps[fname] = (st.st_size, st.st_mtime_ns, sha)  # touched, same content
    return None


__all__ = [
    "FORMAT_VERSION",
    "KEEP_BUILDS",
    "REBUILD",
    "BuildContents",
    "Index",
    "build_lock",
    "current_build",
    "load_index",
    "prune",
    "publish",
    "verify",
    "write_build",
]
