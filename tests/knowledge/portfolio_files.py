"""Customer lists written as real files, the way Excel and WPS in China save them."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, List, Sequence

from openpyxl import Workbook


def write_csv(path: Path, rows: Sequence[Sequence[Any]], encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[Any]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


# One customer in each value-matrix quadrant (by the one-customer thresholds), then one without growth.
FOUR_QUADRANTS = [
    ["客户名称", "年采购额（万元）", "毛利（万元）", "增长率"],
    ["甲公司", 800, 200, "25%"],  # 白金
    ["乙公司", 600, 90, "3%"],  # 黄金
    ["丙公司", 50, 5, "30%"],  # 铁质
    ["丁公司", 40, 3, "1%"],  # 铅质
]
WITH_UNDECIDED = FOUR_QUADRANTS + [["戊公司", 20, 2, "-"]]  # no growth: undecided


# name → (suffix, writer): every way a list reaches us.
WRITERS = {
    "gbk_csv": (".csv", lambda p, rows: write_csv(p, rows, "gbk")),
    "gb18030_csv": (".csv", lambda p, rows: write_csv(p, rows, "gb18030")),
    "bom_csv": (".csv", lambda p, rows: write_csv(p, rows, "utf-8-sig")),
    "utf8_csv": (".csv", lambda p, rows: write_csv(p, rows, "utf-8")),
    "xlsx": (".xlsx", write_xlsx),
}


def write(tmp_path: Path, kind: str, rows: List[List[Any]], stem: str = "客户名单") -> Path:
    suffix, writer = WRITERS[kind]
    return writer(tmp_path / f"{stem}{suffix}", rows)
