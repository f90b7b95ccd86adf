"""Speed-ups for Rasa 3.6.21 internals, installed by ``python -m bot.server`` before Rasa starts.

Each one keeps Rasa's behaviour and is covered by tests/bot/test_patches.py, which fails if a Rasa
upgrade changes what it replaces.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any, Dict

import rasa.shared.utils.common
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.events import Event
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)

# What the patches replace, kept so a test can check it is still what they were written against.
REPLACED = {
    "RemoteAction._validate_action_result": RemoteAction._validate_action_result,
    "Event.resolve_by_type": Event.resolve_by_type,
    "RasaModel.load": RasaModel.load.__func__,
}


class _ActionResponseValidator:
    """Rasa's action-response schema, checked once and compiled once, each event checked against
    the one alternative its name selects.

    Rasa calls jsonschema.validate(), which re-checks the schema itself on every action response:
    about a fifth of a whole message's time on the Rasa server, profiled. Compiled once, the
    ``oneOf`` over Rasa's 23 event schemas was still a tenth of a classification turn: each event
    was checked against all 23. Every alternative requires its own constant ``event`` name, so an
    event can only match the one its name selects; events without a known name get the full check
    and so the same error as before.
    """

    def __init__(self) -> None:
        schema = RemoteAction.action_response_format_spec()
        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        events = schema["properties"]["events"]
        event_schema = events["items"]
        self.full_event = cls(event_schema)
        self.response = cls(
            {**schema, "properties": {**schema["properties"], "events": {**events, "items": {}}}}
        )
        base = {key: value for key, value in event_schema.items() if key != "oneOf"}
        alternatives = event_schema["oneOf"]
        names = [
            alternative.get("properties", {}).get("event", {}).get("const") for alternative in alternatives
        ]
        self.by_name: Dict[str, Any] = {}
        if all(isinstance(name, str) for name in names) and len(set(names)) == len(names):
            # Otherwise (a schema this was not written for) every event gets the full check.
            self.by_name = {
                name: cls({**base, "allOf": [alt]}) for name, alt in zip(names, alternatives, strict=True)
            }

    def validate(self, result: Any) -> None:
        self.response.validate(result)
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or ():
            name = event.get("event") if isinstance(event, dict) else None
            validator = self.by_name.get(name) if isinstance(name, str) else None
            (validator or self.full_event).validate(event)


@lru_cache(maxsize=1)
def _action_response_validator() -> _ActionResponseValidator:
    return _ActionResponseValidator()


def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
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


def _load_model(
    cls: Any,
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> Any:
    # To create the model's variables before reading the trained weights into them, Rasa trains
    # the model on one example: tracing that training step (loss, gradients, optimizer) was half of
    # the server's start-up, about 10 s (profiled). Here the weights are read first, restored into
    # each variable as it is created, and the variables are created by the prediction Rasa runs
    # anyway to trace the prediction step. The optimizer's state is left unread (it only serves
    # further training). If any variable the prediction created was not in the file, Rasa's own
    # way runs instead.
    if not finetune_mode and predict_data_example is not None:
        try:
            model = cls(*args, **kwargs)
            status = model.load_weights(model_file_name)
            model.run_inference(predict_data_example)
            status.expect_partial()
            status.assert_existing_objects_matched()
            return model
        except Exception:  # noqa: BLE001 - any surprise: load the slow, sure way
            logger.warning(
                "loading %s without a training step failed; loading it as Rasa does",
                model_file_name,
                exc_info=True,
            )
    original = REPLACED["RasaModel.load"]
    return original(
        cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
    )


def apply() -> None:
    """Install every patch (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    RasaModel.load = classmethod(_load_model)
