"""Speed-ups for Rasa 3.6.21 internals, installed by ``python -m bot.server`` before Rasa starts.

Each one keeps Rasa's behaviour and is covered by tests/bot/test_patches.py, which fails if a Rasa
upgrade changes what it replaces.
"""

from __future__ import annotations

import copy
import itertools
import logging
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Dict, Tuple

import rasa.shared.utils.common
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction
from rasa.core.processor import MessageProcessor
from rasa.shared.constants import DOCS_BASE_URL
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    ConversationPaused,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.utils.tensorflow.models import RasaModel

logger = logging.getLogger(__name__)

# What the patches replace, kept so a test can check it is still what they were written against.
REPLACED = {
    "RemoteAction._validate_action_result": RemoteAction._validate_action_result,
    "Event.resolve_by_type": Event.resolve_by_type,
    "RasaModel.load": RasaModel.load.__func__,
    "MessageProcessor._predict_next_with_tracker": MessageProcessor._predict_next_with_tracker,
    "RemoteAction._action_call_format": RemoteAction._action_call_format,
    "DialogueStateTracker.copy": DialogueStateTracker.copy,
    "DialogueStateTracker.applied_events": DialogueStateTracker.applied_events,
}

# The user turns the policies are shown of a long conversation. Every rule in data/rules/ is one
# user turn after at most one bot turn (tests/bot/test_patches.py checks), so this leaves room.
RECENT_TURNS = 6
# From this many user turns in the session on, the policies see only the recent ones.
WINDOW_FROM = 2 * RECENT_TURNS
# The user turns of events the action server is sent: the actions look back two at most (the rated
# question, the form started now); a person taking over reads the conversation from Rasa's API.
ACTION_TURNS = 10


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


def _last_user_turns(events: list, turns: int, sessions: bool = True) -> list:
    """The places of the user's last ``turns`` messages in ``events`` (of its latest session, unless
    ``sessions`` is False), in order: found from the end, so the cost does not grow with the
    conversation."""
    found = []
    for i in range(len(events) - 1, -1, -1):
        event = events[i]
        if isinstance(event, UserUttered):
            found.append(i)
            if len(found) == turns:
                break
        elif sessions and isinstance(event, (SessionStarted, Restarted)):
            break
    return found[::-1]


def _same_events_up_to(events, length: int, last: Event) -> bool:
    """``events`` still begin with the ``length`` events a memo was made from, ending in ``last``
    (the tracker store hands back the same event objects; only appending follows)."""
    return 0 < length <= len(events) and events[length - 1] is last


# How many conversations' states at their last cut are kept (the least recently used go first).
REMEMBERED_CUTS = 512


class _StatesAtCut:
    """Each conversation's state at the last cut the policies were shown, so that the next cut
    replays only the events since: that replay was a tenth of a message's time at message 150."""

    def __init__(self, size: int = REMEMBERED_CUTS) -> None:
        self.size = size
        self._states: OrderedDict[str, Tuple[DialogueStateTracker, Domain, int, Event]] = OrderedDict()
        self._lock = threading.Lock()

    def at(
        self, tracker: DialogueStateTracker, events: list, cut: int, domain: Domain
    ) -> DialogueStateTracker:
        """The state ``events[:cut]`` give, as ``DialogueStateTracker.from_events`` builds it."""
        with self._lock:
            kept = self._states.pop(tracker.sender_id, None)
        state = None
        if kept is not None:
            state, kept_domain, length, last = kept
            if not (kept_domain is domain and length <= cut and _same_events_up_to(events, length, last)):
                state = None
        if state is None:
            state, length = DialogueStateTracker(tracker.sender_id, domain.slots), 0
        for event in events[length:cut]:
            state.update(event)
        if cut:
            with self._lock:
                self._states[tracker.sender_id] = (state, domain, cut, events[cut - 1])
                while len(self._states) > self.size:
                    self._states.popitem(last=False)
        return state


_states_at_cut = _StatesAtCut()


def recent_turns(
    tracker: DialogueStateTracker, domain: Domain, turns: int = RECENT_TURNS, least: int = WINDOW_FROM
) -> DialogueStateTracker:
    """The tracker as the policies would see it had a session begun before its last ``turns`` user
    turns, with the slots carried over (what Rasa's own session start does): the same prediction
    for every rule no longer than that, at a cost that does not grow with the conversation.

    Rasa's policies rebuild the state of every turn of the session for each prediction (the rule
    policy compares only the last few), so at message 150 a turn cost 2-3 times what it did at
    message 1, profiled. The whole tracker is kept where a form is active at the cut (a loop's
    history decides its unhappy paths), where an event may revert past it, or in a short session.
    """
    events = list(tracker.events)
    users = _last_user_turns(events, least)
    if len(users) < least:
        return tracker
    cut = users[-turns] - 1
    listened = events[cut]
    if not (isinstance(listened, ActionExecuted) and listened.action_name == ACTION_LISTEN_NAME):
        return tracker
    recent = events[cut:]
    if any(isinstance(e, (ActionReverted, UserUtteranceReverted, ConversationPaused)) for e in recent):
        return tracker
    before = _states_at_cut.at(tracker, events, cut, domain)
    if before.active_loop_name or before.is_paused():
        return tracker
    carried = [
        SlotSet(name, slot.value) for name, slot in before.slots.items() if slot.value != slot.initial_value
    ]
    session = [ActionExecuted(ACTION_SESSION_START_NAME), SessionStarted(), *carried]
    return DialogueStateTracker.from_events(tracker.sender_id, session + recent, domain.slots)


