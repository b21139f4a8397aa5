import json

import pytest

from assistant.embed import HashingEmbedder
from assistant.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from assistant.index import build_index, check_compatible, current_build, load_index


def test_round_trip(tiny):
    emb = HashingEmbedder()
    report = build_index(tiny, emb)
    assert sorted(report.added) == ["corpus/feet.txt", "corpus/neck.md"]
    idx = load_index(tiny.paths.index_dir)
    m = idx.manifest
    assert m["format_version"] == 3 and m["model"]["dim"] == emb.dim
    assert set(m["documents"]) == {"corpus/feet.txt", "corpus/neck.md"}
    assert m["counts"]["chunks"] == len(idx.chunks) == idx.passages.ntotal
    assert idx.sentence_vecs.shape[0] == sum(len(c.sentences) for c in idx.chunks)
    assert {c.id for c in idx.chunks} >= {"neck#0", "feet#0"}
    check_compatible(idx, emb, tiny)
    # no pickles anywhere in the index
    assert not list(tiny.paths.index_dir.rglob("*.pkl"))


def test_missing_index_message(tiny):
    with pytest.raises(IndexMissingError) as e:
        load_index(tiny.paths.index_dir)
    assert str(e.value) == f"no index in {tiny.paths.index_dir}: run `massage-assistant build`"


def test_model_mismatch_message(tiny):
    build_index(tiny, HashingEmbedder(dim=64))
    with pytest.raises(IndexMismatchError) as e:
        check_compatible(load_index(tiny.paths.index_dir), HashingEmbedder(dim=128), tiny)
    assert str(e.value) == (
        "index built with model hashing-bow-64 (64-d), but the assistant uses hashing-bow-128 (128-d): "
        "run `massage-assistant build`"
    )


def test_corpus_mismatch_message(tiny):
    emb = HashingEmbedder()
    build_index(tiny, emb)
    (tiny.paths.corpus_dir / "neck.md").write_text("# Neck\n\nChanged text here.\n")
    (tiny.paths.corpus_dir / "feet.txt").unlink()
    with pytest.raises(IndexMismatchError) as e:
        check_compatible(load_index(tiny.paths.index_dir), emb, tiny)
    assert str(e.value) == (
        "index built for a different corpus (changed: corpus/neck.md; removed: corpus/feet.txt): "
        "run `massage-assistant build`"
    )


def test_format_and_corruption_messages(tiny):
    build_index(tiny, HashingEmbedder())
    build_dir = tiny.paths.index_dir / "builds" / current_build(tiny.paths.index_dir)
    manifest = json.loads((build_dir / "manifest.json").read_text())
    manifest["format_version"] = 99
    (build_dir / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match="index format 99 is not the supported format 3: run `massage-assistant build`"):
        load_index(tiny.paths.index_dir)
    manifest["format_version"] = 3
    (build_dir / "manifest.json").write_text(json.dumps(manifest))
    (build_dir / "sentences.npy").unlink()
    with pytest.raises(IndexCorruptError, match="is incomplete or damaged: run `massage-assistant build`"):
        load_index(tiny.paths.index_dir)


def test_incremental_build(tiny):
    emb = HashingEmbedder()
    first = build_index(tiny, emb)
    same = build_index(tiny, emb)
    assert same.encoded_texts == 0 and same.path == first.path  # nothing changed, nothing re-embedded
    (tiny.paths.corpus_dir / "neck.md").write_text(
        (tiny.paths.corpus_dir / "neck.md").read_text() + "\n## New\n\nIce can calm a fresh bruise quickly.\n"
    )
    (tiny.paths.corpus_dir / "feet.txt").unlink()
    (tiny.paths.corpus_dir / "hands.md").write_text("# Hands\n\nHand massage eases typing strain nicely.\n")
    r = build_index(tiny, emb)
    assert r.changed == ["corpus/neck.md"] and r.removed == ["corpus/feet.txt"] and r.added == ["corpus/hands.md"]
    idx = load_index(tiny.paths.index_dir)
    assert not any(c.doc == "corpus/feet.txt" for c in idx.chunks)
    assert any("Ice can calm" in c.text for c in idx.chunks)
    # re-embedded only the changed and added documents' passages and sentences
    n_new = sum(1 + len(c.sentences) for c in idx.chunks if c.doc in ("corpus/neck.md", "corpus/hands.md"))
    assert r.encoded_texts == n_new
    # vectors of a rebuilt index equal a from-scratch build
    import shutil

    import numpy as np

    shutil.rmtree(tiny.paths.index_dir)
    build_index(tiny, emb)
    fresh = load_index(tiny.paths.index_dir)
    assert [c.id for c in fresh.chunks] == [c.id for c in idx.chunks]
    assert np.allclose(fresh.sentence_vecs, idx.sentence_vecs)


@pytest.mark.slow
def test_load_rebuilds_a_damaged_index(tiny):
    from assistant.pipeline import Assistant

    emb = HashingEmbedder()
    build_index(tiny, emb)
    (tiny.paths.index_dir / "builds" / current_build(tiny.paths.index_dir) / "chunks.jsonl").unlink()
    with pytest.raises(IndexCorruptError):
        Assistant.load(tiny, embedder=emb, auto_build=False)
    bot = Assistant.load(tiny, embedder=emb)
    assert bot.index.manifest["counts"]["chunks"] > 0
