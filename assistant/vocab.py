"""What a visitor's word means against the documents' own words (issue 13).

Two questions decide whether a word the documents never use should count against answering:

* Is it an ordinary English word? "crazy", "actually", "home", "day" say how someone talks, not
  what they ask about; "cellulite", "cupping", "plantar" name a topic. `rarity` reads general
  English word frequencies (the `wordfreq` package's offline data, Zipf scale) and gives 0 for a
  common word, 1 for a rare one.
* Do the documents use a close relative of it? "stressful" -> stress, "mentally" -> mental,
  "pills" -> medications. `VocabMap` embeds the corpus vocabulary once (cached beside the index,
  like the safety bank's vectors) and maps an unseen word to its nearest corpus word.

    >>> rarity("actually", 3.0, 4.5), rarity("cellulite", 3.0, 4.5)
    (0.0, 1.0)
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np

from .embed import _trim_heap, cached_vectors_ok
from .text import STOPWORDS, stem

log = logging.getLogger(__name__)


# Words at or below this read as unknown (0). `rarity` needs nothing at or below its `rare_below`
# (Tuning.rare_zipf, 2.5): anything at or under it is simply "rare".
ZIPF_FLOOR = 2.5


WORDFREQ_DATA = ("data", "large_en.msgpack.gz")  # inside the wordfreq package


class WordFrequencies:
    """Words -> Zipf as compact arrays instead of a dict of 53k str and float objects: the words'
    hashes sorted (int64), their Zipf in centibels (uint16, the file's own bins), and the words
    themselves as one UTF-8 blob with start offsets, to confirm a hash hit and to list them.

    >>> f = WordFrequencies.of([(4.5, ["massage", "back"]), (2.9, ["fascia"]), (2.8, ["massage"])])
    >>> f.get("massage"), f.get("fascia"), f.get("qwzx"), sorted(f), len(f)
    (4.5, 2.9, 0.0, ['back', 'fascia', 'massage'], 3)
    """

    def __init__(self, hashes: np.ndarray, centibels: np.ndarray, blob: bytes, starts: np.ndarray, ends: np.ndarray) -> None:
        self._hashes, self._centibels, self._blob, self._starts, self._ends = hashes, centibels, blob, starts, ends

    @classmethod
    def of(cls, bins: Iterable[tuple[float, list[str]]]) -> WordFrequencies:
        """From (Zipf, words) bins, the most frequent first; a word listed twice keeps its first
        bin's value (as a dict's setdefault would). No per-word Python object outlives its bin."""
        # array.array and bytearray grow in the C heap: no small long-lived Python object is made
        # between one bin's words and the next's, which would pin the freed words' memory pages.
        hashes, lengths, centibels, blob = array("q"), array("q"), array("H"), bytearray()
        for z, words in bins:
            encoded = [w.encode() for w in words]
            # hash() differs between processes; the table is made in each process, so it is consistent
            hashes.extend(hash(w) for w in words)
            lengths.extend(len(e) for e in encoded)
            centibels.extend(repeat(int(round((9 - z) * 100)), len(words)))
            blob += b"".join(encoded)
        h, n = np.frombuffer(hashes, dtype=np.int64), np.frombuffer(lengths, dtype=np.int64)
        ends = np.cumsum(n)
        order = np.argsort(h, kind="stable")  # equal hashes keep file order: a repeated word's first bin first
        h, starts, ends = h[order], (ends - n)[order], ends[order]
        keep = np.ones(len(order), dtype=bool)
        for i in np.flatnonzero(h[1:] == h[:-1]) + 1:  # a repeat (dropped) or a hash collision (kept)
            j = i - 1
            while j >= 0 and h[j] == h[i]:
                if keep[j] and blob[starts[j] : ends[j]] == blob[starts[i] : ends[i]]:
                    keep[i] = False
                j -= 1
        cb = np.frombuffer(centibels, dtype=np.uint16)[order][keep]
        return cls(h[keep], cb, bytes(blob), starts[keep], ends[keep])

    def get(self, word: str, default: float = 0.0) -> float:
        h = hash(word)
        i = int(np.searchsorted(self._hashes, h))
        key = word.encode()
        while i < len(self._hashes) and self._hashes[i] == h:  # more than one: a repeat, or a hash collision
            if self._blob[self._starts[i] : self._ends[i]] == key:
                return round(9 - int(self._centibels[i]) / 100, 2)
            i += 1
        return default

    def __len__(self) -> int:
        return len(self._hashes)

    def __iter__(self) -> Iterator[str]:
        for a, b in zip(self._starts.tolist(), self._ends.tolist(), strict=True):
            yield self._blob[a:b].decode()


@lru_cache(maxsize=1)
def _frequencies() -> WordFrequencies | None:
    """General English words with Zipf above `ZIPF_FLOOR`, read straight from wordfreq's data file:
    for a single lowercase word these are the numbers `wordfreq.zipf_frequency` gives (tested), but
    wordfreq keeps its whole list (every language's machinery, ~48 MB of RSS in a serving process,
    benchmarks/bench_memory.py) where this table keeps the ~53k words that matter, as arrays. The
    file is read bin by bin and only down to the floor, so the rest is never held in memory.
    None when the file is missing or not in the format read here (another wordfreq release): `zipf`
    then asks wordfreq itself, the same numbers for more memory, rather than the assistant not starting."""
    import gzip
    from importlib.util import find_spec

    try:
        import msgpack  # wordfreq's own dependency

        # find_spec locates the package without importing it: `import wordfreq` (which
        # importlib.resources.files would do) costs +7 MB of RSS for its tokenizers and language data.
        spec = find_spec("wordfreq")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("wordfreq is not installed")
        data = Path(list(spec.submodule_search_locations)[0]).joinpath(*WORDFREQ_DATA)
        with data.open("rb") as raw, gzip.open(raw) as f:
            unpacker = msgpack.Unpacker(f, raw=False)
            count = unpacker.read_array_header()
            header = unpacker.unpack() if count else None
            if header != {"format": "cB", "version": 1}:
                raise ValueError(f"wordfreq's data format changed: {header}")
            table = WordFrequencies.of(_bins(unpacker, count - 1))
    except (ImportError, OSError, ValueError, TypeError, msgpack_errors()) as exc:
        log.warning("word frequencies: wordfreq's data file not read directly (%s); asking wordfreq itself", exc)
        return None
    _trim_heap()  # the decompressed file and the words read from it: about 4 MB kept resident otherwise
    return table


def _bins(unpacker: Any, count: int) -> Iterator[tuple[float, list[str]]]:
    """(Zipf, words) from wordfreq's file, one bin at a time, down to `ZIPF_FLOOR` (the rest is never read)."""
    for i in range(count):  # bin i holds the words at -i centibels: Zipf 9 - i/100
        z = round(9 - i / 100, 2)
        if z <= ZIPF_FLOOR:
            return
        yield z, unpacker.unpack()


