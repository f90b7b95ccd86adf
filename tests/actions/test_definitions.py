"""The knowledge actions, run as the action server runs them, on the real knowledge base."""

from __future__ import annotations

import pytest

from actions.definitions import (
    ActionAnswerDetail,
    ActionAnswerStrategy,
    ActionAnswerSuggestion,
    ActionAnswerTerm,
    ActionCompareTerms,
    ActionFallbackSearch,
    ActionGoodbye,
    ActionGreet,
    ActionHelp,
    ActionOutOfScope,
    ActionYouAreWelcome,
)
from actions.knowledge_base import knowledge_base
from tests.actions.conftest import make_tracker, term

# An entry's passage, alone or with the seed's own words that answer too.
PASSAGE_ANSWERS = ("utter_passage_answer", "utter_passage_answer_quoted")


def slot_value(events, name):
    values = [e["value"] for e in events if e.get("event") == "slot" and e.get("name") == name]
    return values[-1] if values else "<unset>"


def test_definition_from_entity_answers_short_text_with_source(run_action, kb):
    messages, events = run_action(
        ActionAnswerTerm(), make_tracker("什么是腰部客户", entities=[term("腰部客户", 3)])
    )
    entry = kb.get("腰部客户")
    assert messages[0]["response"] == "utter_term_answer_segment"
    assert messages[0]["term"] == "腰部客户" and messages[0]["short"] == entry.short
    assert entry.sources[0] in messages[0]["sources"]
    assert slot_value(events, "last_entry_id") == entry.id


def test_related_terms_become_buttons(run_action, kb):
    entry = kb.get("白金客户")
    messages, _ = run_action(ActionAnswerTerm(), make_tracker("白金客户", entities=[term("白金客户")]))
    *related, helpful, unhelpful = messages[0]["buttons"]
    titles = [b["title"] for b in related]
    assert titles and set(titles) <= set(entry.related)
    assert all(b["payload"].startswith("/ask_definition{") for b in related)
    assert [helpful["payload"], unhelpful["payload"]] == ["/rate_helpful", "/rate_unhelpful"]


def test_entry_without_strategy_uses_plain_answer(run_action, kb):
    entry = next(e for e in kb.entries() if not e.strategy)
    messages, _ = run_action(ActionAnswerTerm(), make_tracker(entry.term, entities=[term(entry.term)]))
    assert messages[0]["response"] == "utter_term_answer"


def test_traditional_entity_value_resolves(run_action):
    messages, _ = run_action(ActionAnswerTerm(), make_tracker("戰略客戶是什麼", entities=[term("戰略客戶")]))
    assert messages[0]["term"] == "战略客户"


def test_without_entity_the_whole_message_is_searched_typos_included(run_action):
    messages, _ = run_action(ActionAnswerTerm(), make_tracker("要部客户是啥"))
    assert messages[0]["term"] == "腰部客户"


def test_unknown_term_is_said_honestly(run_action):
    messages, events = run_action(ActionAnswerTerm(), make_tracker("区块链是什么"))
    assert messages[0]["response"] == "utter_term_unknown"
    assert messages[0]["query"] == "区块链"
    assert messages[1]["response"] == "utter_ask_which_term"


def test_ambiguous_question_offers_choices(run_action):
    messages, events = run_action(ActionAnswerTerm(), make_tracker("价值"))
    assert messages[0]["response"] == "utter_did_you_mean"
    assert len(messages[0]["buttons"]) >= 2
    assert len(slot_value(events, "suggested_entry_ids")) == len(messages[0]["buttons"])


def test_a_part_asked_of_a_word_several_terms_share_is_searched_for_not_offered_as_choices(run_action):
    # 购买 is in several names, but 分类 / 有几种 ask for a part: the passage that lists it answers.
    messages, _ = run_action(ActionAnswerTerm(), make_tracker("购买分类包括哪些"))
    assert messages[0]["response"] != "utter_did_you_mean"
    assert "直接重复购买" in str(messages)


def test_detail_of_the_last_term(run_action, kb):
    entry = kb.get("腰部客户")
    messages, _ = run_action(
        ActionAnswerDetail(), make_tracker("详细说说", intent="ask_detail", slots={"last_entry_id": entry.id})
    )
    assert messages[0]["response"] == "utter_term_detail" and messages[0]["answer"] == entry.answer


