"""knowledge/customers/reader.py and training.py: what the trained reader reads, and how it is trained.

The wording of these sentences is ordinary, not taken from the training examples; the measure of
how far the reader generalises is the blind sets (tests/blind/), not these tests.
"""

from __future__ import annotations

import pickle

import pytest

from knowledge.customers import read_answer, read_facts
from knowledge.customers import training as trained
from knowledge.customers.clauses import split
from knowledge.customers.frameworks import corrected, value_levels
from knowledge.customers.reader import model


def test_clauses_split_at_punctuation_spaces_and_conjunctions():
    clauses = split("年采购800万 毛利三成，不过明年预算要砍")
    assert [c.text for c in clauses] == ["年采购800万", "毛利三成", "不过明年预算要砍"]
    assert [c.contrast for c in clauses] == [False, False, True]
    assert split("客户现在贡献不大，可未来空间巨大")[1].contrast  # 可 as "but"
    assert not split("利润挺可观的")[0].contrast  # …but not in 可观


def test_a_thousands_separator_is_part_of_the_number_not_a_clause_break():
    assert [c.text for c in split("年采购约1,500万,毛利三成")] == ["年采购约1,500万", "毛利三成"]
    assert [c.text for c in split("一年100,两年200")] == ["一年100", "两年200"]
    assert read_facts("這個KA一年採購額大約3,500萬").purchase_wan == 3500


def test_every_fact_keeps_the_words_it_was_read_from():
    facts = read_facts("他们一年采购两千来万，不过回款老是拖")
    assert facts.purchase_wan == 2000 and facts.late_payment is True
    assert facts.evidence["purchase_wan"] == "他们一年采购两千来万"
    assert facts.evidence["late_payment"] == "不过回款老是拖"


def test_a_later_contrast_decides_its_dimension():
    # Figures usually decide a level; the words after 但/不过 override an earlier figure.
    facts = read_facts("年采购2000万，但利润贡献很低")
    assert value_levels(facts)["current_value"].value == "low"
    facts = read_facts("利润贡献很低，但一年采购2000万")
    assert value_levels(facts)["current_value"].value == "high"


def test_a_monthly_amount_is_made_yearly_and_a_rank_among_n_is_a_share():
    assert read_facts("每个月拿五十万的货").purchase_wan == 600
    assert read_facts("我们两千个客户里它排第五").rank_pct == pytest.approx(0.25)


def test_a_period_typed_with_a_homophone_is_still_a_period():
    assert read_facts("一个季渡四十来万的货").purchase_wan == 160  # 季度
    assert read_facts("每悦三十万左右").purchase_wan == 360  # 每月


def test_a_rank_among_clients_is_a_share():
    assert read_facts("我们有400个client，他排第8").rank_pct == pytest.approx(2)


def test_a_rank_among_customers_counted_in_cantonese_or_with_spaces_is_a_share():
    assert read_facts("我哋六百个客入面佢排第三十").rank_pct == pytest.approx(5)  # 客: customers
    assert read_facts("我們總共 400 家客戶，這家排第 2 名").rank_pct == pytest.approx(0.5)


def test_a_market_rank_is_not_a_rank_among_our_customers():
    facts = read_facts("在行业里市场份额排第二")
    assert facts.rank_pct is None


def test_class_names_and_small_talk_state_no_fact():
    assert read_facts("算不算白金客户").stated() == {}
    assert read_facts("算了").stated() == {}
    assert read_facts("一般").stated() == {}  # a bare level has no subject…


def test_a_bare_answer_takes_the_subject_of_the_question_asked():
    # …until it answers the form's question
    assert value_levels(read_answer("一般", "current_value"))["current_value"].value == "medium"
    assert value_levels(read_answer("挺大的", "growth_potential"))["growth_potential"].value == "high"
    assert value_levels(read_answer("大概五百万吧", "current_value"))["current_value"].fact == "purchase_wan"
    assert value_levels(read_answer("不清楚", "growth_potential"))["growth_potential"].guessed


def test_a_correction_decides_the_dimension_it_speaks_to():
    before = read_facts("一年采购三千万，明年还要扩产")
    after = corrected(before, read_facts("不对，利润其实很低"))
    assert after.purchase_wan == 3000  # the figure is kept…
    assert value_levels(after)["current_value"].value == "low"  # …but the correction decides


def test_training_is_deterministic_and_the_saved_model_is_used(tmp_path):
    first, second = trained.train(), trained.train()
    text = "合作七八年了，每个月都有单，就是老压价"
    assert read_facts(text, first).stated() == read_facts(text, second).stated()
    path = trained.save(first, tmp_path / "fact_reader.pkl")
    assert trained.is_current(path)
    assert pickle.loads(path.read_bytes()).fingerprint == trained.fingerprint()


def test_a_stale_or_unreadable_model_file_is_retrained(tmp_path):
    path = tmp_path / "fact_reader.pkl"
    path.write_bytes(b"not a pickle")
    assert trained.load(path).fingerprint == trained.fingerprint()
    assert not trained.is_current(path)


def test_the_reader_learns_from_every_written_voice():
    sizes = model().sizes
    assert sizes["clauses"] >= 4000 and sizes["numbers"] >= 1500 and sizes["messages"] >= 1500


def test_all_heads_in_one_product_give_what_each_head_would():
    heads = model().clauses
    texts = ["年采购800万", "毛利三成", "不过明年预算要砍", "回款老是拖", "他们是行业老二", "嗯"]
    signals = [{} for _ in texts]
    x = heads._matrix(texts, signals)
    fused = heads.predict(texts, signals)
    compared = 0
    for head, one in heads.models.items():
        if isinstance(one, str):
            continue
        for row, p in zip(fused, one.predict_proba(x), strict=True):
            assert row[head][0] == one.classes_[p.argmax()]
            assert row[head][1] == pytest.approx(p.max(), abs=1e-9)
        compared += 1
    assert compared >= 5


def test_the_character_features_are_what_the_vectoriser_gives():
    heads = model().clauses
    texts = ["年采购800万", "毛利三成，不过明年预算要砍", "", "ＡＢＣ行业老二"]
    ours, theirs = heads._tfidf(texts).toarray(), heads.chars.transform(texts).toarray()
    assert ours.shape == theirs.shape and abs(ours - theirs).max() < 1e-12


def test_a_level_word_and_a_first_place_are_read_of_whatever_they_are_said_of():
    # 很小 / 挺高的 said of 份额 are the market share's level, as of 量 they are the value's; a rank
    # is masked as 第#, but whether it is the first place is kept.
    assert read_facts("这家在本地市场份额很小").market_share == "low"
    assert read_facts("市场份额挺高的").market_share == "high"
    assert read_facts("行业份额第一").market_share == "high"
    assert read_facts("行业里份额排第二").market_share == "medium"


def test_a_bare_figure_is_what_the_clause_before_it_speaks_of():
    # 大概四成 alone could be a margin or a growth rate: the clause before it says which.
    facts = read_facts("margin很好，大概四成，但是付款老拖")
    assert facts.margin_pct == 40 and facts.growth_pct is None
    assert read_facts("增长还行，大概两成").growth_pct == 20
    # …but a clause with words of its own is read alone.
    assert read_facts("合作六年了，毛利大约18%").margin_pct == 18


def test_an_order_amount_leaves_the_words_on_its_size_their_say():
    facts = read_facts("新客户 刚签 第一单就下了个三百万的大单")
    assert facts.order_size == "large" and facts.order_wan == 300
