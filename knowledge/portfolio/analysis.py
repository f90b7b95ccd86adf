"""A customer list classified: per customer the facts its row gives and every framework's class
through the one-customer implementation (knowledge/customers/frameworks.py), the pyramid tier by
rank within the list; for the list the Pareto figures, counts per class and the strategies.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Dict, List, Protocol

from knowledge import yamlfile
from knowledge.customers.explain import level_line
from knowledge.customers.facts import Facts
from knowledge.customers.frameworks import Verdict, apply, frameworks, known_facts, value_levels
from knowledge.portfolio import columns
from knowledge.portfolio.charts import chart_data
from knowledge.portfolio.columns import Mapping, map_columns, read_number
from knowledge.portfolio.sheets import PortfolioError, Table, messages

# The frameworks a list can decide, in the order the export shows them.
FRAMEWORKS = ("value_matrix", "pyramid", "key_classes", "loyalty")
AMOUNT_FIELDS = ("purchase_wan", "profit_wan", "margin_pct")
# The fact → the field whose cell it is read from.
_EVIDENCE = {
    "purchase_wan": "purchase_wan",
    "margin_pct": "margin_pct",
    "growth_pct": "growth_pct",
    "years": "years",
    "late_payment": "payment",
    "order_frequency": "orders",
    "market_share": "market_share",
}
_KINDS = {"purchase_wan": "money", "profit_wan": "money", "margin_pct": "percent", "growth_pct": "percent"}


class Entries(Protocol):
    """What the analysis needs of the knowledge base (knowledge.search.KnowledgeBase has it)."""

    def get(self, key: str) -> Any: ...


@dataclass
class CustomerResult:
    """One row: the customer's name, the values read, the facts, each framework's class, the notes."""

    row: int  # in the sheet, the header being row 1
    name: str
    values: Dict[str, float | str | bool | None]
    facts: Facts
    classes: Dict[str, str | None]  # framework id → entry id, label, or None (undecided)
    rank: int | None = None
    notes: List[str] = field(default_factory=list)
    # The levels of the value matrix and what decided them, worded as in a one-customer reply.
    basis: List[str] = field(default_factory=list)


@dataclass
class Analysis:
    table: Table
    mapping: Mapping
    customers: List[CustomerResult]
    rank_by: str | None
    pareto: Dict[str, float | int | None]
    counts: Dict[str, Dict[str, int]]
    strategies: List[Dict[str, Any]]
    names: Dict[str, str]  # class id or label → the name shown


def _cell(row: List[Any], mapping: Mapping, name: str) -> Any:
    return row[mapping.fields[name]] if name in mapping.fields else None


def _fractions(table: Table, mapping: Mapping) -> set:
    """Percent columns whose numbers all lie within ±1: Excel percentages (0.15 for 15%)."""
    found = set()
    for name in ("margin_pct", "growth_pct"):
        if name not in mapping.fields:
            continue
        cells = [_cell(row, mapping, name) for row in table.rows]
        numbers = [c for c in cells if isinstance(c, (int, float)) and not isinstance(c, bool)]
        if numbers and len(numbers) == sum(not columns.is_missing(c) for c in cells):
            if all(abs(n) <= 1 for n in numbers):
                found.add(name)
                note = messages()["notes"]["fraction_as_percent"]
                mapping.notes.append(note.format(column=mapping.column(name)))
    return found


def _read_row(number: int, row: List[Any], mapping: Mapping, fractions: set) -> CustomerResult:
    notes_text = messages()["notes"]
    settings = columns.settings()
    notes: List[str] = []
    values: Dict[str, Any] = {}

    def missing_or_unreadable(name: str, cell: Any) -> None:
        key = "missing" if columns.is_missing(cell) else "unreadable"
        notes.append(notes_text[key].format(column=mapping.column(name), cell=cell))

    for name, kind in _KINDS.items():
        if name not in mapping.fields:
            continue
        cell = _cell(row, mapping, name)
        value = None if columns.is_missing(cell) else read_number(cell, kind, mapping.scale.get(name, 1.0))
        if value is not None and name in fractions:
            value *= 100
        if value is None:
            missing_or_unreadable(name, cell)
        values[name] = value
    if "years" in mapping.fields:
        cell = _cell(row, mapping, "years")
        years = None if columns.is_missing(cell) else read_number(cell, "years")
        if years is not None and years > 1900:  # a start year: 2019
            notes.append(notes_text["start_year"].format(column=mapping.column("years"), year=int(years)))
            years = max(columns.this_year() - years, 0.0)
        if years is None:
            missing_or_unreadable("years", cell)
        values["years"] = years
    if "payment" in mapping.fields:
        cell = _cell(row, mapping, "payment")
        values["late_payment"] = None if columns.is_missing(cell) else columns.payment_late(cell)
    if "orders" in mapping.fields:
        cell = _cell(row, mapping, "orders")
        count = None if columns.is_missing(cell) else read_number(cell, "count")
        limits = settings["orders_per_year"]
        if count is not None:
            frequency = "frequent" if count >= limits["frequent"] else None
            frequency = "occasional" if count <= limits["occasional"] else frequency
        elif not columns.is_missing(cell):
            frequency = columns.level_word(cell, settings["frequency_words"])
        else:
            frequency = None
        values["order_frequency"] = frequency
    if "market_share" in mapping.fields:
        cell = _cell(row, mapping, "market_share")
        share = None if columns.is_missing(cell) else read_number(cell, "percent")
        bounds = settings["market_share_pct"]
        if share is not None:
            level = "high" if share >= bounds["high"] else "low" if share < bounds["low"] else "medium"
        else:
            level = None if columns.is_missing(cell) else columns.level_word(cell, settings["level_words"])
        values["market_share"] = level
    name_cell = _cell(row, mapping, "name")
    name = str(name_cell).strip() if not columns.is_missing(name_cell) else ""
    facts = Facts(
        purchase_wan=values.get("purchase_wan"),
        margin_pct=values.get("margin_pct"),
        growth_pct=values.get("growth_pct"),
        years=values.get("years"),
        late_payment=values.get("late_payment"),
        order_frequency=values.get("order_frequency"),
        market_share=values.get("market_share"),
    )
    # Each fact keeps the cell it was read from, as a description keeps its words.
    facts.evidence = {
        fact: str(_cell(row, mapping, column)).strip()
        for fact, column in _EVIDENCE.items()
        if getattr(facts, fact) is not None and column in mapping.fields
    }
    name = name or messages()["unnamed"].format(row=number)
    return CustomerResult(number, name, values, facts, {}, notes=notes)


def _class_of(verdict: Verdict) -> str | None:
    if verdict.entry_id and not verdict.label:
        return verdict.entry_id
    return verdict.label or (messages()["outside"] if verdict.outside else None)


def _pareto(values: List[float]) -> Dict[str, float | int | None]:
    """Share of customers that make 80% of the total, and the top 20%'s share (losses count as 0)."""
    ranked = sorted((max(v, 0.0) for v in values), reverse=True)
    total = sum(ranked)
    if not ranked or total <= 0:
        empty = dict.fromkeys(("count_for_80", "share_for_80", "top20_count", "top20_share"))
        return {"customers": len(ranked), **empty}
    running, needed = 0.0, len(ranked)
    for index, value in enumerate(ranked, start=1):
        running += value
        if running >= 0.8 * total - 1e-9:
            needed = index
            break
    top = max(1, math.ceil(len(ranked) * 0.2 - 1e-9))
    return {
        "customers": len(ranked),
        "count_for_80": needed,
        "share_for_80": round(needed / len(ranked) * 100, 1),
        "top20_count": top,
        "top20_share": round(sum(ranked[:top]) / total * 100, 1),
    }


