"""Answering the part that was asked, through the REST channel: a passage of an entry, a passage
quoted from the sources, a term the sources do not define, a comparison; questions that mention
business or figures are answered, never taken for a description of a customer."""

from __future__ import annotations

import uuid

import pytest

from tests.bot.clients import domain_response

pytestmark = pytest.mark.server

FORM_QUESTIONS = [
    domain_response(f"utter_ask_{n}") for n in ("current_value", "growth_potential", "rank_pct")
]


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def titles(messages):
    return [b["title"] for m in messages for b in m.get("buttons") or []]


def no_form(reply: str) -> bool:
    return "属于【" not in reply and not any(q in reply for q in FORM_QUESTIONS)


def test_a_part_of_an_entry_comes_first_then_the_short_answer_or_the_seeds_words_and_the_sources(say, kb):
    entry = kb.get("客户服务")
    messages = say(uuid.uuid4().hex, "客户服务的发展经历了哪些阶段")
    reply = texts(messages)
    assert reply.startswith("【客户服务】") and "业主服务阶段" in reply
    after = entry.short if entry.short in reply else "资料原文（《"
    assert reply.index("业主服务阶段") < reply.index(after) < reply.index(entry.sources[0])
    assert "查看全文" in titles(messages)


def test_an_entrys_passage_is_shown_with_the_seeds_own_words_that_answer_too(say, kb):
    # The entry's steps, cleaned, then the seed's own list (003), which counts "三个步骤" and lists five.
    entry = kb.get("市场细分")
    reply = texts(say(uuid.uuid4().hex, "市场细分有哪些步骤"))
    assert reply.startswith("【市场细分】") and "购买原因" in reply
    quoted = reply.index("资料原文（《")
    assert "第353段）：“" in reply[quoted:] and "三个步骤" in reply[quoted:]
    assert entry.short not in reply and entry.sources[0] in reply[quoted:]


def test_a_fact_no_entry_holds_is_quoted_from_the_sources_and_named(say, logbook):
    question = "近两年国内成立了多少家物流企业"
    reply = texts(say(uuid.uuid4().hex, question))
    assert "73万家" in reply and "004_2807d25f83753e98.txt" in reply and "资料原文" in reply
    assert "还没有把它整理成词条" in reply
    gaps = [g for g in logbook.rows("gaps") if g["question"] == question]
    assert [(g["kind"], g["action"]) for g in gaps] == [("source", "answered_from_sources")]


def test_a_term_the_sources_only_mention_is_said_to_be_undefined(say, kb):
    messages = say(uuid.uuid4().hex, "长尾客户指的是什么客户")
    reply = texts(messages)
    assert "资料没有给出“长尾客户”的定义" in reply and "000_335af4e072a261b0.txt" in reply
    assert "腰部客户" in titles(messages)  # the entry the sources compare it with


@pytest.mark.parametrize(
    "question",
    [
        "铅质客户一般能给我们带来多少生意",
        "VIP客户在客户金字塔里占前百分之几",
        "what share of customers are VIP clients in the customer pyramid?",
        "零价值以下的客户为什么会让企业亏钱",
        "为什么有的客户单子很大，利润却很薄",
        "客户回款慢的话，资料里说该怎么应对",
    ],
)
def test_a_question_with_business_or_figures_in_it_is_answered_not_classified(say, question):
    reply = texts(say(uuid.uuid4().hex, question))
    assert no_form(reply) and reply


def test_a_comparison_of_two_named_terms_sets_their_passages_side_by_side(say, kb):
    reply = texts(say(uuid.uuid4().hex, "黄金客户跟白金客户比起来怎么样"))
    assert "【黄金客户】" in reply and "【白金客户】" in reply
    assert "不同的是" in reply  # 白金客户's own passage that names 黄金客户


def test_a_question_about_one_term_with_gen_in_it_is_answered(say):
    reply = texts(say(uuid.uuid4().hex, "客户服务跟售后服务是一回事吗"))
    assert "售后服务" in reply and "和哪个术语作比较" not in reply
