import json
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from assistant.cli import main


def test_help_is_instant():
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "assistant", "--help"], capture_output=True, text=True, check=True)
    assert "build" in out.stdout and "ask" in out.stdout and "serve" in out.stdout
    assert time.perf_counter() - t < 5  # generous: it imports no torch, faiss or gradio
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, assistant.cli; print(sorted(m for m in ('torch','faiss','gradio','sentence_transformers') if m in sys.modules))"],
        capture_output=True, text=True, check=True,
    )
    assert heavy.stdout.strip() == "[]"


def test_missing_corpus_is_one_line_error(tmp_path):
    r = CliRunner().invoke(main, ["build", "--corpus", str(tmp_path / "none"), "--index", str(tmp_path / "idx")])
    assert r.exit_code == 1
    assert r.output.strip().splitlines() == [
        f"error: corpus directory {tmp_path / 'none'} does not exist: create it and add .md, .txt or .html files"
    ]


@pytest.mark.slow
def test_build_ask_and_batch(real_settings, bot, tmp_path):
    args = ["--corpus", str(real_settings.paths.corpus_dir), "--index", str(real_settings.paths.index_dir)]
    r = CliRunner().invoke(main, ["build", *args])
    assert r.exit_code == 0 and "5 unchanged" in r.output and "0 texts embedded" in r.output

    r = CliRunner().invoke(main, ["ask", "Can massage help with migraines?", "--json", *args])
    assert r.exit_code == 0, r.output
    d = json.loads(r.output)
    assert d["status"] == "answered" and "[1]" in d["answer"] and d["notice"] and d["citations"][0]["n"] == 1

    batch = tmp_path / "qs.txt"
    qs = ["how long does a session last", "does insurance cover massage", "my chest hurts badly", ""]
    batch.write_text("\n".join(qs) + "\n")
    r = CliRunner().invoke(main, ["ask", "--batch", str(batch), "--json", *args])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines()]
    assert [x["status"] for x in rows] == ["answered", "no_answer", "urgent", "error"]
    assert all(x["notice"] for x in rows)

    r = CliRunner().invoke(main, ["ask", "Can massage help with migraines?", *args])
    assert r.exit_code == 0 and "[1]" in r.output and "consult your healthcare provider" in r.output


# --- ask and serve through the edge (engineer B) ---------------------------------------------


@pytest.fixture
def fake_bot(tiny):
    from assistant.pipeline import Assistant
    from tests.support import HashingEmbedder

    return Assistant.load(tiny.replace(gap_log_path=None, answer_min_sentence_score=0.2), embedder=HashingEmbedder())


def test_ask_reports_unknown_settings_and_errors_in_the_one_shape(fake_bot, monkeypatch):
    import assistant.cli as cli
    from assistant.pipeline import Assistant

    monkeypatch.setattr(Assistant, "load", classmethod(lambda cls, *a, **k: fake_bot))
    monkeypatch.setattr(cli, "_store", lambda s: None)
    monkeypatch.setenv("MASSAGE_EMRGENCY_NUMBER", "999")
    r = CliRunner().invoke(main, ["ask", "   "])
    assert r.exit_code == 1
    assert "warning: MASSAGE_EMRGENCY_NUMBER is not a setting" in r.stderr and "MASSAGE_EMERGENCY_NUMBER" in r.stderr
    assert "error: Please type a question" in r.stderr and "consult your healthcare provider" in r.stderr
    r = CliRunner().invoke(main, ["ask", "x" * 5000, "--json"])
    d = json.loads(r.stdout)
    assert r.exit_code == 1 and d["status"] == "error" and d["reason"] == "too long" and d["notice"]
    r = CliRunner().invoke(main, ["ask", "Does massage loosen a stiff neck?"])
    assert r.exit_code == 0 and "[1]" in r.stdout and "consult your healthcare provider" in r.stdout


def test_gaps_reads_the_store(tmp_path, monkeypatch):
    import assistant.embed
    from assistant.gaps import open_store
    from assistant.settings import Settings
    from tests.support import HashingEmbedder

    db = tmp_path / "gaps.sqlite3"
    store = open_store(Settings.of(gap_log_path=db))
    for q in ("do you sell gift cards", "do you sell gift cards", "parking near the clinic?"):
        store.record("no_answer", q, "no_answer", [], "asks about the clinic's own details")
    store.record("urgent", "", "urgent", [])
    store.close()
    monkeypatch.setattr(assistant.embed, "load_embedder", lambda s, **k: HashingEmbedder())
    r = CliRunner().invoke(main, ["gaps", "--db", str(db), "--csv", str(tmp_path / "g.csv")])
    assert r.exit_code == 0, r.output
    assert "gift cards" in r.output and "urgent messages counted, not stored: 1" in r.output
    assert (tmp_path / "g.csv").read_text().count("\n") >= 2


@pytest.mark.slow
def test_serve_read_only_index_never_writes_and_warns(real_settings, bot, tmp_path):
    """A replica (`serve --read-only-index`) serves the published build, does not rebuild when
    the corpus changes, and prints startup warnings for unknown MASSAGE_* variables."""
    import shutil
    import urllib.request

    from tests.support import running_server

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(real_settings.paths.corpus_dir, corpus)
    shutil.copytree(real_settings.paths.index_dir, index)
    (corpus / "new.md").write_text("# New\n\nA brand new article about hot stones and warm oils in massage.\n")
    before = sorted((p.relative_to(index), p.stat().st_mtime_ns) for p in index.rglob("*"))
    env = {"MASSAGE_RELOAD_INTERVAL": "0.3", "MASSAGE_BOGUS_SETTING": "1"}
    with running_server(corpus, index, "--read-only-index", env=env) as url:
        time.sleep(2)  # several watch ticks
        h = json.loads(urllib.request.urlopen(url + "healthz").read())
    log = next((tmp_path / "var").glob("serve-*.log")).read_text()
    assert h["documents"] == 5  # the published build, not a rebuild with new.md
    assert sorted((p.relative_to(index), p.stat().st_mtime_ns) for p in index.rglob("*")) == before
    assert "warning: MASSAGE_BOGUS_SETTING is not a setting" in log and "read-only index" in log
