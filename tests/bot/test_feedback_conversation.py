"""Feedback and gaps end to end: REST and socket.io (the widget's quick replies) into the logbook."""

from __future__ import annotations

import queue
import uuid
from typing import Any, Dict, List

import pytest
import socketio

from knowledge.logbook import Logbook

pytestmark = pytest.mark.server

RATING = [{"title": "有用", "payload": "/rate_helpful"}, {"title": "没用", "payload": "/rate_unhelpful"}]


def sender() -> str:
    return uuid.uuid4().hex


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def rows(logbook: Logbook, table: str, user: str) -> List[Dict[str, Any]]:
    return [r for r in logbook.rows(table) if r["sender_hash"] == logbook.sender_hash(user)]


def test_an_unhelpful_answer_is_stored_with_its_entry_question_and_comment(say, logbook):
    user = sender()
    answer = say(user, "腰部客户怎么维护")
    assert answer[-1]["buttons"][-2:] == RATING
    follow_up = say(user, "/rate_unhelpful")
    assert "缺了什么" in texts(follow_up)
    assert [b["payload"] for b in follow_up[-1]["buttons"]] == ["/deny"]  # 跳过
    assert "谢谢" in texts(say(user, "没说怎么找到这类客户"))
    [row] = rows(logbook, "feedback", user)
    assert (row["entry_id"], row["rating"], row["question"], row["comment"], row["channel"]) == (
        "waist_customer",
        "unhelpful",
        "腰部客户怎么维护",
        "没说怎么找到这类客户",
        "rest",
    )
    assert "腰部客户" in texts(say(user, "什么是腰部客户"))  # the conversation goes on


@pytest.mark.parametrize("typed", ["有用", "很有帮助"])
def test_a_typed_rating_works_like_the_button(say, logbook, typed):
    user = sender()
    say(user, "白金客户是什么")
    assert "谢谢反馈" in texts(say(user, typed))
    [row] = rows(logbook, "feedback", user)
    assert (row["entry_id"], row["rating"], row["question"]) == (
        "platinum_customer",
        "helpful",
        "白金客户是什么",
    )


def test_the_follow_up_can_be_skipped(say, logbook):
    user = sender()
    say(user, "什么是战略客户")
    say(user, "没用")
    assert "谢谢反馈" in texts(say(user, "/deny"))
    [row] = rows(logbook, "feedback", user)
    assert (row["entry_id"], row["rating"], row["comment"]) == ("strategic_customer", "unhelpful", None)


def test_a_rating_with_nothing_to_rate_stores_nothing(say, logbook):
    user = sender()
    reply = texts(say(user, "/rate_unhelpful"))
    assert "看到回答后" in reply and "缺了什么" not in reply
    assert rows(logbook, "feedback", user) == []


# (message, gap kind, what the assistant did). Payloads fix the intent, so each
# case takes its path whatever the model's guess on a short text would be.
MISSES = [
    ('/ask_definition{"term": "区块链"}', "none", "said_unknown"),
    ('/ask_definition{"term": "价值"}', "ambiguous", "offered_choices"),
    ("那怎么维护", "none", "asked_which_term"),
    ("/nlu_fallback", "fallback", "fallback"),
    # A payload can carry the confidence: an answer given while the NLU was unsure.
    ('/ask_definition@0.45{"term": "白金客户"}', "low_confidence", "answered"),
]


@pytest.mark.parametrize("message, kind, did", MISSES)
def test_each_kind_of_miss_is_logged_with_what_the_assistant_did(say, logbook, message, kind, did):
    user = sender()
    say(user, message)
    [gap] = rows(logbook, "gaps", user)
    assert (gap["kind"], gap["action"], gap["question"], gap["channel"]) == (kind, did, message, "rest")


def test_an_unknown_term_asked_in_words_is_a_gap(say, logbook):
    user = sender()
    assert "还没有" in texts(say(user, "什么是区块链"))
    [gap] = rows(logbook, "gaps", user)
    # Whether the NLU is sure it is a definition question or falls back, the miss is logged.
    assert (gap["kind"], gap["action"], gap["question"]) in {
        ("none", "said_unknown", "什么是区块链"),
        ("fallback", "said_unknown", "什么是区块链"),
    }


# Nonsense the NLU may fall back on; which of them it does depends on the trained model.
# Babble the model may still place somewhere (a trained model is sure of more than it should be),
# and characters no training example has, which leave every intent unlikely.
NONSENSE = ["阿巴阿巴阿巴", "咕噜咕噜咕噜", "qwertyuiop", "zzzz", "龘靐齉爩", "犇犇犇淼淼淼", "ㄅㄆㄇㄈ"]


def test_a_real_fallback_is_logged(say, parse, logbook):
    fallbacks = [text for text in NONSENSE if parse(text)["intent"]["name"] == "nlu_fallback"]
    assert fallbacks, "the NLU fell back on none of the nonsense messages"
    message = fallbacks[0]
    user = sender()
    say(user, message)
    [gap] = rows(logbook, "gaps", user)
    assert (gap["kind"], gap["question"]) == ("fallback", message)


def test_answers_are_counted_without_sender_or_question(say, logbook):
    before = len(logbook.rows("answers"))
    say(sender(), "头部客户和腰部客户有什么区别")
    [row] = logbook.rows("answers")[before:]
    assert (row["kind"], {row["entry_id"], row["other_entry_id"]}) == (
        "compare",
        {"head_customer", "waist_customer"},
    )


def test_the_widgets_quick_replies_are_stored_with_the_socketio_channel(assistant, logbook):
    received: queue.Queue = queue.Queue()
    client = socketio.Client()
    client.on("bot_uttered", lambda data: received.put(data))
    session = sender()

    def say(text: str) -> List[Dict[str, Any]]:
        client.emit("user_uttered", {"message": text, "session_id": session})
        messages = [received.get(timeout=30)]
        while True:  # a turn's messages arrive together
            try:
                messages.append(received.get(timeout=1.5))
            except queue.Empty:
                return messages

    client.connect(assistant.url, transports=["polling"])
    try:
        client.emit("session_request", {"session_id": session})
        answer = say("什么是白金客户")
        quick_replies = answer[-1]["quick_replies"]
        assert [(q["title"], q["payload"]) for q in quick_replies[-2:]] == [
            ("有用", "/rate_helpful"),
            ("没用", "/rate_unhelpful"),
        ]
        say(quick_replies[-1]["payload"])  # the widget sends a quick reply's payload as text
        say("缺一个具体的例子")
    finally:
        client.disconnect()
    [row] = rows(logbook, "feedback", session)
    assert (row["entry_id"], row["rating"], row["question"], row["comment"], row["channel"]) == (
        "platinum_customer",
        "unhelpful",
        "什么是白金客户",
        "缺一个具体的例子",
        "socketio",
    )
