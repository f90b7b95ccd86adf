"""The analysed list exported as .csv (UTF-8 with BOM) and .xlsx, read back as Excel would
(knowledge/portfolio/export.py)."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from knowledge.portfolio import analyse, export_csv, export_xlsx, read_table
from knowledge.portfolio.export import safe_cell
from tests.knowledge.portfolio_files import write

ROWS = [
    ["客户名称", "年采购额（万元）", "增长率", "联系人"],
    ["甲公司", 800, "25%", '=HYPERLINK("http://evil.example","点我")'],
    ["+乙公司", "三百万", "N/A", "@SUM(A1:A9)"],
    ["丙公司", "-", "30%", "-2+3"],
]
ADDED = ["价值矩阵分类", "金字塔层级", "关键客户A/B/C", "忠诚度", "分类依据", "分析备注"]


@pytest.mark.parametrize(
    "cell, shown",
    [
        ("=1+1", "'=1+1"),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("甲公司", "甲公司"),
        (-5, -5),
        ("-5", -5),
        ("12.5", 12.5),
        ("0012", "0012"),
        (800.0, 800.0),
        (None, None),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_quoted(cell, shown):
    assert safe_cell(cell) == shown


def _analysis(tmp_path, kb):
    return analyse(read_table(write(tmp_path, "gbk_csv", ROWS)), kb)


def test_csv_export_has_a_bom_the_added_columns_and_no_formula(tmp_path, kb):
    data = export_csv(_analysis(tmp_path, kb))
    assert data.startswith(b"\xef\xbb\xbf")
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert lines[0] == ROWS[0] + ADDED
    assert lines[1][:2] == ["甲公司", "800"]
    assert lines[1][4:6] == [kb.get("platinum_customer").term, kb.get("minor_customer").term]
    assert lines[1][3] == '\'=HYPERLINK("http://evil.example","点我")'
    assert lines[2][0] == "'+乙公司"
    assert lines[2][3] == "'@SUM(A1:A9)"
    assert lines[3][3] == "'-2+3"
    assert lines[3][-1] == "“年采购额（万元）”为空；没有“年采购额（万元）”，无法排名"
    assert not any(cell.startswith(("=", "+", "-", "@")) for line in lines for cell in line)


def test_xlsx_export_holds_text_not_formulas(tmp_path, kb):
    path = tmp_path / "导出.xlsx"
    path.write_bytes(export_xlsx(_analysis(tmp_path, kb)))
    sheet = load_workbook(path).worksheets[0]
    cells = [list(row) for row in sheet.iter_rows()]
    assert [c.value for c in cells[0]] == ROWS[0] + ADDED
    assert all(c.data_type != "f" for row in cells for c in row)
    assert cells[1][3].value == '\'=HYPERLINK("http://evil.example","点我")'
    assert cells[1][1].value == 800  # numbers stay numbers
    assert cells[1][4].value == kb.get("platinum_customer").term
