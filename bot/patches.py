"""Speed-ups for Rasa 3.6.21 internals, installed by ``python -m bot.server`` before Rasa starts.

Each one keeps Rasa's behaviour and is covered by tests/bot/test_patches.py, which fails if a Rasa
upgrade changes what it replaces.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import rasa.shared.utils.common
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event

# What the patches replace, kept so a test can check it is still what they were written against.
REPLACED = {
    "RemoteAction._validate_action_result": RemoteAction._validate_action_result,
    "Event.resolve_by_type": Event.resolve_by_type,
}


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    """The action-response schema, checked once and compiled once."""
    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    # Rasa calls jsonschema.validate(), which re-checks the schema itself on every action
    # response: about a fifth of a whole message's time on the Rasa server, profiled.
    try:
        _action_response_validator().validate(result)
        return True
    except ValidationError as error:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the Action "
            f"endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise


_event_classes: Dict[str, Any] = {}


def _resolve_by_type(type_name: str, default: Any = None) -> Any:
    # Rasa walks every Event subclass for each event it reads from the tracker store (~5% of a
    # message, profiled). The same first match, from a table rebuilt when a name is missing.
    if type_name not in _event_classes:
        for cls in rasa.shared.utils.common.all_subclasses(Event):
            _event_classes.setdefault(cls.type_name, cls)
    cls = _event_classes.get(type_name)
    if cls is not None:
        return cls
    if type_name == "topic":
        return None  # as Rasa: old TopicSet events
    if default is not None:
        return default
    raise ValueError(f"Unknown event name '{type_name}'.")


def apply() -> None:
    """Install every patch (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
