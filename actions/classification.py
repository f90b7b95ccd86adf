"""Actions that classify a described customer: the form's slot extraction and the verdict."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.classifier import DIMENSIONS, classify, describe_facts, describe_levels, value_levels
from actions.definitions import answer_unsure, answer_with_knowledge
from actions.facts import Facts, asks_for_classification, mentions_a_customer, read_answer, read_facts
from actions.feedback import knowledge_answer
from actions.knowledge_base import cite, knowledge_base

FORM_SLOTS = ("current_value", "growth_potential", "customer_facts")
# The facts of the last verdict, kept after the form so that a correction can reclassify.
LAST_FACTS_SLOT = "last_customer_facts"


def not_a_description(tracker: Tracker) -> bool:
    """The NLU took the message for a description, but it states no fact, asks for no class and
    talks about no customer, the terms it names aside: 这个月的销售提成怎么算, customer lifetime
    value 中文啥意思. (帮我给客户归个类 asks; 他们家回款周期拉到了180天 talks about a customer.)"""
    message = tracker.latest_message
    if (message.get("intent") or {}).get("name") != "describe_customer":
        return False  # an answer or correction without facts (一般) is asked for a description
    text = message.get("text") or ""
    if text.startswith("/") or read_facts(text).stated() or asks_for_classification(text):
        return False
    for entity in sorted(message.get("entities") or [], key=lambda e: -(e.get("start") or 0)):
        start, end = entity.get("start"), entity.get("end")
        if entity.get("entity") == "term" and isinstance(start, int) and isinstance(end, int):
            text = text[:start] + " " + text[end:]
    return not mentions_a_customer(text)


def new_facts(tracker: Tracker) -> Facts:
    """What the latest message says about the customer (an answer to the question asked, too)."""
    text = tracker.latest_message.get("text") or ""
    if text.startswith("/"):  # a button payload carries no description
        return Facts()
    requested = tracker.get_slot("requested_slot")
    return read_answer(text, requested) if requested in DIMENSIONS else read_facts(text)


def facts_so_far(tracker: Tracker) -> Facts:
    """The facts gathered in this classification (or the last one), updated by the latest message."""
    gathered = tracker.get_slot("customer_facts")
    if gathered is None:
        gathered = tracker.get_slot(LAST_FACTS_SLOT)
    return Facts.from_dict(gathered).merged(new_facts(tracker))


class ValidateCustomerForm(FormValidationAction):
    """Fills the form's slots from whatever the salesperson has said so far."""

    def name(self) -> str:
        return "validate_customer_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        starting = tracker.get_slot("customer_facts") is None
        events = await super().run(dispatcher, tracker, domain)
        if starting and not_a_description(tracker):
            # Not a description after all: the form ends before asking anything, and the
            # verdict action, which the rules run next, answers the message instead.
            events.append(SlotSet(REQUESTED_SLOT, None))
        return events

    def _extract(self, dimension: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        # customer_facts is the form's first required slot, so its extraction has
        # already merged this message into the tracker: no need to read it again.
        level = value_levels(Facts.from_dict(tracker.get_slot("customer_facts"))).get(dimension)
        slots: Dict[str, Any] = {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if level is not None:
            slots[dimension] = "unknown" if level.guessed else level.value
        elif tracker.get_slot("requested_slot") == dimension and intent not in ("ask_definition", "stop"):
            dispatcher.utter_message(response="utter_level_not_understood")
        return slots

    async def extract_customer_facts(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        newer = new_facts(tracker)
        gathered = tracker.get_slot("customer_facts")
        if gathered is None:
            # A new classification: set even when empty, so the form never asks for it.
            return {"customer_facts": newer.as_dict()}
        # Later, only a message that says something fills it: otherwise the form
        # must reject the turn so that 算了 or a question can leave it.
        if not newer.stated():
            return {}
        return {"customer_facts": Facts.from_dict(gathered).merged(newer).as_dict()}

    async def extract_current_value(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        return self._extract("current_value", dispatcher, tracker)

    async def extract_growth_potential(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        return self._extract("growth_potential", dispatcher, tracker)


class ActionStopClassification(Action):
    def name(self) -> str:
        return "action_stop_classification"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_classification_stopped")
        return [SlotSet(slot, None) for slot in FORM_SLOTS]


class ActionClassifyCustomer(Action):
    """The class on the value matrix, why, the strategy from the sources, other frameworks."""

    def name(self) -> str:
        return "action_classify_customer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        facts = facts_so_far(tracker)
        if not facts.stated() and not_a_description(tracker):
            # The form ended at once (ValidateCustomerForm.run): answer as when the NLU is unsure,
            # and keep the last verdict's facts for a correction.
            unsure = answer_with_knowledge(answer_unsure, dispatcher, tracker, domain)
            return [*(SlotSet(slot, None) for slot in FORM_SLOTS), *unsure]
        verdicts = classify(facts)
        main = verdicts[0]
        kb = knowledge_base()
        entry = kb.get(main.entry_id) if main.entry_id else None
        if entry is None:
            dispatcher.utter_message(response="utter_describe_customer_first")
            return self._done(facts)
        dispatcher.utter_message(
            response="utter_classification",
            framework=main.framework["name"],
            class_term=entry.term,
            facts="；".join(describe_facts(facts)) or "—",
            levels="；".join(describe_levels(value_levels(facts))),
            short=entry.short,
            strategy=entry.strategy or "",
            sources=cite(kb, entry),
        )
        if main.borderline:
            dispatcher.utter_message(response="utter_classification_borderline")
        others = self._other_lines(verdicts[1:], kb)
        if others:
            dispatcher.utter_message(response="utter_other_frameworks", lines="\n".join(others))
        knowledge_answer(dispatcher, tracker, domain, "classification", [entry], check_confidence=False)
        return [*self._done(facts), SlotSet("last_entry_id", entry.id)]

    @staticmethod
    def _done(facts: Facts) -> List[EventType]:
        # The form's slots are cleared, so the next description starts a new classification
        # without a call of its own; the facts stay available to a correction.
        return [*(SlotSet(slot, None) for slot in FORM_SLOTS), SlotSet(LAST_FACTS_SLOT, facts.as_dict())]

    @staticmethod
    def _other_lines(verdicts, kb) -> List[str]:
        lines = []
        for verdict in verdicts:
            entry: Any | None = kb.get(verdict.entry_id) if verdict.entry_id else None
            if entry is not None:
                name = verdict.label or entry.term
                note = verdict.framework.get("note")
                lines.append(f"· {verdict.framework['name']}：{name}" + (f"（{note}）" if note else ""))
            elif verdict.missing and verdict.framework.get("missing_note"):
                lines.append(f"· {verdict.framework['name']}：{verdict.framework['missing_note']}")
        return lines
