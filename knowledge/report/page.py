"""The report as one self-contained HTML page (inline CSS and an SVG chart, no external assets),
from the Jinja2 template ``templates/report.html``; every logged text is escaped by the template."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import List, Sequence

import jinja2

from knowledge.report.figures import ACTION_LABELS, KIND_LABELS, DayCount, Report, counts, span
from knowledge.report.text import handoff_summary

TEMPLATES = Path(__file__).resolve().parent / "templates"


@dataclass(frozen=True)
class Bar:
    """One day of the chart: where its two stacked bars stand, and its label."""

    x: int
    answered_y: int
    answered_height: int
    missed_y: int
    missed_height: int
    tip: str
    label: str | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label_height: int
    bar: int
    bars: List[Bar]


def chart(days: Sequence[DayCount], height: int = 120) -> Chart:
    """Stacked bars per day: answered below, not answered on top; a date under every n-th bar."""
    bar, gap, label, margin = 24, 10, 28, 6  # the margin keeps the first date label inside
    peak = max((d.total for d in days), default=0) or 1
    every = max(1, round(len(days) / 10))
    bars = []
    for i, day in enumerate(days):
        answered = round(height * day.answered / peak)
        missed = round(height * day.unanswered / peak)
        bars.append(
            Bar(
                x=margin + i * (bar + gap),
                answered_y=height - answered,
                answered_height=answered,
                missed_y=height - answered - missed,
                missed_height=missed,
                tip=f"{day.day:%Y-%m-%d}: {day.answered} answered, {day.unanswered} not answered",
                label=f"{day.day:%m-%d}" if i % every == 0 else None,
            )
        )
    width = max(1, len(days)) * (bar + gap) + 2 * margin
    return Chart(width, height, label, bar, bars)


@lru_cache(maxsize=1)
def _template() -> jinja2.Template:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return environment.get_template("report.html")


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page."""
    return _template().render(
        report=report,
        period=span(report.period),
        gaps=counts(report.gap_kinds, KIND_LABELS) or "none",
        actions=lambda group: counts(group.actions, ACTION_LABELS),
        chart=chart(report.per_day),
        handoffs=handoff_summary(report),
    )
