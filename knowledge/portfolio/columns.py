"""Which column of a customer list holds which fact, and the facts read out of its cells.

Headers are matched against the names in columns.yml; numbers in cells (约300万, 三百万, 15%,
1,200) are read with the project's number reader (knowledge/customers/numbers.py); a cell it
cannot read is missing, with a note.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Tuple

from knowledge import rules, yamlfile
from knowledge.customers.numbers import quantities
from knowledge.portfolio.sheets import HEADER_JOIN, PortfolioError, messages

COLUMNS_FILE = Path(__file__).with_name("columns.yml")
MONEY_FIELDS = ("purchase_wan", "profit_wan")
PERCENT_FIELDS = ("margin_pct", "growth_pct")


def settings() -> dict:
    return yamlfile.read(COLUMNS_FILE)


@dataclass
class Mapping:
    """Field → column index, the columns left unmapped, and per column how its unit was decided."""

    fields: Dict[str, int] = field(default_factory=dict)
    unmapped: List[str] = field(default_factory=list)
    header: List[str] = field(default_factory=list)
    scale: Dict[str, float] = field(default_factory=dict)  # money field → 万元 per unit of a bare number
    notes: List[str] = field(default_factory=list)  # what was assumed, for the user to check
    # Why the recognition is unsure (a header that only contains a name, two headers for one
    # field, no name column, merged header cells): the page asks the user to confirm first.
    unsure: List[str] = field(default_factory=list)

    def column(self, name: str) -> str:
        return self.header[self.fields[name]]

    def as_dict(self) -> Dict[str, Any]:
        return {
            "mapped": {name: self.column(name) for name in self.fields},
            "unmapped": self.unmapped,
            "notes": self.notes,
            "unsure": self.unsure,
            "header": self.header,
        }


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()


def _bare(header: str) -> Tuple[str, float | None]:
    """The header without brackets, spaces and its money unit, and that unit (万元 per unit)."""
    text = _fold(header)
    unit = None
    for name, factor in sorted(settings()["money_units"].items(), key=lambda kv: -len(kv[0])):
        if name in text:
            unit = float(factor)
            text = text.replace(name, "")
            break
    return re.sub(r"[\s()（）\[\]【】/%:：_-]+", "", text), unit


def map_columns(
    header: List[str],
    rows: List[List[Any]],
    chosen: Dict[str, str | None] | None = None,
    header_notes: List[str] | None = None,
) -> Mapping:
    """The fields found in ``header``; each column serves at most one field, each field one column.

    ``chosen`` is the user's correction, field → header (None: the list has no such column); it
    wins over the names of columns.yml. A field or a header that does not exist is a
    ``bad_mapping`` PortfolioError. ``header_notes`` (how merged header cells were read) make the
    mapping unsure unless the user chose the columns.
    """
    fields = settings()["fields"]
    mapping = Mapping(header=list(header))
    chosen = chosen or {}
    for name, title in chosen.items():
        if name not in fields or (title is not None and title not in header):
            raise PortfolioError("bad_mapping", field=name, column=title)
        if title is not None:
            mapping.fields[name] = header.index(title)
    units: Dict[int, float | None] = {index: _bare(title)[1] for index, title in enumerate(header)}
    partial: Dict[str, str] = {}  # field → the name its header only contains
    rivals: Dict[str, List[int]] = {}  # field → the other headers that name it
    for index, title in enumerate(header):
        bare = _bare(title)[0]
        if not bare or index in mapping.fields.values():
            continue
        # A merged header (财务·年采购额) names a field exactly when one of its parts does.
        parts = {_bare(part)[0] for part in title.split(HEADER_JOIN)}
        best: Tuple[int, str, str] | None = None
        for name, spec in fields.items():
            if name in chosen:
                continue
            if any(_fold(word) in bare for word in spec.get("exclude", [])):
                continue
            for word in spec["names"]:
                word = re.sub(r"\s+", "", _fold(word))
                if bare == word or word in parts or word in bare:
                    exact = bare == word or word in parts
                    if name in mapping.fields:
                        if exact:
                            rivals.setdefault(name, []).append(index)
                        continue
                    score = len(word) + (100 if exact else 0)
                    if best is None or score > best[0]:
                        best = (score, name, "" if exact else word)
        if best:
            mapping.fields[best[1]] = index
            if best[2]:
                partial[best[1]] = best[2]
    taken = set(mapping.fields.values())
    mapping.unmapped = [title for index, title in enumerate(header) if index not in taken and title]
    for name in MONEY_FIELDS:
        if name in mapping.fields:
            mapping.scale[name] = _money_scale(mapping, name, units[mapping.fields[name]], rows)
    if not chosen:
        mapping.unsure = [*(header_notes or []), *_unsure(mapping, partial, rivals)]
    return mapping


def _unsure(mapping: Mapping, partial: Dict[str, str], rivals: Dict[str, List[int]]) -> List[str]:
    text, labels = messages()["unsure"], messages()["field_labels"]
    reasons = [
        text["partial"].format(column=mapping.column(name), label=labels[name], word=word)
        for name, word in partial.items()
    ]
    for name, others in rivals.items():
        for other in dict.fromkeys(o for o in others if o not in mapping.fields.values()):
            reasons.append(
                text["competing"].format(
                    column=mapping.column(name), other=mapping.header[other], label=labels[name]
                )
            )
    if "name" not in mapping.fields:
        reasons.append(text["no_name"])
    return reasons


def _money_scale(mapping: Mapping, name: str, unit: float | None, rows: List[List[Any]]) -> float:
    if unit is not None:
        return unit
    index = mapping.fields[name]
    bare = [v for v in (_plain_number(row[index]) for row in rows) if v is not None]
    in_yuan = bool(bare) and statistics.median(bare) > settings()["yuan_median_above"]
    note = messages_notes()["unit_assumed"]
    mapping.notes.append(note.format(column=mapping.column(name), unit="元" if in_yuan else "万元"))
    return 0.0001 if in_yuan else 1.0


def messages_notes() -> dict:
    return messages()["notes"]


def _plain_number(cell: Any) -> float | None:
    if isinstance(cell, bool):
        return None
    if isinstance(cell, (int, float)):
        return float(cell)
    try:
        return float(_fold(str(cell)).replace(",", "")) if cell is not None else None
    except ValueError:
        return None


@lru_cache(maxsize=4)
def _missing_words(stamp: int) -> frozenset:  # noqa: ARG001 (the cache key: columns.yml's time)
    return frozenset(_fold(word) for word in settings()["missing"])


def is_missing(cell: Any) -> bool:
    if cell is None:
        return True
    if isinstance(cell, (int, float)):
        return False
    return _fold(str(cell)) in _missing_words(yamlfile.stamp(COLUMNS_FILE))


def _clean(cell: Any) -> str:
    text = _fold(str(cell)).replace(",", "").replace("，", "")
    for word in settings()["approximately"]:
        text = text.replace(word, "")
    return text.strip()


def read_number(cell: Any, kind: str, scale: float = 1.0) -> float | None:
    """The number in a cell: ``kind`` money (万元; a bare number times ``scale``), percent or
    years; None where there is none."""
    plain = _plain_number(cell)
    if plain is not None:
        return plain * scale if kind == "money" else plain
    first = _first_quantity(str(cell), yamlfile.stamp(COLUMNS_FILE))
    if first is None:
        return None
    sign, found_kind, found_value = first
    value = _kind_value(found_kind, found_value, kind, scale)
    return None if value is None else sign * value


@lru_cache(maxsize=65536)
def _first_quantity(cell: str, stamp: int) -> Tuple[float, str, float] | None:  # noqa: ARG001 (cache key)
    """The sign, kind and value of the first quantity in a cell's text; cached, as a list repeats
    its cells (25%, 按时, 约300万) and reading one is the slowest step of a row."""
    text = _clean(cell)
    sign = -1.0 if text.startswith(("-", "−")) else 1.0  # the number reader reads -5% as 5%
    found = quantities(text.lstrip("-−"))
    return (sign, found[0].kind, found[0].value) if found else None


def _kind_value(found_kind: str, value: float, kind: str, scale: float) -> float | None:
    if kind == "money":
        bare = value * scale if found_kind == "count" else None
        return value if found_kind == "money" else bare
    if kind == "percent":
        return value if found_kind in ("percent", "count", "multiple") else None
    if kind == "years":
        return value if found_kind in ("years", "count") else None
    return value if found_kind == "count" else None


def level_word(cell: Any, words: Dict[str, List[str]]) -> str | None:
    """The key of ``words`` whose word the cell is or contains, the longest word first."""
    text = _fold(str(cell))
    pairs = sorted(((w, key) for key, ws in words.items() for w in ws), key=lambda p: -len(p[0]))
    return next((key for word, key in pairs if text == word), None) or next(
        (key for word, key in pairs if word in text), None
    )


def payment_late(cell: Any) -> bool | None:
    """True for 拖欠 / 延期, False for 按时 / 及时: the phrases of facts.yml and columns.yml; the
    longest phrase found decides (不拖欠 is on time though it contains 拖欠, 不按时 late)."""
    payment, short = rules.load("facts")["payment"], settings()["payment_words"]
    text = _fold(str(cell))
    found = [
        (len(phrase), late)
        for late, phrases in (
            (False, [*payment["on_time"], *short["on_time"]]),
            (True, [*payment["late"], *short["late"]]),
        )
        for phrase in phrases
        if phrase in text
    ]
    return max(found)[1] if found else None


def this_year() -> int:
    return date.today().year
