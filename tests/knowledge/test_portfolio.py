"""A customer list read from real files and classified: every class, tier and Pareto figure
against a hand-computed expectation (knowledge/portfolio/)."""

from __future__ import annotations

import pytest

from knowledge.paths import PACKAGE_DIR
from knowledge.portfolio import PortfolioError, analyse, read_table
from knowledge.portfolio.columns import map_columns, payment_late, read_number
from knowledge.portfolio.sheets import messages
from tests.knowledge.portfolio_files import WRITERS, write

HEADER = ["客户名称", "年采购额（万元）", "增长率", "合作年限", "回款情况", "订单数", "市场份额", "备注"]
# name, purchases, growth, years, payment, orders, market share, a column nobody maps →
# value matrix, key class, loyalty. Thresholds (value_levels.yml): purchases ≥ 500 high, < 100
# low; growth ≥ 20 high, < 5 low; market share (columns.yml) ≥ 20% high, < 5% low; orders ≥ 12 a
# year frequent, ≤ 2 occasional.
CUSTOMERS = [
    (["甲公司", 800, "25%", 5, "按时", 20, "25%", "老友"], "platinum_customer", "key_customer_a", "忠诚客户"),
    (["乙公司", "600万", "10%", "5年", "拖欠", 20, "高", ""], "gold_customer", "key_customer_a", "老客户"),
    (["丙公司", "约50万", 30, 0.5, "", 6, "2%", ""], "iron_customer", "key_customer_c", "新客户"),
    (["丁公司", "二百万", "3%", 2, "按时回款", 1, "", ""], "lead_customer", "key_customer_b", "经常客户"),
    (["戊公司", 900, "-5%", 5, "按时", 1, "3%", ""], "gold_customer", "key_customer_b", "老客户"),
]


@pytest.mark.parametrize("kind", list(WRITERS))
@pytest.mark.parametrize("row, matrix, key_class, loyalty", CUSTOMERS, ids=[c[0][0] for c in CUSTOMERS])
def test_every_class_from_every_file_kind(tmp_path, kb, kind, row, matrix, key_class, loyalty):
    path = write(tmp_path, kind, [HEADER, *(c[0] for c in CUSTOMERS)])
    analysis = analyse(read_table(path), kb)
    customer = next(c for c in analysis.customers if c.name == row[0])
    assert customer.classes["value_matrix"] == matrix
    assert customer.classes["key_classes"] == key_class
    assert customer.classes["loyalty"] == loyalty


def test_the_basis_of_the_value_matrix_quotes_the_cells(tmp_path, kb):
    path = write(tmp_path, "gbk_csv", [HEADER, *(c[0] for c in CUSTOMERS)])
    by_name = {c.name: c for c in analyse(read_table(path), kb).customers}
    assert by_name["丙公司"].basis == [
        "· 当前价值：低，依据年采购额 50 万元（“约50万”）",
        "· 增值潜力：高，依据增长率 30%（“30”）",
    ]
    assert by_name["戊公司"].basis[1] == "· 增值潜力：低，依据增长率 -5%（“-5%”）"


def test_mapping_names_what_it_recognised_and_what_not(tmp_path):
    table = read_table(write(tmp_path, "gbk_csv", [HEADER, CUSTOMERS[0][0]]))
    mapping = map_columns(table.header, table.rows).as_dict()
    assert mapping["mapped"] == {
        "name": "客户名称",
        "purchase_wan": "年采购额（万元）",
        "growth_pct": "增长率",
        "years": "合作年限",
        "payment": "回款情况",
        "orders": "订单数",
        "market_share": "市场份额",
    }
    assert mapping["unmapped"] == ["备注"]


@pytest.mark.parametrize(
    "header, field",
    [
        ("客户名称", "name"),
        ("公司", "name"),
        ("Customer", "name"),
        ("销售额(元)", "purchase_wan"),
        ("营业额", "purchase_wan"),
        ("Revenue", "purchase_wan"),
        ("毛利（万元）", "profit_wan"),
        ("利润", "profit_wan"),
        ("毛利率(%)", "margin_pct"),
        ("预计增长", "growth_pct"),
        ("Growth %", "growth_pct"),
        ("合作时间", "years"),
        ("付款情况", "payment"),
        ("下单频率", "orders"),
        ("市场份额", "market_share"),
    ],
)
def test_a_header_maps_to_its_field(header, field):
    assert list(map_columns([header], [["1"]]).fields) == [field]


