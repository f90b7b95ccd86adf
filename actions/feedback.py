"""Feedback on answers and the gap log: thin adapters between the dialogue and the logbook.

Every knowledge answer (definition, full text, strategy, comparison, class) ends
with the 有用/没用 buttons of the domain response ``utter_rate_answer`` and is
counted in the logbook; a question that fell back, matched nothing, was
ambiguous or was answered while the NLU was unsure is logged as a gap. A rating
is stored with the entry answered last (slot ``last_entry_id``) and the question
that produced that answer; a 没用 then asks, once, what was missing.

Only turns that came through a channel are logged (the launcher's warm-up call
has none). Writing to the logbook never breaks an answer: failures are logged
and ignored.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Dict, List, Sequence, TypeVar

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import knowledge_base
from knowledge.logbook import Logbook, low_confidence, open_logbook
from knowledge.model import Entry
from knowledge.normalize import normalize_name

logger = logging.getLogger(__name__)

RATING_RESPONSE = "utter_rate_answer"
RATING_INTENTS = {"rate_helpful": "helpful", "rate_unhelpful": "unhelpful"}
SKIP_INTENTS = ("deny", "stop")
MAX_SKIP_CHARS = 6  # 不用了 / 跳过吧 skip the comment; a longer sentence is a comment
T = TypeVar("T")


def _safely(tracker: Tracker, write: Callable[[Logbook], T]) -> T | None:
    """Run a logbook write for a user's turn; a failure is logged, never raised into the answer."""
    if tracker.get_latest_input_channel() is None:
        return None
    try:
        return write(open_logbook())
    except Exception:  # noqa: BLE001 - the answer matters more than its log
        logger.exception("could not write to the logbook")
        return None


def _question(tracker: Tracker) -> str:
    return tracker.latest_message.get("text") or ""


def _intent(tracker: Tracker) -> Dict[str, Any]:
    """The NLU's best real intent: under nlu_fallback, the one it was unsure about."""
    message = tracker.latest_message
    intent = message.get("intent") or {}
    if intent.get("name") == "nlu_fallback":
        ranked = [i for i in message.get("intent_ranking") or [] if i.get("name") != "nlu_fallback"]
        intent = ranked[0] if ranked else intent
    return intent


def rating_buttons(domain: Dict[str, Any]) -> List[Dict[str, Any]]:
    variants = (domain.get("responses") or {}).get(RATING_RESPONSE) or [{}]
    return list(variants[0].get("buttons") or [])


def attach_rating(dispatcher: CollectingDispatcher, domain: Dict[str, Any]) -> None:
    """Give the answer's last message the 有用/没用 buttons, so the widget shows them with it.

    Rasa sends the domain with every action call; without it (a selective
    domain), the buttons come as a message of their own.
    """
    buttons = rating_buttons(domain)
    if buttons and dispatcher.messages:
        dispatcher.messages[-1]["buttons"] = list(dispatcher.messages[-1].get("buttons") or []) + buttons
    else:
        dispatcher.utter_message(response=RATING_RESPONSE)


def log_gap(tracker: Tracker, kind: str, action: str, entry_id: str | None = None) -> None:
    """A question not answered well, and what the assistant did."""
    intent = _intent(tracker)
    _safely(
        tracker,
        lambda log: log.record_gap(
            kind,
            _question(tracker),
            action,
            channel=tracker.get_latest_input_channel(),
            sender=tracker.sender_id,
            intent=intent.get("name"),
            confidence=intent.get("confidence"),
            entry_id=entry_id,
        ),
    )


