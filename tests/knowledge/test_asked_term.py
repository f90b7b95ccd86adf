"""knowledge/asked_term.py: the term a definition question asks about, and the honest answer when
the sources only mention it (knowledge/answers.py). Ordinary questions written for these tests."""

from __future__ import annotations

import pytest

from knowledge.asked_term import asked_term
from knowledge.lookup import find_terms

KNOWN = {"考察期", "组合分析", "客户经理制", "客户经理", "铁质客户"}


def known(words: str) -> bool:
    return words in KNOWN


@pytest.mark.parametrize(
    "question, term, sure",
    [
        ("讲义里的“组合分析”具体是什么意思", "组合分析", True),  # quoted
        ("那个XYZ到底是啥", "XYZ", True),  # in Latin letters, even with a plain cue
        ("铁质客户那里说的考察期係咩意思", "考察期", True),  # before the cue, not the one named first
        ("客户经理制是咋回事", "客户经理制", True),  # the longest term before the cue
        ("什么是组合分析", "组合分析", True),  # after the cue
        ("What exactly is a XYZ here?", "XYZ", True),
        ("考察期究竟是什么意思？别只说一句“铁质客户”就完了", "考察期", True),  # the quote is an aside
        ("什么是“组合分析”", "组合分析", True),  # quoted after the cue
    ],
)
def test_the_term_before_a_meaning_cue_is_what_is_asked(question, term, sure):
    found = asked_term(question, known)
    assert found is not None and found.text == term and found.sure == sure


@pytest.mark.parametrize(
    "question",
    [
        "铁质客户的考察期是什么",  # a plain cue and an unmarked term: not sure it asks for a meaning
        "客户经理怎么维护关系",  # no definition cue
        "What is meant by loyalty here",  # meant is not mean; loyalty is no acronym
    ],
)
def test_no_term_without_a_cue_that_asks_for_a_meaning(question):
    found = asked_term(question, known)
    assert found is None or not found.sure


def ask(kb, question):
    return kb.answer(question, find_terms(kb, [], question, names_only=True).entries)


def test_a_term_the_sources_mention_once_is_said_to_be_undefined_there(kb):
    found = ask(kb, "关键客户计划讲义里的“组合分析”是什么意思")
    assert found.kind == "mention" and found.term == "组合分析"
    assert "组合分析" in found.passage.text  # where the sources mention it, to quote


def test_a_curated_mention_before_the_cue_wins_over_a_named_entry(kb):
    found = ask(kb, "铁质客户那段里讲的考察期系咩意思")
    assert found.kind == "mention" and found.mention is not None and found.mention.term == "考察期"


def test_a_named_entry_still_answers_what_is_asked_of_it(kb):
    found = ask(kb, "铁质客户是什么意思")
    assert found.kind == "definition" and found.entry.term == "铁质客户"


def test_a_term_the_sources_discuss_at_length_is_answered_not_called_undefined(kb):
    # 定制化服务 runs through many source passages: a passage answers, not "only mentioned"
    found = ask(kb, "资料里的“定制化服务”是什么意思")
    assert found.kind != "mention"


def test_a_mention_asked_about_with_no_cue_of_a_part_is_said_to_be_undefined(kb):
    # The facet head guesses a part for any question without cue words; a term only mentioned is
    # still said to be so, before any guess.
    found = ask(kb, "听说有个客户经理制，那是怎么回事")
    assert found.kind == "mention" and found.mention.term == "客户经理制"


def test_a_term_quoted_before_a_meaning_cue_gets_its_definition_whatever_the_words_around(kb):
    # 讲义里 only says where it was met: the entry's definition, not a note that mentions the lecture.
    found = ask(kb, "讲义里的“客户金字塔”是什么意思")
    assert found.kind == "definition" and found.entry.term == "客户金字塔"


def test_a_cue_inside_the_asked_terms_own_name_asks_for_no_part(kb):
    # 头脑份额 holds 份额, a cue for shares: it is the term asked about, not a question for a share.
    found = ask(kb, "银行那份培训提纲里的头脑份额，是个啥概念")
    assert found.kind == "mention" and found.mention.term == "头脑份额"


def test_a_mention_pointed_back_at_is_said_to_be_undefined_though_an_entry_is_named(kb):
    found = ask(kb, "大客户营销战略里提到客户经理制 这个制度具体是啥")
    assert found.kind == "mention" and found.mention.term == "客户经理制"


@pytest.mark.parametrize(
    "question, term",
    [
        ("推行大客户战略要实行客户经理制 这个制度到底是啥", "客户经理制"),  # 这个制度 points back
        ("讲义里有一项组合分析，那是什么", "组合分析"),
        ("资料里的XYZ分析 那个是啥意思", "XYZ分析"),
    ],
)
def test_a_term_pointed_back_at_before_the_cue_is_what_is_asked(question, term):
    found = asked_term(question, known, lambda words: words in KNOWN | {"XYZ分析"})
    assert found is not None and found.text == term and found.sure


def test_pointing_words_inside_a_phrase_point_at_nothing():
    # 铁质客户这个说法 is one phrase (no pause): the term is the plain one before the cue, if any.
    found = asked_term("铁质客户这个说法是什么", known, known)
    assert found is None or found.text != "铁质客户" or not found.sure


@pytest.mark.parametrize(
    "question, term",
    [
        ("陌生人是啥类型的客户", "陌生人"),  # a plain cue right after a recorded mention
        ("蝴蝶是什么客户？和陌生人有什么不同", "蝴蝶"),  # …and something else asked of it
        # the part the facet head guesses for the words around it (classifies … into) does not matter
        (
            "Our trainer classifies customers into 蝴蝶、陌生人 and two more — what exactly is a 陌生人 one?",
            "陌生人",
        ),
        ("大客户那一节里讲的客情关系是啥子意思", "客情关系"),  # a meaning cue in another register
        ("The lecture lists four kinds — what is a 陌生人 customer?", "陌生人"),  # context first
    ],
)
def test_a_recorded_mention_asked_about_is_said_to_be_undefined(kb, question, term):
    found = ask(kb, question)
    assert found.kind == "mention" and found.mention is not None and found.mention.term == term


def test_a_plain_cue_after_words_that_are_no_name_asks_for_no_meaning():
    assert asked_term("铁质客户的考察期是什么", known, named=lambda w: False) is None
    found = asked_term("考察期是什么", known, named=lambda w: w == "考察期")
    assert found is not None and found.text == "考察期" and not found.sure
