"""The curators' report over the logbook: what to add or fix in the knowledge base next.

For a period it gives the most frequent unanswered questions (near-duplicates
grouped: same text after normalisation and question words removed, or a
rapidfuzz similarity of at least ``curation.group_similarity``), the entries
rated 没用 most often with the comments, the terms asked about most, and the
questions per day. ``render_text`` prints it; ``render_html`` makes a
self-contained page (inline CSS and an SVG chart, no external assets).

The web front serves the page with ``html_report(days=30)``, which opens the
logbook at ``KB_LOG_PATH`` and the knowledge base at ``KB_DB_PATH`` itself.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Callable, Dict, Iterable, List, Sequence, Tuple

from rapidfuzz import fuzz

from knowledge.logbook import Logbook, LogbookReader, Period, settings
from knowledge.normalize import language_stamp, normalize_query
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


# -- grouping near-duplicate questions ----------------------------------------------------
def _question_words() -> re.Pattern | None:
    return _question_words_of(language_stamp())


@lru_cache(maxsize=4)
def _question_words_of(stamp: int) -> re.Pattern | None:
    words = sorted({w for w in settings().get("question_words", []) if w}, key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in words)) if words else None


_PAYLOAD = re.compile(r"^/\w+(?:@[0-9.]+)?(\{.*\})?$", re.DOTALL)


def _payload_values(question: str) -> str | None:
    """What a button payload asks about: /ask_definition{"term": "区块链"} → 区块链."""
    match = _PAYLOAD.match(question.strip())
    if not match or not match.group(1):
        return None
    try:
        values = json.loads(match.group(1))
    except ValueError:
        return None
    return " ".join(str(v) for v in values.values()) if isinstance(values, dict) else None


def question_key(question: str) -> str:
    """The form questions are grouped by: 如何提高复购率呢？ → 提高复购率."""
    key = normalize_query(_payload_values(question) or question)
    pattern = _question_words()
    stripped = pattern.sub("", key) if pattern else key
    return stripped or key


@dataclass
class QuestionGroup:
    """Phrasings of one question, the most frequent first."""

    phrasings: Counter = field(default_factory=Counter)
    actions: Counter = field(default_factory=Counter)
    key: str = ""

    @property
    def count(self) -> int:
        return sum(self.phrasings.values())

    @property
    def question(self) -> str:
        return self.phrasings.most_common(1)[0][0]

    @property
    def variants(self) -> List[str]:
        return [text for text, _ in self.phrasings.most_common()[1:]]


def group_questions(asked: Iterable[Tuple[str, str]], similarity: float | None = None) -> List[QuestionGroup]:
    """Group (question, action) pairs whose keys are equal or similar; biggest group first.

    Keys are taken most frequent first, and each joins the first group whose key
    is at least ``similarity`` similar (rapidfuzz ratio, 0–100), so a group is
    named after its commonest form and never chains through ever-looser matches.
    """
    threshold = float(similarity if similarity is not None else settings().get("group_similarity", 80))
    by_key: Dict[str, QuestionGroup] = {}
    for question, action in asked:
        text = question.strip()
        if not text:
            continue
        key = question_key(text)
        group = by_key.setdefault(key, QuestionGroup(key=key))
        group.phrasings[text] += 1
        group.actions[action] += 1
    groups: List[QuestionGroup] = []
    for candidate in sorted(by_key.values(), key=lambda g: (-g.count, g.key)):
        home = next((g for g in groups if fuzz.ratio(g.key, candidate.key) >= threshold), None)
        if home is None:
            groups.append(candidate)
        else:
            home.phrasings.update(candidate.phrasings)
            home.actions.update(candidate.actions)
    return sorted(groups, key=lambda g: (-g.count, g.key))


# -- the report ------------------------------------------------------------------------------
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


def build_report(
    logbook: Logbook | LogbookReader, period: Period, kb: KnowledgeBase | None = None, limit: int = 10
) -> Report:
    """Aggregate the logbook over ``period``; entry ids are named from ``kb`` when given."""
    name = _term_namer(kb)
    answers = logbook.rows("answers", period)
    feedback = logbook.rows("feedback", period)
    gaps = logbook.rows("gaps", period)
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
        logbook=str(logbook.path),
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
    )


# -- text ----------------------------------------------------------------------------------------
def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def _counts(counter: Dict[str, int], labels: Dict[str, str]) -> str:
    ordered = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return ", ".join(f"{labels.get(k, k)} {n}" for k, n in ordered)


def _shorten(text: str, width: int) -> str:
    if _width(text) <= width:
        return text
    out = ""
    for char in text:
        if _width(out + char) > width - 1:
            break
        out += char
    return out + "…"


def _span(period: Period) -> str:
    days = (period.until - period.since).total_seconds() / 86400
    return (
        f"{period.since:%Y-%m-%d %H:%M} – {period.until:%Y-%m-%d %H:%M} UTC "
        f"({days:.0f} day{'s' if round(days) != 1 else ''})"
    )


def _percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "—"


def render_text(report: Report, bar_width: int = 30) -> str:
    """The report for a terminal."""
    lines = [
        f"Curators' report, {_span(report.period)}",
        f"Logbook: {report.logbook}",
        "",
        f"Questions:  {report.questions} ({report.answered} answered, {report.unanswered} not answered, "
        f"{_percent(report.unanswered, report.questions)})",
        f"Gaps:       {sum(report.gap_kinds.values())} ({_counts(report.gap_kinds, KIND_LABELS) or 'none'})",
        f"Feedback:   {report.helpful + report.unhelpful} ({report.helpful} helpful, "
        f"{report.unhelpful} unhelpful)",
        "",
        "Most frequent unanswered questions",
    ]
    if not report.unanswered_questions:
        lines.append("  (none)")
    for group in report.unanswered_questions:
        lines.append(
            f"  {group.count:>4}  {_pad(_shorten(group.question, 24), 24)}  "
            f"{_counts(group.actions, ACTION_LABELS)}"
        )
        if group.variants:
            lines.append(f"        also asked as: {_shorten('；'.join(group.variants), 60)}")
    lines += ["", "Answered only from the sources (candidates for new entries)"]
    if not report.source_questions:
        lines.append("  (none)")
    for group in report.source_questions:
        lines.append(f"  {group.count:>4}  {_shorten(group.question, 40)}")
        if group.variants:
            lines.append(f"        also asked as: {_shorten('；'.join(group.variants), 60)}")
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


# -- HTML ----------------------------------------------------------------------------------------
_STYLE = """
body{font-family:system-ui,"PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;max-width:60rem;
padding:0 1rem;color:#1f2933}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #d9e2ec}
table{border-collapse:collapse;width:100%}td,th{padding:.3rem .5rem;text-align:left;vertical-align:top;
border-bottom:1px solid #eef2f6}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#627d98;font-size:.9rem}.summary td{border:none}svg{max-width:100%}
.answered{fill:#3e7bfa}.unanswered{fill:#f0b429}
"""


def _chart(days: Sequence[DayCount], height: int = 120) -> str:
    """Stacked bars per day as inline SVG: answered below, not answered on top."""
    bar, gap, label, margin = 24, 10, 28, 6  # the margin keeps the first date label inside
    peak = max((d.total for d in days), default=0) or 1
    width = max(1, len(days)) * (bar + gap) + 2 * margin
    parts = [
        f'<svg role="img" aria-label="questions per day" width="{width}" height="{height + label}" '
        f'viewBox="0 0 {width} {height + label}" xmlns="http://www.w3.org/2000/svg">'
    ]
    every = max(1, round(len(days) / 10))
    for i, day in enumerate(days):
        x = margin + i * (bar + gap)
        answered = round(height * day.answered / peak)
        missed = round(height * day.unanswered / peak)
        tip = html.escape(f"{day.day:%Y-%m-%d}: {day.answered} answered, {day.unanswered} not answered")
        parts.append(f"<g><title>{tip}</title>")
        parts.append(
            f'<rect class="answered" x="{x}" y="{height - answered}" width="{bar}" height="{answered}"/>'
        )
        parts.append(
            f'<rect class="unanswered" x="{x}" y="{height - answered - missed}" width="{bar}" '
            f'height="{missed}"/></g>'
        )
        if i % every == 0:
            parts.append(
                f'<text x="{x + bar / 2}" y="{height + 16}" font-size="10" text-anchor="middle">'
                f"{day.day:%m-%d}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def _table(headers: Sequence[str], rows: List[List[str]], numeric: Sequence[int] = ()) -> str:
    if not rows:
        return '<p class="muted">(none)</p>'

    def cell(tag: str, i: int, content: str) -> str:
        return f"<{tag}{' class=n' if i in numeric else ''}>{content}</{tag}>"

    head = "".join(cell("th", i, html.escape(h)) for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _swatch(css_class: str) -> str:
    return f'<svg width="10" height="10"><rect class="{css_class}" width="10" height="10"/></svg>'


def render_html(report: Report) -> str:
    """The report as one self-contained HTML page; every logged text is escaped."""
    e = html.escape
    questions = [
        [
            str(g.count),
            e(g.question) + (f'<div class="muted">{e("；".join(g.variants))}</div>' if g.variants else ""),
            e(_counts(g.actions, ACTION_LABELS)),
        ]
        for g in report.unanswered_questions
    ]
    from_sources = [
        [
            str(g.count),
            e(g.question) + (f'<div class="muted">{e("；".join(g.variants))}</div>' if g.variants else ""),
        ]
        for g in report.source_questions
    ]
    entries = [
        [
            str(r.unhelpful),
            str(r.helpful),
            f'{e(r.term)} <span class="muted">{e(r.entry_id)}</span>',
            "<br>".join(e(c) for c in r.comments[:5]),
        ]
        for r in report.unhelpful_entries
    ]
    terms = [
        [str(t.count), f'{e(t.term)} <span class="muted">{e(t.entry_id)}</span>'] for t in report.top_terms
    ]
    summary = [
        ["Questions", f"{report.questions} ({report.answered} answered, {report.unanswered} not answered)"],
        ["Gaps", e(_counts(report.gap_kinds, KIND_LABELS) or "none")],
        ["Feedback", f"{report.helpful} helpful, {report.unhelpful} unhelpful"],
    ]
    return "\n".join(
        [
            "<!doctype html>",
            '<html lang="zh-CN"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>Curators' report</title><style>{_STYLE}</style></head><body>",
            "<h1>Curators' report</h1>",
            f'<p class="muted">{e(_span(report.period))}</p>',
            '<table class="summary">'
            + "".join(f"<tr><td>{e(k)}</td><td>{v}</td></tr>" for k, v in summary)
            + "</table>",
            "<h2>Questions per day</h2>",
            _chart(report.per_day),
            f'<p class="muted">{_swatch("answered")} answered {_swatch("unanswered")} not answered</p>',
            "<h2>Most frequent unanswered questions</h2>",
            _table(["n", "question (other phrasings)", "what the assistant did"], questions, numeric=[0]),
            "<h2>Answered only from the sources (candidates for new entries)</h2>",
            _table(["n", "question (other phrasings)"], from_sources, numeric=[0]),
            "<h2>Entries with the most 没用</h2>",
            _table(["没用", "有用", "entry", "comments"], entries, numeric=[0, 1]),
            "<h2>Terms asked about most</h2>",
            _table(["n", "term"], terms, numeric=[0]),
            "</body></html>",
        ]
    )


def _knowledge_base() -> KnowledgeBase | None:
    try:
        kb = KnowledgeBase()
        kb.entries()
        return kb
    except KnowledgeBaseMissing:
        return None


def html_report(
    days: int = 30, log_path: Path | str | None = None, now: datetime | None = None, limit: int = 10
) -> str:
    """The HTML page for the last ``days`` days (for the web front; protect it with a token). It only
    reads: no folder, salt or table is created and nothing is purged."""
    logbook = LogbookReader(log_path)
    try:
        return render_html(build_report(logbook, Period.last_days(days, now), _knowledge_base(), limit))
    finally:
        logbook.close()
