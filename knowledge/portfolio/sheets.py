"""Reading an uploaded customer list: .xlsx (openpyxl, read-only) or .csv (UTF-8, UTF-8 with BOM,
GBK/GB18030), first row the header. Every refusal is a ``PortfolioError`` whose Chinese message
comes from messages.yml; nothing here logs the file's content.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, List

from knowledge import yamlfile

MESSAGES_FILE = Path(__file__).with_name("messages.yml")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted .xlsx and old .xls are OLE files
_ZIP_MAGIC = b"PK\x03\x04"


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
    rows = _xlsx_rows(path, name, head, limits) if suffix == ".xlsx" else _csv_rows(path, name, limits)
    rows = [row for row in rows if any(_present(cell) for cell in row)]
    if len(rows) < 2:
        raise PortfolioError("empty", file=name)
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    width = len(header)
    body = [(row + [None] * width)[:width] for row in rows[1:]]
    return Table(name, header, body)


def _present(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _xlsx_rows(path: Path, name: str, head: bytes, limits: Limits) -> List[List[Any]]:
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
            if len(rows) > limits.max_rows:
                raise PortfolioError("too_many_rows", file=name, limit=limits.max_rows)
            rows.append(list(row))
        return rows
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
            if len(rows) > limits.max_rows:
                raise PortfolioError("too_many_rows", file=name, limit=limits.max_rows)
            rows.append(row)
    except csv.Error as error:
        raise PortfolioError("not_a_spreadsheet", file=name) from error
    return rows
