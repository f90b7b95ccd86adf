"""Search behaviour as a salesperson meets it: seed questions, scripts, typos, misses."""

from __future__ import annotations

import pytest

# Every question of seed 000, as worded there (traditional script), and the entry
# (by one of its names) that answers it.
SEED_000_QUESTIONS = [
    ("中國人壽戰略客戶定義,?", "战略客户"),
    ("公司戰略的定義?", "公司战略"),
    ("戰略尋源的定義,?", "战略寻源"),
    ("矩陣成長戰略的定義?", "矩阵成长战略"),
    ("客戶服務的定義?", "客户服务"),
    ("產業客戶的定義,?", "战略性客户管理"),  # the seed answers it with this concept
    ("腰部客戶的定義,?", "腰部客户"),
    ("什么是戰略客戶?", "战略客户"),
    ("戰略客戶有哪些", "战略客户"),
    ("成本化戰略定義,?", "成本化战略"),
]


@pytest.mark.parametrize("question, expected", SEED_000_QUESTIONS)
def test_every_seed_000_question_finds_its_entry_first(kb, question, expected):
    result = kb.search(question)
    assert result.status == "found", result
    assert result.best.entry.id == kb.get(expected).id


@pytest.mark.parametrize(
    "question, expected",
    [
        ("什么是腰部客户？", "腰部客户"),
        ("腰部客户是啥意思", "腰部客户"),
        ("戰略客戶是什麼意思", "战略客户"),
        ("關鍵客戶", "关键客户"),
        ("請問白金客戶的含義", "白金客户"),
        ("ＫＡＭ是什么", "关键客户管理"),
        ("kam", "关键客户管理"),
        ("CLV", "客户终生价值"),
        ("二八法则是什么", "二八法则"),
        ("80/20法则", "二八法则"),
        ("帕累托法则", "二八法则"),
        ("看家客户", "大客户"),
        ("介绍一下铅质客户", "铅质客户"),
        ("客户金字塔", "客户金字塔"),
        ("顧客讓渡價值", "顾客让渡价值"),
    ],
)
def test_terms_aliases_and_scripts(kb, question, expected):
    result = kb.search(question)
    assert result.status == "found", result
    assert result.best.entry.id == kb.get(expected).id


@pytest.mark.parametrize(
    "question, expected",
    [
        ("要部客户是啥", "腰部客户"),
        ("站略客户", "战略客户"),
        ("关建客户是什么", "关键客户"),
        ("白金客服", "白金客户"),
        ("黄今客户", "黄金客户"),
        ("铅值客户", "铅质客户"),
        ("腰布客戶的定義", "腰部客户"),
        ("客户终生价植", "客户终生价值"),
    ],
)
def test_typos_and_near_homophones(kb, question, expected):
    result = kb.search(question)
    assert result.candidates, result
    assert result.best.entry.id == kb.get(expected).id
    assert result.best.method == "fuzzy"


def test_two_terms_in_one_question_are_ambiguous(kb):
    result = kb.search("头部客户和腰部客户")
    assert result.status == "ambiguous"
    assert {c.entry.term for c in result.candidates[:2]} == {"头部客户", "腰部客户"}


def test_a_vague_word_is_ambiguous_with_ranked_candidates(kb):
    result = kb.search("价值")
    assert result.status == "ambiguous"
    assert len(result.candidates) > 1
    scores = [c.score for c in result.candidates]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("question", ["今天天气怎么样", "区块链是什么", "", "   ", "？？？", "😀😀"])
def test_no_match_is_reported(kb, question):
    result = kb.search(question)
    assert result.status == "none"
    assert result.candidates == ()


def test_exact_name_scores_one_and_ranks_first(kb):
    result = kb.search("白金客户")
    assert result.best.score == 1.0 and result.best.method == "exact"


def test_very_long_question_is_answered_quickly_and_safely(kb):
    result = kb.search("腰部客户" + "啊" * 10000)
    assert result.best.entry.term == "腰部客户"


def test_get_by_id_term_alias_and_traditional_script(kb):
    entry = kb.get("腰部客户")
    assert kb.get(entry.id) is entry
    assert kb.get("腰部客戶") is entry
    assert kb.get("不存在的词") is None
