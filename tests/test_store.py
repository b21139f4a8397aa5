"""The index directory format: checksums verified on load, files read into memory, verify,
publish and prune, the build lock. Fast tier: the tiny corpus and the hashing fake."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

from assistant import store
from assistant.build import build_index
from assistant.errors import IndexCorruptError
from assistant.store import FILES, MANIFEST, build_lock, current_build, load_index, verify
from tests.support import HashingEmbedder


@pytest.fixture
def built(tiny):
    (tiny.paths.corpus_dir / "faq.md").write_text("## Do you have parking?\nAlso asked: Where can I park?\n\nYes, behind the clinic.\n")
    report = build_index(tiny, HashingEmbedder())
    return tiny, report.path


def _flip(file, at=None):
    data = bytearray(file.read_bytes())
    i = len(data) // 2 if at is None else at
    data[i] ^= 0x01
    file.write_bytes(bytes(data))


@pytest.mark.parametrize("name", [*FILES, MANIFEST])
def test_a_flipped_byte_in_any_file_is_refused_naming_the_file(built, name):
    settings, path = built
    _flip(path / name)
    with pytest.raises(IndexCorruptError) as e:
        load_index(settings.paths.index_dir)
    msg = str(e.value)
    assert msg.startswith(f"index file {path / name} ") and msg.endswith(": run `massage-assistant build`")
    assert "\n" not in msg


@pytest.mark.parametrize("name", [*FILES, MANIFEST])
def test_a_truncated_file_is_refused_naming_the_file(built, name):
    settings, path = built
    data = (path / name).read_bytes()
    (path / name).write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorruptError, match=f"^index file {path / name} "):
        load_index(settings.paths.index_dir)


def test_vectors_overwritten_with_noise_are_refused(built):
    settings, path = built
    shape = np.load(path / "sentences.npy").shape
    np.save(path / "sentences.npy", np.random.default_rng(0).standard_normal(shape).astype(np.float32))
    assert (path / "sentences.npy").stat().st_size == json.loads((path / MANIFEST).read_text())["files"]["sentences.npy"]["bytes"]
    with pytest.raises(IndexCorruptError, match=r"sentences\.npy is damaged \(checksum mismatch\)"):
        load_index(settings.paths.index_dir)


def test_a_hand_edited_chunks_file_is_caught(built):
    settings, path = built
    text = (path / "chunks.jsonl").read_text()
    assert "poor posture" in text
    (path / "chunks.jsonl").write_text(text.replace("poor posture", "good posture"))  # same size
    with pytest.raises(IndexCorruptError, match=r"chunks\.jsonl is damaged \(checksum mismatch\)"):
        load_index(settings.paths.index_dir)


def test_a_manifest_edit_that_keeps_valid_json_is_caught(built):
    settings, path = built
    m = json.loads((path / MANIFEST).read_text())
    m["counts"]["chunks"] += 1
    (path / MANIFEST).write_text(json.dumps(m, indent=2))
    with pytest.raises(IndexCorruptError, match=r"manifest\.json is damaged \(checksum mismatch\)"):
        load_index(settings.paths.index_dir)


def test_loaded_vectors_are_in_memory_not_mapped(built):
    """Truncating every file of the live build after loading changes nothing for the loaded
    index: a memory map would die with SIGBUS here (and kill this test process)."""
    settings, path = built
    idx = load_index(settings.paths.index_dir)
    for a in (idx.passage_vecs, idx.sentence_vecs, idx.curated_vecs):
        assert not isinstance(a, np.memmap) and not isinstance(a.base, np.memmap)
    before = (float(idx.sentence_vecs.sum()), idx.passages.search(idx.passage_vecs[:1], 1))
    for name in FILES:
        (path / name).write_bytes(b"")
    after = (float(idx.sentence_vecs.sum()), idx.passages.search(idx.passage_vecs[:1], 1))
    assert before[0] == after[0] and np.array_equal(before[1][1], after[1][1])


def test_verify_is_quiet_on_an_intact_build_and_names_a_changed_file(built):
    settings, path = built
    idx = load_index(settings.paths.index_dir)
    assert verify(idx) is None
    (path / "passages.npy").touch()  # same content, newer mtime: re-hashed, still fine
    assert verify(idx) is None
    _flip(path / "passages.npy")
    assert verify(idx) == f"index file {path / 'passages.npy'} changed on disk (checksum mismatch): run `massage-assistant build`"
    (path / "terms.npz").unlink()
    problem = verify(idx)
    assert problem is not None and "passages.npy" in problem  # first problem, one line
    (path / "passages.npy").write_bytes(b"")
    assert "changed size on disk" in verify(idx)


def test_prune_keeps_the_live_build_and_its_predecessor(tiny):
    emb = HashingEmbedder()
    names = []
    for i in range(4):
        (tiny.paths.corpus_dir / "extra.md").write_text(f"# Extra\n\nVersion {i} of a note about calm breathing.\n")
        names.append(build_index(tiny, emb).path.name)
    left = sorted(p.name for p in (tiny.paths.index_dir / "builds").iterdir())
    assert left == names[-2:] and current_build(tiny.paths.index_dir) == names[-1]


def test_the_build_lock_protects_a_running_build_and_cleans_up_after_a_dead_one(built):
    settings, path = built
    index_dir = settings.paths.index_dir
    (settings.paths.corpus_dir / "new.md").write_text("# New\n\nA new note on warm compresses for tight calves.\n")
    done = threading.Event()
    result = {}
    with build_lock(index_dir):  # stands for a concurrent build, writing its temp dir
        tmp = index_dir / "builds" / ".tmp-concurrent"
        tmp.mkdir()
        (index_dir / ".CURRENT.deadbeef").write_text("x\n")

        def other() -> None:
            result["report"] = build_index(settings, HashingEmbedder())
            done.set()

        t = threading.Thread(target=other)
        t.start()
        time.sleep(0.5)
        assert not done.is_set() and tmp.is_dir()  # waits for the lock; never removes our temp dir
    t.join(30)
    assert done.is_set() and result["report"].published
    # Once the lock was free, the temp dir had no live owner: removed as a leftover.
    assert not tmp.exists() and not (index_dir / ".CURRENT.deadbeef").exists()
    assert current_build(index_dir) == result["report"].path.name != path.name


def test_terms_are_plain_arrays_not_pickles(built):
    settings, path = built
    with np.load(path / "terms.npz", allow_pickle=False) as z:  # would raise on an object array
        assert set(z.files) == {"vocab", "chunk_ids", "chunk_offsets", "sentence_ids", "sentence_offsets", "words"}
        assert z["vocab"].dtype.kind == "U" and z["chunk_ids"].dtype == np.int32
    assert store.FORMAT_VERSION == json.loads((path / MANIFEST).read_text())["format_version"] == 4
