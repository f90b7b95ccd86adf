"""knowledge/lookup.py: the second term of a comparison written short after the first."""

from __future__ import annotations

import pytest

from knowledge.lookup import find_terms, shortened_partner


@pytest.mark.parametrize(
    "named, text, partner",
    [
        ("A类关键客户", "A类关键客户和B类有啥不同", "B类关键客户"),
        ("白金客户", "白金客户跟铅质比呢", "铅质客户"),
        ("铁质客户", "铁质客户與黃金的差別", "黄金客户"),
        ("头部客户", "头部客户同腰部的区别", "腰部客户"),
    ],
)
def test_the_shared_ending_left_out_is_put_back(kb, named, text, partner):
    assert shortened_partner(kb, text, kb.get(named)).term == partner


@pytest.mark.parametrize(
    "named, text",
    [
        ("关键客户", "关键客户和客户服务的区别"),  # no entry ends like 关键客户 and starts with 客户服务
        ("白金客户", "白金客户有什么区别"),  # nothing joined to it
        ("白金客户", "铅质化的白金客户"),  # 铅质 is not joined as the other side
    ],
)
def test_nothing_is_made_up_when_no_short_term_is_joined(kb, named, text):
    assert shortened_partner(kb, text, kb.get(named)) is None


@pytest.mark.parametrize(
    "text, entities, meant",
    [
        ("金字塔最上面那层重要客户占多少", ["重要客户"], ["VIP客户"]),
        ("重要客户和主要客户各排前百分之几", ["重要客户", "主要客户"], ["VIP客户", "主要客户"]),
        ("大客户里的重要客户是指哪些单位", ["大客户", "重要客户"], ["大客户", "重要客户"]),
        ("重要客户是什么意思", ["重要客户"], ["重要客户"]),
    ],
)
def test_a_name_two_things_share_is_read_as_its_context_means(kb, text, entities, meant):
    # Seed 001's pyramid calls its top layer 重要客户 (VIP clients); seeds 002 and 004 a kind of 大客户.
    assert [e.term for e in find_terms(kb, entities, text).entries] == meant
