"""Deleting a person's conversation at their request (``bot/forgetting.py`` has the whole path).

``action_forget_conversation`` runs after the confirmation, whether it came from the chat or from
the operators' API: it deletes the sender's rows from the logbook, then sets the slot on which the
tracker store deletes the conversation instead of saving it. If the logbook cannot be changed,
nothing is deleted and the person is told so: they can ask again.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.forgetting import FORGET_SLOT
from knowledge.logbook import open_logbook

logger = logging.getLogger(__name__)

DONE_RESPONSE = "utter_forget_done"
FAILED_RESPONSE = "utter_forget_failed"
CONFIRM_RESPONSE = "utter_ask_forget_confirm"
# Rasa's socket.io channel emits a custom payload's "data" as the bot message itself.
FORGOTTEN_SIGNAL = {"data": {"forgotten": True}}
UNSURE_ACTION = "action_fallback_search"
# A request to delete says so: the NLU's guess alone (an English question it has few examples
# like) never asks anyone to confirm a deletion.
ASKS_TO_DELETE = re.compile(
    r"[删刪]|清[空除掉理一]|销毁|銷毀|注销|註銷|delete|erase|remove|clear|forget|wipe", re.IGNORECASE
)


def asks_to_delete(text: str) -> bool:
    return bool(ASKS_TO_DELETE.search(text or ""))


class ActionAskForgetConfirm(Action):
    """After 删除我的聊天记录: the confirmation question; a message the NLU took for such a request
    that asks for no deletion is answered as when the NLU is unsure."""

    def name(self) -> str:
        return "action_ask_forget_confirm"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        if text.startswith("/") or asks_to_delete(text):
            return [FollowupAction(CONFIRM_RESPONSE)]
        return [FollowupAction(UNSURE_ACTION)]


class ActionForgetConversation(Action):
    def name(self) -> str:
        return "action_forget_conversation"

    def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        try:
            deleted = open_logbook().forget(tracker.sender_id)
        except Exception:  # noqa: BLE001 - the person is told; nothing else is deleted
            logger.exception("could not delete a sender's rows from the logbook")
            dispatcher.utter_message(response=FAILED_RESPONSE)
            return []
        dispatcher.utter_message(response=DONE_RESPONSE, feedback=deleted["feedback"], gaps=deleted["gaps"])
        # For the web chat, which then clears its own copy in the browser (bot/web/static/chat.js);
        # WeCom ignores a payload without msgtype; DingTalk and Feishu ignore custom payloads.
        dispatcher.utter_message(json_message=FORGOTTEN_SIGNAL)
        return [SlotSet(FORGET_SLOT, True)]
