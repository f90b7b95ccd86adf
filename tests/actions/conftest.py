"""Fixtures for running actions against the real knowledge base."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Dict, List

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import knowledge_base
from knowledge.paths import REPO_ROOT


@pytest.fixture(autouse=True)
def use_test_kb(kb_path, monkeypatch):
    """Point the actions at the session's freshly built knowledge base."""
    monkeypatch.setenv("KB_DB_PATH", str(kb_path))
    knowledge_base.cache_clear()
    yield
    knowledge_base.cache_clear()


@pytest.fixture(autouse=True)
def logbook_path(tmp_path, monkeypatch) -> Path:
    """Each test writes its feedback and gaps to a logbook of its own, never to build/."""
    path = tmp_path / "logbook.db"
    monkeypatch.setenv("KB_LOG_PATH", str(path))
    monkeypatch.setenv("KB_LOG_SALT", "test-salt")
    return path


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    """The domain as Rasa sends it to the action server (the parts the actions read)."""
    merged: Dict[str, Any] = {"responses": {}, "forms": {}, "slots": {}}
    for path in sorted((REPO_ROOT / "bot" / "domain").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key in merged:
            merged[key].update(data.get(key) or {})
    return merged


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
def run_action(domain):
    """Run an action with the domain Rasa would send (or the one given)."""

    def run(action, tracker: Tracker, with_domain: Dict[str, Any] | None = None):
        dispatcher = CollectingDispatcher()
        events = asyncio.run(action.run(dispatcher, tracker, domain if with_domain is None else with_domain))
        return dispatcher.messages, events

    return run