def knowledge_answer(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    domain: Dict[str, Any],
    kind: str,
    entries: Sequence[Entry],
    gap: str | None = None,
    check_confidence: bool = True,
) -> None:
    """After an answer from the knowledge base: rating buttons, the count, and any gap.

    ``gap`` names why the answer is doubtful (``fallback``); otherwise an answer
    given while the NLU's intent confidence was below ``curation.low_confidence``
    is logged as a ``low_confidence`` gap (unless ``check_confidence`` is off:
    a class comes from the whole form, not from one message).
    """
    attach_rating(dispatcher, domain)
    ids = [e.id for e in entries]
    _safely(tracker, lambda log: log.record_answer(ids, kind, channel=tracker.get_latest_input_channel()))
    if gap is None and check_confidence:  # a button's payload has confidence 1
        confidence = _intent(tracker).get("confidence")
        if confidence is not None and float(confidence) < low_confidence():
            gap = "low_confidence"
    if gap is not None:
        log_gap(tracker, gap, "answered", entry_id=ids[0] if ids else None)


def rated_question(tracker: Tracker) -> str | None:
    """The question whose answer is being rated: the user message of the turn before,
    if that turn ended with the rating buttons (a knowledge answer); else None."""
    users = [i for i, e in enumerate(tracker.events) if e.get("event") == "user"]
    if len(users) < 2:
        return None
    previous, current = users[-2], users[-1]
    for event in tracker.events[previous + 1 : current]:
        if event.get("event") != "bot":
            continue
        payloads = {b.get("payload") for b in (event.get("data") or {}).get("buttons") or []}
        if "/rate_helpful" in payloads:
            return tracker.events[previous].get("text") or ""
    return None


class ActionRateAnswer(Action):
    """有用 / 没用 on the last answer: store it; a 没用 then opens the feedback form."""

    def name(self) -> str:
        return "action_rate_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        rating = RATING_INTENTS.get((tracker.latest_message.get("intent") or {}).get("name"), "helpful")
        if rating == "helpful":
            # 有种客户严肃冷静 挑得很 有啥特点: a question the NLU took for praise is answered.
            from actions.definitions import question_instead  # definitions imports this module

            answered = question_instead(dispatcher, tracker, domain, knowledge_base())
            if answered is not None:
                return answered
        question = rated_question(tracker)
        if question is None:  # nothing was answered just before (or it was rated already)
            dispatcher.utter_message(response="utter_rate_nothing")
            return [SlotSet("feedback_id", None), SlotSet("feedback_comment", None)]
        feedback_id = _safely(
            tracker,
            lambda log: log.record_feedback(
                tracker.get_slot("last_entry_id"),
                rating,
                question,
                channel=tracker.get_latest_input_channel(),
                sender=tracker.sender_id,
            ),
        )
        if rating == "helpful" or feedback_id is None:
            dispatcher.utter_message(response="utter_rate_thanks")
            feedback_id = None
        return [SlotSet("feedback_id", feedback_id), SlotSet("feedback_comment", None)]


class ValidateFeedbackForm(FormValidationAction):
    """Asks what was missing only when a 没用 was stored; a short 不用了 / 跳过 skips it."""

    def name(self) -> str:
        return "validate_feedback_form"

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[str]:
        return domain_slots if tracker.get_slot("feedback_id") is not None else []

    def validate_feedback_comment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        if value is None:  # reset by action_rate_answer: still to be asked
            return {"feedback_comment": None}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        text = str(value)
        skipped = text.startswith("/") or (
            intent in SKIP_INTENTS and len(normalize_name(text)) <= MAX_SKIP_CHARS
        )
        return {"feedback_comment": "" if skipped else text.strip()}


class ActionSaveFeedbackComment(Action):
    """Adds the comment to the stored 没用."""

    def name(self) -> str:
        return "action_save_feedback_comment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        feedback_id = tracker.get_slot("feedback_id")
        comment = (tracker.get_slot("feedback_comment") or "").strip()
        if feedback_id is not None:
            if comment and _safely(tracker, lambda log: log.add_comment(int(feedback_id), comment)):
                dispatcher.utter_message(response="utter_feedback_comment_thanks")
            else:
                dispatcher.utter_message(response="utter_rate_thanks")
        return [SlotSet("feedback_id", None), SlotSet("feedback_comment", None)]
