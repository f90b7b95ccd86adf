"""Shared fixtures: a knowledge base built from the real sources into a temporary folder, and a
throw-away PostgreSQL cluster for the modules that need one."""

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


@pytest.fixture(scope="module")
def postgres():
    """A PostgreSQL cluster (Debian's package) on a free port, one per test module."""
    from tests.bot.servers import PostgreSQL

    server = PostgreSQL()
    server.start()
    yield server
    server.stop()