@pytest.mark.parametrize("text", ["详细说说", "能再详细点吗？", "展开讲讲吧？"])
def test_detail_without_context_asks_which_term(run_action, text):
    messages, _ = run_action(ActionAnswerDetail(), make_tracker(text, intent="ask_detail"))
    assert messages[0]["response"] == "utter_ask_which_term"


def test_detail_without_context_but_with_words_the_sources_answer_is_answered(run_action):
    # No term and nothing talked about before: the case it names is in the sources.
    text = "富士施乐给电信行业做的那个文件处理方案，具体做了些啥？"
    messages, _ = run_action(ActionAnswerDetail(), make_tracker(text, intent="ask_detail"))
    assert messages[0]["response"] != "utter_ask_which_term" and "话费账单" in str(messages)


def test_strategy_follow_up_uses_the_last_term(run_action, kb):
    entry = kb.get("腰部客户")
    tracker = make_tracker("那怎么维护这类客户", intent="ask_strategy", slots={"last_entry_id": entry.id})
    messages, events = run_action(ActionAnswerStrategy(), tracker)
    assert messages[0]["response"] == "utter_term_strategy"
    assert messages[0]["strategy"] == entry.strategy
    assert slot_value(events, "last_entry_id") == entry.id


def test_strategy_named_in_the_message_wins_over_context(run_action, kb):
    tracker = make_tracker(
        "铅质客户怎么处理",
        intent="ask_strategy",
        entities=[term("铅质客户")],
        slots={"last_entry_id": kb.get("腰部客户").id},
    )
    messages, _ = run_action(ActionAnswerStrategy(), tracker)
    assert messages[0]["term"] == "铅质客户" and messages[0]["strategy"] == kb.get("铅质客户").strategy


def test_a_strategy_question_about_another_part_gets_that_part(run_action, kb):
    # The NLU's ask_strategy for 关键客户的风险管理咋整: the passage on 风险管理, not the whole strategy;
    # a plain "how to keep them" still gets the strategy.
    entry = kb.get("关键客户")
    messages, _ = run_action(
        ActionAnswerStrategy(),
        make_tracker("关键客户的风险管理咋整", intent="ask_strategy", entities=[term("关键客户")]),
    )
    assert messages[0]["response"] in PASSAGE_ANSWERS and "风险" in messages[0]["passage"]
    messages, _ = run_action(
        ActionAnswerStrategy(),
        make_tracker("关键客户怎么维护", intent="ask_strategy", entities=[term("关键客户")]),
    )
    assert messages[0]["response"] == "utter_term_strategy" and messages[0]["strategy"] == entry.strategy


@pytest.mark.parametrize("text", ["要留住多少客户利润才会翻番?", "大客户跟公众客户比,通信需求差在哪儿"])
def test_a_question_with_figures_both_readers_take_for_a_question_is_answered(run_action, text):
    # Figures and levels read from it (翻番, 大客户) do not make it a description when the NLU and
    # the reader of descriptions both take it for a question.
    messages, events = run_action(ActionAnswerTerm(), make_tracker(text))
    assert {"event": "followup", "name": "customer_form", "timestamp": None} not in events
    assert messages and messages[0]["response"] != "utter_ask_which_term"


def test_strategy_of_a_concept_without_one_answers_from_its_passages(run_action, kb):
    # DPM矩阵怎么做: no strategy to give, but the passage that says how (its ten steps).
    entry = kb.get("DPM矩阵")
    assert not entry.strategy
    messages, _ = run_action(
        ActionAnswerStrategy(),
        make_tracker(f"{entry.term}怎么做", intent="ask_strategy", entities=[term(entry.term)]),
    )
    assert messages[0]["response"] in PASSAGE_ANSWERS and messages[0]["term"] == entry.term
    assert messages[0]["passage"] in entry.answer


