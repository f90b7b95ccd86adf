"""The logbook: what is stored, how senders are hidden, and how old records are purged."""

from __future__ import annotations

import stat
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from knowledge.logbook import (
    MAX_QUESTION_CHARS,
    Logbook,
    Period,
    open_logbook,
    retention_days,
    timestamp,
    utc_now,
)
from tests.bad_inputs import BAD_TEXTS

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)


@pytest.fixture
def logbook(tmp_path):
    book = Logbook(tmp_path / "logbook.db", salt="test-salt", retention=None)  # tests purge explicitly
    yield book
    book.close()


def test_feedback_is_stored_with_entry_question_channel_and_time(logbook):
    feedback_id = logbook.record_feedback(
        "waist_customer", "unhelpful", "腰部客户怎么维护", channel="rest", sender="alice", at=NOW
    )
    assert logbook.add_comment(feedback_id, "没说怎么找到这类客户")
    [row] = logbook.rows("feedback")
    assert row == {
        "id": feedback_id,
        "created_at": "2026-11-20 12:00:00",
        "channel": "rest",
        "sender_hash": logbook.sender_hash("alice"),
        "entry_id": "waist_customer",
        "rating": "unhelpful",
        "question": "腰部客户怎么维护",
        "comment": "没说怎么找到这类客户",
    }


def test_sender_ids_are_stored_only_as_salted_hashes(tmp_path, logbook):
    logbook.record_feedback("x", "helpful", "q", channel="rest", sender="alice@example.com")
    logbook.record_gap("none", "区块链", "said_unknown", channel="rest", sender="alice@example.com")
    hashed = logbook.sender_hash("alice@example.com")
    assert len(hashed) == 64 and "alice" not in hashed
    assert {r["sender_hash"] for r in logbook.rows("feedback") + logbook.rows("gaps")} == {hashed}
    assert b"alice" not in (tmp_path / "logbook.db").read_bytes()
    other = Logbook(tmp_path / "other.db", salt="another-salt")
    assert other.sender_hash("alice@example.com") != hashed
    assert logbook.sender_hash("") is None and logbook.sender_hash(None) is None


def test_a_salt_is_generated_once_and_readable_only_by_its_owner(tmp_path, monkeypatch):
    monkeypatch.delenv("KB_LOG_SALT", raising=False)
    first = Logbook(tmp_path / "log.db")
    salt_file = tmp_path / "log.salt"
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    second = Logbook(tmp_path / "log.db")
    assert first.sender_hash("bob") == second.sender_hash("bob")
    monkeypatch.setenv("KB_LOG_SALT", "from-the-environment")
    assert Logbook(tmp_path / "log.db").sender_hash("bob") != first.sender_hash("bob")


def test_gap_rows_keep_what_the_assistant_did(logbook):
    logbook.record_gap(
        "low_confidence",
        "那种客户咋整",
        "answered",
        channel="socketio",
        sender="s",
        intent="ask_strategy",
        confidence=0.41234567,
        entry_id="waist_customer",
        at=NOW,
    )
    [row] = logbook.rows("gaps")
    assert (row["kind"], row["action"], row["intent"], row["confidence"], row["entry_id"]) == (
        "low_confidence",
        "answered",
        "ask_strategy",
        0.4123,
        "waist_customer",
    )


def test_answers_count_terms_without_question_or_sender(logbook):
    logbook.record_answer(["head_customer", "waist_customer"], "compare", channel="rest")
    [row] = logbook.rows("answers")
    assert (row["entry_id"], row["other_entry_id"], row["kind"]) == (
        "head_customer",
        "waist_customer",
        "compare",
    )
    assert "question" not in row and "sender_hash" not in row


@pytest.mark.parametrize(
    "call",
    [
        lambda b: b.record_feedback("x", "meh", "q"),
        lambda b: b.record_gap("unknown_kind", "q", "answered"),
        lambda b: b.record_gap("none", "q", "shrugged"),
        lambda b: b.record_answer(["x"], "poem"),
        lambda b: b.record_answer([], "definition"),
        lambda b: b.rows("sqlite_master"),
        lambda b: b.purge(-1),
    ],
)
def test_wrong_values_are_refused(logbook, call):
    with pytest.raises(ValueError):
        call(logbook)


