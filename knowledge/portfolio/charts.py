"""What the customer-list page draws: the Pareto curve and the value-matrix scatter, as plain data.

The curve: customers ranked by the list's ranking amount, the share of customers (x) against the
share of the total they make (y), at most ``CURVE_POINTS`` points. The scatter: one point per
customer with a current value (年采购额, or 毛利率 when the list has no revenue) and a growth rate,
split where value_levels.yml makes a level high, so each quadrant is one class of the value matrix
(铅质 / 铁质 / 黄金 / 白金); at most ``MATRIX_POINTS`` points, the best-ranked first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List

from knowledge import rules
from knowledge.portfolio.sheets import messages

if TYPE_CHECKING:  # analysis.py imports this module
    from knowledge.portfolio.analysis import Analysis

CURVE_POINTS = 200
MATRIX_POINTS = 2000
# The current-value facts a list can give, in value_levels.yml's order.
VALUE_FIELDS = ("purchase_wan", "margin_pct")


def _curve(values: List[float]) -> List[List[float]]:
    ranked = sorted((max(v, 0.0) for v in values), reverse=True)
    total = sum(ranked)
    if not ranked or total <= 0:
        return []
    step = max(1, len(ranked) // CURVE_POINTS)
    points, running = [[0.0, 0.0]], 0.0
    for index, value in enumerate(ranked, start=1):
        running += value
        if index % step == 0 or index == len(ranked):
            points.append([round(index / len(ranked) * 100, 2), round(running / total * 100, 2)])
    return points


def _matrix(analysis: Analysis) -> Dict[str, Any] | None:
    fields = analysis.mapping.fields
    x_field = next((name for name in VALUE_FIELDS if name in fields), None)
    if x_field is None or "growth_pct" not in fields:
        return None
    levels = rules.load("value_levels")
    quadrants = messages()["charts"]["quadrants"]
    customers = [
        c
        for c in analysis.customers
        if c.values.get(x_field) is not None and c.values.get("growth_pct") is not None
    ]
    customers.sort(key=lambda c: (c.rank is None, c.rank or 0, c.row))
    points = [
        [
            round(float(c.values[x_field]), 2),
            round(float(c.values["growth_pct"]), 2),
            c.name,
            quadrants.get(c.classes.get("value_matrix") or "", ""),
        ]
        for c in customers[:MATRIX_POINTS]
    ]
    labels = messages()["field_labels"]
    return {
        "x_field": x_field,
        "x_label": labels[x_field],
        "y_label": labels["growth_pct"],
        "x_split": levels["current_value"][x_field]["high"],
        "y_split": levels["growth_potential"]["growth_pct"]["high"],
        "quadrants": quadrants,
        "points": points,
        "total": len(customers),
    }


def chart_data(analysis: Analysis) -> Dict[str, Any]:
    """The two figures' data; ``None`` for a figure the list's columns do not allow."""
    ranked = [c.values[analysis.rank_by] for c in analysis.customers if c.rank is not None]
    curve = _curve(ranked) if analysis.rank_by else []
    return {"pareto": {"points": curve} if curve else None, "matrix": _matrix(analysis)}
