"""Speed-ups for Rasa 3.6.21 internals, installed by ``python -m bot.server`` before Rasa starts.

Each one keeps Rasa's behaviour and is covered by tests/bot/test_patches.py, which fails if a Rasa
upgrade changes what it replaces.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# What the patches replace, kept so a test can check it is still what they were written against.
REPLACED = {"RemoteAction._validate_action_result": RemoteAction._validate_action_result}


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


def apply() -> None:
    """Install every patch (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
