"""The speed-ups in bot/patches.py keep Rasa's behaviour."""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import List

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.shared.core.events import Event, SlotSet
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.utils.common import all_subclasses
from rasa.utils.tensorflow.models import RasaModel

from bot import patches
from bot.model import MODEL_PATH
from knowledge.paths import REPO_ROOT

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


PATCHED = ((RemoteAction, "_validate_action_result"), (Event, "resolve_by_type"), (RasaModel, "load"))


@pytest.fixture
def patched(monkeypatch):
    """The patches applied for one test; every one of them is undone after it."""
    for owner, name in PATCHED:
        monkeypatch.setattr(owner, name, owner.__dict__[name])  # recorded, so restored whatever apply() sets
    patches.apply()
    yield RemoteAction("action_x", None)


def test_the_fixture_applies_every_patch(patched):
    assert RasaModel.__dict__["load"].__func__ is patches._load_model
    assert RemoteAction._validate_action_result is patches._validate_action_result


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


# Events an action server might send: every kind our actions send, and broken ones.
EVENTS = [
    {"event": "slot", "name": "term", "value": "腰部客户"},
    {"event": "slot", "name": "customer_facts", "value": {"annual_purchase": 3000}, "timestamp": None},
    {"event": "slot", "name": "requested_slot", "value": None},
    {"event": "followup", "name": "customer_form"},
    {"event": "active_loop", "name": None},
    {"event": "reset_slots"},
    {"event": "bot", "text": "你好", "data": {"buttons": []}, "metadata": {}},
    {"event": "action_execution_rejected", "name": "customer_form"},
    {"event": "form_validation", "validate": False},
    {
        "event": "user",
        "text": "腰部客户",
        "parse_data": {
            "intent": {"name": "ask_definition", "confidence": 0.9},
            "entities": [{"entity": "term", "value": "腰部客户", "start": 0}],
        },
    },
    {"event": "entities", "entities": [{"entity": "term", "value": "腰部客户"}]},
    {"event": "action", "name": "action_listen", "policy": None, "confidence": 1.0},
    {"event": "restart", "timestamp": 1.5},
    {"event": "slot", "name": "term"},  # no value
    {"event": "slot", "value": 1},  # no name
    {"event": "slot", "name": 3, "value": 1},
    {"event": "bot", "timestamp": "yesterday"},
    {"event": "bot", "metadata": []},
    {"event": "entities"},
    {"event": "entities", "entities": [{"value": "腰部客户"}]},
    {"event": "user", "parse_data": {"entities": [{"entity": "term"}]}},
    {"event": "user", "parse_data": {"intent": {"name": 5}}},
    {"event": "user", "parse_data": {"response_selector": {"all_retrieval_intents": []}}},
    {"event": "user", "parse_data": "?"},
    {"event": "action", "hide_rule_turn": "yes"},
    {"event": "no_such_event"},
    {"event": 5},
    {"event": ["slot"]},
    {"event": None},
    {"name": "term", "value": 1},
    {},
    "slot",
    None,
    [],
]


@pytest.mark.parametrize("event", EVENTS, ids=[repr(e)[:60] for e in EVENTS])
def test_every_event_is_accepted_or_rejected_as_before(patched, event):
    original = patches.REPLACED["RemoteAction._validate_action_result"]
    results = []
    for validate in (original, RemoteAction._validate_action_result):
        try:
            results.append(validate(patched, {"events": [{"event": "reset_slots"}, event]}))
        except ValidationError:
            results.append("rejected")
    assert results[0] == results[1]


@pytest.mark.parametrize(
    "response", [None, [], "x", {"events": None}, {"events": {}}, {"events": [], "responses": [1]}]
)
def test_malformed_responses_are_rejected_as_before(patched, response):
    with pytest.raises(ValidationError):
        patches.REPLACED["RemoteAction._validate_action_result"](patched, response)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        patched._validate_action_result(response)


def test_an_event_is_checked_only_against_the_schema_its_name_selects():
    validator = patches._action_response_validator()
    (slot_schema,) = validator.by_name["slot"].schema["allOf"]
    assert len(validator.by_name) == 23 and slot_schema["required"] == ["name", "value"]


def test_the_replaced_model_load_is_what_the_patch_was_written_for():
    source = inspect.getsource(patches.REPLACED["RasaModel.load"])
    assert "model.fit(data_generator, verbose=False)" in source
    assert "model.load_weights(model_file_name)" in source
    assert "model.run_inference(predict_data_example)" in source


def _parses(texts: List[str]) -> List[list]:
    """Intent rankings (top 3, confidences to 6 places) of a freshly loaded model."""
    agent = Agent.load(str(MODEL_PATH))
    results = [asyncio.run(agent.parse_message(text)) for text in texts]
    return [[(i["name"], round(i["confidence"], 6)) for i in r["intent_ranking"][:3]] for r in results]


@pytest.mark.server
def test_the_model_loaded_without_a_training_step_predicts_exactly_the_same(monkeypatch, caplog):
    if not MODEL_PATH.exists():
        pytest.fail(f"{MODEL_PATH} is missing: run the suite with `make test`, which trains it")
    texts = [
        e.get("text")
        for e in load_data(str(REPO_ROOT / "tests" / "nlu" / "test_nlu_third.yml")).intent_examples
    ]
    rasas_load = patches.REPLACED["RasaModel.load"]
    assert rasas_load is not patches._load_model and rasas_load.__module__ == "rasa.utils.tensorflow.models"
    monkeypatch.setattr(RasaModel, "load", classmethod(rasas_load))
    as_rasa_loads = _parses(texts)

    monkeypatch.setattr(RasaModel, "load", classmethod(patches._load_model))
    with caplog.at_level(logging.WARNING, logger="bot.patches"):
        assert _parses(texts) == as_rasa_loads
    assert "loading it as Rasa does" not in caplog.text  # the fast way did load it

    # A model the fast way cannot load is loaded Rasa's way, with the same predictions.
    run_inference = RasaModel.run_inference
    calls = []

    def fail_first(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("a layer this patch does not know")
        return run_inference(self, *args, **kwargs)

    monkeypatch.setattr(RasaModel, "run_inference", fail_first)
    with caplog.at_level(logging.WARNING, logger="bot.patches"):
        assert _parses(texts) == as_rasa_loads
    assert "loading it as Rasa does" in caplog.text


def test_no_patch_is_left_behind():
    # Last in this file: had a test above leaked a patch (the fixture once restored two of three,
    # so the model test compared the fast load with itself), this is where it shows.
    assert RasaModel.__dict__["load"].__func__ is patches.REPLACED["RasaModel.load"]
    assert Event.__dict__["resolve_by_type"].__func__ is patches.REPLACED["Event.resolve_by_type"]
    assert RemoteAction._validate_action_result is patches.REPLACED["RemoteAction._validate_action_result"]
