"""bot/handoff.py: the experts' settings, working hours, the handoff's state and what a message
does while a person has the conversation (no Rasa)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.handoff import (
    LISTEN_ACTION,
    RELAY_ACTION,
    REQUEST_ACTION,
    WAIT_ACTION,
    Expert,
    Handoff,
    SettingsError,
    Turn,
    choose_expert,
    clean_reply,
    expert_message,
    hours_text,
    is_close_word,
    lines_of,
    load_settings,
    next_action,
    notification,
    when_text,
)

EXPERTS = (Expert("ZhangWei", "张经理"), Expert("LiNa", "李老师"))
NOW = 1_800_000_000.0
OPEN = Handoff(7, "ZhangWei", "张经理", "socketio", NOW - 60, NOW + 600).to_slot()


def settings_file(tmp_path, text: str):
    path = tmp_path / "experts.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_settings_load():
    settings = load_settings()
    assert settings.experts and settings.timeout_s > 0 and settings.transcript_turns >= 1


@pytest.mark.parametrize(
    "text, fix",
    [
        ("experts:\n  - name: 张经理\n", "needs a wecom_id"),
        ("experts:\n  - {wecom_id: a, name: x}\n  - {wecom_id: a, name: y}\n", "listed twice"),
        ("hours: {timezone: Mars/Base}\n", "not a time zone"),
        ("hours: {start: nine}\n", "HH:MM"),
        ("hours: {days: [0, 8]}\n", "ISO weekdays"),
        ("timeout_minutes: 0\n", "above 0"),
    ],
)
def test_a_bad_settings_file_is_refused_naming_the_file_and_the_fix(tmp_path, text, fix):
    path = settings_file(tmp_path, text)
    with pytest.raises(SettingsError) as error:
        load_settings(path)
    assert str(path) in str(error.value) and fix in str(error.value)


def at(text: str) -> datetime:
    """A moment in Shanghai time."""
    return datetime.fromisoformat(text + "+08:00")


@pytest.mark.parametrize(
    "moment, is_open, when",
    [
        ("2026-12-02T10:00", True, "今天 10:00"),  # a Wednesday, within hours
        ("2026-12-02T08:59", False, "今天 09:00"),
        ("2026-12-02T18:00", False, "明天 09:00"),  # the end is exclusive
        ("2026-12-04T19:30", False, "周一 09:00"),  # Friday evening
        ("2026-12-05T12:00", False, "周一 09:00"),  # Saturday
    ],
)
def test_working_hours_and_when_experts_answer_next(tmp_path, moment, is_open, when):
    hours = load_settings(
        settings_file(
            tmp_path, "hours: {timezone: Asia/Shanghai, days: [1,2,3,4,5], start: '09:00', end: '18:00'}\n"
        )
    ).hours
    assert hours.is_open(at(moment)) is is_open
    assert when_text(hours, at(moment).astimezone(timezone.utc)) == when
    assert hours_text(hours) == "周一至周五 09:00–18:00"


@pytest.mark.parametrize(
    "state, expected",
    [
        ({}, WAIT_ACTION),  # a question while the expert has the conversation
        ({"intent": "request_person"}, WAIT_ACTION),  # asked again: 已转给X，请稍候
        ({"intent": "end_handoff"}, None),  # 结束人工: the rule
        ({"intent": "handoff_reply"}, None),  # the expert's reply: the rule
        ({"intent": "forget_conversation"}, None),  # a deletion still works
        ({"slot_value": None}, None),  # no handoff: the assistant answers
        ({"now": NOW + 601}, None),  # past the timeout: the assistant answers
        ({"latest_action": WAIT_ACTION}, LISTEN_ACTION),
        ({"latest_action": "action_answer_term"}, None),
        # an expert's numbered reply in WeCom, and only there (REST senders name themselves)
        ({"slot_value": None, "sender": "LiNa", "channel": "wecom", "text": "#7 先看回款"}, RELAY_ACTION),
        ({"slot_value": None, "sender": "LiNa", "channel": "rest", "text": "#7 先看回款"}, None),
        ({"slot_value": None, "sender": "someone", "channel": "wecom", "text": "#7 先看回款"}, None),
        ({"slot_value": None, "sender": "LiNa", "channel": "wecom", "text": "什么是腰部客户"}, None),
        # asking for a person in the middle of the classification form leaves it
        ({"slot_value": None, "intent": "request_person", "active_loop": "customer_form"}, REQUEST_ACTION),
        ({"slot_value": None, "intent": "inform", "active_loop": "customer_form"}, None),
        ({"intent": "inform", "active_loop": "customer_form"}, WAIT_ACTION),
    ],
)
def test_what_a_message_does_during_a_handoff(state, expected):
    values = dict(
        slot_value=OPEN,
        intent="ask_definition",
        latest_action=LISTEN_ACTION,
        text="那这个客户怎么办",
        channel="socketio",
        sender="sales-1",
        now=NOW,
        experts=EXPERTS,
    )
    values.update(state)
    assert next_action(**values) == expected


@pytest.mark.parametrize(
    "text, parsed",
    [
        ("#12 先看回款周期", (12, "先看回款周期")),
        ("＃12：先看回款周期", (12, "先看回款周期")),
        ("12 先看\n回款周期", (12, "先看\n回款周期")),
        ("#12 结束", (12, "结束")),
        ("#12", None),
        ("12个客户怎么分", None),
        ("什么是腰部客户", None),
        ("", None),
    ],
)
def test_an_experts_numbered_reply(text, parsed):
    assert expert_message(text) == parsed


def test_close_words():
    assert is_close_word("结束") and is_close_word("结束人工。") and not is_close_word("结束前先看回款")


def test_the_expert_with_fewest_open_handoffs_gets_the_next():
    assert choose_expert(EXPERTS, {}) == EXPERTS[0]
    assert choose_expert(EXPERTS, {"ZhangWei": 2, "LiNa": 1}) == EXPERTS[1]


def test_the_slot_round_trips_and_a_reply_restarts_the_timeout():
    handoff = Handoff.from_slot(OPEN)
    assert handoff is not None and handoff.to_slot() == OPEN
    answered = handoff.answered(NOW + 100, 600)
    assert answered.replies == 1 and answered.deadline == NOW + 700
    assert Handoff.from_slot({"id": "x"}) is None and Handoff.from_slot("nonsense") is None


@pytest.mark.parametrize(
    "text, cleaned",
    [
        ("  先看回款  ", "先看回款"),
        ("<b>粗体</b>", "<b>粗体</b>"),  # markup stays text; the widget and page show it as text
        ("a\x00b\nc", "ab\nc"),
        ("   ", None),
        ("", None),
        ("字" * 2001, None),
        (None, None),
        (12, None),
    ],
)
def test_a_reply_is_cleaned_or_refused(text, cleaned):
    assert clean_reply(text) == cleaned


def test_the_notification_has_the_question_the_transcript_and_how_to_answer():
    events = [
        {
            "event": "user",
            "text": "客户年采购额3000万，毛利率35%",
            "parse_data": {"intent": {"name": "describe_customer"}},
        },
        {"event": "bot", "text": "这个客户属于白金客户。"},
        {"event": "user", "text": "/rate_unhelpful", "parse_data": {"intent": {"name": "rate_unhelpful"}}},
        {"event": "user", "text": "转人工", "parse_data": {"intent": {"name": "request_person"}}},
    ]
    turns = lines_of(events)
    assert turns == [
        Turn("salesperson", "客户年采购额3000万，毛利率35%"),
        Turn("assistant", "这个客户属于白金客户。"),
        Turn("salesperson", "转人工"),
    ]
    handoff = Handoff.from_slot(OPEN)
    text = notification(handoff, "客户年采购额3000万，毛利率35%", turns, 8)
    # the figures as the salesperson wrote them, the number to answer with
    assert "销售：客户年采购额3000万，毛利率35%" in text and "#7" in text and "张经理" in text
    assert "助手：这个客户属于白金客户。" in text
    assert "销售：转人工" not in notification(handoff, "q", turns, 1).split("最近的对话：")[0]