def msgpack_errors() -> type[Exception]:
    """msgpack's own decoding errors (a truncated or damaged file), when msgpack is there."""
    try:
        from msgpack import UnpackException

        return UnpackException
    except ImportError:
        return ValueError


def _wordfreq_zipf(word: str) -> float:
    """wordfreq's own answer (its whole list in memory): the fallback, and for floors below ours."""
    from wordfreq import zipf_frequency

    return float(zipf_frequency(word.lower(), "en"))


def zipf(word: str) -> float:
    """How common a word is in general English: log10 of its frequency per billion words (0 = unknown,
    or rarer than `ZIPF_FLOOR`)."""
    table = _frequencies()
    if table is None:
        z = _wordfreq_zipf(word)
        return z if z > ZIPF_FLOOR else 0.0
    return table.get(word.lower(), 0.0)


def rarity(word: str, rare_below: float, common_above: float) -> float:
    """The weight a word the documents never use carries as evidence that the question is about
    something they don't cover: 1.0 for a rare word (Zipf <= `rare_below`), 0.0 for an everyday
    one (Zipf >= `common_above`), linear between. Words with digits ("10h") carry none."""
    if any(ch.isdigit() for ch in word):
        return 0.0
    z = _wordfreq_zipf(word) if rare_below < ZIPF_FLOOR else zipf(word)  # below: an operator's unusual floor
    if z <= rare_below:
        return 1.0
    if z >= common_above:
        return 0.0
    return (common_above - z) / (common_above - rare_below)


class VocabMap:
    """The corpus's content words and their unit vectors; `nearest` maps unseen words onto them."""

    def __init__(self, words: list[str], matrix: np.ndarray) -> None:
        self.words = words
        self.matrix = matrix
        self.stems = [stem(w) for w in words]

    @classmethod
    def build(cls, vocabulary: frozenset[str], encode: Callable[[list[str]], np.ndarray], fingerprint: str,
              cache_dir: Path | None) -> VocabMap:
        """The map for one index's vocabulary. Its vectors are cached in `cache_dir`
        (<model>-<vocabulary hash>.npy), so a start embeds nothing it embedded before."""
        words = sorted(w for w in vocabulary if w not in STOPWORDS and len(w) > 2 and w.isalpha())
        if not words:
            return cls([], np.zeros((0, 1), np.float32))
        key = hashlib.sha256("\n".join(words).encode()).hexdigest()[:16]
        cache = cache_dir / f"{fingerprint}-{key}.npy" if cache_dir is not None else None
        matrix: np.ndarray | None = None
        if cache is not None and cache.is_file():
            try:
                matrix = np.load(cache, allow_pickle=False)
            except (OSError, ValueError):
                matrix = None
        if matrix is not None and not cached_vectors_ok(matrix, words, encode):
            log.info("the vocabulary's cached vectors in %s do not check out: embedded again", cache)
            matrix = None
        if matrix is None:
            matrix = np.asarray(encode(words), dtype=np.float32)
            if cache is not None:
                tmp = cache.with_suffix(f".tmp{id(matrix)}.npy")
                try:
                    cache.parent.mkdir(parents=True, exist_ok=True)
                    np.save(tmp, matrix)
                    tmp.replace(cache)
                    _prune(cache, fingerprint)
                except OSError as exc:  # a read-only index folder: embed at every start instead
                    log.info("could not cache the vocabulary's vectors in %s: %s", cache.parent, exc)
                    tmp.unlink(missing_ok=True)
        return cls(words, matrix)

    def nearest(self, words: list[str], encode: Callable[[list[str]], np.ndarray]) -> dict[str, tuple[str, float]]:
        """word -> (the corpus word's stem nearest to it, cosine), one encode call for all."""
        if not words or not self.words:
            return {}
        sims = np.asarray(encode(words), dtype=np.float32) @ self.matrix.T
        best = sims.argmax(axis=1)
        return {w: (self.stems[int(i)], float(sims[r, int(i)])) for r, (w, i) in enumerate(zip(words, best, strict=True))}


