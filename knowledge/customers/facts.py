"""What a description says about one customer: plain data, with the words each fact was read from."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Dict

_NOT_FACTS = ("evidence", "decisive")
# The value dimension each fact speaks to.
DIMENSION_OF = {
    "purchase_wan": "current_value",
    "margin_pct": "current_value",
    "revenue_share_pct": "current_value",
    "order_size": "current_value",
    "order_frequency": "current_value",
    "current_value": "current_value",
    "growth_pct": "growth_potential",
    "growth_potential": "growth_potential",
}


@dataclass
class Facts:
    """Facts stated about a customer; ``None`` where the text says nothing.

    ``current_value`` and ``growth_potential`` are levels stated in words (利润挺可观 → high);
    levels that numbers imply are decided later, by the frameworks' thresholds.
    ``evidence`` maps each fact to the words it was read from, for the reply to show.
    """

    purchase_wan: float | None = None  # yearly purchases from us, 万元
    order_wan: float | None = None  # one order, 万元
    margin_pct: float | None = None
    growth_pct: float | None = None  # negative for a decline
    revenue_share_pct: float | None = None  # its share of our revenue
    years: float | None = None  # of cooperation
    rank_pct: float | None = None  # top x% of our customers
    late_payment: bool | None = None
    demanding: bool | None = None
    cost_exceeds_profit: bool | None = None
    prospect: bool | None = None  # not a customer yet
    order_size: str | None = None  # large | small
    order_frequency: str | None = None  # frequent | occasional
    market_share: str | None = None  # high | medium | low, in its own market
    stability: str | None = None  # high | low
    current_value: str | None = None  # high | medium | low | unknown
    growth_potential: str | None = None  # high | medium | low | unknown
    evidence: Dict[str, str] = field(default_factory=dict)
    # dimension → the fact a contrast made decisive for it (利润还行，不过一年就十来万 → purchase_wan)
    decisive: Dict[str, str] = field(default_factory=dict)

    def stated(self) -> Dict[str, object]:
        """The facts the text stated, without the evidence."""
        # Every fact is a scalar: read the fields, no deep copy (asdict was a fifth of a list's analysis).
        found = ((f.name, getattr(self, f.name)) for f in fields(self) if f.name not in _NOT_FACTS)
        return {name: value for name, value in found if value is not None}

    def merged(self, newer: Facts) -> Facts:
        """These facts updated by ``newer``: a correction replaces an earlier value. Which fact then
        decides a value dimension is the frameworks' business (frameworks.corrected)."""
        data = {**asdict(self), **newer.stated()}
        data["evidence"] = {**self.evidence, **newer.evidence}
        spoken = {DIMENSION_OF[name] for name in newer.stated() if name in DIMENSION_OF}
        kept = {d: name for d, name in self.decisive.items() if d not in spoken}
        data["decisive"] = {**kept, **newer.decisive}
        return Facts(**data)

    def note(self, name: str, value: object, words: str) -> None:
        setattr(self, name, value)
        self.evidence[name] = words

    @classmethod
    def from_dict(cls, data: Dict[str, object] | None) -> Facts:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in (data or {}).items() if k in known})

    def as_dict(self) -> Dict[str, object]:
        return asdict(self)
