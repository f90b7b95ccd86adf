"""Asking for a whole customer list to be analysed: the link to the page on the public web front
(actions/customer_list.py); a message that names no list, table or file is answered as unsure."""

from __future__ import annotations

import pytest
from rasa_sdk.events import FollowupAction

from actions.customer_list import ActionCustomerListLink, names_a_list
from tests.actions.conftest import make_tracker


@pytest.mark.parametrize(
    "text",
    [
        "帮我分析一下我的客户名单",
        "我有个客户表想批量分类",
        "能不能导入excel分析客户",
        "上傳客戶名單",
        "客户名单怎么批量分类？",
        "/analyse_customer_list",
    ],
)
def test_a_request_gets_the_page_on_the_public_address(run_action, monkeypatch, domain, text):
    monkeypatch.setenv("WEB_PUBLIC_URL", "https://sales.example.com/")
    messages, events = run_action(
        ActionCustomerListLink(), make_tracker(text, intent="analyse_customer_list")
    )
    assert messages == [
        {
            "text": None,
            "buttons": [],
            "elements": [],
            "custom": {},
            "template": "utter_customer_list_link",
            "response": "utter_customer_list_link",
            "image": None,
            "attachment": None,
            "url": "https://sales.example.com/portfolio",
        }
    ]
    assert events == []
    assert "{url}" in domain["responses"]["utter_customer_list_link"][0]["text"]


def test_without_a_public_address_the_local_web_front_is_named(run_action, monkeypatch):
    monkeypatch.delenv("WEB_PUBLIC_URL", raising=False)
    messages, _ = run_action(
        ActionCustomerListLink(), make_tracker("上传客户名单", intent="analyse_customer_list")
    )
    assert messages[0]["url"] == "http://localhost:8080/portfolio"


@pytest.mark.parametrize(
    "text", ["怎么维护白金客户", "铅质客户是什么意思", "帮我分析一下这个客户", "excel怎么做数据透视表"]
)
def test_a_message_naming_no_list_is_answered_as_unsure(run_action, text):
    messages, events = run_action(
        ActionCustomerListLink(), make_tracker(text, intent="analyse_customer_list")
    )
    assert messages == [] and events == [FollowupAction("action_fallback_search")]
    assert not names_a_list(text)


@pytest.mark.parametrize(
    "text",
    [
        "企业应依据哪些指标对客户进行评估，从而确定关键客户名单？",
        "金字塔里主要客户同普通客户有咩分别？我哋公司啲客户名单都係咁排",
    ],
)
def test_a_question_about_the_sources_that_names_a_list_is_answered_as_unsure(run_action, text):
    # It names 名单, but asks what the sources say (哪些指标, 有咩分别), not for a list to be analysed.
    assert names_a_list(text)
    messages, events = run_action(
        ActionCustomerListLink(), make_tracker(text, intent="analyse_customer_list")
    )
    assert messages == [] and events == [FollowupAction("action_fallback_search")]
