"""Classifying a customer through the REST channel: at once, through the form, corrected, stopped;
the framework the message asks for; the reply's shape (class, reasons with their words, the first
step) with the full strategy, the other frameworks and the sources behind buttons."""

from __future__ import annotations

import uuid

import pytest

from tests.bot.clients import domain_response

pytestmark = pytest.mark.server


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def titles(messages):
    return [b["title"] for m in messages for b in m.get("buttons") or []]


def payload(messages, title):
    return next(b["payload"] for m in messages for b in m.get("buttons") or [] if b["title"] == title)


ASKED = ("current_value", "growth_potential", "rank_pct", "years", "market_share")
ASK = {name: domain_response(f"utter_ask_{name}") for name in ASKED}


def asked(reply: str):
    return [name for name, question in ASK.items() if question in reply]


def test_a_full_description_is_classified_at_once_with_its_reasons(say, kb):
    user = uuid.uuid4().hex
    messages = say(user, "客户年采购额3000万，毛利率35%，预计明年翻番")
    reply = texts(messages)
    platinum = kb.get("白金客户")
    assert "属于【白金客户】" in reply
    # each fact that decided the class, with the words it was read from
    assert "年采购额 3000 万元（“客户年采购额3000万”）" in reply
    assert "增长率 100%（“预计明年翻番”）" in reply
    first_step = next(line for line in platinum.strategy.splitlines() if line.strip()[:1].isdigit())
    assert first_step.split("、", 1)[-1].split(". ", 1)[-1].strip() in reply
    # the thresholds are said to be the team's, not the sources'
    assert "value_levels.yml" in reply and "不是资料给出的" in reply
    assert titles(messages)[:3] == ["完整策略", "其他分类角度", "来源与说明"]
    # the sources and the full strategy are one tap away, not in the reply
    assert platinum.sources[0] not in reply
    assert platinum.sources[0] in texts(say(user, payload(messages, "来源与说明")))
    assert platinum.strategy.strip().splitlines()[-1].strip() in texts(
        say(user, payload(messages, "完整策略"))
    )


def test_the_other_frameworks_are_behind_a_button_and_only_where_their_facts_are_known(say):
    user = uuid.uuid4().hex
    messages = say(user, "年采购800万，潜力很大")
    others = texts(say(user, payload(messages, "其他分类角度")))
    assert "头部客户" in others and "最有价值客户" in others
    assert "金字塔" not in others and "忠诚" not in others  # no rank, no years: not listed


def test_the_form_asks_only_for_what_is_missing_then_takes_a_correction(say):
    user = uuid.uuid4().hex
    first = texts(say(user, "这个客户现在利润贡献很高"))
    assert asked(first) == ["growth_potential"]
    assert "【黄金客户】" in texts(say(user, "不太大"))
    assert "【白金客户】" in texts(say(user, "不对，潜力其实很大"))


def test_a_correction_changes_just_that_fact(say):
    user = uuid.uuid4().hex
    assert "【白金客户】" in texts(say(user, "一年采购三千万，明年还要扩产"))
    reply = texts(say(user, "不对，利润其实很低"))
    assert "【铁质客户】" in reply and "利润其实很低”）" in reply  # the corrected fact, with its words


def test_loose_answers_and_unsure_ones(say):
    user = uuid.uuid4().hex
    assert asked(texts(say(user, "帮我给一个客户分类"))) == ["current_value"]
    assert asked(texts(say(user, "一般"))) == ["growth_potential"]
    reply = texts(say(user, "不清楚"))
    assert "【铅质客户】" in reply and "提示" in reply


@pytest.mark.parametrize(
    "text, verdict",
    [
        ("他们在行业里份额很小，跟我们的量也不大，算哪类关键客户", "【C类关键客户】"),
        ("排名前1%的客户，在金字塔里算什么", "【VIP客户】"),
        ("排名前1%算什么客户", "【VIP客户】"),
        ("合作八年了，每个月都下单，从不拖款，算忠诚客户吗", "【忠诚客户】"),
        ("服务这个客户花的成本比他给我们赚的还多", "【零价值以下客户】"),
        ("一年给我们贡献一千多万，算头部还是腰部", "【头部客户】"),
    ],
)
def test_the_question_decides_the_framework(say, text, verdict):
    reply = texts(say(uuid.uuid4().hex, text))
    assert verdict in reply and asked(reply) == []


@pytest.mark.parametrize(
    "first, question, answer, verdict",
    [
        ("这家算哪类关键客户", "market_share", "行业龙头", "【A类关键客户】"),
        ("这个客户在金字塔里算哪层", "rank_pct", "一共两千个客户，它排第30", "【主要客户】"),
        ("这客户算不算忠诚客户", "years", "合作五年了，每个月都有单", "【忠诚客户】"),
    ],
)
def test_the_form_asks_what_the_asked_framework_needs(say, first, question, answer, verdict):
    user = uuid.uuid4().hex
    assert asked(texts(say(user, first))) == [question]
    assert verdict in texts(say(user, answer))


def test_a_framework_that_cannot_decide_says_so(say):
    user = uuid.uuid4().hex
    say(user, "这个客户在金字塔里算哪层")
    reply = texts(say(user, "不清楚"))
    assert "判断不了" in reply and "排名" in reply


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
    assert asked(reply) == []
    assert reply in (domain_response("utter_default"), domain_response("utter_out_of_scope"))
    assert asked(texts(say(user, "帮我给一个客户分类"))) == ["current_value"]
