"""The curators' report: exact figures on a fixture logbook, grouping of phrasings, the CLI."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import List

import pytest

from knowledge.logbook import Logbook, Period, utc_now
from knowledge.paths import REPO_ROOT
from knowledge.report import (
    build_report,
    group_questions,
    html_report,
    question_key,
    render_html,
    render_text,
)

START = datetime(2026, 11, 14, tzinfo=timezone.utc)
PERIOD = Period(START, START + timedelta(days=7))


def at(day: int, hour: int = 10) -> datetime:
    return START + timedelta(days=day, hours=hour)


def fill(book: Logbook, shift: timedelta = timedelta(0)) -> None:
    """A week of a small sales team: known answers, ratings and misses."""

    def when(day: int, hour: int = 10) -> datetime:
        return at(day, hour) + shift

    for day, entries in {
        0: ["waist_customer"] * 3 + ["platinum_customer"],
        1: ["waist_customer"] * 2 + ["strategic_customer"],
        3: ["platinum_customer", "key_customer"],
        6: ["waist_customer"],
    }.items():
        for entry in entries:
            book.record_answer([entry], "definition", channel="rest", at=when(day))
    book.record_answer(["head_customer", "waist_customer"], "compare", channel="socketio", at=when(1))

    ratings = [
        ("waist_customer", "unhelpful", "腰部客户怎么维护", "没说怎么找到这类客户", 0),
        ("waist_customer", "unhelpful", "腰部客户是什么", "想要具体例子", 1),
        ("waist_customer", "helpful", "腰部客户的定义", None, 1),
        ("platinum_customer", "unhelpful", "白金客户", None, 3),
        ("platinum_customer", "helpful", "白金客户是啥", None, 3),
        ("platinum_customer", "helpful", "什么是白金客户", None, 3),
        ("strategic_customer", "helpful", "战略客户", None, 1),
    ]
    for entry, rating, question, comment, day in ratings:
        feedback_id = book.record_feedback(entry, rating, question, "rest", "alice", at=when(day))
        if comment:
            book.add_comment(feedback_id, comment)

    gaps = [
        ("none", "什么是区块链", "said_unknown", 0),
        ("none", "区块链是什么？", "said_unknown", 1),
        ("fallback", "區塊鏈是什麼意思", "said_unknown", 1),
        ("fallback", "请问一下区块链是啥", "fallback", 3),
        ("none", "怎么提高复购率", "said_unknown", 3),
        ("none", "如何提高复购率呢", "said_unknown", 6),
        ("ambiguous", "价值客户", "offered_choices", 6),
        ("low_confidence", "那种客户咋整", "answered", 6),
    ]
    for kind, question, action, day in gaps:
        book.record_gap(kind, question, action, "rest", "bob", at=when(day))
    # Outside the period: never counted.
    book.record_gap("none", "区块链", "said_unknown", "rest", "bob", at=when(-1))
    book.record_answer(["waist_customer"], "definition", at=when(7, 1))


@pytest.fixture
def logbook(tmp_path):
    book = Logbook(tmp_path / "logbook.db", salt="s", retention=None)
    fill(book)
    yield book
    book.close()


def test_report_figures_on_the_fixture(logbook, kb):
    report = build_report(logbook, PERIOD, kb)
    assert (report.answered, report.unanswered, report.questions) == (11, 7, 18)
    assert report.gap_kinds == {"none": 4, "fallback": 2, "ambiguous": 1, "low_confidence": 1}
    assert (report.helpful, report.unhelpful) == (4, 3)

    assert [(g.question, g.count) for g in report.unanswered_questions] == [
        ("什么是区块链", 4),
        ("怎么提高复购率", 2),
        ("价值客户", 1),
    ]
    blockchain = report.unanswered_questions[0]
    assert sorted(blockchain.variants) == sorted(["区块链是什么？", "區塊鏈是什麼意思", "请问一下区块链是啥"])
    assert blockchain.actions == {"said_unknown": 3, "fallback": 1}

    assert [(r.term, r.unhelpful, r.helpful, r.comments) for r in report.unhelpful_entries] == [
        ("腰部客户", 2, 1, ["没说怎么找到这类客户", "想要具体例子"]),
        ("白金客户", 1, 2, []),
    ]
    assert [(t.term, t.count) for t in report.top_terms] == [
        ("腰部客户", 7),
        ("白金客户", 2),
        ("头部客户", 1),  # ties by entry id: head_customer, key_customer, strategic_customer
        ("关键客户", 1),
        ("战略客户", 1),
    ]
    assert [(d.day, d.answered, d.unanswered) for d in report.per_day] == [
        (date(2026, 11, 14), 4, 1),
        (date(2026, 11, 15), 4, 2),
        (date(2026, 11, 16), 0, 0),
        (date(2026, 11, 17), 2, 2),
        (date(2026, 11, 18), 0, 0),
        (date(2026, 11, 19), 0, 0),
        (date(2026, 11, 20), 1, 2),
    ]


def test_without_a_knowledge_base_entries_are_named_by_id(logbook):
    report = build_report(logbook, PERIOD, kb=None, limit=2)
    assert [t.term for t in report.top_terms] == ["waist_customer", "platinum_customer"]
    assert len(report.unanswered_questions) == 2


def test_text_report_shows_the_figures(logbook, kb):
    text = render_text(build_report(logbook, PERIOD, kb))
    assert "Questions:  18 (11 answered, 7 not answered, 39%)" in text
    assert "Feedback:   7 (4 helpful, 3 unhelpful)" in text
    assert re.search(r"\n\s+4  什么是区块链\s+said unknown 3, did not understand 1\n", text)
    assert "also asked as:" in text and "區塊鏈是什麼意思" in text
    assert re.search(r"\n\s+2 / 1\s+腰部客户 \(waist_customer\)\n", text)
    assert "“没说怎么找到这类客户”" in text
    assert re.search(r"\n\s+7  腰部客户 \(waist_customer\)\n", text)
    assert "11-16" not in text  # days without questions are left out of the text chart
    assert re.search(r"11-15  █+░+\s+6 \(2 not answered\)", text)


def test_html_report_is_self_contained_and_escaped(tmp_path, kb):
    book = Logbook(tmp_path / "logbook.db", salt="s", retention=None)
    fill(book)
    book.record_gap("none", "<script>alert(1)</script>", "said_unknown", at=at(2))
    page = render_html(build_report(book, PERIOD, kb))
    assert page.startswith("<!doctype html>") and "</html>" in page
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert not re.search(r"(src|href)=", page), "no external assets"
    assert page.count('<rect class="answered"') == 7 + 1  # one bar per day, plus the legend
    assert "<title>2026-11-15: 4 answered, 2 not answered</title>" in page
    assert "什么是区块链" in page and "腰部客户" in page and "没说怎么找到这类客户" in page


def test_html_report_for_the_web_front_reads_the_last_days(tmp_path, monkeypatch, kb_path):
    monkeypatch.setenv("KB_DB_PATH", str(kb_path))
    book = Logbook(tmp_path / "logbook.db", salt="s", retention=None)
    fill(book, shift=utc_now() - START - timedelta(days=7))  # the fixture week ends now
    book.close()
    page = html_report(days=7, log_path=tmp_path / "logbook.db")
    assert "18 (11 answered, 7 not answered)" in page and "腰部客户" in page


# Phrasings as curators see them: (phrasings expected in one group each).
GROUPING_CASES: List[List[str]] = [
    [
        "什么是区块链",
        "区块链是什么？",
        "區塊鏈是什麼意思",
        "请问一下区块链是啥",
        "区块链",
        '/ask_definition{"term": "区块链"}',
    ],
    ['/ask_definition{"term": "价值"}'],  # a button's payload is grouped by what it names
    ["怎么提高复购率", "如何提高复购率", "如何提高复购率呢", "怎样提高复购率？"],
    ["客户生命周期价值", "客户生命周期价值的定义", "客户生命周期价值是什么意思"],
    ["客户成功经理的职责", "客户成功经历的职责"],
    ["私域流量"],
    ["公域流量"],
    ["供应链金融"],
    ["NPS怎么算", "nps 如何算"],
]


def test_near_duplicates_are_grouped_and_different_questions_are_not():
    asked = [(q, "said_unknown") for case in GROUPING_CASES for q in case]
    groups = group_questions(asked)
    found = sorted(sorted(g.phrasings) for g in groups)
    assert found == sorted(sorted(case) for case in GROUPING_CASES)


@pytest.mark.parametrize(
    "question, key",
    [
        ("如何提高复购率呢？", "提高复购率"),
        ("區塊鏈是什麼意思", "区块链"),
        ("NPS 怎么算", "nps算"),
        ('/ask_definition@0.4{"term": "区块链"}', "区块链"),
        ("/nlu_fallback", "nlufallback"),
        ('/ask_definition{"term": ', "askdefinitionterm"),
    ],
)
def test_question_key(question, key):
    assert question_key(question) == key


def test_a_group_is_named_after_its_commonest_phrasing():
    groups = group_questions([("区块链是什么", "none")] + [("什么是区块链", "none")] * 2)
    assert [(g.question, g.count, g.variants) for g in groups] == [("什么是区块链", 3, ["区块链是什么"])]


def run(*args: str, log: Path, kb_path: Path, retention: str = "never") -> subprocess.CompletedProcess:
    # Retention 0 by default: the fixture's dates must not age out of the 90 days.
    env = {**os.environ, "KB_DB_PATH": str(kb_path), "KB_LOG_RETENTION_DAYS": retention}
    return subprocess.run(
        [sys.executable, "-m", "knowledge", *args, "--db", str(log)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
    )


def test_cli_report_for_given_days_and_as_html(logbook, kb_path, tmp_path):
    page = tmp_path / "out" / "report.html"
    done = run(
        "report",
        "--since",
        "2026-11-14",
        "--until",
        "2026-11-20",
        "--html",
        str(page),
        log=logbook.path,
        kb_path=kb_path,
    )
    assert done.returncode == 0, done.stderr
    assert "2026-11-14 00:00 – 2026-11-21 00:00 UTC (7 days)" in done.stdout
    assert "Questions:  18 (11 answered, 7 not answered, 39%)" in done.stdout
    assert f"wrote {page}" in done.stdout and "<svg" in page.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["--days", "0"],
        ["--until", "2026-11-20"],
        ["--since", "2026-11-20", "--until", "2026-11-01"],
        ["--since", "yesterday"],
        ["--days", "7", "--since", "2026-11-01"],
    ],
)
def test_cli_report_refuses_a_bad_period(logbook, kb_path, args):
    done = run("report", *args, log=logbook.path, kb_path=kb_path)
    assert done.returncode == 2 and "error:" in done.stderr and "Traceback" not in done.stderr


def test_cli_purge(tmp_path, kb_path):
    path = tmp_path / "logbook.db"
    book = Logbook(path, salt="s", retention=None)
    now = utc_now()
    for days in (200, 100, 10):
        book.record_gap("none", f"{days} days ago", "said_unknown", at=now - timedelta(days=days))
    book.close()
    done = run("purge", log=path, kb_path=kb_path, retention="90")
    assert done.returncode == 0, done.stderr
    assert "older than 90 days" in done.stdout and "0 answers, 0 feedback, 2 gaps" in done.stdout
    done = run("purge", "--days", "5", log=path, kb_path=kb_path)
    assert "1 gaps" in done.stdout
    assert Logbook(path, salt="s", retention=None).rows("gaps") == []


def test_cli_purge_keeps_everything_when_the_retention_is_never(tmp_path, kb_path):
    path = tmp_path / "logbook.db"
    book = Logbook(path, salt="s", retention=None)
    book.record_gap("none", "a year ago", "said_unknown", at=utc_now() - timedelta(days=365))
    book.record_gap("none", "just now", "said_unknown")
    book.close()
    done = run("purge", log=path, kb_path=kb_path, retention="never")
    assert done.returncode == 0 and "nothing purged" in done.stdout
    assert len(Logbook(path, salt="s", retention=None).rows("gaps")) == 2


def test_cli_purge_refuses_a_retention_of_zero_and_deletes_nothing(tmp_path, kb_path):
    # 0 once meant "never purge" to the action server and "delete everything" to this command.
    path = tmp_path / "logbook.db"
    book = Logbook(path, salt="s", retention=None)
    book.record_gap("none", "just now", "said_unknown")
    book.close()
    done = run("purge", log=path, kb_path=kb_path, retention="0")
    assert done.returncode == 2 and "never" in done.stderr and "Traceback" not in done.stderr
    assert len(Logbook(path, salt="s", retention=None).rows("gaps")) == 1


def test_reading_the_report_creates_nothing(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_LOG_SALT", raising=False)
    missing = tmp_path / "not yet" / "logbook.db"
    page = html_report(log_path=missing)
    assert "<html" in page.lower()
    assert not missing.parent.exists()  # no folder, no salt file, no tables


def test_reading_the_report_purges_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "30")
    path = tmp_path / "logbook.db"
    book = Logbook(path, salt="s", retention=None)
    book.record_gap("none", "a year ago", "said_unknown", at=utc_now() - timedelta(days=365))
    book.close()
    html_report(days=400, log_path=path)
    assert len(Logbook(path, salt="s", retention=None).rows("gaps")) == 1


def fill_handoffs(book: Logbook) -> None:
    """Four handoffs of the fixture week: two answered by the expert, one ended unanswered, one timed out."""
    minutes = timedelta(minutes=1)
    answered = book.open_handoff(
        "alice", "ZhangWei", "回款慢的客户怎么跟进", at(0) + 30 * minutes, "rest", at=at(0)
    )
    book.handoff_replied(answered, at(0) + 60 * minutes, at=at(0) + 2 * minutes)
    book.handoff_replied(answered, at(0) + 60 * minutes, at=at(0) + 5 * minutes)
    book.close_handoff(answered, "expert", at=at(0) + 6 * minutes)
    again = book.open_handoff(
        "bob", "LiNa", "回款慢的客户怎么跟进呢", at(1) + 30 * minutes, "wecom", at=at(1)
    )
    book.handoff_replied(again, at(1) + 60 * minutes, at=at(1) + 4 * minutes)
    book.close_handoff(again, "salesperson", at=at(1) + 10 * minutes)
    ended = book.open_handoff("carol", "LiNa", "渠道商返点怎么定", at(2) + 30 * minutes, "socketio", at=at(2))
    book.close_handoff(ended, "salesperson", at=at(2) + 1 * minutes)
    book.open_handoff(
        "dave", "ZhangWei", "展会客户怎么分级", at(3) + 30 * minutes, "rest", at=at(3)
    )  # no reply


def test_handoffs_are_counted_and_the_questions_experts_answered_listed(logbook, kb):
    fill_handoffs(logbook)
    report = build_report(logbook, PERIOD, kb)
    assert report.handoffs == 4
    assert report.handoffs_closed == {"expert": 1, "salesperson": 2, "timeout": 1}
    assert report.first_reply_s == 180  # 2 and 4 minutes to the first reply
    # the two phrasings of one question experts answered are one candidate for a new entry
    assert [(g.question, g.count) for g in report.expert_questions] == [("回款慢的客户怎么跟进", 2)]
    text = render_text(report)
    assert (
        "Handoffs:   4 (ended by the salesperson 2, closed by the expert 1, timed out 1; "
        "first human reply after a median of 3.0 min)"
    ) in text
    assert re.search(
        r"Questions experts answered \(the first candidates for new entries\)\n\s+2  回款慢的客户怎么跟进\n",
        text,
    )
    page = render_html(report)
    assert "Questions experts answered" in page and "回款慢的客户怎么跟进" in page and "timed out 1" in page


def test_without_handoffs_the_report_says_none(logbook, kb):
    text = render_text(build_report(logbook, PERIOD, kb))
    assert (
        "Handoffs:   0\n" in text
        and "Questions experts answered (the first candidates for new entries)\n  (none)" in text
    )