def _predict_next_with_tracker(self: MessageProcessor, tracker: DialogueStateTracker) -> Any:
    if tracker.followup_action:
        return REPLACED["MessageProcessor._predict_next_with_tracker"](self, tracker)  # no policy runs
    return REPLACED["MessageProcessor._predict_next_with_tracker"](self, recent_turns(tracker, self.domain))


class _RecentEvents:
    """A tracker as the action server is sent it: its whole state, with only its recent events."""

    def __init__(self, tracker: DialogueStateTracker, events: list) -> None:
        self.sender_id, self._tracker, self._events = tracker.sender_id, tracker, events

    def current_state(self, _: EventVerbosity) -> Dict[str, Any]:
        state = self._tracker.current_state(EventVerbosity.NONE)
        state["events"] = [event.as_dict() for event in self._events]
        return state


def _action_call_format(self: RemoteAction, tracker: DialogueStateTracker, domain: Domain) -> Dict[str, Any]:
    # Rasa sends the action server every event of the conversation: at message 150, ~1,300 events
    # serialised, sent and parsed for each action. Slots, the active form and the latest message
    # travel in the state; the events from the last ACTION_TURNS user turns are enough.
    events = list(tracker.events)
    users = _last_user_turns(events, ACTION_TURNS + 1, sessions=False)
    original = REPLACED["RemoteAction._action_call_format"]
    if len(users) <= ACTION_TURNS:
        return original(self, tracker, domain)
    return original(self, _RecentEvents(tracker, events[users[-ACTION_TURNS] - 1 :]), domain)


def _copy_tracker(self: DialogueStateTracker) -> DialogueStateTracker:
    """The copy Rasa makes by replaying every event into a new tracker, made from the state instead.

    Rasa copies the tracker for every action it runs (the temporary tracker of
    ``MessageProcessor._run_action``): a replay of the whole session, growing with it. The state a
    replay rebuilds is the state the events made, and only events change it (nothing in Rasa sets
    it otherwise), so it is copied: the same event objects (a replay shares them too), a copy of
    each slot and of the active loop. ``init_copy`` gives what a replay starts from (no model id,
    no sender source), so only the state the events set is carried over. A tracker that drops old
    events (``max_event_history``), whose replay would start later, is still replayed.
    """
    if self._max_event_history is not None:
        return REPLACED["DialogueStateTracker.copy"](self)
    tracker = self.init_copy()
    tracker.events = tracker._create_events(self.events)
    tracker.slots = {name: copy.copy(slot) for name, slot in self.slots.items()}
    tracker._paused = self._paused
    tracker.followup_action = self.followup_action
    tracker.latest_action = copy.copy(self.latest_action)
    tracker.latest_message = self.latest_message
    tracker.latest_bot_utterance = self.latest_bot_utterance
    tracker.active_loop = copy.copy(self.active_loop)
    return tracker


def _applied_events(self: DialogueStateTracker) -> list:
    """Rasa's ``applied_events``, carried on from where its last call on this tracker stopped.

    Rasa works out the events not reverted by folding over every event of the session, twice per
    message (``MessageProcessor._update_tracker_session``): at message 150, a sixth of the Rasa
    server's time. The fold is Rasa's own, step by step (its helpers do the undoing); what it had
    reached is kept on the tracker, with the loop names it was folded with, and used again while
    the tracker still holds the same events up to there and no new loop name (a loop named later
    changes how earlier events fold) has appeared. A tracker that drops old events is folded whole.
    """
    if self._max_event_history is not None:
        return REPLACED["DialogueStateTracker.applied_events"](self)
    events = self.events
    kept = getattr(self, "_applied_so_far", None)
    loops, length, applied = frozenset(), 0, []
    if kept is not None:
        loops, length, last, applied = kept
        if not _same_events_up_to(events, length, last):
            loops, length, applied = frozenset(), 0, []
    new = list(itertools.islice(events, length, None))
    named = {e.name for e in new if isinstance(e, ActiveLoop) and e.name}
    if not named <= loops:  # fold everything again with every loop's name
        loops, new, applied = loops | named, list(events), []
    for event in new:  # the list kept is carried on in place
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            self._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            self._undo_till_previous(UserUttered, applied)
            self._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loops
            and not self._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            self._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    if events:
        self._applied_so_far = (loops, len(events), events[-1], applied)
    return list(applied)


def apply() -> None:
    """Install every patch (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result
    Event.resolve_by_type = staticmethod(_resolve_by_type)
    RasaModel.load = classmethod(_load_model)
    MessageProcessor._predict_next_with_tracker = _predict_next_with_tracker
    RemoteAction._action_call_format = _action_call_format
    DialogueStateTracker.copy = _copy_tracker
    DialogueStateTracker.applied_events = _applied_events
