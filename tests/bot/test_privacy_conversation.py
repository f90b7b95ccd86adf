"""A person has their conversation deleted (bot/forgetting.py): from the chat with a confirmation,
or by an operator through the web front's API; afterwards nothing of it is in the tracker store or
the logbook, and everyone else's records are untouched."""

from __future__ import annotations

import json
import sqlite3
import urllib.parse
import uuid
from typing import Any, Dict, List, Tuple

import pytest

from bot.api_token import api_token
from knowledge.logbook import Logbook
from tests.bot.clients import http

pytestmark = pytest.mark.server


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def converse(say, user: str) -> str:
    """An answer rated 没用 with a comment and an unanswered question; returns a marker in the comment."""
    marker = f"marker-{uuid.uuid4().hex}"
    say(user, "腰部客户怎么维护")
    say(user, "/rate_unhelpful")
    say(user, f"没说怎么找到这类客户 {marker}")
    say(user, "长尾客户是什么意思")
    return marker


def stored(assistant, logbook: Logbook, user: str, marker: str) -> Tuple[int, int, int, bool]:
    """The user's events in the tracker store, feedback and gap rows, and whether the marker is anywhere."""
    with sqlite3.connect(assistant.tracker_db) as db:
        events = db.execute("SELECT count(*) FROM events WHERE sender_id = ?", (user,)).fetchone()[0]
        like = (f"%{marker}%",)
        in_tracker = db.execute("SELECT count(*) FROM events WHERE data LIKE ?", like).fetchone()[0]
    hashed = logbook.sender_hash(user)
    feedback = [r for r in logbook.rows("feedback") if r["sender_hash"] == hashed]
    gaps = [r for r in logbook.rows("gaps") if r["sender_hash"] == hashed]
    in_logbook = marker in json.dumps(logbook.rows("feedback") + logbook.rows("gaps"), ensure_ascii=False)
    return events, len(feedback), len(gaps), bool(in_tracker) or in_logbook


def test_a_person_deletes_their_conversation_from_the_chat(assistant, say, logbook):
    user, other = uuid.uuid4().hex, uuid.uuid4().hex
    marker, others = converse(say, user), converse(say, other)
    events, feedback, gaps, seen = stored(assistant, logbook, user, marker)
    assert events > 10 and feedback == 1 and gaps >= 1 and seen

    asked = say(user, "把我的聊天记录都删了吧")
    assert "确定要删除" in texts(asked)
    assert [b["payload"] for b in asked[-1]["buttons"]] == ["/forget_conversation_confirmed", "/deny"]
    answered = say(user, "/forget_conversation_confirmed")
    assert f"您的 1 条评价和 {gaps} 条问题记录" in texts(answered)
    # …and the signal on which the web chat clears its own copy (bot/web/static/chat.js).
    assert {"data": {"forgotten": True}} in [m.get("custom") for m in answered]

    assert stored(assistant, logbook, user, marker) == (0, 0, 0, False)
    assert stored(assistant, logbook, other, others)[:2] == (events, 1)  # the other person's are kept
    # The next message starts a new conversation, answered as always.
    assert "腰部客户" in texts(say(user, "什么是腰部客户"))


@pytest.mark.parametrize("answer", ["不用了", "不删", "算了"])
def test_no_to_the_confirmation_deletes_nothing(assistant, say, logbook, answer):
    user = uuid.uuid4().hex
    marker = converse(say, user)
    before = stored(assistant, logbook, user, marker)
    assert "确定要删除" in texts(say(user, "删除我的聊天记录"))
    assert "没有删除" in texts(say(user, answer))
    events, *rest = stored(assistant, logbook, user, marker)
    assert events > before[0] and tuple(rest) == before[1:]


@pytest.mark.parametrize("answer", ["是的", "确认删除"])
def test_yes_in_words_to_the_confirmation_deletes_it(assistant, say, logbook, answer):
    user = uuid.uuid4().hex
    marker = converse(say, user)
    assert "确定要删除" in texts(say(user, "清空我的聊天记录"))
    assert "已删除" in texts(say(user, answer))
    assert stored(assistant, logbook, user, marker) == (0, 0, 0, False)


@pytest.mark.parametrize(
    "text", ["请把我在这儿的对话记录都清掉", "我發過的內容全部刪除", "could you delete everything I sent"]
)
def test_the_request_is_understood_in_other_words(parse, text):
    assert parse(text)["intent"]["name"] == "forget_conversation"


@pytest.mark.parametrize(
    "text",
    [
        "Can you give me the internet example?",
        "Tell me everything about key accounts",
        "give me all the figures you have",
    ],
)
def test_a_question_is_never_taken_for_a_request_to_delete(say, text):
    reply = texts(say(uuid.uuid4().hex, text))
    assert "确定要删除" not in reply and "已删除" not in reply


def delete(assistant, sender: str, token: str | None) -> Tuple[int, Dict[str, Any]]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    url = f"{assistant.web_url}/api/conversations/{urllib.parse.quote(sender, safe='')}"
    status, _, body = http(url, method="DELETE", content_type=None, headers=headers, timeout=30)
    return status, json.loads(body)


def test_an_operator_deletes_a_persons_conversation_through_the_api(assistant, say, logbook):
    user, other = f"wecom:{uuid.uuid4().hex}", uuid.uuid4().hex
    marker, others = converse(say, user), converse(say, other)
    assert stored(assistant, logbook, user, marker)[0] > 10

    assert delete(assistant, user, None)[0] == 401
    assert delete(assistant, user, "wrong")[0] == 401
    assert stored(assistant, logbook, user, marker)[1] == 1  # nothing deleted without the token

    status, body = delete(assistant, user, api_token())
    assert status == 200 and body["sender"] == user and body["deleted"] is True
    assert "1 条评价" in body["reply"]
    assert stored(assistant, logbook, user, marker) == (0, 0, 0, False)
    assert stored(assistant, logbook, other, others)[1] == 1
    # Deleting a conversation that is not there (any more) deletes nothing and stores nothing.
    status, body = delete(assistant, user, api_token())
    assert status == 200 and "0 条评价" in body["reply"]
    assert stored(assistant, logbook, user, marker) == (0, 0, 0, False)


@pytest.mark.parametrize("sender", ["x" * 256, "a\x00b", "line\nbreak"])
def test_a_malformed_conversation_id_is_refused_with_a_clear_error(assistant, sender):
    status, body = delete(assistant, sender, api_token())
    assert status == 400 and body["code"] == "bad_sender"
