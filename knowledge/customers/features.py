"""What the fact reader's models see of a clause and of a number in it.

Numbers are masked by kind (年采购800万 → 年采购¥), so the models learn the words around a
figure, not the figure; the figure itself is read by knowledge.customers.numbers and judged by
the frameworks' thresholds. The lexicon's signals are added as named features.
"""

from __future__ import annotations

from typing import Dict, Sequence

from knowledge.customers.lexicon import has, lexicon, signals
from knowledge.customers.names import framework_mentions, mask_class_names
from knowledge.customers.numbers import Quantity, quantities

MASKS = {
    "money": "¥",
    "percent": "%",
    "multiple": "×",
    "rank": "第#",
    "top": "前#",
    "years": "#年",
    "count": "#",
}
TARGET = "◆"
WINDOW = 8  # characters each side of a number that decide what it is


def masked(text: str, quantities: Sequence[Quantity], target: Quantity | None = None) -> str:
    """``text`` with every quantity replaced by its kind's mask (``target`` by ◆ and its kind)."""
    out, position = [], 0
    for q in quantities:
        out.append(text[position : q.start])
        if q is target:
            out.append(TARGET + MASKS[q.kind])
        else:
            out.append(MASKS[q.kind] + (q.unit if q.kind == "count" else ""))
        position = q.end
    out.append(text[position:])
    return "".join(out)


def clause_signals(text: str, quantities: Sequence[Quantity]) -> Dict[str, float]:
    """Named features of a clause: the lexicon's findings and the kinds of numbers in it."""
    found = {name: 1.0 for name in signals(text)}
    for q in quantities:
        found[f"number:{q.kind}"] = 1.0
        if q.kind == "rank":  # masked as 第#: whether it is the first (行业第一) is a feature
            found["rank:first" if q.value == 1 else "rank:next" if q.value <= 3 else "rank:lower"] = 1.0
    return found


def clause_features(text: str, found: Sequence[Quantity] | None = None) -> tuple:
    """(masked text, signals) of a clause: numbers masked by kind, class names hidden."""
    found = quantities(text) if found is None else found
    hidden = mask_class_names(masked(text, found))
    return hidden, clause_signals(mask_class_names(text), found)


def number_context(text: str, quantities: Sequence[Quantity], target: Quantity) -> str:
    """The masked characters around ``target``, the number to classify."""
    marked = masked(text, quantities, target)
    at = marked.index(TARGET)
    return marked[max(0, at - WINDOW) : at + len(TARGET) + len(MASKS[target.kind]) + WINDOW]


def number_signals(text: str, target: Quantity) -> Dict[str, float]:
    found = {f"kind:{target.kind}": 1.0, f"unit:{target.unit}": 1.0}
    if target.kind in ("money", "percent"):
        found["sign:negative" if target.value < 0 else "sign:positive"] = 1.0
    for name in signals(text):
        if name.startswith("cue:"):
            found[name] = 1.0
    return found


def message_signals(text: str, stated: Dict[str, object]) -> Dict[str, float]:
    """Named features of a whole message for the framework and question classifiers: the frameworks
    it names and the kinds of facts read from it."""
    found = {name: 1.0 for name in framework_mentions(text)}
    for name in stated:
        found[f"fact:{name}"] = 1.0
    lex = lexicon()
    for name in ("classification_requests", "particular_customer", "question_words", "source_reference"):
        if has(text, lex[name]):
            found[name] = 1.0
    return found
