"""The curators' report over the logbook: what to add or fix in the knowledge base next.

For a period it gives the most frequent unanswered questions (near-duplicates grouped:
``grouping``), the entries rated 没用 most often with the comments, the terms asked about most,
and the questions per day (``figures``). ``render_text`` prints it for a terminal (``text``);
``render_html`` makes a self-contained page from a Jinja2 template (``page``: inline CSS and an
SVG chart, no external assets).

The web front serves the page with ``html_report(days=30)``, which opens the logbook at
``KB_LOG_PATH`` (read-only) and the knowledge base at ``KB_DB_PATH`` itself.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from knowledge.logbook import LogbookReader, Period
from knowledge.report.figures import Report, build_report
from knowledge.report.grouping import QuestionGroup, group_questions, question_key
from knowledge.report.page import render_html
from knowledge.report.text import render_text
from knowledge.search import KnowledgeBase, KnowledgeBaseMissing

__all__ = [
    "QuestionGroup",
    "Report",
    "build_report",
    "group_questions",
    "html_report",
    "question_key",
    "render_html",
    "render_text",
]


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
