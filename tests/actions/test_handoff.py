"""actions/handoff.py: opening a handoff, waiting, the expert's replies and closing it, against a
temporary logbook and settings file."""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any, Dict, List
from zoneinfo import ZoneInfo

import pytest
from rasa_sdk import Tracker

from actions.handoff import (
    ActionEndHandoff,
    ActionHandoffClosed,
    ActionHandoffReply,
    ActionHandoffWait,
    ActionRequestPerson,
)
from bot.handoff import HANDOFF_SLOT, Handoff, utc
from knowledge.logbook import Logbook
from tests.actions.conftest import make_tracker, term

ALWAYS = """
experts:
  - {wecom_id: ZhangWei, name: 张经理}
  - {wecom_id: LiNa, name: 李老师}
hours: {timezone: Asia/Shanghai, days: [1, 2, 3, 4, 5, 6, 7], start: "00:00", end: "24:00"}
timeout_minutes: 30
"""


@pytest.fixture(autouse=True)
def experts(tmp_path, monkeypatch):
    path = tmp_path / "experts.yml"
    path.write_text(ALWAYS, encoding="utf-8")
    monkeypatch.setenv("HANDOFF_CONFIG", str(path))
    monkeypatch.delenv("WECOM_CORP_ID", raising=False)
    return path


@pytest.fixture
def logbook(logbook_path) -> Logbook:
    return Logbook(logbook_path, salt="test-salt", retention=None)


def user(text: str, intent: str) -> Dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent}},
        "input_channel": "socketio",
    }


