"""Classifying a customer through the REST channel: at once, through the form, corrected, stopped."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.server


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def test_a_full_description_is_classified_at_once(say, kb):
    reply = texts(say(uuid.uuid4().hex, "客户年采购额3000万，毛利率35%，预计明年翻番"))
    platinum = kb.get("白金客户")
    assert "【白金客户】" in reply
    assert "年采购额 3000 万元" in reply and "增长率 100%" in reply
    assert platinum.strategy.strip().splitlines()[0] in reply
    assert platinum.sources[0] in reply


def test_the_form_asks_only_for_what_is_missing_then_takes_a_correction(say):
    user = uuid.uuid4().hex
    first = texts(say(user, "这个客户现在利润贡献很高"))
    assert "增长潜力如何" in first and "带来的价值怎么样" not in first
    assert "【黄金客户】" in texts(say(user, "不太大"))
    assert "【白金客户】" in texts(say(user, "不对，潜力其实很大"))


def test_loose_answers_and_unsure_ones(say):
    user = uuid.uuid4().hex
    assert "带来的价值怎么样" in texts(say(user, "帮我给一个客户分类"))
    assert "增长潜力" in texts(say(user, "一般"))
    reply = texts(say(user, "不清楚"))
    assert "【铅质客户】" in reply and "提示" in reply


def test_stop_cancels_the_form(say):
    user = uuid.uuid4().hex
    say(user, "帮我看看这个客户属于哪一类")
    assert "已取消" in texts(say(user, "算了"))
    assert "客户管理知识助手" in texts(say(user, "你好"))


def test_traditional_script_description(say):
    reply = texts(say(uuid.uuid4().hex, "這個客戶利潤貢獻很高，但以後增長空間不大"))
    assert "【黄金客户】" in reply


@pytest.mark.parametrize("text", ["利润贡献很大，增长潜力挺大的", "现在贡献挺大，以后增长空间也不小"])
def test_a_description_the_nlu_hesitates_over_is_still_classified(say, text):
    # Whatever intent the NLU gives (describe_customer, inform or a fallback), facts in the
    # message lead to the verdict, not to "no such term".
    reply = texts(say(str(uuid.uuid4()), text))
    assert "白金客户" in reply and "词条" not in reply


def test_a_question_taken_for_a_description_is_not_asked_about(say):
    # Whatever intent the NLU gives it, a message with no fact, no request for a class and no
    # customer in it never gets the form's questions; the next description still does.
    user = uuid.uuid4().hex
    reply = texts(say(user, "这个月的销售提成怎么算"))
    assert "带来的价值怎么样" not in reply and "增长潜力如何" not in reply
    assert "没太理解" in reply or "帮助" in reply
    assert "带来的价值怎么样" in texts(say(user, "帮我给一个客户分类"))
