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
