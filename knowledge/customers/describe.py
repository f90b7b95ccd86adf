"""One customer described: the facts, the framework the message asks for and that framework's verdict.

The framework is the one the message asks about (属于哪类关键客户 → A/B/C, 排名前1%算什么 → the
pyramid, 算忠诚客户吗 → loyalty), as the trained classifier reads it; otherwise the facts point to it:
a serving cost above the profit → 零价值以下 (value types); a value or growth level → the value
matrix; only a rank → the pyramid; only years, frequency or a prospect → loyalty.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, List

from knowledge.customers.facts import Facts
from knowledge.customers.features import message_signals
from knowledge.customers.frameworks import Level, Verdict, apply, frameworks, known_facts, value_levels
from knowledge.customers.model import NONE
from knowledge.customers.names import mask_class_names
from knowledge.customers.reader import model, read_facts
from knowledge.normalize import standardize
from knowledge.search import KnowledgeBase

DEFAULT = "value_matrix"
# From this probability on, the framework classifier's reading of the question wins over the facts.
ASKED_PROBABILITY = 0.5
LEAD_SIGNS = ("late_payment", "demanding")


@dataclass
class Description:
    facts: Facts
    levels: Dict[str, Level]
    framework: str  # the id of the framework the message asks for
    asked: bool  # the message asked for it (rather than the facts pointing to it)
    verdicts: List[Verdict] = field(default_factory=list)  # every framework, the asked one first

    @property
    def verdict(self) -> Verdict:
        return self.verdicts[0]

    @property
    def class_name(self) -> str | None:
        """The class as a person names it: the entry's term or the label; None if undecided."""
        return class_term(self.verdict)


@lru_cache(maxsize=1)
def _knowledge_base() -> KnowledgeBase:
    return KnowledgeBase()


def class_term(verdict: Verdict, kb: KnowledgeBase | None = None) -> str | None:
    """The name of the class a verdict gives: its label, or its entry's term."""
    if verdict.label or verdict.entry_id is None:
        return verdict.label
    entry = (kb or _knowledge_base()).get(verdict.entry_id)
    return entry.term if entry else verdict.entry_id


def implied_framework(facts: Facts, levels: Dict[str, Level]) -> str:
    """The framework the facts point to when the message asks for none."""
    known = facts.stated()
    if known.get("cost_exceeds_profit"):
        return "value_types"
    if levels or any(known.get(sign) for sign in LEAD_SIGNS):
        return "value_matrix"
    if "rank_pct" in known:
        return "pyramid"
    if any(name in known for name in ("years", "order_frequency", "prospect")):
        return "loyalty"
    return DEFAULT


def asked_framework(text: str, facts: Facts) -> tuple:
    """The framework the message asks about, as the classifier reads it, with its probability."""
    text, _ = _knowledge_base().corrected(standardize(text or ""))  # 关建客户 → 关键客户
    signals = message_signals(text, facts.stated())
    label, probability = model().messages.predict([mask_class_names(text)], [signals])[0]["framework"]
    return (None if label == NONE else label), probability


def describe(text: str, facts: Facts | None = None, framework_id: str | None = None) -> Description:
    """Read ``text`` (or take its ``facts``) and apply the framework it asks for first (or
    ``framework_id``, the one a classification already follows)."""
    facts = read_facts(text) if facts is None else facts
    levels = value_levels(facts)
    asked, probability = asked_framework(text, facts) if text.strip() else (None, 0.0)
    if framework_id:
        chosen = framework_id
    elif asked and probability >= ASKED_PROBABILITY:
        chosen = asked
    else:
        chosen = implied_framework(facts, levels)
    known = known_facts(facts, levels)
    ordered = sorted(frameworks(), key=lambda f: f["id"] != chosen)
    verdicts = [apply(f, known, levels) for f in ordered]
    return Description(facts, levels, chosen, chosen == asked, verdicts)
