"""Files the portfolio analysis refuses: each with its own Chinese message from messages.yml,
naming the file (knowledge/portfolio/)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from knowledge.portfolio import Limits, PortfolioError, analyse, read_table
from knowledge.portfolio.sheets import messages
from tests.knowledge.portfolio_files import write_csv


def _bytes(name: str, data: bytes):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return make


def _zip(name: str, members: dict):
    def make(tmp_path: Path) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for member, data in members.items():
                archive.writestr(member, data)
        return path

    return make


def _empty_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "空表.xlsx"
    Workbook().save(path)
    return path


def _csv(name: str, rows: list, encoding: str = "gbk"):
    return lambda tmp_path: write_csv(tmp_path / name, rows, encoding)


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls begin so
LONG = [["客户名称", "年采购额"]] + [["甲" * 50, 1]] * 200
SMALL = Limits(max_bytes=16 * 1024, max_unzipped_bytes=1024 * 1024, max_rows=10)
CASES = [
    ("a PDF", _bytes("名单.pdf", b"%PDF-1.4"), "wrong_extension"),
    ("an old .xls", _bytes("名单.xls", OLE), "wrong_extension"),
    ("a picture named .csv", _bytes("名单.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), "not_a_spreadsheet"),
    ("text named .xlsx", _bytes("名单.xlsx", "客户名称,年采购额\n甲,100\n".encode()), "not_a_spreadsheet"),
    ("an encrypted xlsx", _bytes("加密.xlsx", OLE + b"\x00" * 512), "old_or_encrypted"),
    ("a cut-off xlsx", _bytes("损坏.xlsx", b"PK\x03\x04" + b"\x14\x00" * 40), "corrupt_xlsx"),
    ("a zip that is no workbook", _zip("假的.xlsx", {"readme.txt": "hello"}), "corrupt_xlsx"),
    ("a zip bomb", _zip("炸弹.xlsx", {"xl/worksheets/sheet1.xml": b"\x00" * (2 * 1024 * 1024)}), "zip_bomb"),
    ("a file over the size limit", _csv("大文件.csv", LONG), "too_large"),
    ("too many rows", _csv("长表.csv", [["客户名称", "年采购额"]] + [["甲", 1]] * 11), "too_many_rows"),
    ("an empty csv", _bytes("空.csv", b""), "empty"),
    ("a header and nothing else", _csv("只有表头.csv", [["客户名称", "年采购额"]]), "empty"),
    ("an empty xlsx", _empty_xlsx, "empty"),
]


@pytest.mark.parametrize("make, code", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_bad_file_is_refused_with_its_message(tmp_path, make, code):
    path = make(tmp_path)
    with pytest.raises(PortfolioError) as raised:
        read_table(path, SMALL)
    error = raised.value
    assert error.code == code
    assert error.message == messages()["errors"][code].format(**error.values)
    assert f"“{path.name}”" in error.message


@pytest.mark.parametrize(
    "rows, code",
    [
        ([["foo", "bar"], ["1", "2"]], "no_columns"),
        ([["客户名称", "地址"], ["甲公司", "上海"]], "no_amount"),
    ],
)
def test_a_list_without_the_columns_it_needs_is_refused(tmp_path, kb, rows, code):
    path = write_csv(tmp_path / "名单.csv", rows, "gbk")
    with pytest.raises(PortfolioError) as raised:
        analyse(read_table(path), kb)
    assert raised.value.code == code
    assert rows[0][0] in raised.value.message  # the message shows the headers it found


def test_the_user_name_of_the_file_is_the_one_shown(tmp_path):
    path = tmp_path / "upload-3f9a"
    path.write_bytes(b"%PDF")
    with pytest.raises(PortfolioError) as raised:
        read_table(path, name="我的客户.pdf")
    assert "“我的客户.pdf”" in raised.value.message


@pytest.mark.parametrize("rows, refused", [(100_000, False), (100_001, True)])
def test_the_default_limit_is_a_hundred_thousand_rows(tmp_path, rows, refused):
    path = tmp_path / "十万行.csv"
    path.write_bytes(("客户名称,年采购额\n" + "甲,1\n" * rows).encode("gbk"))
    if refused:
        with pytest.raises(PortfolioError) as raised:
            read_table(path)
        assert raised.value.code == "too_many_rows" and "100000" in raised.value.message
    else:
        assert len(read_table(path).rows) == rows