def test_compare_two_named_terms(run_action, kb):
    tracker = make_tracker(
        "头部客户和腰部客户有什么区别",
        intent="compare_terms",
        entities=[term("头部客户"), term("腰部客户", 5)],
    )
    messages, events = run_action(ActionCompareTerms(), tracker)
    assert messages[0]["response"] == "utter_compare"
    assert (messages[0]["term_a"], messages[0]["term_b"]) == ("头部客户", "腰部客户")
    # Each term's passage that names the other (头部客户就是大客户…), from its own answer.
    assert messages[0]["passage_b"] in kb.get("腰部客户").answer
    assert "头部客户" in messages[0]["passage_b"]


def test_a_share_asked_of_three_classes_is_answered_for_all_not_compared_two_by_two(run_action):
    # The NLU took it for a comparison; 重要客户 beside the pyramid's other layers is its VIP layer.
    text = "金字塔里面重要客户、主要客户跟普通客户分别排前百分之几"
    entities = [term("重要客户", 5), term("主要客户", 10), term("普通客户", 15)]
    messages, _ = run_action(
        ActionCompareTerms(), make_tracker(text, intent="compare_terms", entities=entities)
    )
    said = str(messages)
    assert messages[0]["response"] != "utter_compare"
    assert all(share in said for share in ("前1%", "前4%", "前15%")), said


def test_compare_with_the_second_term_written_short(run_action):
    tracker = make_tracker("A类关键客户和B类有啥不同", intent="compare_terms", entities=[term("A类关键客户")])
    messages, _ = run_action(ActionCompareTerms(), tracker)
    assert messages[0]["response"] == "utter_compare"
    assert (messages[0]["term_a"], messages[0]["term_b"]) == ("A类关键客户", "B类关键客户")


def test_compare_segments_adds_their_strategies(run_action):
    tracker = make_tracker(
        "黄金客户和白金客户的区别", intent="compare_terms", entities=[term("黄金客户"), term("白金客户", 5)]
    )
    messages, _ = run_action(ActionCompareTerms(), tracker)
    assert [m["response"] for m in messages] == ["utter_compare", "utter_compare_strategies"]


def test_compare_follow_up_with_one_term_uses_the_last(run_action, kb):
    tracker = make_tracker(
        "和头部客户有什么区别",
        intent="compare_terms",
        entities=[term("头部客户", 1)],
        slots={"last_entry_id": kb.get("腰部客户").id},
    )
    messages, _ = run_action(ActionCompareTerms(), tracker)
    assert (messages[0]["term_a"], messages[0]["term_b"]) == ("腰部客户", "头部客户")


def test_compare_without_text_search_finds_both_names(run_action):
    messages, _ = run_action(
        ActionCompareTerms(), make_tracker("铅质客户跟铁质客户差在哪", intent="compare_terms")
    )
    assert {messages[0]["term_a"], messages[0]["term_b"]} == {"铅质客户", "铁质客户"}


def test_compare_with_one_term_answers_how_the_sources_set_it_apart(run_action):
    # 白金客户有什么不同: the passage that says how it differs (与第Ⅲ类客户不同的是…).
    messages, _ = run_action(
        ActionCompareTerms(),
        make_tracker("白金客户有什么不同", intent="compare_terms", entities=[term("白金客户")]),
    )
    assert messages[0]["response"] in PASSAGE_ANSWERS and messages[0]["term"] == "白金客户"
    assert "不同的是" in messages[0]["passage"]


def test_compare_with_one_term_and_nothing_that_answers_asks_for_the_other(run_action):
    messages, _ = run_action(
        ActionCompareTerms(),
        make_tracker("战略寻源跟什么比", intent="compare_terms", entities=[term("战略寻源")]),
    )
    assert messages[0]["response"] == "utter_compare_need_two" and messages[0]["term"] == "战略寻源"


def test_compare_with_one_term_and_a_passage_on_the_other_side_answers_it(run_action):
    # 售后服务 is no entry, but the passage of 客户服务 that answers speaks of it (售前、售中、售后).
    text = "客户服务和售后服务有什么区别呀？我一直以为它们是一回事。"
    messages, _ = run_action(
        ActionCompareTerms(), make_tracker(text, intent="compare_terms", entities=[term("客户服务")])
    )
    assert messages[0]["response"] in PASSAGE_ANSWERS and "售后" in messages[0]["passage"]


