"""The speed-ups in bot/patches.py keep Rasa's behaviour."""

from __future__ import annotations

import inspect

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.utils.common import all_subclasses

from bot import patches

VALID = {
    "events": [{"event": "slot", "name": "term", "value": "腰部客户"}],
    "responses": [{"text": "答案", "buttons": [{"title": "详细", "payload": "/ask_detail"}]}],
}


def test_the_replaced_rasa_code_is_what_the_patch_was_written_for():
    source = inspect.getsource(patches.REPLACED["RemoteAction._validate_action_result"])
    assert "validate(result, self.action_response_format_spec())" in source


def test_the_replaced_event_lookup_is_what_the_patch_was_written_for():
    source = inspect.getsource(patches.REPLACED["Event.resolve_by_type"])
    assert "for cls in rasa.shared.utils.common.all_subclasses(Event):" in source


@pytest.mark.parametrize("name", sorted({cls.type_name for cls in all_subclasses(Event)}))
def test_every_event_type_resolves_as_before(name):
    assert patches._resolve_by_type(name) is patches.REPLACED["Event.resolve_by_type"](name)


def test_unknown_event_types_behave_as_before():
    original = patches.REPLACED["Event.resolve_by_type"]
    assert patches._resolve_by_type("topic") is None is original("topic")
    assert patches._resolve_by_type("nope", default=SlotSet) is SlotSet is original("nope", default=SlotSet)
    with pytest.raises(ValueError, match="Unknown event name 'nope'"):
        patches._resolve_by_type("nope")


@pytest.fixture
def patched():
    validate, resolve = RemoteAction._validate_action_result, Event.__dict__["resolve_by_type"]
    patches.apply()
    yield RemoteAction("action_x", None)
    RemoteAction._validate_action_result = validate
    Event.resolve_by_type = resolve


def test_a_valid_action_response_passes(patched):
    assert patched._validate_action_result(VALID) is True


@pytest.mark.parametrize(
    "response",
    [
        {"events": [{"event": "no_such_event"}]},
        {"events": "not a list"},
        {"responses": "not a list"},
    ],
    ids=["unknown-event", "events-not-list", "responses-not-list"],
)
def test_an_invalid_action_response_is_rejected_as_before(patched, response):
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(response)
    with pytest.raises(ValidationError):
        patches.REPLACED["RemoteAction._validate_action_result"](patched, response)
