"""The customer list with the added columns, as .csv (UTF-8 with BOM, so Excel opens it) or .xlsx.

Text cells starting with = + - @ (or a tab or carriage return) are prefixed with ' so that a
spreadsheet program shows them instead of running them as formulas (CSV/formula injection).
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any, List

from knowledge.portfolio.analysis import FRAMEWORKS, Analysis
from knowledge.portfolio.sheets import messages

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A number a CSV gave as text (800, -5, 12.5; not 0012, a code): a number again in the export.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


def safe_cell(value: Any) -> Any:
    """Numbers as numbers; text that a spreadsheet would read as a formula, quoted."""
    if isinstance(value, str) and _PLAIN_NUMBER.fullmatch(value):
        return float(value) if "." in value else int(value)
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def rows(analysis: Analysis) -> List[List[Any]]:
    """The header and one row per customer: the user's cells, then the classes and the notes."""
    added = messages()["added_columns"]
    header = [*analysis.table.header, *(added[fid] for fid in FRAMEWORKS), added["basis"], added["notes"]]
    body = []
    for row, customer in zip(analysis.table.rows, analysis.customers, strict=True):
        found = [customer.classes[fid] or "" for fid in FRAMEWORKS]
        classes = [analysis.names.get(class_id, class_id) for class_id in found]
        basis = "；".join(line.lstrip("· ") for line in customer.basis)
        body.append([*row, *classes, basis, "；".join(customer.notes)])
    return [[safe_cell(cell) for cell in line] for line in [header, *body]]


def export_csv(analysis: Analysis) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for line in rows(analysis):
        writer.writerow(["" if cell is None else cell for cell in line])
    return buffer.getvalue().encode("utf-8-sig")


def export_xlsx(analysis: Analysis) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(messages()["sheet_title"])
    for line in rows(analysis):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
