"""Handing a conversation to an expert, end to end through the REST channel, the operators' API of
the web front and Rasa's HTTP API: the request in the held-out phrasings, quiet mode, the expert's
reply as a turn of the tracker, 结束人工, the expert closing it, the timeout and a Rasa restart."""

from __future__ import annotations

import json
import time
import urllib.parse
import uuid
from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
import yaml

from bot.api_token import api_token
from bot.handoff import HANDOFF_SLOT
from tests.bot.clients import domain_response, http
from tests.bot.conftest import ALWAYS_EXPERTS
from tests.bot.nlu_evaluation import HANDOFF_SET

pytestmark = pytest.mark.server


def sender() -> str:
    return f"sales-{uuid.uuid4().hex}"


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages)


def operators(assistant, path: str, body: Any = None, token: str | None = "default") -> Tuple[int, Any]:
    """Call the web front's operators' API; status and JSON body."""
    headers = (
        {} if token is None else {"Authorization": f"Bearer {api_token() if token == 'default' else token}"}
    )
    data = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode("utf-8"))
    status, _, text = http(
        f"{assistant.web_url}{path}", data, method="POST" if body is not None else "GET", headers=headers
    )
    return status, json.loads(text)


def tracker(assistant, user: str) -> Dict[str, Any]:
    url = f"{assistant.url}/conversations/{urllib.parse.quote(user)}/tracker?token={api_token()}"
    status, _, body = http(url, method="GET", content_type=None)
    assert status == 200
    return json.loads(body)


def open_handoff(assistant, user: str) -> Dict[str, Any]:
    """The operators' view of the user's open handoff (the slot says which)."""
    number = tracker(assistant, user)["slots"][HANDOFF_SLOT]["id"]
    status, body = operators(assistant, "/api/handoffs")
    assert status == 200
    [handoff] = [h for h in body["handoffs"] if h["id"] == number]
    return handoff


def held_out_requests() -> List[str]:
    data = yaml.safe_load(HANDOFF_SET.read_text(encoding="utf-8"))
    [block] = [b for b in data["nlu"] if b["intent"] == "request_person"]
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


def test_the_held_out_requests_each_hand_the_conversation_over(say):
    phrasings = held_out_requests()
    assert len(phrasings) >= 30
    handed = []
    for text in phrasings:
        user = sender()
        reply = texts(say(user, text))
        handed.append("已转给" in reply)
        say(user, "/end_handoff")
    share = sum(handed) / len(handed)
    missed = [t for t, ok in zip(phrasings, handed, strict=True) if not ok]
    print(
        f"\nheld-out requests for a person handed over: {sum(handed)}/{len(handed)} ({share:.1%});",
        f"missed: {missed}",
    )
    assert share >= 0.95, missed


def test_an_expert_takes_the_conversation_over_and_gives_it_back(assistant, say, kb):
    user = sender()
    say(user, "客户回款特别慢，年采购额才十来万，这种要不要继续跟")
    opened = texts(say(user, "转人工"))
    assert "已转给" in opened and "#" in opened

    # the operators' page lists it with the question and the transcript
    handoff = open_handoff(assistant, user)
    assert handoff["question"] == "客户回款特别慢，年采购额才十来万，这种要不要继续跟"
    assert handoff["transcript"][0] == {"who": "salesperson", "text": handoff["question"]}
    assert handoff["replies"] == 0 and handoff["channel"] == "rest"
    expert = handoff["expert"]

    # quiet mode: a question gets only 已转给X，请稍候, and asking again the same
    waiting = domain_response("utter_handoff_wait", expert=expert)
    assert texts(say(user, "什么是白金客户")) == waiting
    assert texts(say(user, "转人工")) == waiting

    # the expert's reply is a bot turn of the conversation
    status, body = operators(
        assistant, f"/api/handoffs/{handoff['id']}/reply", {"text": "先看回款周期，再谈账期"}
    )
    assert status == 200 and body["sent"] is True
    events = tracker(assistant, user)["events"]
    assert any(e.get("text") == f"{expert}：先看回款周期，再谈账期" for e in events if e["event"] == "bot")
    assert tracker(assistant, user)["slots"][HANDOFF_SLOT]["replies"] == 1

    # once the expert has answered, the salesperson's messages go to them without a word from the bot
    assert say(user, "好的，那账期给多长合适") == []
    assert any(t["text"] == "好的，那账期给多长合适" for t in open_handoff(assistant, user)["transcript"])

    # 结束人工: the assistant answers again
    ended = texts(say(user, "结束人工"))
    assert ended == domain_response("utter_handoff_ended")
    assert kb.get("白金客户").short in texts(say(user, "什么是白金客户"))
    status, body = operators(assistant, "/api/handoffs")
    assert handoff["id"] not in [h["id"] for h in body["handoffs"]]


