"""Handing the conversation to an expert: opening, waiting, the expert's replies, closing
(``bot/handoff.py`` has the whole path; these are its Rasa actions).

The handoff's state is the ``handoff`` slot; the logbook numbers handoffs, lists the open ones for
the operators' page and keeps what the curators count. Replies and the expert closing a handoff
come as intents triggered through Rasa's HTTP API, with the handoff's number as an entity: a reply
to a handoff that is no longer the conversation's open one is dropped, and the caller sees it.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.definitions import KnowledgeAction, answered_as_question
from actions.knowledge_base import knowledge_base
from bot import handoff_notify
from bot.handoff import (
    CLOSE_INTENT,
    EXPERT_ENTITY,
    HANDOFF_SLOT,
    ID_ENTITY,
    REPLY_INTENT,
    TEXT_ENTITY,
    Handoff,
    SettingsError,
    choose_expert,
    clean_reply,
    expert_message,
    hours_text,
    is_close_word,
    lines_of,
    live_handoff,
    load_settings,
    notification,
    texts,
    utc,
    when_text,
)
from bot.rasa_api import RasaApi, RasaUnavailable, replied
from knowledge.logbook import open_logbook, timestamp
from knowledge.search import KnowledgeBaseMissing

logger = logging.getLogger(__name__)

# Messages that are not the question an expert is asked to answer.
NOT_A_QUESTION = {
    "request_person", "end_handoff", "affirm", "deny", "greet", "thank", "goodbye", "stop",
    "rate_helpful", "rate_unhelpful", REPLY_INTENT, CLOSE_INTENT,
}  # fmt: skip


def _entity(tracker: Tracker, name: str) -> Any:
    return next(
        (e.get("value") for e in tracker.latest_message.get("entities") or [] if e.get("entity") == name),
        None,
    )


def _handoff_named(tracker: Tracker) -> Handoff | None:
    """The conversation's open handoff, if it is the one the triggered intent names."""
    handoff = live_handoff(tracker.get_slot(HANDOFF_SLOT), time.time())
    try:
        named = int(_entity(tracker, ID_ENTITY))
    except (TypeError, ValueError):
        return None
    if handoff is None or handoff.id != named:
        logger.warning("handoff #%s is not the open one of %s: ignored", named, tracker.sender_id)
        return None
    return handoff


def as_written(tracker: Tracker) -> str:
    """The latest message as its writer typed it: the event keeps it, while the parse data has the
    NLU's normalised text (full-width punctuation made half-width, traditional made simplified)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return event.get("text") or ""
    return tracker.latest_message.get("text") or ""


def asked_question(tracker: Tracker) -> str:
    """What the expert is asked: the salesperson's last message before the request that was a
    question, or the request itself."""
    users = [e for e in tracker.events if e.get("event") == "user" and (e.get("text") or "").strip()]
    for event in reversed(users[:-1]):
        intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        if intent not in NOT_A_QUESTION and not event["text"].startswith("/"):
            return event["text"]
    return tracker.latest_message.get("text") or ""


def open_handoff(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
    try:
        settings = load_settings()
    except SettingsError:
        logger.exception("handoff settings")
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    if not settings.experts:
        dispatcher.utter_message(response="utter_no_person_yet")
        return []
    now = time.time()
    if not settings.hours.is_open(utc(now)):
        dispatcher.utter_message(
            response="utter_handoff_outside_hours",
            hours=hours_text(settings.hours),
            when=when_text(settings.hours, utc(now)),
        )
        return []
    channel = tracker.get_latest_input_channel() or ""
    question = asked_question(tracker)
    try:
        book = open_logbook()
        expert = choose_expert(settings.experts, book.open_counts())
        deadline = now + settings.timeout_s
        number = book.open_handoff(tracker.sender_id, expert.wecom_id, question, utc(deadline), channel)
    except Exception:  # noqa: BLE001 - the salesperson is told; the assistant goes on
        logger.exception("could not open a handoff")
        dispatcher.utter_message(response="utter_handoff_failed")
        return []
    handoff = Handoff(number, expert.wecom_id, expert.name, channel, now, deadline)
    turns = lines_of(tracker.events)
    handoff_notify.notify(expert.wecom_id, notification(handoff, question, turns, settings.transcript_turns))
    logger.info("handoff #%d to %s opened", number, expert.wecom_id)
    dispatcher.utter_message(
        response="utter_handoff_opened", expert=expert.name, id=number, minutes=round(settings.timeout_s / 60)
    )
    events: List[EventType] = [SlotSet(HANDOFF_SLOT, handoff.to_slot())]
    if tracker.active_loop.get("name"):
        events.append(ActiveLoop(None))
    return events


class ActionRequestPerson(KnowledgeAction):
    """转人工 / 找个懂行的同事: hand the conversation to an expert; but a message that names a term
    (我想问问关键客户经理是干什么的) is a question about it, answered."""

    # A request for a person goes to a person, even when the reader takes it for a description of
    # a customer (烦死了，我要跟活人讲话 started the classification form).
    hands_descriptions_on = False

    def name(self) -> str:
        return "action_request_person"

    def answer(self, dispatcher, tracker, domain, kb) -> List[EventType]:
        answered = answered_as_question(dispatcher, tracker, domain, kb)
        if answered is not None:
            return answered  # 跟优柔寡断型的客户怎么谈: a question the sources answer, not a request
        return open_handoff(dispatcher, tracker)


class ActionHandoffWait(Action):
    """A message while a person has the conversation: forwarded to the expert; 已转给X，请稍候 until
    they have answered, nothing after."""

    def name(self) -> str:
        return "action_handoff_wait"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        handoff = live_handoff(tracker.get_slot(HANDOFF_SLOT), time.time())
        if handoff is None:
            return []
        text = as_written(tracker).strip()
        if text and not text.startswith("/"):
            handoff_notify.notify(handoff.expert_id, texts()["follow_up"].format(id=handoff.id, text=text))
        if handoff.replies == 0:
            dispatcher.utter_message(response="utter_handoff_wait", expert=handoff.expert)
        return []


class ActionHandoffReply(Action):
    """The expert's reply (intent ``handoff_reply``, triggered through the HTTP API) as a bot turn."""

    def name(self) -> str:
        return "action_handoff_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        handoff = _handoff_named(tracker)
        reply = clean_reply(_entity(tracker, TEXT_ENTITY))
        if handoff is None or reply is None:
            return []
        expert = str(_entity(tracker, EXPERT_ENTITY) or handoff.expert)
        dispatcher.utter_message(response="utter_handoff_expert_reply", expert=expert, reply=reply)
        now = time.time()
        try:
            timeout_s = load_settings().timeout_s
        except SettingsError:
            timeout_s = handoff.deadline - handoff.opened_at
        answered = handoff.answered(now, timeout_s)
        try:
            open_logbook().handoff_replied(handoff.id, utc(answered.deadline), utc(now))
        except Exception:  # noqa: BLE001 - the reply is delivered; only the count is missing
            logger.exception("could not log the reply to handoff #%d", handoff.id)
        return [SlotSet(HANDOFF_SLOT, answered.to_slot())]