@pytest.mark.parametrize("case, text", BAD_TEXTS, ids=[c for c, _ in BAD_TEXTS])
def test_hostile_questions_are_stored_as_text(logbook, case, text):
    logbook.record_gap("none", text, "said_unknown", channel="rest", sender=text)
    feedback_id = logbook.record_feedback(text, "unhelpful", text, channel="rest", sender=text)
    assert logbook.add_comment(feedback_id, text)
    expected = text.replace("\x00", "").strip()[:MAX_QUESTION_CHARS]
    assert logbook.rows("gaps")[0]["question"] == expected
    assert logbook.rows("feedback")[0]["question"] == expected
    assert set(logbook.table_names()) >= {"answers", "feedback", "gaps"}


def test_forgetting_a_sender_deletes_their_ratings_comments_and_gaps_only(logbook):
    for sender in ("alice", "bob"):
        rated = logbook.record_feedback("waist_customer", "unhelpful", "腰部客户怎么维护", sender=sender)
        logbook.add_comment(rated, f"{sender} 的意见")
        logbook.record_gap("none", f"{sender} 问的长尾客户", "said_unknown", sender=sender)
    logbook.record_answer(["waist_customer"], "definition")
    assert logbook.forget("alice") == {"feedback": 1, "gaps": 1, "handoffs": 0}
    alice, bob = logbook.sender_hash("alice"), logbook.sender_hash("bob")
    for table in ("feedback", "gaps"):
        assert [row["sender_hash"] for row in logbook.rows(table)] == [bob]
    assert "alice" not in repr(logbook.rows("feedback") + logbook.rows("gaps"))
    assert len(logbook.rows("answers")) == 1  # counts of terms asked, with no sender
    assert logbook.forget("alice") == {"feedback": 0, "gaps": 0, "handoffs": 0}
    assert logbook.forget("") == {"feedback": 0, "gaps": 0, "handoffs": 0}
    assert alice != bob


def test_comment_on_a_missing_rating_says_so(logbook):
    assert logbook.add_comment(12345, "缺了例子") is False


def test_rows_within_a_period(logbook):
    for days in (0, 3, 10):
        logbook.record_gap("none", f"q{days}", "said_unknown", at=NOW - timedelta(days=days))
    period = Period.last_days(7, now=NOW + timedelta(seconds=1))
    assert [r["question"] for r in logbook.rows("gaps", period)] == ["q3", "q0"]


def test_purge_deletes_only_records_older_than_the_period(logbook):
    ages = {"old": 91, "edge": 90, "recent": 89}
    for name, days in ages.items():
        at = NOW - timedelta(days=days)
        logbook.record_answer([name], "definition", at=at)
        logbook.record_feedback(name, "helpful", name, at=at)
        logbook.record_gap("none", name, "said_unknown", at=at)
    deleted = logbook.purge(90, now=NOW)
    assert deleted == {"answers": 1, "feedback": 1, "gaps": 1, "handoffs": 0}
    assert [r["entry_id"] for r in logbook.rows("answers")] == ["edge", "recent"]
    assert [r["entry_id"] for r in logbook.rows("feedback")] == ["edge", "recent"]
    assert [r["question"] for r in logbook.rows("gaps")] == ["edge", "recent"]
    assert logbook.purge(0, now=NOW + timedelta(days=1)) == {
        "answers": 2,
        "feedback": 2,
        "gaps": 2,
        "handoffs": 0,
    }


def test_opening_the_logbook_purges_with_the_default_retention(tmp_path):
    path = tmp_path / "logbook.db"
    book = Logbook(path, salt="s", retention=None)  # None keeps everything
    book.record_gap("none", "three months ago", "said_unknown", at=NOW - timedelta(days=95))
    book.record_gap("none", "last week", "said_unknown", at=NOW - timedelta(days=7))
    book.close()
    assert retention_days() == 90
    reopened = Logbook(path, salt="s", now=NOW)
    assert [r["question"] for r in reopened.rows("gaps")] == ["last week"]


