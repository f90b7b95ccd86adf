"""End-to-end conversations through the REST channel, actions included."""

from __future__ import annotations

import uuid

import pytest

from knowledge.answers import defining_passage

pytestmark = pytest.mark.server


def sender() -> str:
    return uuid.uuid4().hex


def texts(messages):
    return "\n".join(m.get("text", "") for m in messages)


def test_definition_answers_the_curated_text_with_its_source(say, kb):
    entry = kb.get("腰部客户")
    reply = say(sender(), "腰部客户的定义")
    assert entry.short in texts(reply)
    assert entry.sources[0] in texts(reply)
    payloads = [b["payload"] for m in reply for b in m.get("buttons", [])]
    assert '/ask_detail{"term": "腰部客户"}' in payloads


@pytest.mark.parametrize(
    "message, expected",
    [
        ("什么是腰部客户?", "腰部客户"),
        ("戰略客戶是什麼意思", "战略客户"),
        ("要部客户是啥", "腰部客户"),
        ("KAM是什么", "关键客户管理"),
        ("说下白金客户呗", "白金客户"),
    ],
)
def test_phrasings_scripts_and_typos(say, kb, message, expected):
    assert kb.get(expected).short in texts(say(sender(), message))


def test_follow_ups_use_the_last_term(say, kb):
    user = sender()
    waist, head = kb.get("腰部客户"), kb.get("头部客户")
    assert waist.short in texts(say(user, "什么是腰部客户"))
    strategy = texts(say(user, "那怎么维护这类客户"))
    assert waist.strategy.strip().splitlines()[0] in strategy
    comparison = texts(say(user, "和头部客户有什么区别?"))
    # each term's own passage that names the other (头部客户就是大客户 …)
    assert defining_passage(waist, head) in comparison and defining_passage(head, waist) in comparison
    detail = texts(say(user, "详细说说"))
    assert head.answer.splitlines()[0] in detail


def test_button_payload_answers_its_term(say, kb):
    reply = say(sender(), '/ask_detail{"term": "白金客户"}')
    assert kb.get("白金客户").answer.splitlines()[0] in texts(reply)


def test_unknown_term_is_said_honestly(say):
    assert "还没有" in texts(say(sender(), "什么是区块链"))


def test_out_of_scope_says_what_the_assistant_can_do(say):
    reply = texts(say(sender(), "今天北京天气怎么样"))
    assert "超出" in reply and "客户" in reply


def test_greeting_and_thanks(say):
    user = sender()
    assert "客户管理知识助手" in texts(say(user, "你好"))
    assert "不客气" in texts(say(user, "谢谢啦"))
