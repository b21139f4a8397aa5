"""Shared fixtures. The real model and a real index are built once per session in a temp dir
(never touching the repo's index/); fast unit tests use the hashing fake on tiny corpora."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory):
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("real")
    shutil.copytree(REPO / "corpus", root / "corpus")
    return Settings.of(corpus_dir=root / "corpus", index_dir=root / "index", gap_log_path=None)


@pytest.fixture(scope="session")
def embedder(real_settings):
    from assistant.embed import load_embedder

    return load_embedder(real_settings)


@pytest.fixture(scope="session")
def bot(real_settings, embedder):
    from assistant.pipeline import Assistant

    return Assistant.load(real_settings, embedder=embedder)


TINY = {
    "neck.md": "# Neck Care\n\n## Stiff necks\n\nA stiff neck often comes from poor posture at a desk. "
    "Gentle massage can loosen the muscles of the neck and shoulders.\n\n## Sleep\n\n"
    "Many people sleep better after a relaxing session. Rest matters for recovery.\n",
    "feet.txt": "Happy Feet\nFoot Massage\nReflexology works on points of the feet. Warm water soaks help before a session.\n",
}


@pytest.fixture
def tiny(tmp_path: Path):
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TINY.items():
        (corpus / name).write_text(text)
    return Settings.of(corpus_dir=corpus, index_dir=tmp_path / "index")
