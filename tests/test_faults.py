"""Fault injection on the document side: builds killed with SIGKILL at several points, a
read-only index directory, unreadable documents. Fast tier: tiny corpus, hashing fake; the
kill and permission cases run the build in a real subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.build import build_index, corpus_changes
from assistant.corpus import Skipped, load_documents, scan
from assistant.errors import CorpusError
from assistant.store import current_build, load_index
from tests.support import TINY, HashingEmbedder, make_corpus

REPO = Path(__file__).resolve().parent.parent
NEW_DOC = "# Calves\n\nWarm compresses ease tight calves before a session.\n"

# The child pauses (prints the point's name, then sleeps) at one point of a build, so the
# test can SIGKILL it exactly there. The hooks wrap store.py's own steps; nothing in
# assistant/ knows about them.
CHILD = textwrap.dedent(
    """
    import os, sys, time
    from assistant import store
    from assistant.build import build_index
    from assistant.settings import Settings
    from tests.support import HashingEmbedder

    point, corpus, index = sys.argv[1:4]

    def pause():
        print(point, flush=True)
        time.sleep(120)

    class Embedder(HashingEmbedder):
        def encode(self, texts, batch_size=32):
            if point == "embedding":
                pause()
            return super().encode(texts, batch_size)

    write_file, fsync_dir, replace = store._write_file, store._fsync_dir, os.replace

    def _write_file(directory, name, data):
        if point == "writing " + name:  # half of the file on disk
            with open(directory / name, "wb") as f:
                f.write(data[: len(data) // 2])
            pause()
        write_file(directory, name, data)

    def _fsync_dir(directory):
        fsync_dir(directory)
        if point == "before rename" and directory.name.startswith(".tmp-"):
            pause()

    def _replace(src, dst):
        if point == "publishing" and os.path.basename(src).startswith(".CURRENT."):
            pause()
        replace(src, dst)

    store._write_file, store._fsync_dir, os.replace = _write_file, _fsync_dir, _replace
    build_index(Settings.of(corpus_dir=corpus, index_dir=index, gap_log_path=None), Embedder())
    print("finished", flush=True)
    """
)

POINTS = ["embedding", "writing passages.npy", "writing chunks.jsonl", "writing manifest.json", "before rename", "publishing"]


def _child_env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"}


@pytest.mark.parametrize("point", POINTS)
def test_a_build_killed_mid_way_leaves_the_previous_build_live(tiny, tmp_path, point):
    emb = HashingEmbedder()
    first = build_index(tiny, emb)
    (tiny.paths.corpus_dir / "calves.md").write_text(NEW_DOC)
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    proc = subprocess.Popen(
        [sys.executable, str(script), point, str(tiny.paths.corpus_dir), str(tiny.paths.index_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO, env=_child_env(),
    )
    try:
        line = proc.stdout.readline().strip()
        assert line == point, proc.stderr.read()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(10)
    index_dir = tiny.paths.index_dir
    assert current_build(index_dir) == first.path.name
    live = load_index(index_dir)  # the previous build, intact
    assert live.path == first.path and not any(c.doc == "corpus/calves.md" for c in live.chunks)
    leftovers = list((index_dir / "builds").glob(".tmp-*")) + list(index_dir.glob(".CURRENT.*"))
    if point != "embedding":
        assert leftovers, "the killed build left nothing behind: the kill came too late to test anything"
    # The next build cleans up after the dead one and publishes the new document.
    report = build_index(tiny, emb)
    assert report.published and current_build(index_dir) == report.path.name
    assert not list((index_dir / "builds").glob(".tmp-*")) and not list(index_dir.glob(".CURRENT.*"))
    assert any(c.doc == "corpus/calves.md" for c in load_index(index_dir).chunks)


def _unprivileged() -> list[str]:
    """Run a child without root's power to ignore file permissions (root passes every
    permission check; `setpriv` drops the capabilities that allow it)."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: cannot make a directory unwritable")
    caps = "-dac_override,-dac_read_search,-fowner"
    return ["setpriv", "--bounding-set", caps, "--inh-caps", caps, "--"]


READ_ONLY_CHILD = textwrap.dedent(
    """
    import json, sys
    from assistant.build import build_index
    from assistant.errors import IndexWriteError
    from assistant.settings import Settings
    from assistant.store import load_index
    from tests.support import HashingEmbedder

    corpus, index = sys.argv[1:3]
    out = {}
    try:
        build_index(Settings.of(corpus_dir=corpus, index_dir=index, gap_log_path=None), HashingEmbedder())
        out["built"] = True
    except IndexWriteError as exc:
        out["error"] = str(exc)
    out["loaded"] = load_index(index).path.name
    print(json.dumps(out))
    """
)


def test_a_read_only_index_dir_refuses_to_build_and_still_loads(tiny, tmp_path):
    first = build_index(tiny, HashingEmbedder())
    index_dir = tiny.paths.index_dir
    script = tmp_path / "child.py"
    script.write_text(READ_ONLY_CHILD)
    modes = {p: p.stat().st_mode for p in [index_dir, *index_dir.rglob("*")] if p.is_dir()}

    def run() -> dict:
        r = subprocess.run(
            [*_unprivileged(), sys.executable, str(script), str(tiny.paths.corpus_dir), str(index_dir)],
            capture_output=True, text=True, cwd=REPO, env=_child_env(), timeout=120,
        )
        assert r.returncode == 0, r.stderr
        return json.loads(r.stdout)

    try:
        for d in modes:
            d.chmod(0o555)
        # Nothing changed: nothing to write, the build is served as it is.
        assert run() == {"built": True, "loaded": first.path.name}
        (tiny.paths.corpus_dir / "calves.md").write_text(NEW_DOC)
        out = run()
        assert out["loaded"] == first.path.name
        assert out["error"].startswith(f"cannot write the index directory {index_dir} (Permission denied): ")
        assert "\n" not in out["error"] and "read-only" in out["error"]
    finally:
        for d, mode in modes.items():
            d.chmod(mode)
    assert not list((index_dir / "builds").glob(".tmp-*"))
    assert build_index(tiny, HashingEmbedder()).published  # writable again: builds


