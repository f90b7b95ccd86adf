"""Merged header cells and unsure column recognition (knowledge/portfolio/sheets.py, columns.py):
a header merged over several columns or a two-row header, in xlsx files written with real merges
and in the csv Excel saves from them; when the recognition is unsure the mapping says why."""

from __future__ import annotations

from pathlib import Path
from typing import Any, List, Sequence

import pytest
from openpyxl import Workbook

from knowledge.portfolio import analyse, map_columns, read_table
from tests.knowledge.portfolio_files import write, write_csv


def write_merged(path: Path, rows: Sequence[Sequence[Any]], merges: List[str]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    workbook.save(path)
    return path


# 客户名称 and 增长率 merged down over both header rows; 财务 across 年采购额 and 毛利.
TWO_ROWS = [
    ["客户名称", "财务", None, "增长率"],
    [None, "年采购额（万元）", "毛利（万元）", None],
    ["甲公司", 800, 200, "25%"],
    ["乙公司", 600, 90, "3%"],
    ["丙公司", 50, 5, "30%"],
]
TWO_ROWS_HEADER = ["客户名称", "财务·年采购额（万元）", "财务·毛利（万元）", "增长率"]


def test_a_two_row_header_of_an_xlsx_is_read_as_one(tmp_path, kb):
    path = write_merged(tmp_path / "名单.xlsx", TWO_ROWS, ["A1:A2", "B1:C1", "D1:D2"])
    table = read_table(path)
    assert table.header == TWO_ROWS_HEADER
    assert [row[0] for row in table.rows] == ["甲公司", "乙公司", "丙公司"]  # no header row among them
    analysis = analyse(table, kb)
    assert analysis.mapping.as_dict()["mapped"] == {
        "name": "客户名称",
        "purchase_wan": "财务·年采购额（万元）",
        "profit_wan": "财务·毛利（万元）",
        "growth_pct": "增长率",
    }
    assert [c.classes["value_matrix"] for c in analysis.customers] == [
        "platinum_customer",
        "gold_customer",
        "iron_customer",
    ]
    assert analysis.rank_by == "profit_wan"
    # Read from merged cells: the user is asked to confirm.
    assert analysis.mapping.unsure == [
        "表头有合并单元格，按两行表头读取（例如“财务·年采购额（万元）”），请确认每一列"
    ]


def test_the_csv_excel_saves_from_a_two_row_header_reads_the_same(tmp_path):
    # Excel writes a merged cell's value in its first column and leaves the others empty.
    rows = [["" if cell is None else cell for cell in row] for row in TWO_ROWS]
    for kind in ("gbk_csv", "bom_csv"):
        table = read_table(write(tmp_path, kind, rows))
        assert table.header == TWO_ROWS_HEADER
        assert len(table.rows) == 3 and table.header_notes


def test_a_header_merged_over_columns_with_data_below_names_each_column(tmp_path):
    rows = [
        ["客户名称", "年采购额（万元）", None, "增长率"],
        ["甲公司", 800, 900, "25%"],
        ["乙公司", 600, 650, "3%"],
    ]
    table = read_table(write_merged(tmp_path / "名单.xlsx", rows, ["B1:C1"]))
    assert table.header == ["客户名称", "年采购额（万元）", "年采购额（万元）·2", "增长率"]
    assert len(table.rows) == 2
    mapping = map_columns(table.header, table.rows, None, table.header_notes)
    assert mapping.column("purchase_wan") == "年采购额（万元）"
    assert mapping.unsure == [
        "表头“年采购额（万元）”合并了几列，依次读作“名称”“名称·2”……，请确认用的是哪一列",
        "“年采购额（万元）”和“年采购额（万元）·2”都像“年采购额（万元）”，用了“年采购额（万元）”，请确认",
    ]


def test_years_under_a_merged_header_are_column_names(tmp_path, kb):
    rows = [
        ["客户名称", "销售额（万元）", None, "增长率"],
        [None, 2023, 2024, None],
        ["甲公司", 400, 800, "25%"],
    ]
    table = read_table(write_merged(tmp_path / "名单.xlsx", rows, ["A1:A2", "B1:C1", "D1:D2"]))
    assert table.header == ["客户名称", "销售额（万元）·2023", "销售额（万元）·2024", "增长率"]
    # The user picks the year: the correction wins, and a chosen mapping is sure.
    analysis = analyse(table, kb, columns_chosen={"purchase_wan": "销售额（万元）·2024"})
    assert analysis.customers[0].classes["value_matrix"] == "platinum_customer"
    assert analysis.mapping.unsure == []
    assert "都像" in " ".join(map_columns(table.header, table.rows).unsure)


def test_blanks_in_a_csv_header_stay_blanks_when_the_next_row_is_data(tmp_path):
    rows = [
        ["客户名称", "年采购额", "", "增长率"],
        ["甲公司", "800", "备注", "25%"],
        ["乙公司", "600", "", "3%"],
    ]
    table = read_table(write_csv(tmp_path / "名单.csv", rows))
    assert table.header == ["客户名称", "年采购额", "", "增长率"]
    assert len(table.rows) == 2 and table.header_notes == []


@pytest.mark.parametrize(
    "header, unsure",
    [
        (["客户名称", "年采购额（万元）", "增长率"], []),
        (
            ["客户名称", "2023年采购额合计", "增长率"],
            ["“2023年采购额合计”被当作“年采购额（万元）”（表头只是含有“年采购额”），请确认"],
        ),
        (["编号", "年采购额", "增长率"], ["没有找到客户名称列，客户将按行号称呼；如有名称列请选出来"]),
        (
            ["客户名称", "销售额", "营业额"],
            ["“销售额”和“营业额”都像“年采购额（万元）”，用了“销售额”，请确认"],
        ),
    ],
    ids=["sure", "contains a name", "no name", "two for one field"],
)
def test_the_mapping_says_why_it_is_unsure(header, unsure):
    assert map_columns(header, [["甲公司", "300", "5%"]]).unsure == unsure
