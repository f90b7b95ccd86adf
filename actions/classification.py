"""Actions that classify a described customer: the form's slots and the verdict.

The domain (knowledge.customers) reads the facts, picks the framework the message asks for and
applies it; these actions only keep the facts between turns, ask what the framework still needs
and choose the response.
"""

from __future__ import annotations

from typing import Any, Dict, List

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import REQUESTED_SLOT

from actions.definitions import (
    CUSTOMER_FORM,
    answer_question,
    answer_unsure,
    answer_with_knowledge,
    first_step,
)
from actions.feedback import knowledge_answer
from actions.knowledge_base import cite_files, knowledge_base, read_message
from knowledge.answers import facets_asked
from knowledge.customers import Description, Facts, describe, read_answer, read_facts
from knowledge.customers.describe import class_term
from knowledge.customers.explain import reasons, team_thresholds_note, uses_team_thresholds
from knowledge.customers.frameworks import DIMENSIONS, Verdict, corrected, known_facts
from knowledge.customers.lexicon import has, lexicon
from knowledge.customers.names import framework_mentions

FACTS_SLOT = "customer_facts"
FRAMEWORK_SLOT = "customer_framework"
# The facts and framework of the last verdict, kept after the form so that a correction
# (不对，潜力其实很大) or a question about the verdict (其他分类角度) can use them.
LAST_FACTS_SLOT = "last_customer_facts"
ASK_SLOTS = ("current_value", "growth_potential", "rank_pct", "years", "market_share")
FORM_SLOTS = (FACTS_SLOT, *ASK_SLOTS)
UNKNOWN = "unknown"


def not_a_description(tracker: Tracker) -> bool:
    """The NLU took the message for a description, but the domain reads a question, or a message
    that states no fact, asks for no class and talks about no customer (这个月的销售提成怎么算);
    or it took a question (关键客户一般有啥特征) for an answer about the customer."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent == "describe_customer":
        return not read_message(tracker, knowledge_base()).describes_a_customer
    if intent == "inform":  # an answer or correction without facts (一般) is asked for a description
        understood = read_message(tracker, knowledge_base())
        asks_for_a_part = bool(facets_asked(understood.text))  # 有啥特征, 分几种
        return asks_for_a_part and understood.asks_a_question and not understood.about_one_customer
    return False


def form_started_now(tracker: Tracker) -> bool:
    """The latest message started the classification form (it did not answer its question)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") == CUSTOMER_FORM:
            return True
    return False


# Intents whose messages can tell about the customer unasked; 谢谢 tells nothing (an answer to the
# form's question is read whatever intent the NLU gives it: 行业龙头 is no "yes").
TELLING_INTENTS = (
    "describe_customer",
    "inform",
    "nlu_fallback",
    "ask_definition",
    "ask_strategy",
    "compare_terms",
)


def new_facts(tracker: Tracker) -> Facts:
    """What the latest message says about the customer (an answer to the question asked, too)."""
    text = tracker.latest_message.get("text") or ""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    requested = tracker.get_slot(REQUESTED_SLOT)
    if text.startswith("/") or intent == "stop":  # a button, or 算了
        return Facts()
    if requested is None and intent and intent not in TELLING_INTENTS:
        # Small talk, not an answer; unless the reader takes it for a description that the NLU
        # took for something else (他在我们客户里排第150名，总共600家 as out of scope).
        if not read_message(tracker, knowledge_base()).describes_a_customer:
            return Facts()
    return read_answer(text, requested) if requested in DIMENSIONS else read_facts(text)


def facts_so_far(tracker: Tracker) -> Facts:
    """The facts gathered in this classification (or the last one), updated by the latest message."""
    gathered = tracker.get_slot(FACTS_SLOT)
    if gathered is None:
        gathered = tracker.get_slot(LAST_FACTS_SLOT)
    return corrected(Facts.from_dict(gathered), new_facts(tracker))


