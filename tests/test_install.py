"""The package works installed (not editable), from a clinic's own folder: `pip install .`, then
`massage-assistant build` and `ask --json` in a folder holding corpus/, with the index written there.

The fresh venv gets the project as a built wheel and sees the already-installed dependencies
through a .pth file (installing torch and the model again would take minutes and the network)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.support import REPO

pytestmark = pytest.mark.slow


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def test_pip_install_then_build_and_ask_from_a_clinic_folder(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    built = run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)], tmp_path)
    assert built.returncode == 0, built.stderr
    (wheel,) = dist.glob("massage_assistant-*.whl")

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    vpy = venv / "bin" / "python"
    site = Path(run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp_path).stdout.strip())
    # Dependencies only: the editable hook in the dev venv is a .pth file, which a path added
    # this way does not execute, so the wheel's copy of `assistant` is the one imported.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    installed = run([str(vpy), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], tmp_path)
    assert installed.returncode == 0, installed.stderr

    clinic = tmp_path / "clinic"
    shutil.copytree(REPO / "corpus", clinic / "corpus")
    if (REPO / "index" / "onnx").is_dir():  # reuse the dev export: the first export takes ~20 s
        shutil.copytree(REPO / "index" / "onnx", clinic / "index" / "onnx")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MASSAGE_")}
    env |= {"HF_HUB_OFFLINE": "1", "PYTHONPATH": "", "MASSAGE_GAP_LOG_PATH": ""}
    exe = str(venv / "bin" / "massage-assistant")

    where = run([str(vpy), "-c", "import assistant; print(assistant.__file__)"], clinic, env)
    assert str(venv) in where.stdout, where.stdout + where.stderr

    b = run([exe, "build"], clinic, env)
    assert b.returncode == 0, b.stderr
    assert (clinic / "index" / "CURRENT").is_file()
    assert "articles" in b.stdout

    a = run([exe, "ask", "Can massage help with migraines?", "--json"], clinic, env)
    assert a.returncode == 0, a.stderr
    answer = json.loads(a.stdout.strip().splitlines()[-1])
    assert answer["status"] == "answered" and answer["citations"]
    assert answer["citations"][0]["doc"].startswith("corpus/")

    # eval finds no set in a clinic folder: one line saying to pass --set.
    e = run([exe, "eval"], clinic, env)
    assert e.returncode != 0 and "--set" in e.stderr

    # An unknown MASSAGE_* variable is reported, not silently ignored.
    w = run([exe, "ask", "Can massage help with migraines?"], clinic, env | {"MASSAGE_EMERGENCY_NUMBR": "999"})
    assert "MASSAGE_EMERGENCY_NUMBR" in w.stderr and "MASSAGE_EMERGENCY_NUMBER" in w.stderr