def test_yes_to_a_single_suggestion_answers_it(run_action, kb):
    entry = kb.get("关键客户")
    messages, _ = run_action(
        ActionAnswerSuggestion(),
        make_tracker("是的", intent="affirm", slots={"suggested_entry_ids": [entry.id]}),
    )
    assert messages[0]["term"] == "关键客户"


def test_yes_without_a_suggestion_is_acknowledged(run_action):
    messages, _ = run_action(ActionAnswerSuggestion(), make_tracker("好的", intent="affirm"))
    assert messages[0]["response"] == "utter_ok"


def test_fallback_answers_a_message_that_names_a_term(run_action):
    messages, _ = run_action(ActionFallbackSearch(), make_tracker("嗯那个白金客户", intent="nlu_fallback"))
    assert messages[0]["term"] == "白金客户"


def test_fallback_without_a_term_says_it_did_not_understand(run_action):
    messages, _ = run_action(ActionFallbackSearch(), make_tracker("阿巴阿巴", intent="nlu_fallback"))
    assert messages[0]["response"] == "utter_default"


def test_missing_database_gives_a_clear_reply(run_action, monkeypatch, tmp_path):
    monkeypatch.setenv("KB_DB_PATH", str(tmp_path / "absent.db"))
    knowledge_base.cache_clear()
    messages, events = run_action(ActionAnswerTerm(), make_tracker("腰部客户", entities=[term("腰部客户")]))
    assert messages[0]["response"] == "utter_service_unavailable" and events == []


def test_fallback_on_a_what_is_question_says_there_is_no_entry(run_action):
    messages, _ = run_action(ActionFallbackSearch(), make_tracker("什么是区块链", intent="nlu_fallback"))
    assert messages[0]["response"] == "utter_term_unknown" and messages[0]["query"] == "区块链"


@pytest.mark.parametrize(
    "text", ["利润贡献很大，增长潜力挺大的", "年采购两千万左右，以后潜力一般", "目前價值很高，潛力不大"]
)
def test_fallback_on_a_customer_description_starts_the_classification(run_action, text):
    messages, events = run_action(ActionFallbackSearch(), make_tracker(text, intent="nlu_fallback"))
    assert messages == [] and events == [{"event": "followup", "name": "customer_form", "timestamp": None}]


def test_one_term_taken_for_a_comparison_without_asking_for_one_is_answered(run_action, kb):
    # The NLU's compare_terms for 经济大客户是啥: no comparison is asked, so no "和哪个术语比较".
    messages, _ = run_action(
        ActionCompareTerms(),
        make_tracker("经济大客户是啥", intent="compare_terms", entities=[term("经济大客户", 0)]),
    )
    assert messages[0]["response"].startswith("utter_term_answer")
    assert messages[0]["term"] == "经济大客户"


@pytest.mark.parametrize(
    "text, found",
    [("近两年国内成立了多少家物流企业", "73万家"), ("中建一局四公司是哪年成立用户服务部的", "1996年")],
)
def test_out_of_scope_for_the_nlu_but_in_the_sources_is_answered(run_action, text, found):
    messages, _ = run_action(ActionOutOfScope(), make_tracker(text, intent="out_of_scope"))
    assert found in str(messages[0])
    assert messages[0]["response"] != "utter_out_of_scope"


def test_out_of_scope_for_the_nlu_but_naming_a_term_is_a_question_about_it(run_action, kb):
    messages, _ = run_action(
        ActionOutOfScope(), make_tracker("铅质客户通常会给我们带来多少麻烦", intent="out_of_scope")
    )
    assert messages[0]["term"] == "铅质客户"


def test_a_close_match_short_of_sure_is_offered_as_the_closest_passage(run_action):
    # The chatter around it keeps the score short of sure (大单子里对方老板起什么作用 alone is sure).
    text = "大单子里对方老板起什么作用呢我一直很好奇这个事情想了好几天了也没想明白"
    messages, _ = run_action(ActionOutOfScope(), make_tracker(text, intent="out_of_scope"))
    assert messages[0]["response"] == "utter_tentative_answer"
    assert "最高决策者" in messages[1]["passage"]


