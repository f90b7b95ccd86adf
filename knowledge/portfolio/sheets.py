"""Reading an uploaded customer list: .xlsx (openpyxl, read-only) or .csv (UTF-8, UTF-8 with BOM,
GBK/GB18030), first row the header. Every refusal is a ``PortfolioError`` whose Chinese message
comes from messages.yml; nothing here logs the file's content.

Merged header cells: a header merged over several columns (财务 over 年采购额 and 毛利, with those
names in the row below) makes a two-row header, each column named 财务·年采购额; one merged over
columns with data right below names them 联系方式, 联系方式·2. A csv keeps no merges; its two-row
header is recognised by the blanks a merged cell leaves in the first row, filled in the second.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, List, Tuple

from knowledge import yamlfile

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE files
_ZIP_MAGIC = b"PK\x03\x04"
# The parts of a header that merged cells made: 财务·年采购额.
HEADER_JOIN = "·"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s[^>]*?ref="([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)"')


def messages() -> dict:
    return yamlfile.read(MESSAGES_FILE)


class PortfolioError(ValueError):
    """A file the analysis refuses; ``message`` says why in Chinese, ``code`` names the case."""

    def __init__(self, code: str, **values: Any) -> None:
        super().__init__(code)
        self.code = code
        self.values = values

    @property
    def message(self) -> str:
        return messages()["errors"][self.code].format(**self.values)


@dataclass(frozen=True)
class Limits:
    """What one upload may hold; a web front can pass its own."""

    max_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_rows: int = 100_000


@dataclass
class Table:
    """A sheet as read: the header and the rows below it (cells: str, int, float or None)."""

    file: str
    header: List[str]
    rows: List[List[Any]] = field(default_factory=list)
    # How merged header cells were read, for the user to confirm (empty: a plain one-row header).
    header_notes: List[str] = field(default_factory=list)


@dataclass
class _Sheet:
    rows: List[List[Any]]
    # Column ranges (0-based, inclusive) merged across the first row, and columns merged down
    # from it into the second; None for a csv, which keeps no merges.
    spans: List[Tuple[int, int]] | None = None


def read_table(path: str | Path, limits: Limits = Limits(), name: str | None = None) -> Table:
    """The first sheet of ``path``; ``name`` is the file name the user gave (for the messages)."""
    path = Path(path)
    name = name or path.name
    suffix = Path(name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise PortfolioError("wrong_extension", file=name)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise PortfolioError(
            "too_large", file=name, size_mb=round(size / 2**20, 1), limit_mb=limits.max_bytes // 2**20
        )
    with path.open("rb") as file:
        head = file.read(8)
    if head.startswith(_OLE_MAGIC):
        raise PortfolioError("old_or_encrypted", file=name)
    sheet = (
        _xlsx_rows(path, name, head, limits) if suffix == ".xlsx" else _Sheet(_csv_rows(path, name, limits))
    )
    rows = sheet.rows
    header_rows, header, notes = 1, _texts(rows[0]) if rows else [], []
    if len(rows) > 2 and any(_present(cell) for cell in rows[0]):
        header_rows, header, notes = _merged_header(rows, sheet.spans)
    if len(rows) - header_rows > limits.max_rows:
        raise PortfolioError("too_many_rows", file=name, limit=limits.max_rows)
    rows = [row for row in rows[header_rows:] if any(_present(cell) for cell in row)]
    if not rows or not any(header):
        raise PortfolioError("empty", file=name)
    width = len(header)
    body = [(row + [None] * width)[:width] for row in rows]
    return Table(name, header, body, notes)


def _texts(row: List[Any]) -> List[str]:
    return [_text(cell) for cell in row]


def _text(cell: Any) -> str:
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)  # a year in a sub-header: 2023, not 2023.0
    return str(cell).strip() if cell is not None else ""


def _looks_like_data(cell: Any) -> bool:
    if isinstance(cell, (int, float)):
        return True
    return bool(re.fullmatch(r"[-+]?[\d.,]+\s*[%万元亿]*", _text(cell)))


def _merged_header(
    rows: List[List[Any]], spans: List[Tuple[int, int]] | None
) -> Tuple[int, List[str], List[str]]:
    """How many rows the header takes, the header, and how merged cells were read."""
    first, second = _texts(rows[0]), _texts(rows[1])
    width = max(len(first), len(second))
    first, second = first + [""] * (width - len(first)), second + [""] * (width - len(second))
    guessed = spans is None
    if spans is None:  # a csv: a merged cell leaves its value in the first column, blanks after
        spans = list(_blank_runs(first))
        if any(_looks_like_data(cell) for cell in rows[1] if _present(cell)):
            spans = []
    spans = [(start, end) for start, end in spans if end > start and first[start]]
    if not spans:
        return 1, first, []
    inside = {column for start, end in spans for column in range(start, end + 1)}
    note = messages()["notes"]
    two_rows = all(bool(second[c]) == (c in inside) for c in range(width))
    if guessed and not two_rows:  # blanks in a csv's header are only blanks
        return 1, first, []
    header = list(first)
    for start, end in spans:
        for column in range(start, end + 1):
            if two_rows:
                header[column] = f"{first[start]}{HEADER_JOIN}{second[column]}"
            elif column > start:
                header[column] = f"{first[start]}{HEADER_JOIN}{column - start + 1}"
    if two_rows:
        return 2, header, [note["two_row_header"].format(example=header[spans[0][0]])]
    merged = "、".join(f"“{first[start]}”" for start, _ in spans)
    return 1, header, [note["merged_header"].format(columns=merged)]


def _blank_runs(first: List[str]) -> Iterator[Tuple[int, int]]:
    """The blanks after a filled cell of the first row, with that cell: (start, end)."""
    start = None
    for column, title in enumerate([*first, "end"]):
        if title:
            if start is not None and column - 1 > start:
                yield start, column - 1
            start = column if column < len(first) else None


def _present(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number - 1


def _spans(sheet: Any) -> List[Tuple[int, int]]:
    """The merges that start in the first row: openpyxl's read-only sheets do not read them, so
    the sheet's XML is scanned for its <mergeCell> elements (after the rows, in a stream)."""
    spans, tail = [], b""
    with sheet._get_source() as source:  # noqa: SLF001 (openpyxl opens the sheet's XML only so)
        while chunk := source.read(1 << 20):
            text = tail + chunk
            for found in _MERGE.finditer(text):
                first_row, last_row = int(found[2]), int(found[4])
                if first_row == 1:
                    spans.append((_column(found[1]), _column(found[3])) if last_row <= 2 else (0, -1))
            tail = text[-200:]
    return sorted(set(spans))


