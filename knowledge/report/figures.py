"""The report's figures over a period of the logbook: questions answered and not, gaps by kind,
feedback, the unanswered questions grouped, the entries rated 没用 most, the terms asked about
most, the handoffs to experts (how they closed, the time to the first human reply, the questions
experts answered) and the questions per day; and the labels and phrases both renderings show them
with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Callable, Dict, List

from knowledge.logbook import TIME_FORMAT, Logbook, LogbookReader, Period, timestamp
from knowledge.report.grouping import QuestionGroup, group_questions
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing

ACTION_LABELS = {
    "answered": "answered",
    "offered_choices": "offered choices",
    "said_unknown": "said unknown",
    "asked_which_term": "asked which term",
    "fallback": "did not understand",
    "answered_from_sources": "quoted the sources",
    "said_undefined": "said the sources do not define it",
}
KIND_LABELS = {
    "fallback": "NLU fell back",
    "none": "no match",
    "ambiguous": "ambiguous",
    "low_confidence": "low confidence",
    "source": "only in the sources",
    "undefined": "not defined in the sources",
}
CLOSED_LABELS = {
    "salesperson": "ended by the salesperson",
    "expert": "closed by the expert",
    "timeout": "timed out",
    "open": "still open",
}


@dataclass
class EntryRating:
    entry_id: str
    term: str
    unhelpful: int
    helpful: int
    comments: List[str]


@dataclass
class TermCount:
    entry_id: str
    term: str
    count: int


@dataclass
class DayCount:
    day: date
    answered: int
    unanswered: int

    @property
    def total(self) -> int:
        return self.answered + self.unanswered


@dataclass
class Report:
    period: Period
    logbook: str
    answered: int
    unanswered: int
    gap_kinds: Dict[str, int]
    helpful: int
    unhelpful: int
    unanswered_questions: List[QuestionGroup]
    # Answered only from the cleaned sources (no entry holds the answer): candidates for new entries.
    source_questions: List[QuestionGroup]
    unhelpful_entries: List[EntryRating]
    top_terms: List[TermCount]
    per_day: List[DayCount]
    # Handoffs to experts: how many, how they ended, the median seconds to the first human reply
    # (None without one), and the questions experts answered (the first candidates for new entries).
    handoffs: int = 0
    handoffs_closed: Dict[str, int] | None = None
    first_reply_s: float | None = None
    expert_questions: List[QuestionGroup] | None = None

    @property
    def questions(self) -> int:
        return self.answered + self.unanswered


def _term_namer(kb: KnowledgeBase | None) -> Callable[[str], str]:
    def name(entry_id: str) -> str:
        try:
            entry = kb.get(entry_id) if kb is not None else None
        except KnowledgeBaseMissing:
            entry = None
        return entry.term if entry is not None else entry_id

    return name


def _days(period: Period) -> List[date]:
    first, last = period.since.date(), (period.until - timedelta(seconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _seconds(later: str, earlier: str) -> float:
    return (datetime.strptime(later, TIME_FORMAT) - datetime.strptime(earlier, TIME_FORMAT)).total_seconds()


def _closed_how(row: Dict[str, Any], now: str) -> str:
    if row["closed_how"]:
        return row["closed_how"]
    return "timeout" if row["deadline"] and row["deadline"] <= now else "open"


def build_report(
    logbook: Logbook | LogbookReader, period: Period, kb: KnowledgeBase | None = None, limit: int = 10
) -> Report:
    """Aggregate the logbook over ``period``; entry ids are named from ``kb`` when given."""
    name = _term_namer(kb)
    answers = logbook.rows("answers", period)
    feedback = logbook.rows("feedback", period)
    gaps = logbook.rows("gaps", period)
    handoffs = logbook.rows("handoffs", period)
    now = timestamp(period.until)
    waited = [_seconds(h["first_reply_at"], h["created_at"]) for h in handoffs if h["first_reply_at"]]
    from_sources = [g for g in gaps if g["action"] == "answered_from_sources"]
    missed = [g for g in gaps if g["action"] not in ("answered", "answered_from_sources")]

    asked = Counter()
    for row in answers:
        asked.update(e for e in (row["entry_id"], row["other_entry_id"]) if e)

    ratings: Dict[str, Counter] = {}
    comments: Dict[str, List[str]] = {}
    for row in feedback:
        if row["entry_id"]:
            ratings.setdefault(row["entry_id"], Counter())[row["rating"]] += 1
            if row["comment"]:
                comments.setdefault(row["entry_id"], []).append(row["comment"])
    worst = sorted(
        (e for e, c in ratings.items() if c["unhelpful"]),
        key=lambda e: (-ratings[e]["unhelpful"], ratings[e]["helpful"], e),
    )

    per_day = Counter()
    for row in [*answers, *from_sources]:
        per_day[(row["created_at"][:10], "answered")] += 1
    for row in missed:
        per_day[(row["created_at"][:10], "unanswered")] += 1

    return Report(
        period=period,
        logbook=logbook.location,
        answered=len(answers) + len(from_sources),
        unanswered=len(missed),
        gap_kinds=dict(Counter(g["kind"] for g in gaps)),
        helpful=sum(1 for r in feedback if r["rating"] == "helpful"),
        unhelpful=sum(1 for r in feedback if r["rating"] == "unhelpful"),
        unanswered_questions=group_questions((g["question"], g["action"]) for g in missed)[:limit],
        source_questions=group_questions((g["question"], g["action"]) for g in from_sources)[:limit],
        unhelpful_entries=[
            EntryRating(e, name(e), ratings[e]["unhelpful"], ratings[e]["helpful"], comments.get(e, []))
            for e in worst[:limit]
        ],
        top_terms=[TermCount(e, name(e), n) for e, n in sorted(asked.items(), key=lambda x: (-x[1], x[0]))][
            :limit
        ],
        per_day=[
            DayCount(d, per_day[(d.isoformat(), "answered")], per_day[(d.isoformat(), "unanswered")])
            for d in _days(period)
        ],
        handoffs=len(handoffs),
        handoffs_closed=dict(Counter(_closed_how(h, now) for h in handoffs)),
        first_reply_s=median(waited) if waited else None,
        expert_questions=group_questions(
            (h["question"], "answered_by_expert") for h in handoffs if h["replies"] and h["question"]
        )[:limit],
    )


def counts(counter: Dict[str, int], labels: Dict[str, str]) -> str:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{labels.get(k, k)} {n}" for k, n in ordered)


def span(period: Period) -> str:
    days = (period.until - period.since).total_seconds() / 86400
    return (
        f"{period.since:%Y-%m-%d %H:%M} – {period.until:%Y-%m-%d %H:%M} UTC "
        f"({days:.0f} day{'s' if round(days) != 1 else ''})"
    )
