"""The report for a terminal (``python -m knowledge report``)."""

from __future__ import annotations

import unicodedata
from typing import List

from knowledge.report.figures import ACTION_LABELS, CLOSED_LABELS, KIND_LABELS, Report, counts, span
from knowledge.report.grouping import QuestionGroup


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _shorten(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for char in text:
        if _width(out + char) > width - 1:
            break
        out += char
    return out + "…"


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def _also_asked_as(group: QuestionGroup) -> List[str]:
    """The line under a question with its other phrasings, if it has any."""
    return [f"        also asked as: {_shorten('；'.join(group.variants), 60)}"] if group.variants else []


def handoff_summary(report: Report) -> str:
    """Handoffs: 3 (closed by the expert 1, …; first human reply after a median of 2.5 min)."""
    if not report.handoffs:
        return "0"
    waited = (
        "no human reply yet"
        if report.first_reply_s is None
        else f"first human reply after a median of {report.first_reply_s / 60:.1f} min"
    )
    return f"{report.handoffs} ({counts(report.handoffs_closed or {}, CLOSED_LABELS)}; {waited})"


def render_text(report: Report, bar_width: int = 30) -> str:
    """The report for a terminal."""
    lines = [
        f"Curators' report, {span(report.period)}",
        f"Logbook: {report.logbook}",
        "",
        f"Questions:  {report.questions} ({report.answered} answered, {report.unanswered} not answered, "
        f"{_percent(report.unanswered, report.questions)})",
        f"Gaps:       {sum(report.gap_kinds.values())} ({counts(report.gap_kinds, KIND_LABELS) or 'none'})",
        f"Feedback:   {report.helpful + report.unhelpful} ({report.helpful} helpful, "
        f"{report.unhelpful} unhelpful)",
        f"Handoffs:   {handoff_summary(report)}",
        "",
        "Most frequent unanswered questions",
    ]
    if not report.unanswered_questions:
        lines.append("  (none)")
    for group in report.unanswered_questions:
        lines.append(
            f"  {group.count:>4}  {_pad(_shorten(group.question, 24), 24)}  "
            f"{counts(group.actions, ACTION_LABELS)}"
        )
        lines += _also_asked_as(group)
    lines += ["", "Answered only from the sources (candidates for new entries)"]
    if not report.source_questions:
        lines.append("  (none)")
    for group in report.source_questions:
        lines.append(f"  {group.count:>4}  {_shorten(group.question, 40)}")
        lines += _also_asked_as(group)
    lines += ["", "Questions experts answered (the first candidates for new entries)"]
    if not report.expert_questions:
        lines.append("  (none)")
    for group in report.expert_questions or []:
        lines.append(f"  {group.count:>4}  {_shorten(group.question, 40)}")
        lines += _also_asked_as(group)
    lines += ["", "Entries with the most 没用 (unhelpful / helpful)"]
    if not report.unhelpful_entries:
        lines.append("  (none)")
    for rating in report.unhelpful_entries:
        lines.append(f"  {rating.unhelpful:>4} / {rating.helpful:<4} {rating.term} ({rating.entry_id})")
        for comment in rating.comments[:3]:
            lines.append(f"        “{_shorten(comment, 60)}”")
    lines += ["", "Terms asked about most"]
    if not report.top_terms:
        lines.append("  (none)")
    for term in report.top_terms:
        lines.append(f"  {term.count:>4}  {term.term} ({term.entry_id})")
    lines += ["", "Questions per day (█ answered, ░ not answered; days without questions left out)"]
    peak = max((d.total for d in report.per_day), default=0) or 1
    active = [d for d in report.per_day if d.total]
    if not active:
        lines.append("  (none)")
    for day in active:
        answered = round(bar_width * day.answered / peak)
        missed = round(bar_width * day.unanswered / peak)
        lines.append(
            f"  {day.day:%m-%d}  {_pad('█' * answered + '░' * missed, bar_width)}  "
            f"{day.total} ({day.unanswered} not answered)"
        )
    return "\n".join(lines) + "\n"
