"""The reader as the blind sets see it: knowledge.customers, in the vocabulary of RULES.md."""

from __future__ import annotations

from knowledge.customers import describe
from tests.blind.scoring import Reading

# Facts of RULES.md that the reader states under the same name.
SAME = ("late_payment", "demanding", "order_frequency", "order_size", "market_share", "stability",
        "rank_pct", "years", "prospect", "cost_exceeds_profit", "purchase_wan", "margin_pct",
        "growth_pct", "revenue_share_pct")  # fmt: skip


def read(text: str) -> Reading:
    described = describe(text)
    stated = described.facts.stated()
    facts = {name: stated[name] for name in SAME if name in stated}
    for dimension, level in described.levels.items():
        if not level.guessed:
            facts[dimension] = level.value
    return Reading(facts, described.framework, described.class_name)
