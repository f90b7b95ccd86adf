"""The knowledge base as the actions see it: one shared, lazily opened instance."""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List

from knowledge.model import Entry
from knowledge.search import KnowledgeBase


@lru_cache(maxsize=1)
def knowledge_base() -> KnowledgeBase:
    """Opened on first use; it reloads by itself when the database is rebuilt."""
    return KnowledgeBase()


def cite(kb: KnowledgeBase, entry: Entry) -> str:
    return "；".join(f"《{kb.source_title(f)}》（{f}）" for f in entry.sources)


def term_button(entry: Entry, intent: str = "ask_definition") -> Dict[str, str]:
    return {"title": entry.term, "payload": f'/{intent}{{"term": "{entry.term}"}}'}


def related_buttons(kb: KnowledgeBase, entry: Entry, limit: int = 3) -> List[Dict[str, str]]:
    related = (kb.get(term) for term in entry.related)
    return [term_button(e) for e in related if e is not None][:limit]
