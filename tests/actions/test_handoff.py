"""actions/handoff.py: asking for a person, before the handoff exists (issue #14)."""

from __future__ import annotations

from actions.handoff import ActionRequestPerson
from tests.actions.conftest import make_tracker, term


def test_asking_for_a_person_is_told_plainly_that_there_is_none_yet(run_action):
    messages, _ = run_action(
        ActionRequestPerson(), make_tracker("找个懂行的同事来答", intent="request_person")
    )
    assert [m["response"] for m in messages] == ["utter_no_person_yet"]


def test_a_message_taken_for_it_that_names_a_term_is_answered_as_a_question(run_action):
    # 经理 in 关键客户经理: a question about the term, not a request for a manager.
    text = "我想问问关键客户经理都负责些什么"
    messages, _ = run_action(
        ActionRequestPerson(),
        make_tracker(text, intent="request_person", entities=[term("关键客户经理", text.index("关键"))]),
    )
    assert messages and messages[0]["response"] != "utter_no_person_yet"
    assert messages[0].get("term") == "关键客户经理"
