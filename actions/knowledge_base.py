"""The knowledge base as the actions see it: one shared, lazily opened instance."""

from __future__ import annotations

from typing import Dict, Iterable, List

from rasa_sdk import Tracker

from knowledge.model import Entry
from knowledge.search import KnowledgeBase, shared_knowledge_base
from knowledge.understanding import Understanding, understand

# The intents that ask about terms, and how sure the NLU must be of one for a message to count as
# asked as a question (the reader of descriptions then believes its own "question" more readily).
QUESTION_INTENTS = frozenset({"ask_definition", "ask_detail", "ask_strategy", "compare_terms"})
SURE_INTENT = 0.9


knowledge_base = shared_knowledge_base  # the process's one knowledge base


def cite(kb: KnowledgeBase, entry: Entry) -> str:
    return cite_files(kb, entry.sources)


def cite_files(kb: KnowledgeBase, files: Iterable[str]) -> str:
    """《title》（file）；… for the seed files given."""
    return "；".join(f"《{kb.source_title(f)}》（{f}）" for f in files)


def term_button(entry: Entry, intent: str = "ask_definition") -> Dict[str, str]:
    return {"title": entry.term, "payload": f'/{intent}{{"term": "{entry.term}"}}'}


def related_buttons(kb: KnowledgeBase, entry: Entry, limit: int = 3) -> List[Dict[str, str]]:
    related = (kb.get(term) for term in entry.related)
    return [term_button(e) for e in related if e is not None][:limit]


def term_entities(tracker: Tracker) -> List[Dict]:
    """The latest message's `term` entities, in the order they stand in the text."""
    found = [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "term"]
    return sorted(found, key=lambda e: e.get("start") or 0)


def read_message(tracker: Tracker, kb: KnowledgeBase) -> Understanding:
    """The latest message, understood by the domain once for this action."""
    entities = term_entities(tracker)
    values: List[str] = []
    for entity in entities:
        value = str(entity.get("value") or "").strip()
        if value and value not in values:
            values.append(value)
    spans = [
        (e["start"], e["end"])
        for e in entities
        if isinstance(e.get("start"), int) and isinstance(e.get("end"), int)
    ]
    intent = tracker.latest_message.get("intent") or {}
    asked = intent.get("name") in QUESTION_INTENTS and (intent.get("confidence") or 0.0) >= SURE_INTENT
    return understand(kb, tracker.latest_message.get("text") or "", values, spans, asked)
