"""knowledge/understanding.py: what the trained reader says of a whole message — here, whether it
is about customer management at all (the topic head), which decides whether a passage may answer
a message the NLU could not place. The messages are written for this test, not from the blind sets."""

from __future__ import annotations

import pytest

from knowledge.answers import is_likely, is_sure
from knowledge.customers.reader import model
from knowledge.understanding import understand


@pytest.mark.parametrize(
    "text",
    [
        "少流失一点老顾客，公司利润能多出多少",
        "书上那个复印机公司做大客户的案例讲了啥",
        "留住一个老客户和开发一个新客户，成本差几倍",
        "渠道商算不算我们的客户",
    ],
)
def test_questions_about_customer_management_are_on_topic(kb, text):
    assert understand(kb, text).on_topic


@pytest.mark.parametrize(
    "text",
    ["帮我订一张明天去上海的机票", "你今天心情好吗", "推荐一部好看的电影", "好的谢谢", "帮我写封辞职信"],
)
def test_small_talk_and_other_fields_are_not(kb, text):
    assert not understand(kb, text).on_topic


def test_the_topic_head_learns_from_the_written_questions_and_the_nlu():
    assert model().sizes["topic"] >= 4000


def test_on_topic_a_close_passage_needs_fewer_specific_words(kb):
    found = kb.answer("富士施乐那个案例讲了啥")
    assert found.kind in ("passage", "source") and found.score >= 0.6 and len(found.shared) < 3
    assert not is_sure(found) and is_sure(found, on_topic=True)


def test_on_topic_a_close_passage_is_offered_even_without_a_rare_word(kb):
    found = kb.answer("一个客户的价值包括哪些部分")
    assert found.score >= 0.4 and not found.shared and "历史价值" in found.text
    assert not is_likely(found) and is_likely(found, on_topic=True)


def test_a_question_about_a_class_it_names_is_not_a_description(kb):
    # Who belongs to 铅质客户, with an example of the kind (the late payer): a question about the
    # class, answered with who belongs to it, not one customer's class.
    understood = understand(kb, "哪些客户会被算成铅质客户？像经常拖欠货款的那种也算吗")
    assert understood.description.facts.stated() and understood.asks_about_a_named_class
    assert not understood.describes_a_customer


@pytest.mark.parametrize(
    "text",
    ["白金客户一般怎么经营？我手上就有好几个这种的", "哪种客户算铁质客户呀，我想对照下自己手上的"],
)
def test_a_question_about_a_named_class_with_the_users_own_customers_as_context_is_a_question(kb, text):
    # 我手上 points at the user's customers, but no fact of one is stated: the class is asked about.
    understood = understand(kb, text)
    assert understood.asks_about_a_named_class and not understood.describes_a_customer


@pytest.mark.parametrize(
    "text",
    [
        "我们这行好多客户老拖款，单子也小。铅质客户到底指哪些客户？",
        "跑了一天，碰到的全是压价的。铅质客户是啥样的？",
    ],
)
def test_a_question_about_a_named_class_after_talk_of_the_users_customers_is_a_question(kb, text):
    # The talk states facts (拖款, 压价) of the user's customers in general, no figure of one: the
    # reader leans to a question (not sure of it), worded as one, about the class it names.
    understood = understand(kb, text)
    assert understood.description.facts.stated() and not understood.sure_question
    assert understood.asks_about_a_named_class and not understood.describes_a_customer


@pytest.mark.parametrize(
    "text",
    ["大单子跟了一年多 利润能翻番吗 要多少投入", "顾客流失率要是能少五个百分点，公司利润大概能多出多少？"],
)
def test_a_figure_of_the_sources_asked_is_not_a_description(kb, text):
    # The reader finds facts in it (a year, a large order, profit doubling) and may lean to a
    # description; but it asks a figure, of no customer it points at.
    understood = understand(kb, text)
    assert understood.asks_for_a_figure and not understood.describes_a_customer


@pytest.mark.parametrize(
    "text",
    [
        "这家一年采购多少我还没统计出来，反正利润挺高，先帮我看看",
        "这个客户业务量没多少，份额也小，算几类关键客户",
    ],
)
def test_a_customer_whose_figures_are_told_or_unknown_is_still_a_description(kb, text):
    assert understand(kb, text).describes_a_customer


def test_a_named_class_asked_of_one_customer_with_its_facts_is_still_classified(kb):
    understood = understand(kb, "我手上这个客户老拖款，单子也小，是不是铅质客户？")
    assert understood.describes_a_customer


def test_a_class_asked_by_its_framework_with_the_facts_that_decide_it_is_classified(kb):
    # No class named: the rank decides the pyramid's class, and the message is classified.
    understood = understand(kb, "排名前百分之一的客户在金字塔里算哪一层")
    assert not understood.asks_about_a_named_class and understood.describes_a_customer


def test_a_question_worded_as_one_with_figures_in_it_is_not_a_description(kb):
    # The figures are the theory's (流失率少5%), asked about: the reader says question and it is
    # worded as one, so the figures do not make it one customer's description.
    understood = understand(kb, "根据那个理论，流失率少5%，利润能多出多少？")
    assert understood.description.facts.stated() and not understood.describes_a_customer


def test_a_terse_statement_of_both_levels_is_a_description_whatever_the_reader_guesses(kb):
    # No question word: 利润高潜力大 tells of a customer, even if the reader's kind head leans to
    # "question" for so short a text.
    assert understand(kb, "客户利润高潜力大").describes_a_customer


def test_a_rank_stated_is_about_one_customer_though_the_reader_leans_to_a_question(kb):
    assert understand(kb, "处在所有客户的前百分之十").describes_a_customer


@pytest.mark.parametrize(
    "text, asks",
    [
        ("What are the successive periods of the customer's role", True),
        ("铁质客户咋对待", True),
        ("呢啲客點解要重點跟", True),
        ("Key account 管理好重要", False),
        ("利润高潜力大", False),
    ],
)
def test_a_question_is_worded_as_one_in_every_register(kb, text, asks):
    assert understand(kb, text).interrogative is asks
