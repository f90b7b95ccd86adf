"""knowledge/lookup.py: the second term of a comparison written short after the first."""

from __future__ import annotations

import pytest

from knowledge.lookup import shortened_partner


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