@pytest.mark.parametrize(
    "cell, kind, scale, expected",
    [
        ("约300万", "money", 1.0, 300.0),
        ("三百万", "money", 1.0, 300.0),
        ("1.2亿", "money", 1.0, 12000.0),
        ("1,200,000", "money", 0.0001, 120.0),
        (3000000, "money", 0.0001, 300.0),
        ("300", "money", 1.0, 300.0),
        ("十来万", "money", 1.0, 10.0),
        ("15%", "percent", 1.0, 15.0),
        ("-5%", "percent", 1.0, -5.0),
        ("5年", "years", 1.0, 5.0),
        ("很多", "money", 1.0, None),
        ("N/A", "money", 1.0, None),
    ],
)
def test_a_cell_is_read_with_the_number_reader(cell, kind, scale, expected):
    assert read_number(cell, kind, scale) == (pytest.approx(expected) if expected is not None else None)


@pytest.mark.parametrize(
    "cell, late",
    [
        ("按时", False),
        ("按时回款", False),
        ("从不拖欠", False),
        ("良好", False),
        ("拖欠", True),
        ("经常逾期", True),
        ("不按时", True),
        ("回款慢", True),
        ("一般", None),
    ],
)
def test_a_payment_cell(cell, late):
    assert payment_late(cell) is late


def test_money_without_a_unit_is_read_in_yuan_when_the_figures_are_large(tmp_path, kb):
    rows = [["公司", "销售额", "增长率"], ["甲", 8_000_000, 30], ["乙", 500_000, 1]]
    analysis = analyse(read_table(write(tmp_path, "xlsx", rows)), kb)
    assert [c.values["purchase_wan"] for c in analysis.customers] == pytest.approx([800.0, 50.0])
    assert analysis.mapping.notes == [messages()["notes"]["unit_assumed"].format(column="销售额", unit="元")]
    assert [c.classes["value_matrix"] for c in analysis.customers] == ["platinum_customer", "lead_customer"]


def test_excel_percentages_as_fractions_are_read_as_percent(tmp_path, kb):
    rows = [["Customer", "Revenue (万元)", "Growth"], ["A", 800, 0.25], ["B", 800, 0.1]]
    analysis = analyse(read_table(write(tmp_path, "xlsx", rows)), kb)
    assert [c.values["growth_pct"] for c in analysis.customers] == pytest.approx([25.0, 10.0])
    assert [c.classes["value_matrix"] for c in analysis.customers] == ["platinum_customer", "gold_customer"]


def test_missing_and_unreadable_cells_are_noted(tmp_path, kb):
    rows = [["客户名称", "年采购额（万元）", "增长率"], ["甲", "-", "很快"], ["乙", "N/A", "20%"]]
    analysis = analyse(read_table(write(tmp_path, "bom_csv", rows)), kb)
    first, second = analysis.customers
    assert first.notes == [
        "“年采购额（万元）”为空",
        "“增长率”的“很快”无法识别为数字，按缺失处理",
        "没有“年采购额（万元）”，无法排名",
    ]
    assert first.classes["value_matrix"] is None
    assert second.classes["value_matrix"] is None  # growth high, but the current value is unknown
    assert second.notes[0] == "“年采购额（万元）”为空"


def _ranked_list(count: int) -> list:
    return [["客户名称", "毛利（万元）"], *([f"客户{i:03d}", count + 1 - i] for i in range(1, count + 1))]


@pytest.mark.parametrize("kind", ["gbk_csv", "xlsx"])
def test_pyramid_tiers_by_rank_and_pareto_figures(tmp_path, kb, kind):
    # Profits 100, 99, … 1: rank i is the top i%.
    analysis = analyse(read_table(write(tmp_path, kind, _ranked_list(100))), kb)
    tiers = [c.classes["pyramid"] for c in analysis.customers]
    expected = ["vip_customer"] + ["major_customer"] * 3 + ["ordinary_customer"] * 11
    assert tiers == expected + ["minor_customer"] * 85
    assert analysis.counts["pyramid"] == {
        "vip_customer": 1,
        "major_customer": 3,
        "ordinary_customer": 11,
        "minor_customer": 85,
    }
    # Total 5050; 80% is 4040; the top k make k(201 − k)/2: 56 customers are needed (4060).
    # The top 20 make 1810 of 5050 = 35.8%.
    assert analysis.pareto == {
        "customers": 100,
        "count_for_80": 56,
        "share_for_80": 56.0,
        "top20_count": 20,
        "top20_share": 35.8,
    }
    assert analysis.rank_by == "profit_wan"