def analyse(
    table: Table,
    kb: Entries | None = None,
    rank_by: str | None = None,
    columns_chosen: Dict[str, str | None] | None = None,
) -> Analysis:
    """Classify every row of ``table``; ``rank_by`` (profit_wan | purchase_wan) orders the pyramid
    and the Pareto figures, by default the first of columns.yml's ``rank_by`` the list has;
    ``columns_chosen`` (field → header, or None) corrects the recognised columns."""
    # The frameworks' and columns' files are looked at once for the whole list, not per cell.
    with yamlfile.unchanged():
        return _analyse(table, kb, rank_by, columns_chosen)


def _analyse(
    table: Table,
    kb: Entries | None = None,
    rank_by: str | None = None,
    columns_chosen: Dict[str, str | None] | None = None,
) -> Analysis:
    """``analyse`` once the files it reads are held still."""
    mapping = map_columns(table.header, table.rows, columns_chosen, table.header_notes)
    headers = "、".join(h for h in table.header if h) or "（空）"
    if not mapping.fields:
        raise PortfolioError("no_columns", file=table.file, headers=headers)
    if not any(name in mapping.fields for name in AMOUNT_FIELDS):
        raise PortfolioError("no_amount", file=table.file, headers=headers)
    fractions = _fractions(table, mapping)
    customers = [_read_row(index + 2, row, mapping, fractions) for index, row in enumerate(table.rows)]
    if rank_by is None or rank_by not in mapping.fields:
        rank_by = next((f for f in columns.settings()["rank_by"] if f in mapping.fields), None)
    ranked = [c for c in customers if rank_by and c.values.get(rank_by) is not None]
    ranked.sort(key=lambda c: -c.values[rank_by])  # stable: ties keep the sheet's order
    for rank, customer in enumerate(ranked, start=1):
        customer.rank = rank
        customer.facts.rank_pct = rank / len(ranked) * 100
    shown = {f["id"]: f for f in frameworks() if f["id"] in FRAMEWORKS}
    for customer in customers:
        if customer.rank is None and rank_by:
            customer.notes.append(messages()["notes"]["no_rank"].format(column=mapping.column(rank_by)))
        # classify()'s own steps, for the frameworks a list shows only, the levels found once.
        levels = value_levels(customer.facts)
        known = known_facts(customer.facts, levels)
        customer.classes = {fid: _class_of(apply(shown[fid], known, levels)) for fid in FRAMEWORKS}
        customer.basis = [level_line(d, lvl, customer.facts) for d, lvl in levels.items()]
    counts = {fid: dict(Counter(c.classes[fid] for c in customers if c.classes[fid])) for fid in FRAMEWORKS}
    names: Dict[str, str] = {}
    strategies: List[Dict[str, Any]] = []
    for fid in FRAMEWORKS:
        for class_id in counts[fid]:
            entry = kb.get(class_id) if kb is not None else None
            names[class_id] = entry.term if entry is not None else class_id
            strategies.append(
                {
                    "framework": fid,
                    "class": class_id,
                    "name": names[class_id],
                    "strategy": (entry.strategy or None) if entry is not None else None,
                    "customers": [c.name for c in customers if c.classes[fid] == class_id],
                }
            )
    pareto = _pareto([c.values[rank_by] for c in ranked]) if rank_by else _pareto([])
    return Analysis(table, mapping, customers, rank_by, pareto, counts, strategies, names)


def analysis_json(analysis: Analysis) -> Dict[str, Any]:
    """The analysis as the web front sends it: plain JSON types, class names as shown."""
    names = {f["id"]: f["name"] for f in frameworks()}

    def shown(class_id: str | None) -> str | None:
        return analysis.names.get(class_id, class_id) if class_id else None

    return {
        "file": analysis.table.file,
        "mapping": analysis.mapping.as_dict(),
        "field_labels": messages()["field_labels"],
        "rank_by": analysis.rank_by,
        "rank_column": analysis.mapping.column(analysis.rank_by) if analysis.rank_by else None,
        "pareto": analysis.pareto,
        "frameworks": [{"id": fid, "name": names[fid]} for fid in FRAMEWORKS],
        "counts": {
            fid: [{"class": c, "name": shown(c), "count": n} for c, n in counts.items()]
            for fid, counts in analysis.counts.items()
        },
        "strategies": analysis.strategies,
        "charts": chart_data(analysis),
        "customers": [
            {
                "row": c.row,
                "name": c.name,
                "rank": c.rank,
                "classes": {fid: shown(c.classes[fid]) for fid in FRAMEWORKS},
                "notes": c.notes,
                "basis": c.basis,
            }
            for c in analysis.customers
        ],
    }
