"""Read the facts of one customer from free Chinese text.

The text is standardised (script, width), split into clauses, and each clause is read by the
trained classifiers (knowledge.customers.training): what its words say of each aspect, and what
each number in it is (a yearly purchase, a margin, a growth rate, a rank…). A later clause
overrides an earlier one for the same fact; one that opens with a contrast (但, 不过…) also decides
its value dimension over any earlier figure (毛利率两成，不过一年就十来万 → the value is low).
"""

from __future__ import annotations

import copy
import dataclasses
import re
import threading
from functools import lru_cache
from typing import Dict, List

from knowledge.customers.clauses import Clause, split
from knowledge.customers.facts import DIMENSION_OF, Facts
from knowledge.customers.features import clause_features, number_context, number_signals
from knowledge.customers.lexicon import VALUE_DIMENSIONS, has, lexicon, loose_level, signals
from knowledge.customers.model import NONE
from knowledge.customers.numbers import Quantity, quantities
from knowledge.customers.training import ASPECTS, FactModel, load, period_multiplier
from knowledge.normalize import standardize

# A label is believed from this probability on (a clause says nothing of most aspects).
MIN_PROBABILITY = 0.5
# What the words of a clause after 但/不过 say of a value dimension overrides earlier figures only
# when the reader is this sure of it.
DECISIVE_PROBABILITY = 0.6
# A later clause's words replace an earlier clause's reading of the same fact unless they are
# this much less sure (前景也一般 does not undo 当前价值比较低), or follow a contrast.
OVERRIDE_MARGIN = 0.1

_lock = threading.Lock()
_model: FactModel | None = None


def model() -> FactModel:
    """The trained fact reader, loaded once per process."""
    global _model
    with _lock:
        if _model is None:
            _model = load()
        return _model


def _value(aspect: str, label: str) -> object:
    return {"true": True, "false": False}[label] if "true" in ASPECTS[aspect] else label


class _Reading:
    """The facts gathered clause by clause, with what is needed to combine numbers across clauses."""

    def __init__(self) -> None:
        self.facts = Facts()
        self.positions: List[tuple] = []  # (rank, clause) of 第N名 / 前N名
        self.populations: List[tuple] = []  # (customers, clause)
        self.decisive: Dict[str, str] = {}
        self.sureness: Dict[str, float] = {}
        self.said_in: Dict[str, int] = {}  # fact → the clause that stated it
        self.clause = 0

    def note(self, name: str, value: object, clause: Clause, probability: float = 1.0) -> None:
        earlier = self.sureness.get(name)
        if earlier is not None and not clause.contrast and probability < earlier - OVERRIDE_MARGIN:
            return
        self.sureness[name] = probability
        self.said_in[name] = self.clause
        dimension = DIMENSION_OF.get(name)
        if clause.contrast and dimension and probability >= DECISIVE_PROBABILITY:
            earlier = [n for n, d in DIMENSION_OF.items() if d == dimension and n in self.facts.evidence]
            if earlier:
                self.decisive[dimension] = name
        self.facts.note(name, value, clause.text)


def _read_clause(
    reading: _Reading,
    clause: Clause,
    found: List[Quantity],
    read: Dict[str, tuple],
    roles: List[Dict[str, tuple]],
) -> None:
    numbers = []
    for q, heads in zip(found, roles, strict=True):
        role, probability = heads["role"]
        if q.kind == "money" and role in (NONE, "purchase", "order") and PER_ORDER.search(clause.text):
            role, probability = "order", 1.0
        if role != NONE and probability >= MIN_PROBABILITY:
            numbers.append(_note_number(reading, clause, q, role))
    # What a number of this clause says is not read again from its words (明年要扩产三倍: the
    # growth rate, not "expansion"; 第一单50万: that order's amount, not "a small order").
    by_number = {aspect for name in numbers for aspect in SAID_BY_NUMBER.get(name, ())}
    if "order_size" in by_number and any(name.startswith("order_size:") for name in signals(clause.text)):
        by_number.discard("order_size")  # 第一单就下了个三百万的大单
    for aspect, (label, probability) in read.items():
        if label == NONE or probability < MIN_PROBABILITY or aspect in by_number:
            continue
        if aspect == "new_customer":
            if reading.facts.years is None:
                reading.note("years", 0.0, clause)
        else:
            reading.note(aspect, _value(aspect, label), clause, probability)