def test_a_long_running_logbook_purges_once_a_day(tmp_path):
    opened = utc_now()  # writes purge with the clock, so this test runs on it too
    book = Logbook(tmp_path / "logbook.db", salt="s", retention=30, now=opened)
    book.record_gap("none", "old", "said_unknown", at=opened - timedelta(days=29, hours=12))
    book.purge_if_due(opened + timedelta(hours=23))  # purged at opening: not due yet
    assert len(book.rows("gaps")) == 1
    book.purge_if_due(opened + timedelta(days=1))
    assert book.rows("gaps") == []


def test_retention_from_the_environment(monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "30")
    assert retention_days() == 30
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")
    assert retention_days() is None


@pytest.mark.parametrize("value", ["0", "-3", "ninety", "1.5"])
def test_a_retention_that_could_mean_delete_everything_is_refused(monkeypatch, value):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", value)
    with pytest.raises(ValueError, match="never"):
        retention_days()


def test_a_logbook_kept_for_ever_purges_nothing(tmp_path):
    path = tmp_path / "logbook.db"
    book = Logbook(path, salt="s", retention="never")
    book.record_gap("none", "ten years ago", "said_unknown", at=NOW - timedelta(days=3650))
    book.purge_if_due(NOW)
    assert book.purge(now=NOW) == {"answers": 0, "feedback": 0, "gaps": 0, "handoffs": 0}
    book.close()
    assert len(Logbook(path, salt="s", retention=None, now=NOW).rows("gaps")) == 1


