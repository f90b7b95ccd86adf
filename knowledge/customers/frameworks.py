"""Apply the classification frameworks of knowledge/frameworks/ to the facts of one customer.

Facts → the levels of the two value dimensions (value_levels.yml: the team's thresholds, not the
sources') → the first rule of each framework whose conditions hold (classifications.yml). A
condition lists the values a fact may have (``null``: it may be unknown), gives a range
{min, max}, or, under ``any``, several conditions of which one must hold. Every step keeps the
fact and the words it came from, so that a reply can show why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from knowledge import rules
from knowledge.customers.facts import DIMENSION_OF, Facts

DIMENSIONS = ("current_value", "growth_potential")
LEVELS = ("high", "medium", "low")


@dataclass
class Level:
    """A dimension's level, the fact it came from and the words of that fact."""

    value: str  # high | medium | low
    fact: str
    words: str = ""
    guessed: bool = False  # "不清楚": taken as medium


@dataclass
class Verdict:
    """What one framework makes of the facts: a class (an entry id or a label), or what it lacks."""

    framework: dict
    entry_id: str | None = None
    label: str | None = None  # a class the sources name without an entry of its own
    missing: List[str] = field(default_factory=list)
    borderline: bool = False
    outside: str | None = None  # the facts put it in none of the framework's classes
    reason: str | None = None  # the rule's own explanation, where it has one
    used: List[str] = field(default_factory=list)  # the facts the deciding rule looked at

    @property
    def decided(self) -> bool:
        return self.entry_id is not None or self.outside is not None


def _threshold_level(value: float, bounds: Dict[str, float]) -> str:
    if value >= bounds["high"]:
        return "high"
    if value < bounds["low"]:
        return "low"
    return "medium"


def _level_from(fact: str, value: Any, setting: Dict[str, Any]) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        return _threshold_level(float(value), setting) if "high" in setting and "low" in setting else None
    return setting.get(value)  # a category: {large: high, small: low}


def value_levels(facts: Facts) -> Dict[str, Level]:
    """The level of each value dimension the facts support; absent where none.

    A fact a contrast or a correction made decisive wins (利润还行，不过一年就十来万); otherwise the
    facts in the order value_levels.yml lists them (figures first), then a level stated in words.
    """
    settings = rules.load("value_levels")
    levels: Dict[str, Level] = {}
    for dimension in DIMENSIONS:
        stated = getattr(facts, dimension)
        order = [facts.decisive[dimension]] if dimension in facts.decisive else []
        order += [*settings.get(dimension, {}), dimension]
        for fact in order:
            value = getattr(facts, fact, None)
            if fact == dimension:
                level = value if value in LEVELS else None
            else:
                level = _level_from(fact, value, settings[dimension].get(fact) or {})
            if level is not None:
                levels[dimension] = Level(level, fact, facts.evidence.get(fact, ""))
                break
        else:
            if stated == "unknown":
                levels[dimension] = Level(
                    "medium", dimension, facts.evidence.get(dimension, ""), guessed=True
                )
    return levels


def corrected(old: Facts, newer: Facts) -> Facts:
    """``old`` updated by ``newer``; what ``newer`` says of a value dimension decides it, whatever
    ``old`` said (年采购3000万 … 不对，利润其实很低)."""
    merged = old.merged(newer)
    for dimension, level in value_levels(newer).items():
        if any(DIMENSION_OF.get(name) == dimension for name in old.stated()):
            merged.decisive[dimension] = level.fact
    return merged


def known_facts(facts: Facts, levels: Dict[str, Level] | None = None) -> Dict[str, Any]:
    """The stated facts with the decided levels in place of the words-only ones."""
    levels = value_levels(facts) if levels is None else levels
    known = {k: v for k, v in facts.stated().items() if k not in DIMENSIONS}
    known.update({d: level.value for d, level in levels.items()})
    return known


def holds(condition: Any, value: Any) -> bool:
    if isinstance(condition, dict):
        return value is not None and condition.get("min", float("-inf")) <= value <= condition.get(
            "max", float("inf")
        )
    return value in condition


def matches(when: Dict[str, Any], known: Dict[str, Any]) -> bool:
    for name, condition in when.items():
        if name == "any":
            if not any(matches(alternative, known) for alternative in condition):
                return False
        elif not holds(condition, known.get(name)):
            return False
    return True


def apply(framework: dict, known: Dict[str, Any], levels: Dict[str, Level]) -> Verdict:
    """The framework's first rule that holds, or what it still needs."""
    rule = next((r for r in framework["rules"] if matches(r["when"], known)), None)
    if rule is None:
        needs = framework["needs"]
        missing = [n for n in needs if n not in known]
        if framework.get("needs_any") and len(missing) < len(needs):
            missing = []
        return Verdict(framework, missing=missing or list(needs))
    borderline = any(
        levels[n].value in framework.get("borderline", []) or levels[n].guessed
        for n in framework["needs"]
        if n in levels
    )
    entry = rule.get("class") or (framework["entry"] if "label" in rule else None)
    used = [name for name in _names(rule["when"], known) if name in known]
    return Verdict(
        framework, entry, rule.get("label"), [], borderline, rule.get("outside"), rule.get("reason"), used
    )


def _names(when: Dict[str, Any], known: Dict[str, Any]) -> List[str]:
    """The facts a rule's conditions name: of ``any``, the alternatives that hold."""
    names: List[str] = []
    for name, condition in when.items():
        found = (
            [n for alt in condition if matches(alt, known) for n in _names(alt, known)]
            if name == "any"
            else [name]
        )
        names += [n for n in found if n not in names]
    return names


def frameworks() -> List[dict]:
    return rules.frameworks()


def framework(framework_id: str) -> dict:
    return next(f for f in frameworks() if f["id"] == framework_id)


def classify(facts: Facts) -> List[Verdict]:
    """One verdict per framework, in the order of classifications.yml (the value matrix first)."""
    levels = value_levels(facts)
    known = known_facts(facts, levels)
    return [apply(f, known, levels) for f in frameworks()]