@pytest.mark.parametrize(
    "text",
    [
        "你有感情吗",
        "帮我翻译一下 good morning",
        "没讲清楚",
        "今天天气怎么样",
        "今天北京天气怎么样",  # 今天 and 北京 are in the sources: the topic head says it is not about them
        "帮我把合同打印出来",
        "你叫什么名字",
    ],
)
def test_out_of_scope_small_talk_stays_out_of_scope(run_action, text):
    messages, _ = run_action(ActionOutOfScope(), make_tracker(text, intent="out_of_scope"))
    assert [m["response"] for m in messages] == ["utter_out_of_scope"]


def test_what_else_a_term_is_called_is_answered_from_its_names(run_action, kb):
    entry = kb.get("大客户")
    messages, _ = run_action(
        ActionAnswerTerm(), make_tracker("大客户还有啥别的叫法不", entities=[term("大客户")])
    )
    assert messages[0]["response"] == "utter_term_names"
    assert messages[0]["names"].split("、") == [n for n in entry.names if n != entry.term]
    tracker = make_tracker("关键客户还有什么别名", entities=[term("关键客户")])
    messages, _ = run_action(ActionAnswerTerm(), tracker)
    assert messages[0]["response"] == "utter_term_no_other_names"


def test_an_entrys_passage_comes_with_the_seeds_own_words_when_a_source_passage_answers_too(run_action, kb):
    # 市场细分有哪些步骤: the entry's passage (the steps, cleaned), and the seed's own list (003),
    # which says, as the entry does not, that it counts "三个步骤" and then lists five.
    messages, _ = run_action(
        ActionAnswerTerm(),
        make_tracker("市场细分有哪些步骤", entities=[term("市场细分")]),
    )
    assert messages[0]["response"] == "utter_passage_answer_quoted"
    assert messages[0]["position"] == 353 and messages[0]["title"]
    assert "三个步骤" in messages[0]["quote"] and "三个步骤" not in messages[0]["passage"]


def test_no_seed_passage_is_added_when_none_is_about_what_the_entry_says(run_action, kb):
    messages, _ = run_action(
        ActionAnswerTerm(), make_tracker("大客户这个说法包含哪几层意思", entities=[term("大客户")])
    )
    # The entry's own text answers (its short answer lists the three meanings): no seed passage.
    assert messages[0]["response"] != "utter_passage_answer_quoted" and "quote" not in messages[0]


def test_a_sentence_nothing_answers_is_not_echoed_as_a_missing_term(run_action):
    text = "Could you book me a flight to Chengdu next Tuesday morning please?"
    messages, _ = run_action(ActionAnswerTerm(), make_tracker(text, intent="ask_definition"))
    assert [m["response"] for m in messages] == ["utter_default"]


def test_a_greeting_alone_is_greeted(run_action):
    messages, _ = run_action(ActionGreet(), make_tracker("老师好", intent="greet"))
    assert [m["response"] for m in messages] == ["utter_greet"]


def test_a_greeting_with_a_question_is_answered(run_action):
    # The NLU may take the greeting for the whole message; the question after it is answered.
    text = "老师您好，打扰一下，想请教客户金字塔最上面那层的客户大概占百分之几"
    messages, _ = run_action(ActionGreet(), make_tracker(text, intent="greet"))
    assert messages[0]["response"] != "utter_greet" and "1%" in str(messages[0])


def test_two_classes_of_one_framework_asked_about_together_are_set_side_by_side(run_action):
    # What are they / who counts as which, asked of 铅质 and 铁质 at once: both, not the first one.
    messages, _ = run_action(
        ActionAnswerTerm(),
        make_tracker("铅质客户、铁质客户各指什么", entities=[term("铅质客户"), term("铁质客户")]),
    )
    assert messages[0]["response"] == "utter_compare"
    assert {messages[0]["term_a"], messages[0]["term_b"]} == {"铅质客户", "铁质客户"}


def test_a_class_and_the_whole_it_belongs_to_are_not_compared(run_action):
    messages, _ = run_action(
        ActionAnswerTerm(),
        make_tracker("关键客户里的A类关键客户是什么", entities=[term("关键客户"), term("A类关键客户")]),
    )
    assert messages[0]["response"] != "utter_compare"


