"""Shared fixtures. The real model and a real index are built once per session in a temp dir
(never touching the repo's index/); fast unit tests use the hashing fake on tiny corpora."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.support import TINY

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


@pytest.fixture
def tiny(tmp_path: Path):
    from assistant.settings import Settings

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in TINY.items():
        (corpus / name).write_text(text)
    return Settings.of(corpus_dir=corpus, index_dir=tmp_path / "index")
