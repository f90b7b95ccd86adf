"""knowledge/answers.py: the passage that answers the part of a question that was asked.

The questions here are ordinary ones written for these tests (the blind sets in tests/blind/ are
the measure of how well answering generalises, and are never copied here).
"""

from __future__ import annotations

import pytest

from knowledge.answers import (
    _settings,
    facet_asked,
    facets_asked,
    in_chinese,
    question_tokens,
    ranked,
    subjects,
)
from knowledge.lookup import find_terms
from knowledge.normalize import normalize_name


def ask(kb, question):
    named = find_terms(kb, [], question, names_only=True).entries
    return kb.answer(question, named)


def shown(kb, answer) -> str:
    """The text a reply built on ``answer`` would carry."""
    if answer.kind == "definition":
        return answer.entry.short
    if answer.kind in ("passage", "source"):
        return answer.passage.text
    if answer.kind == "mention":
        return answer.mention.note if answer.mention else answer.passage.text
    return ""


@pytest.mark.parametrize(
    "question, facet",
    [
        ("客户服务分几个阶段", "阶段"),
        ("战略客户包括哪几种", "构成"),
        ("VIP客户占多大比例", "比例"),
        ("铅质客户有什么特点", "特征"),
        ("白金客户该怎么维护", "策略"),
        ("头部客户和腰部客户有什么区别", "区别"),
        ("什么是腰部客户", "定义"),
        ("腰部客户", None),
        # what a part is: that part, not the meaning of the term
        ("黄金客户的特点是什么", "特征"),
        ("铅质客户的应对策略是啥", "策略"),
        ("头部客户和腰部客户的区别是什么", "区别"),
        ("战略客户是什么", "定义"),
    ],
)
def test_the_facet_a_question_asks_for(question, facet):
    assert facet_asked(question) == facet


def test_several_cues_add_up():
    assert facets_asked("发展一共有几个阶段，各个阶段分别叫什么")[0] == "阶段"


def test_a_term_alone_or_what_it_is_gets_the_definition(kb):
    for question in ("腰部客户", "什么是腰部客户", "腰部客户是啥意思", "customer lifetime value 中文啥意思"):
        answer = ask(kb, question)
        assert answer.kind == "definition", question


@pytest.mark.parametrize(
    "question, entry_id, phrase",
    [
        ("客户服务的发展经历了哪些阶段", "customer_service", "业主服务阶段"),
        ("做客户服务时，客户包括哪几类", "customer_service", "合作伙伴客户"),
        ("战略客户主要包括哪些", "strategic_customer", "经济大客户"),
        ("什么样的客户可能属于铅质客户", "lead_customer", "小额订单"),
        ("构建DPM矩阵要几步", "dpm_matrix", "细分市场"),
    ],
)
def test_a_part_of_an_entry_is_answered_by_its_passage(kb, question, entry_id, phrase):
    answer = ask(kb, question)
    assert answer.kind == "passage" and answer.entry.id == entry_id
    assert phrase in answer.passage.text


def test_a_curators_note_on_the_source_is_not_the_part_asked_for(kb):
    # The entry's note (说明：原文写的是三个步骤…列出了五步) shares the question's 步 words; the steps answer.
    answer = ask(kb, "市场细分具体怎么做，一步步说")
    assert answer.entry.id == "market_segmentation"
    assert answer.passage.text.startswith("市场细分通常按以下步骤进行")


def test_a_passage_that_does_not_name_the_entry_asked_about_counts_less(kb):
    # 关键客户采购's stages share 阶段 and 步; the question names 关键客户管理, whose steps answer.
    answer = ask(kb, "推行关键客户管理要走哪些步骤,头一步做什么")
    assert answer.entry.id == "key_account_management"
    assert "识别关键客户" in answer.passage.text


def test_a_fact_only_the_sources_hold_is_quoted_from_them(kb):
    answer = ask(kb, "近两年国内成立了多少家物流企业")
    assert answer.kind == "source" and "73万家" in answer.passage.text
    assert answer.passage.source == "004_2807d25f83753e98.txt" and answer.passage.position > 0


def test_a_term_the_sources_only_mention_is_said_to_be_undefined(kb):
    answer = ask(kb, "长尾客户是什么")
    assert answer.kind == "mention" and answer.mention.term == "长尾客户"
    assert "腰部客户" in answer.mention.see


def test_an_unknown_term_the_sources_use_is_found_in_them(kb):
    # No entry and no mention record: where the sources use it, and whether they define it.
    term = next(m.term for m in kb.mentions() if len(m.term) >= 3)
    passages = kb.passages_with(term)
    assert passages, term


def test_an_english_question_reaches_the_sources_words(kb):
    answer = ask(kb, "What share of customers are VIP clients in the customer pyramid?")
    assert "1%" in shown(kb, answer)