def test_the_expert_closes_it_from_the_operators_page(assistant, say, kb, logbook):
    user = sender()
    say(user, "找个懂行的同事")
    handoff = open_handoff(assistant, user)
    status, body = operators(assistant, f"/api/handoffs/{handoff['id']}/close", {})
    assert status == 200 and body["closed"] is True
    bots = [e["text"] for e in tracker(assistant, user)["events"] if e["event"] == "bot"]
    assert bots[-1] == domain_response("utter_handoff_closed_by_expert", expert=handoff["expert"])
    assert kb.get("白金客户").short in texts(say(user, "什么是白金客户"))
    assert logbook.handoff(handoff["id"])["closed_how"] == "expert"


def test_结束人工_without_a_handoff_says_there_is_none(say):
    assert texts(say(sender(), "结束人工")) == domain_response("utter_handoff_none_to_end")


@pytest.fixture
def experts_settings(assistant):
    """The running assistant's experts file; restored after the test."""
    path = Path(assistant.env["HANDOFF_CONFIG"])
    yield path
    path.write_text(ALWAYS_EXPERTS, encoding="utf-8")


def test_with_no_word_from_the_expert_the_conversation_goes_back_after_the_timeout(
    assistant, say, kb, logbook, experts_settings
):
    experts_settings.write_text(ALWAYS_EXPERTS.replace("timeout_minutes: 30", "timeout_minutes: 0.05"))
    user = sender()
    opened = texts(say(user, "转人工"))
    assert "已转给" in opened
    number = tracker(assistant, user)["slots"][HANDOFF_SLOT]["id"]
    assert "请稍候" in texts(say(user, "什么是白金客户"))
    time.sleep(3.5)
    assert kb.get("白金客户").short in texts(say(user, "什么是白金客户"))
    assert tracker(assistant, user)["slots"][HANDOFF_SLOT] is None
    # too late for the expert: nothing is sent, and the operator is told so
    status, body = operators(assistant, f"/api/handoffs/{number}/reply", {"text": "来晚了"})
    assert status == 409 and body["code"] == "handoff_closed"
    assert "来晚了" not in json.dumps(tracker(assistant, user), ensure_ascii=False)


def test_outside_working_hours_the_salesperson_is_told_when_someone_answers(say, experts_settings):
    experts_settings.write_text(
        ALWAYS_EXPERTS.replace('start: "00:00", end: "24:00"', 'start: "00:00", end: "00:00:01"')
    )
    reply = texts(say(sender(), "转人工"))
    assert "不是专家的工作时间" in reply and "00:00之后会有人回复" in reply


def test_a_handoff_survives_a_rasa_restart(assistant, say):
    user = sender()
    say(user, "转人工")
    assistant.stop("rasa")
    assistant.start_rasa()
    assert "请稍候" in texts(say(user, "什么是白金客户"))
    handoff = open_handoff(assistant, user)
    status, _ = operators(assistant, f"/api/handoffs/{handoff['id']}/reply", {"text": "重启之后也收到了"})
    assert status == 200
    assert texts(say(user, "结束人工")) == domain_response("utter_handoff_ended")


