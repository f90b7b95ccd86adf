"""Normalisation of questions before matching."""

from __future__ import annotations

import pytest

from knowledge.normalize import fold, normalize_query, standardize


@pytest.mark.parametrize(
    "text, expected",
    [
        ("什么是腰部客户？", "腰部客户"),
        ("腰部客戶的定義", "腰部客户"),
        ("戰略客戶是什麼意思", "战略客户"),
        ("請問 白金客戶 是啥意思啊", "白金客户"),
        ("ＫＡＭ是什么", "kam"),
        ("80/20法则", "8020法则"),
        ("什么是", "什么是"),  # nothing left but fillers: keep the text
    ],
)
def test_normalize_query(text, expected):
    assert normalize_query(text) == expected


@pytest.mark.parametrize("text", ["戰略客戶ＡＢＣ，", "乾隆皇帝的後宮", "腰部客户 KA", "😀e\u0301"])
def test_standardize_and_fold_keep_length(text):
    assert len(standardize(text)) == len(text)
    assert len(fold(text)) == len(text)


def test_standardize_keeps_case_fold_lowers_it():
    assert standardize("ＫＡ客戶") == "KA客户"
    assert fold("ＫＡ客戶") == "ka客户"


def test_cantonese_function_words_are_read_as_mandarin():
    assert standardize("佢嘅margin唔低，仲削咗budget，我哋冇單") == "他的margin不低,仲削了budget,我们没单"
    assert standardize("關係") == "关系"  # 係 stays what it is in Mandarin