def tracker(text: str, intent: str, events: List[Dict[str, Any]] = (), slots=None, entities=None) -> Tracker:
    latest = user(text, intent)
    return Tracker.from_dict(
        {
            "sender_id": "sales-1",
            "slots": slots or {},
            "latest_message": {**latest["parse_data"], "text": text, "entities": entities or []},
            "events": [*events, latest],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def open_slot(replies: int = 0, number: int = 1) -> Dict[str, Any]:
    now = time.time()
    return Handoff(number, "ZhangWei", "张经理", "socketio", now - 10, now + 600, replies).to_slot()


def test_asking_for_a_person_opens_a_handoff_to_an_expert(run_action, logbook):
    question = user("客户回款特别慢，还老压价，怎么跟进", "describe_customer")
    bot = {"event": "bot", "text": "这个客户属于铅质客户。"}
    messages, events = run_action(ActionRequestPerson(), tracker("转人工", "request_person", [question, bot]))
    assert [m["response"] for m in messages] == ["utter_handoff_opened"]
    assert messages[0]["expert"] == "张经理" and messages[0]["minutes"] == 30
    [slot] = [e for e in events if e["event"] == "slot"]
    handoff = Handoff.from_slot(slot["value"])
    assert handoff.id == messages[0]["id"] and handoff.channel == "socketio"
    [row] = logbook.open_handoffs()
    # the question the expert is asked is the one before 转人工, as the salesperson wrote it
    assert row["id"] == handoff.id and row["question"] == "客户回款特别慢，还老压价，怎么跟进"
    assert row["sender"] == "sales-1" and row["expert_id"] == "ZhangWei"


def test_the_next_handoff_goes_to_the_expert_with_fewer_open_ones(run_action, logbook):
    run_action(ActionRequestPerson(), tracker("转人工", "request_person"))
    messages, _ = run_action(ActionRequestPerson(), tracker("找个懂行的同事", "request_person"))
    assert messages[0]["expert"] == "李老师"


def test_outside_working_hours_the_salesperson_is_told_when(run_action, experts, logbook):
    # one hour a day, two hours from now (Shanghai time): closed now, open later today or tomorrow
    later = datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=2)
    window = f'start: "{later:%H}:00", end: "{later:%H}:59"'
    experts.write_text(ALWAYS.replace('start: "00:00", end: "24:00"', window), encoding="utf-8")
    messages, events = run_action(ActionRequestPerson(), tracker("转人工", "request_person"))
    assert [m["response"] for m in messages] == ["utter_handoff_outside_hours"]
    assert messages[0]["when"].endswith(f"{later:%H}:00") and messages[0]["when"][:2] in ("今天", "明天")
    assert messages[0]["hours"] == f"周一至周日 {later:%H}:00–{later:%H}:59"
    assert events == [] and logbook.open_handoffs() == []


def test_without_experts_it_says_no_one_can_take_over(run_action, experts):
    experts.write_text("experts: []\n")
    messages, events = run_action(
        ActionRequestPerson(), make_tracker("找个懂行的同事来答", intent="request_person")
    )
    assert [m["response"] for m in messages] == ["utter_no_person_yet"] and events == []


def test_a_message_taken_for_it_that_names_a_term_is_answered_as_a_question(run_action):
    # 经理 in 关键客户经理: a question about the term, not a request for a manager.
    text = "我想问问关键客户经理都负责些什么"
    messages, _ = run_action(
        ActionRequestPerson(),
        make_tracker(text, intent="request_person", entities=[term("关键客户经理", text.index("关键"))]),
    )
    assert messages and messages[0]["response"] != "utter_handoff_opened"
    assert messages[0].get("term") == "关键客户经理"


def test_waiting_says_who_has_it_until_the_expert_answers_then_stays_quiet(run_action):
    messages, events = run_action(
        ActionHandoffWait(), tracker("还在吗", "greet", slots={HANDOFF_SLOT: open_slot()})
    )
    assert [m["response"] for m in messages] == ["utter_handoff_wait"] and messages[0]["expert"] == "张经理"
    messages, _ = run_action(
        ActionHandoffWait(), tracker("那回款呢", "ask_detail", slots={HANDOFF_SLOT: open_slot(1)})
    )
    assert messages == [] and events == []


def reply_entities(number: int, text: str) -> List[Dict[str, Any]]:
    return [
        {"entity": "handoff_id", "value": str(number)},
        {"entity": "handoff_text", "value": text},
        {"entity": "handoff_expert", "value": "李老师"},
    ]


def test_the_experts_reply_is_a_bot_turn_and_restarts_the_timeout(run_action, logbook):
    number = logbook.open_handoff("sales-1", "ZhangWei", "q", _in(600), "socketio")
    slot = open_slot(number=number)
    reply = "<b>先</b>看回款周期"
    messages, events = run_action(
        ActionHandoffReply(),
        tracker("", "handoff_reply", slots={HANDOFF_SLOT: slot}, entities=reply_entities(number, reply)),
    )
    assert messages[0]["response"] == "utter_handoff_expert_reply"
    assert messages[0]["reply"] == reply and messages[0]["expert"] == "李老师"
    [slot_event] = events
    assert slot_event["value"]["replies"] == 1 and slot_event["value"]["deadline"] > slot["deadline"]
    assert logbook.handoff(number)["replies"] == 1


@pytest.mark.parametrize("number, text", [(99, "回复"), (1, "   "), (1, "字" * 2001)])
def test_a_reply_to_another_handoff_or_an_empty_one_is_dropped(run_action, number, text):
    messages, events = run_action(
        ActionHandoffReply(),
        tracker(
            "", "handoff_reply", slots={HANDOFF_SLOT: open_slot()}, entities=reply_entities(number, text)
        ),
    )
    assert messages == [] and events == []


def _in(seconds: float) -> datetime:
    return utc(time.time() + seconds)


def test_ending_it_gives_the_conversation_back_and_logs_how(run_action, logbook):
    number = logbook.open_handoff("sales-1", "ZhangWei", "q", _in(600), "socketio")
    messages, events = run_action(
        ActionEndHandoff(), tracker("结束人工", "end_handoff", slots={HANDOFF_SLOT: open_slot(number=number)})
    )
    assert [m["response"] for m in messages] == ["utter_handoff_ended"]
    assert events == [{"event": "slot", "timestamp": None, "name": HANDOFF_SLOT, "value": None}]
    assert logbook.handoff(number)["closed_how"] == "salesperson"
    messages, _ = run_action(ActionEndHandoff(), tracker("结束人工", "end_handoff"))
    assert [m["response"] for m in messages] == ["utter_handoff_none_to_end"]


@pytest.mark.parametrize("text", ["黄金客户一般会把多少生意交给我们？", "客户流失率降低5%，利润能多出多少？"])
def test_a_question_taken_for_ending_a_handoff_that_is_not_there_is_answered(run_action, text):
    messages, _ = run_action(ActionEndHandoff(), tracker(text, "end_handoff"))
    assert messages and "utter_handoff_none_to_end" not in [m["response"] for m in messages]


def test_the_expert_closing_it(run_action, logbook):
    number = logbook.open_handoff("sales-1", "ZhangWei", "q", _in(600), "socketio")
    closing = tracker(
        "",
        "handoff_closed",
        slots={HANDOFF_SLOT: open_slot(number=number)},
        entities=[{"entity": "handoff_id", "value": str(number)}],
    )
    messages, events = run_action(ActionHandoffClosed(), closing)
    assert [m["response"] for m in messages] == ["utter_handoff_closed_by_expert"]
    assert events[0]["value"] is None and logbook.handoff(number)["closed_how"] == "expert"
