"""The reasons of a verdict in words a salesperson reads: each fact with the words it was read from,
and where a level came from a figure, the team threshold that decided it. Wording in facts.yml.
"""

from __future__ import annotations

from typing import Dict, List

from knowledge import rules
from knowledge.customers.describe import Description
from knowledge.customers.facts import Facts
from knowledge.customers.frameworks import DIMENSIONS, Level, Verdict


def _lexicon() -> dict:
    return rules.load("facts")


def fact_text(name: str, value: object) -> str | None:
    """A fact as the reply shows it: 年采购额 3000 万元, 按时付款, 合作稳定."""
    lex = _lexicon()
    label = lex["labels"].get(name)
    if isinstance(label, dict):
        return label.get(value)
    if label:
        shown = f"{value:g}" if isinstance(value, float) else value
        return label.format(value=shown, level=lex["level_names"].get(value, value))
    return None


def describe_facts(facts: Facts) -> List[str]:
    """Every fact read, worded for the salesperson."""
    return [text for name, value in facts.stated().items() if (text := fact_text(name, value))]


def level_line(dimension: str, level: Level, facts: Facts) -> str:
    """· 当前价值：高，依据年采购额：年采购额 3000 万元（“一年采购三千万”）"""
    lex = _lexicon()
    line = lex["level_line"].format(
        dimension=lex["dimension_names"][dimension], level=lex["level_names"][level.value]
    )
    if level.guessed:
        return line + lex["level_guessed"]
    if level.fact != dimension:
        shown = fact_text(level.fact, getattr(facts, level.fact)) or ""
        line += lex["level_from"].format(shown=shown)
    return line + (f"（“{level.words}”）" if level.words else "")


def reasons(description: Description, verdict: Verdict | None = None) -> List[str]:
    """The facts the verdict's rule looked at, each with its words."""
    verdict = verdict or description.verdict
    facts, lex = description.facts, _lexicon()
    lines = []
    for name in verdict.used:
        if name in DIMENSIONS and name in description.levels:
            lines.append(level_line(name, description.levels[name], facts))
            continue
        value = getattr(facts, name, None)
        text = fact_text(name, value)
        if text:
            lines.append(lex["reason_line"].format(fact=text, words=facts.evidence.get(name, "")))
    return lines


def uses_team_thresholds(description: Description, verdict: Verdict | None = None) -> bool:
    """A level the verdict used came from a figure and a threshold of value_levels.yml."""
    verdict = verdict or description.verdict
    levels: Dict[str, Level] = description.levels
    settings = rules.load("value_levels")
    return any(
        name in levels and set(settings.get(name, {}).get(levels[name].fact) or {}) == {"high", "low"}
        for name in verdict.used
    )


def team_thresholds_note() -> str:
    return _lexicon()["team_thresholds"]
