"""Rating buttons on every knowledge answer, ratings and comments, and the gap log, on a real logbook."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest
from rasa_sdk import Tracker

from actions.classification import ActionClassifyCustomer
from actions.definitions import (
    ActionAnswerDetail,
    ActionAnswerStrategy,
    ActionAnswerSuggestion,
    ActionAnswerTerm,
    ActionCompareTerms,
    ActionFallbackSearch,
)
from actions.feedback import (
    ActionRateAnswer,
    ActionSaveFeedbackComment,
    ValidateFeedbackForm,
    rated_question,
)
from knowledge.logbook import Logbook
from tests.actions.conftest import make_tracker, term

RATING = [{"title": "有用", "payload": "/rate_helpful"}, {"title": "没用", "payload": "/rate_unhelpful"}]


def logged(path, table: str) -> List[Dict[str, Any]]:
    return Logbook(path, retention=None).rows(table) if path.exists() else []


def slot_value(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else "<unset>"


def conversation(
    *turns: Dict[str, Any], slots: Dict[str, Any] | None = None, channel: str = "rest"
) -> Tracker:
    """A tracker from user/bot turns: {"user": text, "intent": name} or {"bot": text, "buttons": [...]}."""
    events: List[Dict[str, Any]] = []
    latest: Dict[str, Any] = {}
    for turn in turns:
        if "user" in turn:
            latest = {
                "text": turn["user"],
                "intent": {"name": turn.get("intent", "ask_definition"), "confidence": 0.95},
                "entities": [],
            }
            events.append(
                {"event": "user", "text": turn["user"], "parse_data": latest, "input_channel": channel}
            )
        else:
            events.append({"event": "bot", "text": turn["bot"], "data": {"buttons": turn.get("buttons", [])}})
    return Tracker.from_dict(
        {
            "sender_id": "salesperson-42",
            "slots": slots or {},
            "latest_message": latest,
            "events": events,
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        }
    )


def asked(text: str, intent: str = "ask_definition", confidence: float = 0.95, **kwargs) -> Tracker:
    tracker = make_tracker(text, intent=intent, **kwargs)
    tracker.latest_message["intent"]["confidence"] = confidence
    tracker.events.append(
        {"event": "user", "text": text, "parse_data": tracker.latest_message, "input_channel": "rest"}
    )
    return tracker


WAIST = {"last_entry_id": "waist_customer"}
ANSWERS = [
    (
        "definition",
        ActionAnswerTerm(),
        asked("什么是腰部客户", entities=[term("腰部客户", 3)]),
        ["waist_customer"],
    ),
    ("detail", ActionAnswerDetail(), asked("详细说说", intent="ask_detail", slots=WAIST), ["waist_customer"]),
    (
        "strategy",
        ActionAnswerStrategy(),
        asked("怎么维护", intent="ask_strategy", slots=WAIST),
        ["waist_customer"],
    ),
    (
        "compare",
        ActionCompareTerms(),
        asked(
            "黄金客户和白金客户的区别",
            intent="compare_terms",
            entities=[term("黄金客户"), term("白金客户", 5)],
        ),
        ["gold_customer", "platinum_customer"],
    ),
    (
        "suggestion",
        ActionAnswerSuggestion(),
        asked("是的", intent="affirm", slots={"suggested_entry_ids": ["waist_customer"]}),
        ["waist_customer"],
    ),
    (
        "classification",
        ActionClassifyCustomer(),
        asked("客户年采购额3000万，毛利率35%，预计明年翻番", intent="describe_customer"),
        ["platinum_customer"],
    ),
]


@pytest.mark.parametrize("name, action, tracker, entry_ids", ANSWERS, ids=[a[0] for a in ANSWERS])
def test_every_knowledge_answer_ends_with_the_rating_buttons_and_is_counted(
    run_action, logbook_path, name, action, tracker, entry_ids
):
    messages, _ = run_action(action, tracker)
    assert messages[-1]["buttons"][-2:] == RATING
    assert all(b not in m["buttons"] for m in messages[:-1] for b in RATING)
    [row] = logged(logbook_path, "answers")
    assert [row["entry_id"], row["other_entry_id"]][: len(entry_ids)] == entry_ids
    assert row["channel"] == "rest"
    assert logged(logbook_path, "gaps") == []


def test_without_the_domain_the_buttons_come_as_a_message_of_their_own(run_action):
    messages, _ = run_action(
        ActionAnswerTerm(), asked("白金客户", entities=[term("白金客户")]), with_domain={}
    )
    assert [m["response"] for m in messages] == ["utter_term_answer_segment", "utter_rate_answer"]


def test_a_call_without_a_channel_is_not_logged(run_action, logbook_path):
    """The launcher's warm-up runs an action on a tracker without any user message."""
    messages, _ = run_action(ActionAnswerTerm(), make_tracker("白金客户", entities=[term("白金客户")]))
    assert messages[-1]["buttons"][-2:] == RATING
    run_action(ActionAnswerTerm(), make_tracker("区块链是什么"))
    assert not logbook_path.exists()


