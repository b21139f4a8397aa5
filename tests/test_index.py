import json

import pytest

from assistant.build import build_index, check_compatible
from assistant.errors import IndexCorruptError, IndexMismatchError, IndexMissingError
from assistant.store import current_build, load_index
from assistant.text import TERMS_VERSION, terms, words
from tests.support import HashingEmbedder


def test_round_trip(tiny):
    emb = HashingEmbedder()
    report = build_index(tiny, emb)
    assert sorted(report.added) == ["corpus/feet.txt", "corpus/neck.md"]
    idx = load_index(tiny.paths.index_dir)
    m = idx.manifest
    assert m["format_version"] == 4 and m["model"]["dim"] == emb.dim
    assert set(m["documents"]) == {"corpus/feet.txt", "corpus/neck.md"}
    assert m["counts"]["chunks"] == len(idx.chunks) == idx.passages.ntotal
    assert idx.sentence_vecs.shape[0] == sum(len(c.sentences) for c in idx.chunks)
    assert {c.id for c in idx.chunks} >= {"neck#0", "feet#0"}
    check_compatible(idx, emb, tiny)
    # the lexical terms retrieval needs are stored, equal to what it would compute
    assert idx.chunk_terms == [terms(f"{c.title} {c.section} {c.text}") for c in idx.chunks]
    assert idx.sentence_terms == [frozenset(terms(t)) for c in idx.chunks for t in c.sentence_texts]
    assert idx.vocabulary == frozenset(w for c in idx.chunks for w in words(f"{c.title} {c.section} {c.text}"))
    assert m["terms_version"] == TERMS_VERSION
    # every file is listed with its checksum and size
    build_dir = tiny.paths.index_dir / "builds" / current_build(tiny.paths.index_dir)
    assert sorted(m["files"]) == sorted(p.name for p in build_dir.iterdir() if p.name != "manifest.json")
    assert all(m["files"][n]["bytes"] == (build_dir / n).stat().st_size for n in m["files"])
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
    with pytest.raises(IndexMismatchError, match="index format 99 is not the supported format 4: run `massage-assistant build`"):
        load_index(tiny.paths.index_dir)
    manifest["format_version"] = 4
    (build_dir / "manifest.json").write_text(json.dumps(manifest))  # same content, other layout: fine
    load_index(tiny.paths.index_dir)
    (build_dir / "sentences.npy").unlink()
    with pytest.raises(IndexCorruptError) as e:
        load_index(tiny.paths.index_dir)
    assert str(e.value) == f"index file {build_dir / 'sentences.npy'} is missing: run `massage-assistant build`"


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


def test_summary_counts_articles_and_faq_entries(tiny):
    (tiny.paths.corpus_dir / "faq.md").write_text(
        "## What are your opening hours?\nAlso asked: When are you open?\n\nMonday to Friday, 9:00 to 18:00.\n\n"
        "## Do you have parking?\n\nYes, behind the clinic.\n"
    )
    lines: list[str] = []
    report = build_index(tiny, HashingEmbedder(), log=lines.append)
    assert (report.articles, report.faq_entries, report.published) == (2, 2, True)
    assert lines == [report.summary()]
    assert "2 articles and 2 FAQ entries indexed" in report.summary().splitlines()[0]
    again = build_index(tiny, HashingEmbedder())
    assert not again.published and again.path == report.path
    assert again.summary().startswith(f"index up to date ({report.path.name}): 2 articles and 2 FAQ entries indexed")


def test_faq_placeholder_fails_the_build_with_file_and_line(tiny):
    from assistant.errors import FaqError

    emb = HashingEmbedder()
    first = build_index(tiny, emb)
    (tiny.paths.corpus_dir / "faq.md").write_text(
        "# FAQ\n\n## Do you have parking?\n\nYes, behind the clinic.\n\n"
        "## What are your opening hours?\nAlso asked: When are you open?\n\n"
        "Call us or [book online](https://example.com/book).\n[Our opening hours, e.g. Monday to Friday 9:00 to 18:00.]\n"
    )
    with pytest.raises(FaqError) as e:
        build_index(tiny, emb)
    assert str(e.value) == (
        'corpus/faq.md:11: the answer to "What are your opening hours?" still holds the placeholder '
        "[Our opening hours, e.g. Monday to Friday 9:00 ...]: replace it with your clinic's real details, "
        "then run `massage-assistant build`"
    )
    assert current_build(tiny.paths.index_dir) == first.path.name  # the live build is untouched


def test_terms_version_change_rebuilds_terms_without_re_embedding(tiny, monkeypatch):
    emb = HashingEmbedder()
    first = build_index(tiny, emb)
    monkeypatch.setattr("assistant.build.TERMS_VERSION", TERMS_VERSION + 1)
    with pytest.raises(IndexMismatchError, match=f"terms version {TERMS_VERSION}, this version uses {TERMS_VERSION + 1}"):
        check_compatible(first.index, emb, tiny)
    again = build_index(tiny, emb)
    assert again.published and again.encoded_texts == 0 and again.path != first.path
    assert again.index.manifest["terms_version"] == TERMS_VERSION + 1
    check_compatible(again.index, emb, tiny)


def test_the_build_embeds_each_distinct_text_once_and_every_row_gets_its_own_vector(tiny):
    import numpy as np

    class Counting(HashingEmbedder):
        def __init__(self) -> None:
            super().__init__()
            self.seen: list[str] = []

        def encode(self, texts, batch_size=32):
            self.seen += texts
            return super().encode(texts, batch_size)

    repeated = "Drink plenty of water after your massage."
    (tiny.paths.corpus_dir / "after.md").write_text(f"# After\n\n## Water\n\n{repeated} Rest for an hour.\n")
    (tiny.paths.corpus_dir / "before.md").write_text(f"# Before\n\n## Water\n\n{repeated} Eat lightly first.\n")
    emb = Counting()
    report = build_index(tiny, emb)
    assert emb.seen.count(repeated) == 1 and len(emb.seen) == len(set(emb.seen)) == report.encoded_texts
    idx = load_index(tiny.paths.index_dir)
    texts = [t for c in idx.chunks for t in c.sentence_texts]
    assert texts.count(repeated) == 2
    # every row, repeated or not, holds the vector of its own text, as an undeduplicated encode gives
    assert np.array_equal(idx.sentence_vecs, HashingEmbedder().encode(texts))
    assert np.array_equal(idx.passage_vecs, HashingEmbedder().encode([c.embed_text for c in idx.chunks]))