SAID_BY_NUMBER = {
    "purchase_wan": ("current_value",),
    "margin_pct": ("current_value",),
    "revenue_share_pct": ("current_value",),
    "growth_pct": ("growth_potential",),
    "years": ("new_customer",),
    "order_wan": ("order_size",),  # …unless the clause says 大单 / 小单 in so many words
}
# Money in a clause about one order is that order's size, not a yearly purchase (单笔订单20万).
PER_ORDER = re.compile(r"单笔|每单|一单|首单|第一单|一笔单|每笔|一次性|大单|小单")


def _note_number(reading: _Reading, clause: Clause, q: Quantity, role: str) -> str | None:
    """Note the fact a number is; return the fact's name."""
    if role in ("purchase", "order") and q.kind == "money":
        if role == "order" or PER_ORDER.search(clause.text):
            reading.note("order_wan", q.value, clause)
            return "order_wan"
        reading.note("purchase_wan", round(q.value * period_multiplier(clause.text), 4), clause)
        return "purchase_wan"
    if role == "margin" and q.kind == "percent":
        reading.note("margin_pct", q.value, clause)
        return "margin_pct"
    if role == "revenue_share" and q.kind == "percent":
        reading.note("revenue_share_pct", q.value, clause)
        return "revenue_share_pct"
    if role in ("growth", "decline") and q.kind in ("percent", "multiple"):
        value = q.value if q.kind == "multiple" or role == "growth" else -q.value
        if role == "decline" and q.kind == "multiple" and value > 0:
            value = -min(value, 100.0)
        reading.note("growth_pct", value, clause)
        return "growth_pct"
    if role == "rank_top" and q.kind in ("percent", "top"):
        reading.note("rank_pct", q.value, clause)
        return "rank_pct"
    if role == "years" and q.kind == "years":
        reading.note("years", q.value, clause)
        return "years"
    return None


def _words_made_precise(reading: _Reading) -> None:
    """增长很慢，只有2%: a figure in the clause right after words on the same dimension says what
    the words meant; the figure is the fact."""
    for dimension in VALUE_DIMENSIONS:
        said = reading.said_in.get(dimension)
        if said is None or reading.decisive.get(dimension) == dimension:
            continue
        figures = [n for n, d in DIMENSION_OF.items() if d == dimension and n != dimension]
        if any(reading.said_in.get(n) == said + 1 for n in figures):
            setattr(reading.facts, dimension, None)
            reading.facts.evidence.pop(dimension, None)


def _ranks(reading: _Reading, clause: Clause, found: List[Quantity]) -> None:
    """第N名 / 前N名 among the user's customers, and how many customers there are."""
    lex = lexicon()
    market = has(clause.text, lex["rank_markets"])
    for q in found:
        if (q.kind == "rank" or (q.kind == "top" and q.unit == "名")) and not market:
            reading.positions.append((q.value, clause))
        elif q.kind == "count" and q.unit in ("个客户", "位客户", "客户", "家", "个", "位"):
            if q.unit.endswith("客户") or has(clause.text, lex["customer_counts"]):
                reading.populations.append((q.value, clause))


def read_facts(text: str, fm: FactModel | None = None) -> Facts:
    """Every fact the text states about one customer, with the words each was read from."""
    if fm is not None:
        return _read(text, fm)
    current = model()
    return copy.deepcopy(_cached(text, id(current)))


@lru_cache(maxsize=512)
def _cached(text: str, model_id: int) -> Facts:
    # The form and the verdict read the same message in one turn; a reading is pure.
    return _read(text, model())