BAD = b"# Broken\n\nCaf\xe9 au lait is not UTF-8 here.\n"


def test_a_non_utf8_document_is_skipped_and_reported_while_the_rest_is_indexed(tiny):
    (tiny.paths.corpus_dir / "bad.md").write_bytes(BAD)
    (tiny.paths.corpus_dir / "empty.md").write_text("\n  \n")
    (tiny.paths.corpus_dir / "neck.txt").write_text("Neck\nAnother neck note about gentle stretches.\n")
    (tiny.paths.corpus_dir / "calves.md").write_text(NEW_DOC)
    emb = HashingEmbedder()
    report = build_index(tiny, emb)
    assert report.skipped == [
        Skipped("corpus/bad.md", "not UTF-8 text: save it as UTF-8 and rebuild"),
        Skipped("corpus/empty.md", "has no readable text: check the file or remove it"),
        Skipped("corpus/neck.txt", "has the same name as corpus/neck.md once slugified: rename one"),
    ]
    assert report.articles == 3 and sorted(report.added) == ["corpus/calves.md", "corpus/feet.txt", "corpus/neck.md"]
    lines = report.summary().splitlines()
    assert "3 articles and 0 FAQ entries indexed" in lines[0]
    assert lines[1:] == [
        "skipped 3 files that cannot be read:",
        "  corpus/bad.md: not UTF-8 text: save it as UTF-8 and rebuild",
        "  corpus/empty.md: has no readable text: check the file or remove it",
        "  corpus/neck.txt: has the same name as corpus/neck.md once slugified: rename one",
    ]
    idx = load_index(tiny.paths.index_dir)
    assert {c.doc for c in idx.chunks} == {"corpus/calves.md", "corpus/feet.txt", "corpus/neck.md"}
    assert idx.skipped[0] == {"path": "corpus/bad.md", "problem": "not UTF-8 text: save it as UTF-8 and rebuild"}
    # A bad file that stays bad is not a change: no rebuild loop.
    assert not any(corpus_changes(idx, tiny.paths.corpus_dir).values())
    assert not build_index(tiny, emb).published
    # Fixed: seen as changed, and indexed by the next build.
    (tiny.paths.corpus_dir / "bad.md").write_text(BAD.decode("latin-1"))
    assert corpus_changes(idx, tiny.paths.corpus_dir)["changed"] == ["corpus/bad.md"]
    again = build_index(tiny, emb)
    assert "corpus/bad.md" in again.added and len(again.skipped) == 2


def test_nothing_readable_or_nothing_at_all_is_a_corpus_error(tmp_path):
    with pytest.raises(CorpusError, match="does not exist"):
        scan(tmp_path / "nope")
    empty = make_corpus(tmp_path / "empty", {"README.md": "# Notes for staff\n\nNot an article.\n"})
    with pytest.raises(CorpusError, match=r"^no documents in .*: add \.md, \.txt or \.html files$"):
        load_documents(scan(empty))
    bad = make_corpus(tmp_path / "bad" / "corpus", {"a.md": BAD})
    with pytest.raises(CorpusError, match=r"no readable documents in .* \(corpus/a\.md: not UTF-8 text"):
        load_documents(scan(bad))


UNREADABLE_CHILD = textwrap.dedent(
    """
    import json, sys
    from assistant.build import build_index
    from assistant.settings import Settings
    from tests.support import HashingEmbedder

    corpus, index = sys.argv[1:3]
    r = build_index(Settings.of(corpus_dir=corpus, index_dir=index, gap_log_path=None), HashingEmbedder())
    print(json.dumps({"skipped": [s.to_dict() for s in r.skipped], "docs": sorted(r.index.manifest["documents"])}))
    """
)


def test_a_document_without_read_permission_is_skipped_and_reported(tmp_path):
    corpus = make_corpus(tmp_path / "corpus", {**TINY, "locked.md": NEW_DOC})
    (corpus / "locked.md").chmod(0)
    script = tmp_path / "child.py"
    script.write_text(UNREADABLE_CHILD)
    r = subprocess.run(
        [*_unprivileged(), sys.executable, str(script), str(corpus), str(tmp_path / "index")],
        capture_output=True, text=True, cwd=REPO, env=_child_env(), timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {
        "skipped": [{"path": "corpus/locked.md",
                     "problem": "cannot be read (permission denied): let the assistant's user read it, or remove it"}],
        "docs": ["corpus/feet.txt", "corpus/neck.md"],
    }


def test_load_corpus_reports_what_a_build_would_fail_on_before_any_model_loads(tmp_path):
    from assistant.corpus import load_corpus
    from assistant.errors import FaqError

    corpus = make_corpus(tmp_path / "corpus", {**TINY, "bad.md": BAD})
    assert sorted(d.path for d in load_corpus(corpus)) == ["corpus/feet.txt", "corpus/neck.md"]  # bad.md: skipped
    (corpus / "faq.md").write_text("## Parking?\n\n[Where to park, e.g. behind the clinic.]\n")
    with pytest.raises(FaqError, match=r"^corpus/faq\.md:3: "):
        load_corpus(corpus)
