"""Fixtures for running actions against the real knowledge base."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import knowledge_base


@pytest.fixture(autouse=True)
def use_test_kb(kb_path, monkeypatch):
    """Point the actions at the session's freshly built knowledge base."""
    monkeypatch.setenv("KB_DB_PATH", str(kb_path))
    knowledge_base.cache_clear()
    yield
    knowledge_base.cache_clear()


def make_tracker(
    text: str,
    intent: str = "ask_definition",
    entities: List[Dict[str, Any]] | None = None,
    slots: Dict[str, Any] | None = None,
) -> Tracker:
    return Tracker.from_dict(
        {
            "sender_id": "test",
            "slots": slots or {},
            "latest_message": {
                "text": text,
                "intent": {"name": intent, "confidence": 0.99},
                "entities": entities or [],
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def term(value: str, start: int = 0) -> Dict[str, Any]:
    return {"entity": "term", "value": value, "start": start, "end": start + len(value)}


@pytest.fixture
def run_action():
    def run(action, tracker: Tracker):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, {}))
        return dispatcher.messages, events

    return run
