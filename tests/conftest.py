"""Shared fixtures: a knowledge base built from the real sources into a temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.build import build
from knowledge.search import KnowledgeBase


@pytest.fixture(scope="session")
def kb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kb") / "knowledge.db"
    build(path, nlu_artefacts=False)
    return path


@pytest.fixture(scope="session")
def kb(kb_path: Path) -> KnowledgeBase:
    return KnowledgeBase(kb_path)