def switched_framework(text: str, facts: Facts) -> str | None:
    """The framework a message in a classification names and asks for instead (那按关键客户分呢)."""
    if not text or text.startswith("/"):
        return None
    asked = describe(text, facts)
    return (
        asked.framework if asked.asked and f"mentions:{asked.framework}" in framework_mentions(text) else None
    )


def framework_of(tracker: Tracker, facts: Facts) -> Description:
    """The facts, described under the framework of this classification (chosen when it began, or
    asked for anew by the latest message); without one, the framework the message asks for."""
    text = tracker.latest_message.get("text") or ""
    chosen = tracker.get_slot(FRAMEWORK_SLOT) or (tracker.get_slot(LAST_FACTS_SLOT) or {}).get("framework")
    if chosen is None:
        return describe(text, facts) if not text.startswith("/") else describe("", facts)
    return describe("", facts, framework_id=switched_framework(text, facts) or chosen)


def _is_unknown(text: str) -> bool:
    return has(text, lexicon()["unknown"]) is not None


class ValidateCustomerForm(FormValidationAction):
    """Fills the form from whatever the salesperson has said, and asks what the framework needs."""

    def name(self) -> str:
        return "validate_customer_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        starting = tracker.get_slot(FACTS_SLOT) is None
        text = tracker.latest_message.get("text") or ""
        followed = tracker.get_slot(FRAMEWORK_SLOT)
        if starting:
            # The framework the first message asks for (or its facts point to) leads the form.
            tracker.slots[FRAMEWORK_SLOT] = describe(text, new_facts(tracker)).framework
        else:
            tracker.slots[FRAMEWORK_SLOT] = switched_framework(text, new_facts(tracker)) or followed
        # Only a change is an event: a turn that fills nothing must still be rejected (算了).
        events = (
            []
            if tracker.get_slot(FRAMEWORK_SLOT) == followed and not starting
            else [SlotSet(FRAMEWORK_SLOT, tracker.get_slot(FRAMEWORK_SLOT))]
        )
        events += await super().run(dispatcher, tracker, domain)
        if starting and not_a_description(tracker):
            # Not a description after all: the form ends before asking anything, and the
            # verdict action, which the rules run next, answers the message instead.
            events.append(SlotSet(REQUESTED_SLOT, None))
        return events

    async def required_slots(
        self,
        domain_slots: List[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
    ) -> List[str]:
        """customer_facts, the framework's questions already answered, and the first one not yet
        answered as long as the framework cannot decide."""
        gathered = tracker.get_slot(FACTS_SLOT)
        if gathered is None:
            return [FACTS_SLOT, *ASK_SLOTS]  # extract everything the first message says
        described = describe("", Facts.from_dict(gathered), framework_id=tracker.get_slot(FRAMEWORK_SLOT))
        known = known_facts(described.facts, described.levels)
        slots = [FACTS_SLOT]
        for ask in described.verdict.framework.get("asks", []):
            if ask in known or tracker.get_slot(ask) is not None:
                slots.append(ask)  # answered (不清楚 too): kept, never asked again
            elif not described.verdict.decided:
                slots.append(ask)  # the one to ask now
                break
        return slots

    async def extract_customer_facts(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> Dict[str, Any]:
        newer = new_facts(tracker)
        gathered = tracker.get_slot(FACTS_SLOT)
        if gathered is None:
            # A new classification: set even when empty, so the form never asks for it.
            return {FACTS_SLOT: newer.as_dict()}
        # Later, only a message that says something fills it: otherwise the form must reject the
        # turn so that 算了 or a question can leave it.
        if not newer.stated():
            return {}
        return {FACTS_SLOT: corrected(Facts.from_dict(gathered), newer).as_dict()}

    def _extract(self, ask: str, dispatcher: CollectingDispatcher, tracker: Tracker) -> Dict[str, Any]:
        # customer_facts is extracted first, so the slot already holds this message's facts.
        gathered = Facts.from_dict(tracker.get_slot(FACTS_SLOT))
        described = describe("", gathered, framework_id=tracker.get_slot(FRAMEWORK_SLOT))
        known = known_facts(described.facts, described.levels)
        level = described.levels.get(ask)
        text = tracker.latest_message.get("text") or ""
        requested = tracker.get_slot(REQUESTED_SLOT) == ask
        if level is not None:
            return {ask: UNKNOWN if level.guessed else level.value}
        if ask in known:
            return {ask: str(known[ask])}
        if requested and _is_unknown(text):
            return {ask: UNKNOWN}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if requested and intent not in ("ask_definition", "stop"):
            dispatcher.utter_message(response="utter_level_not_understood")
        return {}

    async def extract_current_value(self, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._extract("current_value", dispatcher, tracker)

    async def extract_growth_potential(self, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._extract("growth_potential", dispatcher, tracker)

    async def extract_rank_pct(self, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._extract("rank_pct", dispatcher, tracker)

    async def extract_years(self, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._extract("years", dispatcher, tracker)

    async def extract_market_share(self, dispatcher, tracker, domain) -> Dict[str, Any]:
        return self._extract("market_share", dispatcher, tracker)


class ActionStopClassification(Action):
    def name(self) -> str:
        return "action_stop_classification"

    async def run(self, dispatcher, tracker, domain) -> List[EventType]:
        dispatcher.utter_message(response="utter_classification_stopped")
        return [SlotSet(slot, None) for slot in FORM_SLOTS]


def _first_step(strategy: str | None) -> str:
    step = first_step(strategy or "")
    return f"建议第一步：{step}" if step else ""


def _notes(described: Description, verdict: Verdict) -> str:
    notes = []
    if uses_team_thresholds(described, verdict):
        notes.append(team_thresholds_note())
    if verdict.framework.get("note") and verdict.label:
        notes.append("注：资料没有给出这一分法的划分标准，这里是近似判断（详见“来源与说明”）。")
    return "".join(f"\n{note}" for note in notes)


def answer_after_all(dispatcher, tracker, domain, kb) -> List[EventType]:
    """A message the NLU took for a description but is none: a question about customer management
    (the reader's word) that a passage answers is answered as a question; the rest as when the NLU
    is unsure (the help text, never "no entry for" a whole sentence)."""
    understood = read_message(tracker, kb)
    if understood.asks_about_customer_management and kb.answer(understood.question).kind != "none":
        return answer_question(dispatcher, tracker, domain, kb)
    return answer_unsure(dispatcher, tracker, domain, kb)


def a_first_description_taken_for_an_answer(tracker: Tracker) -> bool:
    """The NLU took the first description of a conversation for an answer (inform: 一年拿货八百万
    毛利有三成 算白金还是黄金): there is no classification it could correct, so it starts one, and
    the form asks for what is missing instead of the verdict saying it cannot decide."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent != "inform" or tracker.active_loop.get("name"):
        return False
    if tracker.get_slot(FACTS_SLOT) is not None or tracker.get_slot(LAST_FACTS_SLOT) is not None:
        return False
    return read_message(tracker, knowledge_base()).describes_a_customer


class ActionClassifyCustomer(Action):
    """The class the asked framework gives, why, and the first step of the strategy from the sources."""

    def name(self) -> str:
        return "action_classify_customer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        if a_first_description_taken_for_an_answer(tracker):
            return [FollowupAction(CUSTOMER_FORM)]  # the form asks what the framework still needs
        facts = facts_so_far(tracker)
        if (not facts.stated() or form_started_now(tracker)) and not_a_description(tracker):
            # A question after all; the form ended at once (ValidateCustomerForm.run), whatever it
            # read: answer it as a question when the reader takes it for one about customer
            # management (随着关系加深客户会经历哪几个层次), else as when the NLU is unsure; keep the
            # last verdict's facts.
            answered = answer_with_knowledge(answer_after_all, dispatcher, tracker, domain)
            return [*(SlotSet(slot, None) for slot in FORM_SLOTS), *answered]
        if not facts.stated() and tracker.get_slot(FRAMEWORK_SLOT) is None:
            dispatcher.utter_message(response="utter_describe_customer_first")
            return self._done(facts, None)
        described = framework_of(tracker, facts)
        verdict = described.verdict
        kb = knowledge_base()
        frame = verdict.framework["name"]
        lines = "\n".join(reasons(described, verdict))
        entry = kb.get(verdict.entry_id) if verdict.entry_id else None
        if verdict.outside:
            dispatcher.utter_message(
                response="utter_classification_outside",
                framework=frame,
                outside=verdict.outside,
                reasons=lines,
                notes=_notes(described, verdict),
            )
        elif entry is None:
            missing = verdict.framework.get("missing_note") or "还缺少" + "、".join(
                lexicon()["dimension_names"].get(m, m) for m in verdict.missing
            )
            dispatcher.utter_message(
                response="utter_classification_undecided", framework=frame, missing=missing
            )
            return self._done(facts, described.framework)
        elif verdict.label or not entry.strategy:
            dispatcher.utter_message(
                response="utter_classification_plain",
                framework=frame,
                class_term=verdict.label or entry.term,
                reasons=lines,
                notes=_notes(described, verdict),
            )
        else:
            dispatcher.utter_message(
                response="utter_classification",
                framework=frame,
                class_term=entry.term,
                reasons=lines,
                first_step=_first_step(entry.strategy),
                notes=_notes(described, verdict),
            )
        if verdict.borderline:
            dispatcher.utter_message(response="utter_classification_borderline")
        answered = entry or kb.get(verdict.framework["entry"])
        knowledge_answer(dispatcher, tracker, domain, "classification", [answered], check_confidence=False)
        return [*self._done(facts, described.framework), SlotSet("last_entry_id", answered.id)]

    @staticmethod
    def _done(facts: Facts, framework_id: str | None) -> List[EventType]:
        # The form's slots are cleared, so the next description starts a new classification
        # without a call of its own; the facts and the framework stay for a correction.
        return [
            *(SlotSet(slot, None) for slot in FORM_SLOTS),
            SlotSet(LAST_FACTS_SLOT, {**facts.as_dict(), "framework": framework_id}),
            SlotSet(FRAMEWORK_SLOT, framework_id),
        ]


class ActionClassificationDetails(Action):
    """Behind the verdict's buttons: the other frameworks' classes, or the sources and notes."""

    def name(self) -> str:
        return "action_classification_details"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        last = tracker.get_slot(LAST_FACTS_SLOT)
        if not last:
            dispatcher.utter_message(response="utter_describe_customer_first")
            return []
        described = describe("", Facts.from_dict(last), framework_id=last.get("framework"))
        kb = knowledge_base()
        if (tracker.latest_message.get("intent") or {}).get("name") == "classification_sources":
            verdict = described.verdict
            entries = [e for e in (kb.get(verdict.entry_id or ""), kb.get(verdict.framework["entry"])) if e]
            files = list(dict.fromkeys(f for e in entries for f in e.sources))
            notes = [n for n in (verdict.framework.get("note"), verdict.reason) if n]
            notes.append(team_thresholds_note())
            dispatcher.utter_message(
                response="utter_classification_sources", sources=cite_files(kb, files), notes="\n".join(notes)
            )
            return []
        lines = []
        for verdict in described.verdicts[1:]:
            shown = class_term(verdict, kb) or verdict.outside
            if shown:
                lines.append(f"· {verdict.framework['name']}：{shown}")
        if lines:
            dispatcher.utter_message(response="utter_other_frameworks", lines="\n".join(lines))
        else:
            dispatcher.utter_message(response="utter_no_other_frameworks")
        return []