def _read(text: str, fm: FactModel) -> Facts:
    """The facts of ``text``, read with ``fm``; interjections such as 不对 are no clause."""
    reading = _Reading()
    clauses = split(standardize(text or ""))
    found = [quantities(c.text) for c in clauses]
    features = [clause_features(c.text, f) for c, f in zip(clauses, found, strict=True)]
    read = fm.clauses.predict([f[0] for f in features], [f[1] for f in features])
    numbers = [_in_context(clauses, found, index, q) for index, f in enumerate(found) for q in f]
    roles = fm.numbers.predict(
        [number_context(t, f, q) for t, f, q in numbers], [number_signals(t, q) for t, _, q in numbers]
    )
    at = 0
    for index, (clause, quantities_in, heads) in enumerate(zip(clauses, found, read, strict=True)):
        reading.clause = index
        _read_clause(reading, clause, quantities_in, heads, roles[at : at + len(quantities_in)])
        _ranks(reading, clause, quantities_in)
        at += len(quantities_in)
    _words_made_precise(reading)
    if reading.positions and reading.populations and reading.facts.rank_pct is None:
        (rank, at), (customers, among) = reading.positions[-1], reading.populations[-1]
        if customers >= rank > 0:
            words = at.text if at is among else f"{among.text}，{at.text}"
            reading.facts.note("rank_pct", round(rank / customers * 100, 4), words)
    reading.facts.decisive = dict(reading.decisive)
    return reading.facts


# What a bare figure is said with: 大概四成, 约30%左右, 只有2%吧.
_HEDGES = re.compile(r"大概|大约|大致|差不多|左右|上下|的样子|只有|也就|就|约|近|吧|呢|啊|的|了")


def _bare(text: str, found: List[Quantity]) -> bool:
    """The clause is an amount or a share and little else."""
    ends = [0, *(q.end for q in found)]
    starts = [*(q.start for q in found), len(text)]
    rest = "".join(text[a:b] for a, b in zip(ends, starts, strict=True))
    figures = bool(found) and all(q.kind in ("percent", "money", "multiple") for q in found)
    return figures and len(_HEDGES.sub("", rest).strip()) <= 1


def _in_context(clauses: List[Clause], found: List[List[Quantity]], index: int, q: Quantity) -> tuple:
    """(text, its quantities, the number) from which the number's role is read: its clause, or,
    when the clause says nothing of what the number is (margin很好，大概四成: 大概四成), the clause
    before it and this one, as one."""
    text = clauses[index].text
    if index == 0 or not _bare(text, found[index]):
        return text, found[index], q
    before = clauses[index - 1].text + "，"
    shift = len(before)
    moved = [dataclasses.replace(x, start=x.start + shift, end=x.end + shift) for x in found[index]]
    return before + text, found[index - 1] + moved, moved[found[index].index(q)]


def read_answer(text: str, dimension: str) -> Facts:
    """An answer to the form's question about ``dimension``: facts, or a level said alone.

    大概五百万吧 answers "current value?" as a yearly purchase; 30% answers "growth potential?" as a
    growth rate; 一般 / 挺大的 / 不清楚 are levels.
    """
    facts = read_facts(text)
    if dimension not in VALUE_DIMENSIONS or _answers(facts, dimension):
        return facts
    clause = standardize(text or "")
    level = loose_level(clause)
    if level == "unknown":
        facts.note(dimension, level, clause)
        return facts
    # The question gives the bare answer its subject: 挺大的 is read as 潜力挺大的, 五百万 as 采购五百万.
    figures = quantities(clause)
    if dimension == "current_value":
        cue = "采购" if any(q.kind == "money" for q in figures) else "价值"
    else:
        cue = "增长" if any(q.kind in ("percent", "multiple") for q in figures) else "潜力"
    framed = read_facts(cue + clause)
    if _answers(framed, dimension):
        for name, value in framed.stated().items():
            if name not in facts.stated():
                facts.note(name, value, clause)
        return facts
    if level is not None:
        facts.note(dimension, level, clause)
    return facts


def _answers(facts: Facts, dimension: str) -> bool:
    stated = facts.stated()
    if dimension == "current_value":
        return any(
            name in stated for name in ("current_value", "purchase_wan", "margin_pct", "revenue_share_pct")
        )
    return any(name in stated for name in ("growth_potential", "growth_pct"))
