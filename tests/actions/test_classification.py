"""actions/classification.py: a message the NLU took for a description but that is none gets an
answer (the term it names, or the help text) instead of the form's first question."""

from __future__ import annotations

from typing import List

import pytest
from rasa.shared.nlu.training_data.loading import load_data
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.forms import REQUESTED_SLOT

from actions.classification import (
    LAST_FACTS_SLOT,
    ActionClassifyCustomer,
    ValidateCustomerForm,
    not_a_description,
)
from knowledge.customers.lexicon import mentions_a_customer
from knowledge.paths import REPO_ROOT
from knowledge.understanding import _without
from tests.actions.conftest import make_tracker

CLV_QUESTION = "customer lifetime value 中文啥意思"
CLV_ENTITY = {"entity": "term", "value": "客户终生价值", "start": 0, "end": len("customer lifetime value")}


def written_descriptions() -> List[str]:
    """Every describe_customer example: the training data and the three held-out sets."""
    paths = [REPO_ROOT / "data" / "nlu", *sorted((REPO_ROOT / "tests" / "nlu").glob("test_nlu*.yml"))]
    return [
        example.get("text")
        for path in paths
        for example in load_data(str(path)).intent_examples
        if example.get("intent") == "describe_customer"
    ]


def describe(text: str, entities=None, slots=None):
    return make_tracker(text, "describe_customer", entities=entities, slots=slots)


@pytest.mark.parametrize("text", ["这个月的销售提成怎么算", "怎么申请报销差旅费", "这个出处的全文能给一下吗"])
def test_a_message_about_no_customer_is_no_description(text):
    assert not_a_description(describe(text))


def test_a_named_term_does_not_count_as_talk_about_a_customer():
    assert not_a_description(describe(CLV_QUESTION, [CLV_ENTITY]))
    # Read as a question, it is no description even when the NLU found no term in it.
    assert not_a_description(describe(CLV_QUESTION))
    # "customer" inside the term's span is not talk about a customer; outside it, it would be.
    assert not mentions_a_customer(_without(CLV_QUESTION, [(CLV_ENTITY["start"], CLV_ENTITY["end"])]))
    assert mentions_a_customer(CLV_QUESTION)


@pytest.mark.parametrize(
    "text",
    [
        "帮我给一个客户分类",
        "这客户算不算大客户",
        "他们家现金流紧张，回款周期拉到了180天",
        "/describe_customer",
    ],
)
def test_requests_and_talk_about_a_customer_are_descriptions(text):
    assert not not_a_description(describe(text))


def test_every_written_description_is_taken_as_one():
    descriptions = written_descriptions()
    assert len(descriptions) > 150
    assert [text for text in descriptions if not_a_description(describe(text))] == []


def test_the_form_ends_before_asking_when_it_starts_on_no_description(run_action):
    _, events = run_action(ValidateCustomerForm(), describe("这个月的销售提成怎么算"))
    assert events[-1] == SlotSet(REQUESTED_SLOT, None)
    _, events = run_action(ValidateCustomerForm(), describe("帮我给一个客户分类"))
    assert SlotSet(REQUESTED_SLOT, None) not in events


def test_the_verdict_action_gives_the_help_text_and_keeps_the_last_verdicts_facts(run_action):
    last = {"purchase_wan": 3000.0}
    tracker = describe("这个月的销售提成怎么算", slots={"customer_facts": {}, LAST_FACTS_SLOT: last})
    messages, events = run_action(ActionClassifyCustomer(), tracker)
    assert [m.get("response") for m in messages] == ["utter_default"]
    assert SlotSet("customer_facts", None) in events
    assert all(e.get("name") != LAST_FACTS_SLOT for e in events)


def test_the_verdict_action_answers_the_term_a_non_description_names(run_action, kb):
    messages, events = run_action(
        ActionClassifyCustomer(), describe(CLV_QUESTION, [CLV_ENTITY], {"customer_facts": {}})
    )
    assert messages[0]["response"].startswith("utter_term_answer")
    assert kb.get("客户终生价值").short in str(messages[0])
    assert SlotSet("last_entry_id", kb.get("客户终生价值").id) in events


def test_a_correction_without_facts_is_still_asked_for_a_description(run_action):
    # Only what the NLU took for a description is checked: 一般 out of the blue (inform) gets,
    # as before, the request to describe the customer first.
    assert not not_a_description(make_tracker("一般", "inform"))
    messages, _ = run_action(ActionClassifyCustomer(), make_tracker("一般", "inform"))
    assert [m.get("response") for m in messages] == ["utter_describe_customer_first"]


def test_the_verdict_action_answers_a_question_about_customer_management_from_the_passages(run_action):
    # The NLU took it for a description; the reader takes it for a question on topic, and the
    # passage that holds its words answers it, plainly (not offered as the closest passage, nor
    # the help text that a message off topic gets).
    text = "合作时间越长，客户一般会经过哪几个层次的变化"
    messages, events = run_action(ActionClassifyCustomer(), describe(text, slots={"customer_facts": {}}))
    plain = ("utter_passage_answer", "utter_passage_answer_quoted", "utter_source_answer")
    assert messages[0]["response"] in plain and "层次" in str(messages[0])
    assert SlotSet("customer_facts", None) in events


def test_a_first_description_the_nlu_took_for_an_answer_starts_the_form(run_action):
    text = "深圳那家做路由器的，一年拿货八百万左右，毛利有三成"
    _, events = run_action(ActionClassifyCustomer(), make_tracker(text, "inform"))
    assert events == [FollowupAction("customer_form")]


def test_an_answer_after_a_verdict_still_corrects_it(run_action):
    # With a classification before it, inform is a correction: the verdict is given again.
    last = {"purchase_wan": 800.0, "margin_pct": 30.0, "framework": "value_matrix"}
    tracker = make_tracker("潜力其实很大", "inform", slots={LAST_FACTS_SLOT: last})
    messages, events = run_action(ActionClassifyCustomer(), tracker)
    assert FollowupAction("customer_form") not in events and "白金客户" in str(messages)


def test_a_description_the_nlu_took_for_out_of_scope_is_read_whole(run_action):
    # KnowledgeAction hands it to the form; the form reads its facts whatever the intent.
    tracker = make_tracker("他在我们的客户里排第80名，总共400家", "out_of_scope")
    _, events = run_action(ValidateCustomerForm(), tracker)
    facts = next(e["value"] for e in events if e.get("name") == "customer_facts")
    assert facts["rank_pct"] == 20
