"""One knowledge base per process: the NLU components and the actions share it, and it warms up once."""

from __future__ import annotations

from actions.knowledge_base import knowledge_base as actions_knowledge_base
from bot.nlu.knowledge import knowledge_base as nlu_knowledge_base
from knowledge.search import shared_knowledge_base


def test_the_nlu_components_and_the_actions_share_one_knowledge_base(kb_path, monkeypatch):
    monkeypatch.setenv("KB_DB_PATH", str(kb_path))
    shared_knowledge_base.cache_clear()
    try:
        assert actions_knowledge_base() is nlu_knowledge_base() is shared_knowledge_base()
    finally:
        shared_knowledge_base.cache_clear()