def test_misses_carry_no_rating_buttons(run_action):
    messages, _ = run_action(ActionAnswerTerm(), asked("区块链是什么"))
    assert not any(b in m["buttons"] for m in messages for b in RATING)


# (case, action, tracker, kind, what the assistant did)
MISSES = [
    ("no match", ActionAnswerTerm(), asked("区块链是什么"), "none", "said_unknown"),
    ("ambiguous", ActionAnswerTerm(), asked("价值"), "ambiguous", "offered_choices"),
    (
        "no term at all",
        ActionAnswerStrategy(),
        asked("怎么维护", intent="ask_strategy"),
        "none",
        "asked_which_term",
    ),
    (
        "compare nothing",
        ActionCompareTerms(),
        asked("有什么区别", intent="compare_terms"),
        "none",
        "asked_which_term",
    ),
    (
        "fallback, no idea",
        ActionFallbackSearch(),
        asked("阿巴阿巴", intent="nlu_fallback"),
        "fallback",
        "fallback",
    ),
    (
        "fallback, unknown",
        ActionFallbackSearch(),
        asked("什么是区块链", intent="nlu_fallback"),
        "fallback",
        "said_unknown",
    ),
    (
        "fallback, answered",
        ActionFallbackSearch(),
        asked("嗯那个白金客户", intent="nlu_fallback"),
        "fallback",
        "answered",
    ),
    (
        "low confidence",
        ActionAnswerTerm(),
        asked("白金客户咋整", confidence=0.42, entities=[term("白金客户")]),
        "low_confidence",
        "answered",
    ),
]


@pytest.mark.parametrize("case, action, tracker, kind, did", MISSES, ids=[m[0] for m in MISSES])
def test_every_kind_of_miss_is_a_gap_row(run_action, logbook_path, case, action, tracker, kind, did):
    run_action(action, tracker)
    [gap] = logged(logbook_path, "gaps")
    assert (gap["kind"], gap["action"], gap["question"], gap["channel"]) == (
        kind,
        did,
        tracker.latest_message["text"],
        "rest",
    )
    assert gap["sender_hash"] and gap["sender_hash"] != tracker.sender_id
    if did == "answered":
        assert gap["entry_id"] == "platinum_customer"


def test_a_fallback_keeps_the_intent_the_nlu_was_unsure_about(run_action, logbook_path):
    tracker = asked("嗯那个白金客户", intent="nlu_fallback", confidence=0.3)
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ask_definition", "confidence": 0.27},
    ]
    run_action(ActionFallbackSearch(), tracker)
    [gap] = logged(logbook_path, "gaps")
    assert (gap["intent"], gap["confidence"]) == ("ask_definition", 0.27)


ANSWERED = (
    {"user": "腰部客户怎么维护", "intent": "ask_strategy"},
    {"bot": "【腰部客户】的应对策略…", "buttons": RATING},
)


@pytest.mark.parametrize("payload, rating", [("/rate_helpful", "helpful"), ("没用", "unhelpful")])
def test_a_rating_is_stored_with_the_entry_and_the_question_asked(run_action, logbook_path, payload, rating):
    intent = f"rate_{rating}"
    tracker = conversation(*ANSWERED, {"user": payload, "intent": intent}, slots=WAIST, channel="socketio")
    messages, events = run_action(ActionRateAnswer(), tracker)
    [row] = logged(logbook_path, "feedback")
    assert (row["entry_id"], row["rating"], row["question"], row["channel"]) == (
        "waist_customer",
        rating,
        "腰部客户怎么维护",
        "socketio",
    )
    assert row["sender_hash"] != "salesperson-42" and row["created_at"]
    if rating == "helpful":
        assert [m["response"] for m in messages] == ["utter_rate_thanks"]
        assert slot_value(events, "feedback_id") is None
    else:
        assert messages == []  # the form asks what was missing
        assert slot_value(events, "feedback_id") == row["id"]
    assert slot_value(events, "feedback_comment") is None


@pytest.mark.parametrize(
    "turns",
    [
        [{"user": "有用", "intent": "rate_helpful"}],  # nothing answered yet
        [{"user": "你好", "intent": "greet"}, {"bot": "您好！"}, {"user": "有用", "intent": "rate_helpful"}],
        [
            *ANSWERED,
            {"user": "有用", "intent": "rate_helpful"},
            {"bot": "谢谢反馈！"},
            {"user": "没用", "intent": "rate_unhelpful"},
        ],
    ],
    ids=["first-message", "after-small-talk", "rated-twice"],
)
def test_a_rating_without_an_answer_just_before_is_not_stored(run_action, logbook_path, turns):
    tracker = conversation(*turns, slots=WAIST)
    assert rated_question(tracker) is None
    messages, events = run_action(ActionRateAnswer(), tracker)
    assert [m["response"] for m in messages] == ["utter_rate_nothing"]
    assert logged(logbook_path, "feedback") == []
    assert slot_value(events, "feedback_id") is None