def test_a_class_written_short_before_its_sibling_is_set_beside_it(run_action):
    # 白金和黄金客户: 白金 is 白金客户 with the shared ending left out, named before the other.
    messages, _ = run_action(
        ActionAnswerTerm(), make_tracker("白金和黄金客户各是什么意思", entities=[term("黄金客户")])
    )
    assert messages[0]["response"] == "utter_compare"
    assert {messages[0]["term_a"], messages[0]["term_b"]} == {"白金客户", "黄金客户"}


@pytest.mark.parametrize(
    "text, found",
    [("电信行业的客户价值受哪些因素驱动？", "驱动因素"), ("宽带包月套餐那个例子里送了什么", "小灵通")],
)
def test_a_question_the_nlu_took_for_a_request_for_help_is_answered(run_action, text, found):
    messages, _ = run_action(ActionHelp(), make_tracker(text, intent="help"))
    assert messages[0]["response"] != "utter_help" and found in str(messages)


@pytest.mark.parametrize("text", ["你都能干点啥", "怎么用你", "help"])
def test_a_request_for_help_gets_the_help_text(run_action, text):
    messages, _ = run_action(ActionHelp(), make_tracker(text, intent="help"))
    assert [m["response"] for m in messages] == ["utter_help"]


@pytest.mark.parametrize(
    "action, intent, text, found",
    [
        (ActionGoodbye, "goodbye", "大单为什么非要见到最高决策者，见不到会怎样", "决策者"),
        (ActionYouAreWelcome, "thank", "谢谢！那铅质客户又是什么意思", "铅质客户"),
    ],
)
def test_a_question_the_nlu_took_for_a_goodbye_or_thanks_is_answered(run_action, action, intent, text, found):
    messages, _ = run_action(action(), make_tracker(text, intent=intent))
    assert messages[0]["response"] != action.response and found in str(messages)


@pytest.mark.parametrize(
    "action, intent, text",
    [(ActionGoodbye, "goodbye", "拜拜"), (ActionGoodbye, "goodbye", "先这样，回头再聊"),
     (ActionYouAreWelcome, "thank", "谢谢你"), (ActionYouAreWelcome, "thank", "多谢，很有帮助")],
)  # fmt: skip
def test_a_goodbye_or_thanks_gets_its_response(run_action, action, intent, text):
    messages, _ = run_action(action(), make_tracker(text, intent=intent))
    assert [m["response"] for m in messages] == [action.response]


def test_a_question_the_nlu_took_for_a_yes_is_answered_not_taken_for_one(run_action):
    messages, _ = run_action(
        ActionAnswerSuggestion(), make_tracker("客户服务是不是就等于售后服务？", intent="affirm")
    )
    assert messages[-1]["response"] != "utter_ok" and "售前" in str(messages)


def test_a_plain_yes_with_nothing_suggested_is_acknowledged(run_action):
    messages, _ = run_action(ActionAnswerSuggestion(), make_tracker("是的", intent="affirm"))
    assert [m["response"] for m in messages] == ["utter_ok"]


def test_a_comparison_sets_side_by_side_the_two_terms_it_joins(run_action):
    # 客户价值 is named first, but 感知利得和感知利失 are the two compared.
    text = "教材讲客户价值的驱动因素时提到了感知利得和感知利失，请问两者有什么区别？"
    tracker = make_tracker(
        text, intent="compare_terms", entities=[term("客户价值"), term("感知利得"), term("感知利失")]
    )
    messages, _ = run_action(ActionCompareTerms(), tracker)
    assert messages[0]["response"] == "utter_compare"
    assert {messages[0]["term_a"], messages[0]["term_b"]} == {"感知利得", "感知利失"}


def test_a_comparison_of_two_parts_of_one_entry_is_answered_by_the_passage_holding_both(run_action):
    # Only 营销目标 is an entry; 维持 and 收割 are two of its goals, and a passage speaks of both.
    text = "教材里营销目标分维持、提高、收割、退出和进入。请问“维持”和“收割”有什么区别？"
    tracker = make_tracker(text, intent="compare_terms", entities=[term("营销目标")])
    messages, _ = run_action(ActionCompareTerms(), tracker)
    assert messages[0]["response"] != "utter_compare_need_two"
    assert "维持" in str(messages[0]) and "收割" in str(messages[0])
