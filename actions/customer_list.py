"""Asking for a whole customer list to be analysed (issue #15): the link to the customer-list page.

The page's address is the public web front's (``WEB_PUBLIC_URL``, set by the launcher). A message
the NLU took for such a request that names no list, table or file is answered as when the NLU is
unsure, so a question about 关键客户名单 is never answered with an upload page.
"""

from __future__ import annotations

import re
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction
from rasa_sdk.executor import CollectingDispatcher

from actions.knowledge_base import knowledge_base, read_message
from bot.config import customer_list_url
from knowledge.answers import facets_asked

LINK_RESPONSE = "utter_customer_list_link"
UNSURE_ACTION = "action_fallback_search"
# What a request to analyse a list names: the list, importing or doing it in bulk; a table, a
# spreadsheet or a file only together with customers (excel怎么做数据透视表 asks no such thing).
NAMES_A_LIST = re.compile(
    r"名[单單录錄]|清[单單]|台[账帳]|帕累托|导入|導入|上[传傳]|批量|一批|整[个張张份]|全部客[户戶]|所有客[户戶]|"
    r"upload|import",
    re.IGNORECASE,
)
NAMES_A_TABLE = re.compile(r"表|excel|xlsx|csv|wps|文件|spreadsheet|list", re.IGNORECASE)
CUSTOMERS = re.compile(r"客[户戶]|customer", re.IGNORECASE)
# What asks for something to be done with the user's own list (not a question about the sources).
REQUEST = re.compile(
    r"帮我|帮忙|幫我|幫忙|给我|替我|麻烦|麻煩|能不能|可不可以|可以帮|上[传傳]|导入|導入|批量|分析一下|分析下|跑一下|"
    r"upload|import|analy[sz]e",
    re.IGNORECASE,
)


def names_a_list(text: str) -> bool:
    text = text or ""
    return bool(NAMES_A_LIST.search(text) or (NAMES_A_TABLE.search(text) and CUSTOMERS.search(text)))


def asks_about_the_sources(tracker: Tracker, text: str) -> bool:
    """A question for a part of what the sources say (依据哪些指标确定关键客户名单, 主要客户同普通客户有咩
    分别 — 我哋啲客户名单都係咁排) that asks nothing to be done with a list: the reader's heads take it
    for a question about customer management, worded as one, with a facet asked and no request."""
    if REQUEST.search(text) or not facets_asked(text):
        return False
    understood = read_message(tracker, knowledge_base())
    return understood.asks_about_customer_management and understood.interrogative


class ActionCustomerListLink(Action):
    def name(self) -> str:
        return "action_customer_list_link"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[EventType]:
        text = tracker.latest_message.get("text") or ""
        if not text.startswith("/") and (not names_a_list(text) or asks_about_the_sources(tracker, text)):
            return [FollowupAction(UNSURE_ACTION)]
        dispatcher.utter_message(response=LINK_RESPONSE, url=customer_list_url())
        return []
