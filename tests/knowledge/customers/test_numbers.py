"""knowledge/customers/numbers.py: the figures salespeople type, the many ways they type them."""

from __future__ import annotations

import pytest

from knowledge.customers.numbers import chinese_number, quantities


@pytest.mark.parametrize(
    "text, value",
    [
        ("两千", 2000),
        ("二十五", 25),
        ("十", 10),
        ("三四", 3.5),
        ("十几", 15),
        ("几十", 50),
        ("一百二", 120),
        ("三千五", 3500),
        ("零点五", 0.5),
        ("1,200", 1200),
        ("壹佰", 100),
        ("abc", None),
    ],
)
def test_chinese_numerals(text, value):
    assert chinese_number(text) == value


@pytest.mark.parametrize(
    "text, kind, value",
    [
        ("年采购800万", "money", 800),
        ("1.2亿", "money", 12000),
        ("5000000元", "money", 500),
        ("一年50w", "money", 50),
        ("年营收3kw", "money", 3000),
        ("年化收入约6.5M RMB", "money", 650),
        ("单笔几k", "money", 0.5),
        ("两千来万", "money", 2000),
        ("十来万", "money", 10),
        ("小几百万", "money", 200),
        ("大几十万", "money", 80),
        ("三四百万", "money", 350),
        ("三千多万", "money", 3000),  # X多 counts as X, as people mean it
        ("三成", "percent", 30),
        ("一成半", "percent", 15),
        ("三成五", "percent", 35),
        ("15个点", "percent", 15),
        ("百分之零点三", "percent", 0.3),
        ("只占营收的千分之三", "percent", 0.3),
        ("翻一番", "multiple", 100),
        ("明年订单要翻个倍", "multiple", 100),
        ("去年翻咗一倍", "multiple", 100),
        ("翻了两番", "multiple", 300),
        ("扩产三倍", "multiple", 200),
        ("订单减半", "multiple", -50),
        ("今年比去年涨了一半", "multiple", 50),
        ("前1%", "top", 1),
        ("排在所有客户的前百分之二", "top", 2),
        ("前三成", "top", 30),
        ("第3名", "rank", 3),
        ("營收排第 12 名", "rank", 12),  # spaces around the figure, as typed beside Chinese
        ("合作五年", "years", 5),
        ("三年半", "years", 3.5),
        ("合作大半年", "years", 0.5),
        ("合作八个月", "years", 8 / 12),
        ("去年才开始合作", "years", 1),
        ("前年签的", "years", 2),
        ("大前年就搭上了", "years", 3),
        ("在两千客户里排第15名", "count", 2000),
    ],
)
def test_quantities(text, kind, value):
    found = [q for q in quantities(text) if q.kind == kind]
    assert found and found[0].value == pytest.approx(value)


def test_a_word_with_cheng_is_no_share():
    assert quantities("成本很高") == []
    assert all(q.kind != "percent" for q in quantities("三成员工"))


def test_quantities_keep_their_place_in_the_text():
    text = "一年采购两千来万，毛利三成"
    for q in quantities(text):
        assert text[q.start : q.end] == q.text


@pytest.mark.parametrize(
    "text", ["普通客户是前百分之几", "占几成", "排前几名算VIP", "排第几", "几倍", "排前几多%", "占几多成"]
)
def test_a_bare_ji_asks_for_a_number(text):
    assert quantities(text) == []


@pytest.mark.parametrize(
    "text, value", [("一年就几万块", 5.0), ("几十万", 50.0), ("小几百万", 200.0), ("十几万", 15.0)]
)
def test_ji_before_a_large_unit_is_a_few(text, value):
    assert [q.value for q in quantities(text) if q.kind == "money"] == [value]