@pytest.mark.parametrize("praise", ["有用", "很有帮助，谢谢"])
def test_praise_is_noted_but_a_question_taken_for_praise_is_answered(run_action, logbook_path, praise):
    # The NLU took a question about a customer type for 有用: the reader's heads say it is a question.
    question = "有种客户严肃冷静 挑得很 就是从容不迫型的 有啥特点"
    tracker = conversation(*ANSWERED, {"user": question, "intent": "rate_helpful"}, slots=WAIST)
    messages, _ = run_action(ActionRateAnswer(), tracker)
    assert logged(logbook_path, "feedback") == []
    assert any("严肃冷静" in str(m) for m in messages), messages
    tracker = conversation(*ANSWERED, {"user": praise, "intent": "rate_helpful"}, slots=WAIST)
    messages, _ = run_action(ActionRateAnswer(), tracker)
    assert [m["response"] for m in messages] == ["utter_rate_thanks"]


def form_tracker(text: str, intent: str, feedback_id: Any) -> Tracker:
    return make_tracker(text, intent=intent, slots={"feedback_id": feedback_id, "feedback_comment": text})


async def required(tracker: Tracker, domain) -> List[str]:
    return await ValidateFeedbackForm().required_slots(["feedback_comment"], None, tracker, domain)


def test_the_follow_up_is_asked_only_after_a_stored_unhelpful(domain):
    assert asyncio.run(required(form_tracker("没用", "rate_unhelpful", 7), domain)) == ["feedback_comment"]
    assert asyncio.run(required(form_tracker("没用", "rate_unhelpful", None), domain)) == []


@pytest.mark.parametrize(
    "text, intent, comment",
    [
        (None, "rate_unhelpful", None),  # the reset before the question: still to ask
        ("/deny", "deny", ""),
        ("跳过", "stop", ""),
        ("不用了", "stop", ""),
        ("没说怎么找到这类客户", "ask_strategy", "没说怎么找到这类客户"),
        ("不对，我想知道的是怎么分级", "deny", "不对，我想知道的是怎么分级"),  # long: a comment
    ],
)
def test_a_short_refusal_skips_the_comment(domain, text, intent, comment):
    validated = ValidateFeedbackForm().validate_feedback_comment(
        text, None, form_tracker(text, intent, 7), domain
    )
    assert validated == {"feedback_comment": comment}


def test_the_comment_is_added_to_the_rating(run_action, logbook_path):
    tracker = conversation(*ANSWERED, {"user": "没用", "intent": "rate_unhelpful"}, slots=WAIST)
    _, events = run_action(ActionRateAnswer(), tracker)
    feedback_id = slot_value(events, "feedback_id")
    save = asked("没说怎么找", slots={"feedback_id": feedback_id, "feedback_comment": "没说怎么找到这类客户"})
    messages, events = run_action(ActionSaveFeedbackComment(), save)
    assert [m["response"] for m in messages] == ["utter_feedback_comment_thanks"]
    assert logged(logbook_path, "feedback")[0]["comment"] == "没说怎么找到这类客户"
    assert slot_value(events, "feedback_id") is None and slot_value(events, "feedback_comment") is None


def test_a_skipped_comment_just_thanks(run_action, logbook_path):
    messages, _ = run_action(
        ActionSaveFeedbackComment(), make_tracker("/deny", slots={"feedback_id": 1, "feedback_comment": ""})
    )
    assert [m["response"] for m in messages] == ["utter_rate_thanks"]


def test_a_broken_logbook_never_breaks_an_answer(run_action, tmp_path, monkeypatch, kb):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the logbook's folder should be")
    monkeypatch.setenv("KB_LOG_PATH", str(blocker / "logbook.db"))
    messages, events = run_action(
        ActionAnswerTerm(), asked("白金客户咋整", confidence=0.1, entities=[term("白金客户")])
    )
    assert messages[0]["term"] == kb.get("白金客户").term and messages[-1]["buttons"][-2:] == RATING
    messages, _ = run_action(ActionAnswerTerm(), asked("区块链是什么"))
    assert messages[0]["response"] == "utter_term_unknown"
    tracker = conversation(*ANSWERED, {"user": "没用", "intent": "rate_unhelpful"}, slots=WAIST)
    messages, events = run_action(ActionRateAnswer(), tracker)
    assert [m["response"] for m in messages] == ["utter_rate_thanks"] and slot_value(
        events, "feedback_id"
    ) is None