def _xlsx_rows(path: Path, name: str, head: bytes, limits: Limits) -> _Sheet:
    if not head.startswith(_ZIP_MAGIC):
        raise PortfolioError("not_a_spreadsheet", file=name)
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise PortfolioError("corrupt_xlsx", file=name) from error
    # The sizes in the directory can lie; openpyxl then reads at most what they claim, and the
    # row limit below stops a sheet that is only long.
    if unzipped > limits.max_unzipped_bytes:
        raise PortfolioError("zip_bomb", file=name, limit_mb=limits.max_unzipped_bytes // 2**20)
    from openpyxl import load_workbook  # imported here: the rest of knowledge/ does not need it

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises KeyError, ValueError, zipfile errors … on bad files
        raise PortfolioError("corrupt_xlsx", file=name) from error
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise PortfolioError("empty", file=name)
        rows: List[List[Any]] = []
        for row in sheet.iter_rows(values_only=True):
            if len(rows) > limits.max_rows + 1:  # the header may take two rows
                raise PortfolioError("too_many_rows", file=name, limit=limits.max_rows)
            rows.append(list(row))
        # A merged cell leaves the cells it covers empty; only then is the XML scanned again.
        merged = bool(rows) and any(not _present(cell) for cell in rows[0])
        return _Sheet(rows, _spans(sheet) if merged else [])
    except PortfolioError:
        raise
    except Exception as error:
        raise PortfolioError("corrupt_xlsx", file=name) from error
    finally:
        workbook.close()


def _csv_rows(path: Path, name: str, limits: Limits) -> List[List[Any]]:
    data = path.read_bytes()
    if b"\x00" in data:
        raise PortfolioError("not_a_spreadsheet", file=name)
    for encoding in ("utf-8-sig", "gb18030"):  # GB18030 is a superset of GBK and GB2312
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise PortfolioError("not_a_spreadsheet", file=name)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: List[List[Any]] = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            if len(rows) > limits.max_rows + 1:  # the header may take two rows
                raise PortfolioError("too_many_rows", file=name, limit=limits.max_rows)
            rows.append(row)
    except csv.Error as error:
        raise PortfolioError("not_a_spreadsheet", file=name) from error
    return rows