def _prune(cache: Path, fingerprint: str) -> None:
    """Remove this model's maps of earlier vocabularies: each edit of the documents that changes
    the vocabulary writes a new map (megabytes on a large corpus), and an old one is never read again."""
    own = re.compile(re.escape(fingerprint) + r"-[0-9a-f]{16}\.npy")
    for old in cache.parent.glob(f"{fingerprint}-*.npy"):
        if old != cache and own.fullmatch(old.name):
            old.unlink(missing_ok=True)


class VocabMaps:
    """One `VocabMap` per index vocabulary (a reload with new documents gets a new one)."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], fingerprint: str, cache_dir: Path | None) -> None:
        self.encode = encode
        self.fingerprint = fingerprint
        self.cache_dir = cache_dir
        self._maps: dict[int, tuple[frozenset[str], VocabMap]] = {}
        self._lock = threading.Lock()
        zipf("massage")  # load the word frequencies now (about a second), not during a visitor's question

    def of(self, vocabulary: frozenset[str]) -> VocabMap:
        with self._lock:
            got = self._maps.get(id(vocabulary))
            if got is None or got[0] is not vocabulary:
                got = (vocabulary, VocabMap.build(vocabulary, self.encode, self.fingerprint, self.cache_dir))
                # The live index's map and the one before it: questions that started before a
                # reload finish on the previous snapshot, and its map file is gone (`_prune`).
                last = list(self._maps.items())[-1:]
                self._maps = {**dict(last), id(vocabulary): got}
            return got[1]

    def senses(self, vocabulary: frozenset[str]) -> Senses:
        """What `answer.decide` asks about a question's unseen words, for this vocabulary. The map
        is made (or read from its cache) only when a question first asks for a relative: embedding
        a new vocabulary takes seconds, which no ordinary question should wait for."""
        return Senses(lambda: self.of(vocabulary), self.encode)


_BOUNDARY = r"(?<![a-z0-9']){}(?![a-z0-9'])"


class Senses:
    """Per question: which corpus word an unseen word stands for, and how much an unseen word
    carries the question's meaning. Each costs one encode call, made only when asked."""

    def __init__(self, vmap: VocabMap | Callable[[], VocabMap], encode: Callable[[list[str]], np.ndarray]) -> None:
        self._vmap = vmap
        self.encode = encode

    @property
    def vmap(self) -> VocabMap:
        """The vocabulary map (made on first use when given as a function)."""
        if not isinstance(self._vmap, VocabMap):
            self._vmap = self._vmap()
        return self._vmap

    def nearest(self, words: list[str]) -> dict[str, tuple[str, float]]:
        """word -> (nearest corpus stem, cosine). A corpus word of 5+ letters inside the word
        ("inflexible" -> flexible, "heartbeat" -> heart) wins outright."""
        out: dict[str, tuple[str, float]] = {}
        rest = []
        vmap = self.vmap
        for w in words:
            inside = [c for c in vmap.words if len(c) >= 5 and c in w and c != w]
            if inside:
                out[w] = (stem(max(inside, key=len)), 1.0)
            else:
                rest.append(w)
        out.update(vmap.nearest(rest, self.encode))
        return out

    def importance(self, text: str, words: list[str], vector: np.ndarray | None = None) -> dict[str, float]:
        """word -> 1 - cosine(question, question without the word): how much of what the question
        asks rests on it. "hangover" in "does massage help with a hangover" ~0.4; "actually" in a
        long chatty question ~0.01. `vector`: the question's own embedding, when already made."""
        if not words:
            return {}
        low = text.lower().replace("’", "'")
        variants = [re.sub(_BOUNDARY.format(re.escape(w)), " ", low) for w in words]
        if vector is None:
            vecs = np.asarray(self.encode([low, *variants]), dtype=np.float32)
            vector, vecs = vecs[0], vecs[1:]
        else:
            vecs = np.asarray(self.encode(variants), dtype=np.float32)
        return {w: float(1.0 - vecs[i] @ vector) for i, w in enumerate(words)}