def test_a_mistyped_term_is_put_right(kb):
    answer = ask(kb, "经挤大客户是指什么样的客户")
    assert answer.entry is not None and answer.entry.term == "经济大客户"


@pytest.mark.parametrize("question", ["关键客户是什么意思", "关键客户是啥", "战略客户是什么"])
def test_a_name_followed_by_words_that_sound_otherwise_is_not_made_longer(kb, question):
    # 关键客户 + 是什 is not a typo of 关键客户识别: 什 sounds nothing like 别.
    assert kb.corrected(question)[0] == question


def test_nothing_answers_what_the_sources_do_not_hold(kb):
    assert ask(kb, "区块链是什么").kind == "none"


def test_every_entry_has_passages_and_every_passage_can_be_reached(kb):
    """The meta-test of the issue: no passage is shadowed by another for good. For each passage of
    an entry, a question made of the entry's name and words of the passage's own finds it (a
    passage that defines the term may be given as the short answer, which restates it)."""
    unreachable = []
    for entry in kb.entries():
        assert entry.passages, f"{entry.id} has no passages"
        for number, passage in enumerate(entry.passages):
            text = normalize_name(passage.text)
            defines = number == 0 or passage.facet == "定义"
            for at in (len(text) // 3, len(text) // 2, 2 * len(text) // 3):
                words = text[at : at + 14]  # its own words, not an opening it may share
                answer = kb.answer(f"{entry.term} {words}", [entry])
                found = normalize_name(answer.passage.text) if answer.passage is not None else ""
                if words in found or (defines and answer.kind == "definition" and answer.entry == entry):
                    break
            else:
                unreachable.append(f"{entry.id}: {passage.text[:30]}")
    assert unreachable == []


@pytest.mark.parametrize(
    "question, facet",
    [
        ("What kinds of strategic customers are there?", "构成"),
        ("what percentage of customers are common customers in the pyramid", "比例"),
        ("What are the steps of building a DPM matrix", "阶段"),
        ("difference between head customers and waist customers", "区别"),
    ],
)
def test_english_questions_ask_for_a_facet_too(question, facet):
    assert facet_asked(question) == facet


@pytest.mark.parametrize(
    "question, entry",
    [
        ("什么客户能算A类关键客户呢", "key_customer_a"),
        ("哪些客户也能算A类关键客户", "key_customer_a"),
        ("能算B类关键客户的是哪些", "key_customer_b"),
        ("哪种客户够得上C类关键客户", "key_customer_c"),
    ],
)
def test_a_question_about_one_class_is_never_answered_with_its_siblings_definition(kb, question, entry):
    answer = ask(kb, question)
    assert answer.entry is not None and answer.entry.id == entry


def test_a_supporting_source_passage_is_about_what_the_entrys_passage_says(kb):
    found = ask(kb, "市场细分有哪些步骤")  # the entry's cleaned steps, and the seed's own list (003)
    assert found.kind == "passage" and found.support is not None and found.support.source.startswith("003")
    assert "三个步骤" in found.support_quote and found.support_quote not in found.passage.text
    assert ask(kb, "大客户这个说法包含哪几层意思").support is None


def test_an_excerpt_is_cleaned_and_cut_at_a_sentence():
    from knowledge.passages import excerpt

    scraped = "公司 不投入 任何资源，宜采用 “关系解除 ”策略。"
    assert excerpt(scraped) == "公司不投入任何资源，宜采用“关系解除”策略。"
    long = "第一句说了很多话。" * 20 + "最后一句没有句号"
    cut = excerpt(long, limit=100)
    assert len(cut) <= 101 and cut.endswith("。…")


def test_the_term_before_a_plain_cue_is_the_one_defined_when_both_terms_are_named(kb):
    # 关键客户管理制度 is where the term is met; 关键客户 is what is asked.
    found = ask(kb, "关键客户管理制度里关键客户是怎么定义的")
    assert found.kind == "definition" and found.entry.term == "关键客户"
    assert ask(kb, "关键客户管理制度是怎么定义的").entry.term == "关键客户管理制度"


def test_the_traits_asked_for_come_from_the_traits_passage_not_the_definition(kb):
    # The definition (Ⅲ类客户（黄金客户）是…) holds the name more densely; the passage of the part
    # asked (特征) answers.
    for question, entry, phrase in (
        ("黄金客户一般有什么特征？", "黄金客户", "推荐新客户"),
        ("铅质客户一般有什么特征", "铅质客户", "小额订单"),
    ):
        found = ask(kb, question)
        assert found.kind == "passage" and found.entry.term == entry, question
        assert phrase in found.passage.text, question


def test_a_passage_of_the_named_entry_answers_however_polite_the_question(kb):
    # The greeting and the worry around the question dilute its score below min_score; the entry
    # it names still answers, with the part asked (who belongs), not nothing.
    found = ask(
        kb,
        "老师您好，我是新来的，刚入职两天，很多东西还不懂，想请教一下，什么样的客户会被算作铅质客户呢？"
        "我怕以后搞不清楚，在部门开会的时候出错，麻烦您了，谢谢老师，祝您周末愉快",
    )
    assert found.kind == "passage" and found.entry.term == "铅质客户"
    assert "小额订单" in found.passage.text and found.score < _settings()["min_score"]


@pytest.mark.parametrize(
    "question, subject",
    [
        ("一个大客户经理平均要管多少家客户", "key_account_department"),
        ("服务成本比赚的钱还多的客户咋处理", "below_zero_customer"),
        ("按照二八法则，少数客户贡献了多少利润", "pareto_rule"),
        ("客户金字塔最顶上那层占多少", "customer_pyramid"),
    ],
)
def test_the_subject_head_learns_what_a_question_is_about_without_its_name(question, subject):
    # None of these names its entry; the head learnt from the questions written for the passages.
    about = subjects(question)
    assert max(about, key=about.get) == subject


def test_the_subject_a_question_is_about_lifts_that_entrys_passages(kb):
    question = "一个大客户经理平均要管多少家客户"
    with_subject = ranked(kb, question_tokens(kb, question), [], ["比例"], subjects(question))
    without = ranked(kb, question_tokens(kb, question), [], ["比例"])
    score = {p.id: s for s, p, _ in without}
    lifted = [(s, p) for s, p, _ in with_subject if p.entry_id == "key_account_department"]
    assert lifted and all(s > score[p.id] for s, p in lifted)


def test_english_plurals_are_read_as_their_singular():
    # The vocabulary lists customer and key account; customers and key accounts are the same words.
    text = in_chinese("How do we keep loyal customers and key accounts?")
    assert "忠诚客户" in text and "关键客户" in text and "customers" not in text


def test_who_counts_as_a_class_without_a_traits_passage_is_said_by_its_definition(kb):
    # 白金客户 has no passage of its traits: its definition says which customers it is, not the
    # passage on what losing them costs (作用) nor its strategy.
    found = ask(kb, "一个客户满足什么才能被算作白金客户")
    assert found.entry.term == "白金客户" and "很高的当前价值" in shown(kb, found)


def test_who_counts_as_a_class_with_a_traits_passage_is_said_by_that_passage(kb):
    # 铅质客户 has one (以下客户可能属于这一类：偶尔下一些小额订单的客户…): it answers.
    found = ask(kb, "哪样的客户会被归为铅质客户")
    assert found.kind == "passage" and "小额订单" in found.passage.text


def test_a_question_in_a_lists_own_lead_in_words_gets_the_whole_list_not_one_item(kb):
    # Every word asked is in the lead-in (…大致分为四个时期：) that each item repeats: all four periods.
    found = ask(kb, "客户角色的演进和管理重心的转移")
    assert found.kind == "passage" and found.passage.kind != "item"
    assert "1." in found.passage.text and "4." in found.passage.text


@pytest.mark.parametrize("question", ["白金客户后续如何经营"])
def test_a_question_without_a_cue_word_gets_the_part_the_facet_head_learnt(kb, question):
    # No cue of language.yml (如何相处, 如何经营): the reader's facet head, trained on the questions
    # written for each part, tells a question about treating them: the strategy answers.
    from knowledge.answers import facets_asked, learned_facets

    assert not facets_asked(question) and learned_facets(kb, question) == ["策略"]
    assert ask(kb, question).passage.kind == "strategy"


def test_a_name_typed_alone_is_answered_with_its_definition_not_a_learnt_part(kb):
    assert ask(kb, "白金客户").kind == "definition"


@pytest.mark.parametrize("question", ["价值矩阵里 铁质客户是啥意思", "客户价值矩阵中的铁质客户指什么"])
def test_a_class_asked_within_its_framework_gets_the_class_not_the_framework(kb, question):
    # 客户价值矩阵 only says where 铁质客户 stands (language.yml answers.frames).
    found = ask(kb, question)
    assert found.kind == "definition" and found.entry.id == "iron_customer"


@pytest.mark.parametrize("question", ["“老客户”具体是怎么界定的？合作多少年才算", "“新客户”咋定义 有啥特点"])
def test_how_a_term_is_defined_asks_its_meaning(kb, question):
    # 怎么界定 / 咋定义 ask what a term means, whatever else is asked (多少年才算, 有啥特点): a term
    # the sources only list is said to be undefined.
    found = ask(kb, question)
    assert found.kind == "mention" and found.mention.term in question


def test_shares_of_two_classes_of_one_framework_come_from_the_framework(kb):
    # 普通客户 and 主要客户 are both in the pyramid: its parts give both shares, not one class's passage.
    found = ask(kb, "金字塔里普通客户排前多少 主要客户呢")
    assert found.entry.id == "customer_pyramid"
    assert "15%" in found.text and "4%" in found.text