# -- bad input on the operators' page and API: a 4xx saying why, nothing lost ----------------------


@pytest.fixture
def waiting(assistant, say) -> Tuple[str, Dict[str, Any]]:
    user = sender()
    say(user, "我想问问经理")
    return user, open_handoff(assistant, user)


@pytest.mark.parametrize("path", ["/operators", "/api/handoffs"])
@pytest.mark.parametrize("token", [None, "wrong-token"])
def test_without_the_token_the_page_and_the_list_are_401(assistant, path, token):
    status, body = operators(assistant, path, token=token)
    assert status == 401 and body["code"] == "operators_token" and body["error"]


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        ("/api/handoffs/{id}/reply", {"text": "x"}, 401, "operators_token"),  # (no token: below)
        ("/api/handoffs/999999/reply", {"text": "回复"}, 404, "handoff_not_found"),
        ("/api/handoffs/abc/reply", {"text": "回复"}, 404, "handoff_not_found"),
        ("/api/handoffs/999999/close", {}, 404, "handoff_not_found"),
        ("/api/handoffs/{id}/reply", {"text": ""}, 400, "empty_reply"),
        ("/api/handoffs/{id}/reply", {"text": " \u200b\n "}, 400, "empty_reply"),
        ("/api/handoffs/{id}/reply", {"reply": "回复"}, 400, "bad_reply"),
        ("/api/handoffs/{id}/reply", {"text": 12}, 400, "bad_reply"),
        ("/api/handoffs/{id}/reply", ["回复"], 400, "bad_reply"),
        ("/api/handoffs/{id}/reply", b"not json", 400, "bad_reply"),
        ("/api/handoffs/{id}/reply", b"\xff\xfe", 400, "bad_reply"),
        ("/api/handoffs/{id}/reply", {"text": "字" * 2001}, 413, "reply_too_long"),
        ("/api/handoffs/{id}/reply", {"text": "x" * (1024 * 1024)}, 413, "reply_too_long"),
    ],
)
def test_bad_requests_are_4xx_and_lose_nothing(assistant, say, waiting, path, body, status, code):
    user, handoff = waiting
    token = None if status == 401 else "default"
    got, answer = operators(assistant, path.format(id=handoff["id"]), body, token=token)
    assert (got, answer["code"]) == (status, code) and answer["error"] and answer["error_en"]
    # nothing was sent, the handoff is still open, and a good reply still goes out
    assert [e for e in tracker(assistant, user)["events"] if e["event"] == "bot"][-1]["text"].startswith(
        "好的，已转给"
    )
    ok, _ = operators(assistant, f"/api/handoffs/{handoff['id']}/reply", {"text": "正常的回复"})
    assert ok == 200
    say(user, "/end_handoff")


def test_html_in_a_reply_is_delivered_as_text(assistant, say, waiting):
    user, handoff = waiting
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)"> 先看回款'
    status, body = operators(assistant, f"/api/handoffs/{handoff['id']}/reply", {"text": hostile})
    assert status == 200 and body["text"] == hostile
    bots = [e["text"] for e in tracker(assistant, user)["events"] if e["event"] == "bot"]
    assert bots[-1] == f"{handoff['expert']}：{hostile}"  # as typed; the widget and page show it as text
    transcript = open_handoff(assistant, user)["transcript"]
    assert transcript[-1] == {"who": "expert", "text": f"{handoff['expert']}：{hostile}"}
    say(user, "/end_handoff")


def test_a_closed_handoff_takes_no_reply(assistant, say, waiting):
    user, handoff = waiting
    say(user, "结束人工")
    status, body = operators(assistant, f"/api/handoffs/{handoff['id']}/reply", {"text": "还在吗"})
    assert status == 409 and body["code"] == "handoff_closed"
    status, body = operators(assistant, f"/api/handoffs/{handoff['id']}/close", {})
    assert status == 409
    assert "还在吗" not in json.dumps(tracker(assistant, user), ensure_ascii=False)