def test_open_logbook_follows_kb_log_path(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_LOG_PATH", str(tmp_path / "elsewhere.db"))
    book = open_logbook()
    assert book.path == tmp_path / "elsewhere.db" and book is open_logbook()


def test_timestamps_are_utc():
    beijing = timezone(timedelta(hours=8))
    assert timestamp(datetime(2026, 11, 21, 8, 30, tzinfo=beijing)) == "2026-11-21 00:30:00"


# -- the logbook in the shared PostgreSQL (production: every action server writes to one) --------


@pytest.fixture
def database(postgres, monkeypatch):
    """A new empty database's URL; no salt in the environment (the servers must share one)."""
    monkeypatch.delenv("KB_LOG_SALT", raising=False)
    return postgres.create_database(f"logbook_{uuid.uuid4().hex[:12]}")


def test_two_servers_write_to_one_logbook_and_share_its_salt(database):
    first, second = Logbook(database, retention=None), Logbook(database, retention=None)
    first.record_feedback(
        "waist_customer", "helpful", "腰部客户是什么", channel="rest", sender="alice", at=NOW
    )
    rating = second.record_feedback(
        "head_customer", "unhelpful", "头部客户", channel="wecom", sender="alice", at=NOW
    )
    assert second.add_comment(rating, "没讲怎么找")
    second.record_gap("none", "区块链", "said_unknown", channel="rest", sender="bob", at=NOW)
    first.record_answer(["waist_customer"], "definition", channel="rest", at=NOW)
    assert first.sender_hash("alice") == second.sender_hash("alice")  # one salt, kept in the database
    for book in (first, second):
        assert [r["rating"] for r in book.rows("feedback")] == ["helpful", "unhelpful"]
        assert book.rows("feedback")[1]["comment"] == "没讲怎么找"
        assert len(book.rows("gaps")) == 1 and len(book.rows("answers")) == 1
    assert Logbook(database).sender_hash("alice") == first.sender_hash("alice")  # and after a restart
    # Deleting a person's records on one server deletes what the other wrote of them too.
    assert second.forget("alice") == {"feedback": 2, "gaps": 0, "handoffs": 0}
    assert first.rows("feedback") == [] and len(first.rows("gaps")) == 1


def test_the_shared_logbook_purges_by_the_retention_too(database):
    book = Logbook(database, retention=None)
    book.record_gap("none", "旧问题", "said_unknown", at=NOW - timedelta(days=40))
    book.record_gap("none", "新问题", "said_unknown", at=NOW - timedelta(days=5))
    Logbook(database, retention=30, now=NOW)  # another server opening it purges
    assert [r["question"] for r in book.rows("gaps")] == ["新问题"]


def test_the_report_reads_the_shared_logbook_read_only(database):
    from sqlalchemy.exc import DBAPIError

    from knowledge.logbook import LogbookReader

    empty = LogbookReader(database)  # not written yet: empty, and nothing is created
    assert empty.rows("feedback") == [] and empty.table_names() == []
    book = Logbook(database, retention=None)
    book.record_feedback("waist_customer", "helpful", "腰部客户是什么", sender="alice", at=NOW)
    reader = LogbookReader(database)
    assert [r["entry_id"] for r in reader.rows("feedback")] == ["waist_customer"]
    with pytest.raises(DBAPIError, match="read-only"), reader.engine.begin() as connection:
        connection.exec_driver_sql("delete from feedback")
    assert len(book.rows("feedback")) == 1
    assert reader.location.count("***") == 1 and "@127.0.0.1" in reader.location  # no password shown


def test_kb_log_url_places_the_logbook(database, monkeypatch, tmp_path):
    monkeypatch.setenv("KB_LOG_URL", database)
    monkeypatch.setenv("KB_LOG_PATH", str(tmp_path / "unused.db"))
    book = Logbook(retention=None)
    assert book.path is None and book.where == database
    book.record_answer(["waist_customer"], "definition")
    assert not (tmp_path / "unused.db").exists()


def test_a_handoff_is_numbered_replied_to_and_closed_and_its_plain_sender_goes(logbook):
    deadline = NOW + timedelta(minutes=30)
    first = logbook.open_handoff("alice", "ZhangWei", "这个客户怎么跟进", deadline, "socketio", at=NOW)
    second = logbook.open_handoff("bob", "LiNa", "回款慢怎么办", deadline, "rest", at=NOW)
    assert second == first + 1
    assert [r["id"] for r in logbook.open_handoffs(NOW)] == [first, second]
    assert logbook.open_counts(NOW) == {"ZhangWei": 1, "LiNa": 1}
    later = NOW + timedelta(minutes=5)
    assert logbook.handoff_replied(first, later + timedelta(minutes=30), at=later)
    assert logbook.handoff_replied(first, later + timedelta(minutes=31), at=later + timedelta(minutes=1))
    row = logbook.handoff(first)
    assert row["sender"] == "alice" and row["replies"] == 2 and row["first_reply_at"] == timestamp(later)
    assert logbook.close_handoff(first, "salesperson", at=later + timedelta(minutes=2))
    assert not logbook.close_handoff(first, "expert")  # closed once
    assert not logbook.handoff_replied(first, deadline)  # a closed handoff takes no reply
    closed = logbook.handoff(first)
    assert closed["sender"] is None and closed["sender_hash"] == logbook.sender_hash("alice")
    assert closed["closed_how"] == "salesperson"
    assert [r["id"] for r in logbook.open_handoffs(NOW)] == [second]
    with pytest.raises(ValueError):
        logbook.close_handoff(second, "vanished")


def test_a_handoff_past_its_deadline_is_closed_by_timeout(logbook):
    number = logbook.open_handoff("alice", "ZhangWei", "q", NOW + timedelta(minutes=30), "rest", at=NOW)
    assert logbook.open_handoffs(NOW + timedelta(minutes=31)) == []
    assert logbook.expire_handoffs(NOW + timedelta(minutes=31)) == 1
    row = logbook.handoff(number)
    assert row["closed_how"] == "timeout" and row["closed_at"] == row["deadline"] and row["sender"] is None


def test_forgetting_a_sender_deletes_their_handoffs(logbook):
    logbook.open_handoff("alice", "ZhangWei", "alice 的问题", NOW + timedelta(minutes=30), "rest", at=NOW)
    logbook.open_handoff("bob", "ZhangWei", "bob 的问题", NOW + timedelta(minutes=30), "rest", at=NOW)
    assert logbook.forget("alice")["handoffs"] == 1
    assert [r["question"] for r in logbook.rows("handoffs")] == ["bob 的问题"]