def test_pareto_of_a_list_where_twenty_percent_make_eighty(tmp_path, kb):
    profits = [20, 500, 50, 300, 50, 20, 20, 20, 10, 10]  # not in order: the analysis ranks them
    rows = [["客户", "利润", "销售额（万元）"], *([f"客户{i}", p, p * 3] for i, p in enumerate(profits))]
    analysis = analyse(read_table(write(tmp_path, "gbk_csv", rows)), kb)
    assert analysis.pareto["share_for_80"] == 20.0
    assert analysis.pareto["top20_share"] == 80.0
    assert [c.rank for c in analysis.customers] == [5, 1, 3, 2, 4, 6, 7, 8, 9, 10]
    by_revenue = analyse(read_table(write(tmp_path, "gbk_csv", rows)), kb, rank_by="purchase_wan")
    assert by_revenue.rank_by == "purchase_wan"
    assert by_revenue.pareto["share_for_80"] == 20.0


def test_strategies_come_from_the_knowledge_base_with_their_customers(tmp_path, kb):
    path = write(tmp_path, "gbk_csv", [HEADER, *(c[0] for c in CUSTOMERS)])
    analysis = analyse(read_table(path), kb)
    matrix = {s["class"]: s for s in analysis.strategies if s["framework"] == "value_matrix"}
    assert set(matrix) == {"platinum_customer", "gold_customer", "iron_customer", "lead_customer"}
    assert matrix["gold_customer"]["customers"] == ["乙公司", "戊公司"]
    assert matrix["gold_customer"]["name"] == kb.get("gold_customer").term
    assert matrix["gold_customer"]["strategy"] == kb.get("gold_customer").strategy
    assert analysis.counts["value_matrix"] == {
        "platinum_customer": 1,
        "gold_customer": 2,
        "iron_customer": 1,
        "lead_customer": 1,
    }


def test_the_sample_file_in_the_repository_reads_as_the_readme_says(kb):
    analysis = analyse(read_table(PACKAGE_DIR / "portfolio" / "sample.csv"), kb)
    shown = [analysis.names.get(c.classes["value_matrix"] or "") for c in analysis.customers]
    assert shown == ["白金客户", "黄金客户", "铁质客户", "黄金客户", "铁质客户", "铅质客户", None, None]
    assert analysis.mapping.unmapped == ["备注"]
    assert analysis.pareto["share_for_80"] == 50.0


def test_the_user_can_correct_the_columns(tmp_path, kb):
    rows = [["客户", "去年进货（万元）", "Trend", "增长率"], ["甲公司", 800, "25%", "1%"]]
    path = write(tmp_path, "xlsx", rows)
    with pytest.raises(PortfolioError) as raised:  # 去年进货 is no name columns.yml knows
        analyse(read_table(path), kb, columns_chosen={"growth_pct": None})
    assert raised.value.code == "no_amount"
    chosen = {"purchase_wan": "去年进货（万元）", "growth_pct": "Trend"}
    analysis = analyse(read_table(path), kb, columns_chosen=chosen)
    assert analysis.mapping.as_dict()["mapped"] == {**chosen, "name": "客户"}
    assert analysis.mapping.unmapped == ["增长率"]
    assert analysis.customers[0].classes["value_matrix"] == "platinum_customer"  # 25%, not 1%
    unchosen = analyse(read_table(path), kb, columns_chosen={"purchase_wan": "去年进货（万元）"})
    assert unchosen.customers[0].classes["value_matrix"] == "gold_customer"  # 增长率 1% found by name
    without = analyse(
        read_table(path), kb, columns_chosen={"purchase_wan": "去年进货（万元）", "growth_pct": None}
    )
    assert "growth_pct" not in without.mapping.fields
    assert without.customers[0].classes["value_matrix"] is None


@pytest.mark.parametrize("chosen", [{"revenue_total": "客户"}, {"purchase_wan": "没有这一列"}])
def test_a_correction_naming_nothing_is_refused(tmp_path, kb, chosen):
    path = write(tmp_path, "gbk_csv", [["客户", "销售额"], ["甲", 1]])
    with pytest.raises(PortfolioError) as raised:
        analyse(read_table(path), kb, columns_chosen=chosen)
    assert raised.value.code == "bad_mapping"
    assert list(chosen.values())[0] in raised.value.message


def test_a_formula_excel_never_calculated_is_missing_not_run(tmp_path, kb):
    # openpyxl writes the formula without a cached value, as a generator would; Excel saves one.
    rows = [["客户名称", "年采购额（万元）", "增长率"], ["甲公司", "=100*8", "25%"]]
    analysis = analyse(read_table(write(tmp_path, "xlsx", rows)), kb)
    customer = analysis.customers[0]
    assert customer.values["purchase_wan"] is None
    assert customer.notes[0] == "“年采购额（万元）”为空"
