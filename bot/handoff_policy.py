"""The dialogue policy that keeps the assistant quiet while a person has the conversation.

``config.yml`` lists it beside RulePolicy with a higher priority. It predicts only what
``bot.handoff.next_action`` says a handoff requires (the wait, an expert's relayed reply, listening
after them, leaving a form for 转人工) and nothing otherwise, so the rules decide every other turn.
The state it reads is the ``handoff`` slot, from the tracker store: it holds after a restart and on
every server sharing the store. A handoff past its timeout is cleared here, on the next message,
which the rules then answer.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, List

from rasa.core.constants import POLICY_PRIORITY
from rasa.core.policies.policy import Policy, PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.generator import TrackerWithCachedStates
from rasa.shared.core.trackers import DialogueStateTracker

from bot.handoff import HANDOFF_SLOT, SettingsError, load_settings, next_action, timed_out

logger = logging.getLogger(__name__)

# Above RulePolicy's 6: when both are sure, the handoff wins.
PRIORITY = 7


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=False)
class HandoffPolicy(Policy):
    """Predicts the handoff's actions (``bot/handoff.py``) and nothing else."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {POLICY_PRIORITY: PRIORITY}

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        return self._resource

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        probabilities = self._default_predictions(domain)
        now = time.time()
        slot_value = tracker.get_slot(HANDOFF_SLOT) if HANDOFF_SLOT in tracker.slots else None
        message = tracker.latest_message
        try:
            experts = load_settings().experts
        except SettingsError as error:
            logger.error("handoff settings: %s; no expert is recognised", error)
            experts = ()
        action = next_action(
            slot_value=slot_value,
            intent=(message.intent or {}).get("name") if message else None,
            latest_action=tracker.latest_action_name,
            text=message.text if message else None,
            channel=message.input_channel if message else None,
            sender=tracker.sender_id,
            now=now,
            experts=experts,
            active_loop=tracker.active_loop_name,
        )
        events = []
        if tracker.latest_action_name == "action_listen" and timed_out(slot_value, now):
            logger.info("handoff of %s timed out; the assistant answers again", tracker.sender_id)
            events.append(SlotSet(HANDOFF_SLOT, None))
        if action is not None:
            probabilities[domain.index_for_action(action)] = 1.0
        # RulePolicy's prediction of an active form is "without user input", which overrules every
        # other kind; so is this one then, or a form would take 转人工 for an answer.
        in_loop = action is not None and tracker.active_loop_name is not None
        return self._prediction(probabilities, events=events, is_no_user_prediction=in_loop)
