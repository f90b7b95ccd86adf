"""Classify a described customer with the frameworks in knowledge/frameworks/.

Plain functions: facts → levels of the two value dimensions (through the
thresholds in value_levels.yml) → the first matching rule of each framework.
Every step keeps its reason so the reply can show why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List

from actions.facts import Facts, read_facts
from knowledge import rules

DIMENSIONS = ("current_value", "growth_potential")
# The form that asks for what a description left out (bot/domain/classification.yml).
CUSTOMER_FORM = "customer_form"


@dataclass
class Level:
    """A dimension's level and the fact it came from."""

    value: str  # high | medium | low | unknown
    fact: str  # the Facts field that decided it
    guessed: bool = False  # "不清楚": treated as medium


@dataclass
class Verdict:
    framework: dict
    entry_id: str | None
    missing: List[str] = field(default_factory=list)
    borderline: bool = False
    label: str | None = None  # a class the sources name without an entry of its own


def _threshold_level(value: float, bounds: Dict[str, float]) -> str:
    if value >= bounds["high"]:
        return "high"
    if value < bounds["low"]:
        return "low"
    return "medium"


def value_levels(facts: Facts) -> Dict[str, Level]:
    """The level of each value dimension the facts support; absent where none."""
    thresholds = rules.load("value_levels")
    levels: Dict[str, Level] = {}
    for dimension in DIMENSIONS:
        stated = getattr(facts, dimension)
        if stated in ("high", "medium", "low"):
            levels[dimension] = Level(stated, dimension)
            continue
        for fact, bounds in thresholds.get(dimension, {}).items():
            value = getattr(facts, fact)
            if value is not None:
                levels[dimension] = Level(_threshold_level(value, bounds), fact)
                break
        else:
            if dimension == "current_value" and facts.order_size:
                levels[dimension] = Level("high" if facts.order_size == "large" else "low", "order_size")
            elif dimension == "current_value" and facts.late_payment:
                levels[dimension] = Level("low", "late_payment")
            elif stated == "unknown":
                levels[dimension] = Level("medium", dimension, guessed=True)
    return levels


def _holds(condition, value) -> bool:
    if isinstance(condition, dict):
        return value is not None and condition.get("min", float("-inf")) <= value <= condition.get(
            "max", float("inf")
        )
    return value in condition


def classify(facts: Facts) -> List[Verdict]:
    """One verdict per framework: its class, or what it still needs."""
    levels = value_levels(facts)
    known = {**facts.stated(), **{d: level.value for d, level in levels.items()}}
    verdicts = []
    for framework in rules.frameworks():
        missing = [need for need in framework["needs"] if need not in known]
        if missing:
            verdicts.append(Verdict(framework, None, missing))
            continue
        rule = next(
            (
                rule
                for rule in framework["rules"]
                if all(_holds(cond, known.get(name)) for name, cond in rule["when"].items())
            ),
            {},
        )
        borderline = any(
            levels[need].value in framework.get("borderline", []) or levels[need].guessed
            for need in framework["needs"]
            if need in levels
        )
        if "label" in rule:
            verdicts.append(Verdict(framework, framework["entry"], [], borderline, rule["label"]))
        else:
            verdicts.append(Verdict(framework, rule.get("class"), [], borderline))
    return verdicts


def describe_facts(facts: Facts) -> List[str]:
    """The facts read, worded for the salesperson."""
    lexicon = rules.load("facts")
    labels, level_names = lexicon["labels"], lexicon["level_names"]
    lines = []
    for name, value in facts.stated().items():
        label = labels.get(name)
        if isinstance(label, dict):
            text = label.get(value)
        elif label:
            shown = f"{value:g}" if isinstance(value, float) else value
            text = label.format(value=shown, level=level_names.get(value, value))
        else:
            text = None
        if text:
            lines.append(text)
    return lines


def describe_levels(levels: Dict[str, Level]) -> List[str]:
    """ "当前价值：高（依据采购额）" for each decided dimension."""
    lexicon = rules.load("facts")
    lines = []
    for dimension, level in levels.items():
        line = lexicon["level_line"].format(
            dimension=lexicon["dimension_names"][dimension], level=lexicon["level_names"][level.value]
        )
        if level.guessed:
            line += lexicon["level_guessed"]
        elif level.fact != dimension:
            line += lexicon["level_reason"].format(fact=lexicon["fact_names"].get(level.fact, level.fact))
        lines.append(line)
    return lines


def describes_a_customer(text: str) -> bool:
    """Whether a message says how valuable or promising a customer is (a level the frameworks use)."""
    return bool(value_levels(read_facts(text)))
