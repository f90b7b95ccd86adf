"""Asking in the chat to have a whole customer list analysed (issue #15): the answer is the link to
the customer-list page, whatever the phrasing (through the REST channel, NLU and actions)."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.server


@pytest.mark.parametrize(
    "message",
    [
        "帮我分析一下我的客户名单",
        "我有个客户表想批量分类",
        "能不能导入excel分析客户",
        "客户名单能发给你分析吗",  # as typed in WeCom
        "幫我分析一下我的客戶名單",
        "我手上有张客户表格，想整体分个类",
    ],
)
def test_asking_for_a_list_analysis_answers_with_the_page(say, assistant, message):
    reply = "\n".join(m.get("text", "") for m in say(uuid.uuid4().hex, message))
    assert f"{assistant.web_url}/portfolio" in reply, reply
    assert "支持 .xlsx 和 .csv" in reply


def test_a_question_about_a_class_is_still_answered_as_one(say, kb):
    reply = "\n".join(m.get("text", "") for m in say(uuid.uuid4().hex, "什么是铅质客户"))
    assert "/portfolio" not in reply and kb.get("铅质客户").short in reply