def _close(handoff: Handoff, how: str) -> None:
    try:
        open_logbook().close_handoff(handoff.id, how)
    except Exception:  # noqa: BLE001 - the conversation is given back anyway
        logger.exception("could not log the end of handoff #%d", handoff.id)


class ActionHandoffClosed(Action):
    """The expert closed the handoff (intent ``handoff_closed``, triggered through the HTTP API)."""

    def name(self) -> str:
        return "action_handoff_closed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        handoff = _handoff_named(tracker)
        if handoff is None:
            return []
        _close(handoff, "expert")
        dispatcher.utter_message(response="utter_handoff_closed_by_expert", expert=handoff.expert)
        return [SlotSet(HANDOFF_SLOT, None)]


def _question_instead(dispatcher, tracker, domain) -> List[EventType] | None:
    """The answer to a question about customer management the NLU took for 结束人工, else None."""
    if (tracker.latest_message.get("text") or "").startswith("/"):
        return None  # the button
    try:
        kb = knowledge_base()
    except KnowledgeBaseMissing:
        return None  # 结束人工 is answered without it
    return answered_as_question(dispatcher, tracker, domain, kb)


class ActionEndHandoff(Action):
    """结束人工: the conversation goes back to the assistant (the expert is told)."""

    def name(self) -> str:
        return "action_end_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        handoff = live_handoff(tracker.get_slot(HANDOFF_SLOT), time.time())
        if handoff is None:
            asked = _question_instead(dispatcher, tracker, domain)
            if asked is not None:
                return asked  # 黄金客户一般把多少业务给咱: a question the NLU took for 结束人工
            dispatcher.utter_message(response="utter_handoff_none_to_end")
            return [SlotSet(HANDOFF_SLOT, None)]
        _close(handoff, "salesperson")
        handoff_notify.notify(handoff.expert_id, texts()["ended_by_salesperson"].format(id=handoff.id))
        dispatcher.utter_message(response="utter_handoff_ended")
        return [SlotSet(HANDOFF_SLOT, None)]


class ActionRelayExpertReply(Action):
    """An expert's ``#12 回答`` in WeCom: relayed to handoff 12's salesperson (``#12 结束`` closes it);
    the expert is told whether it went out."""

    def name(self) -> str:
        return "action_relay_expert_reply"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        parsed = expert_message(as_written(tracker))
        try:
            expert = load_settings().expert(tracker.sender_id)
        except SettingsError:
            expert = None
        if parsed is None or expert is None:
            return []
        number, body = parsed
        row = open_logbook().handoff(number)
        now = timestamp(utc(time.time()))
        if row is None or row["closed_at"] is not None or not row["sender"] or row["deadline"] <= now:
            dispatcher.utter_message(response="utter_handoff_relay_unknown", id=number)
            return []
        closing = is_close_word(body)
        reply = None if closing else clean_reply(body)
        if not closing and reply is None:
            dispatcher.utter_message(response="utter_handoff_relay_failed", id=number)
            return []
        entities: Dict[str, Any] = {ID_ENTITY: str(number)}
        if not closing:
            entities.update({TEXT_ENTITY: reply, EXPERT_ENTITY: expert.name})
        try:
            answer = await RasaApi.from_environment().trigger_intent(
                row["sender"], CLOSE_INTENT if closing else REPLY_INTENT, entities, row["channel"] or None
            )
        except RasaUnavailable:
            logger.exception("could not relay an expert's reply to handoff #%d", number)
            dispatcher.utter_message(response="utter_handoff_relay_failed", id=number)
            return []
        if not replied(answer.get("tracker") or {}):
            dispatcher.utter_message(response="utter_handoff_relay_unknown", id=number)
            return []
        dispatcher.utter_message(
            response="utter_handoff_relay_closed" if closing else "utter_handoff_relayed", id=number
        )
        return []
