"""The curators' logbook: what was answered, how users rated it, and what was not answered well.

One SQLite file (``KB_LOG_PATH``, default ``build/logbook.db``) with three tables:

- ``answers``: one row per knowledge answer given (entry ids, kind, channel, time),
  with no question text and no sender: it only counts which terms are asked about;
- ``feedback``: a 有用/没用 rating with the entry id, the question as asked, the
  channel, the hashed sender, the time, and the comment a 没用 may add;
- ``gaps``: a question that fell back, matched nothing, was ambiguous or was
  answered while the NLU was unsure, with what the assistant did about it.

Personal data stays minimal: sender ids are stored as salted SHA-256 hashes
(salt from ``KB_LOG_SALT`` or a generated file next to the logbook), questions
are cut to a bounded length, and records older than the retention period
(``curation.retention_days`` in ``knowledge/language.yml``, 90 days, or
``KB_LOG_RETENTION_DAYS``; ``never`` keeps them all) are purged when the logbook opens and once a
day after.
All SQL is parameterised.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Sequence
from urllib.parse import quote

import sqlite_utils

from knowledge import paths
from knowledge.normalize import language

RATINGS = ("helpful", "unhelpful")
GAP_KINDS = ("fallback", "none", "ambiguous", "low_confidence", "source", "undefined")
"""The NLU fell back; search matched nothing; several entries were close; the NLU was unsure;
only the sources (no entry) held the answer; the term is used in the sources but not defined."""
ACTIONS = (
    "answered", "offered_choices", "said_unknown", "asked_which_term", "fallback",
    "answered_from_sources", "said_undefined",
)  # fmt: skip
"""What the assistant did: answered anyway; offered did-you-mean choices; said there is no
such entry; asked which term was meant; gave the generic "did not understand" reply; quoted the
sources; said the sources use the term without defining it."""
ANSWER_KINDS = ("definition", "detail", "strategy", "compare", "classification")
TABLES = ("answers", "feedback", "gaps")
SENDER_TABLES = ("feedback", "gaps")  # the tables that know who wrote a row (hashed)

MAX_QUESTION_CHARS = 500
MAX_COMMENT_CHARS = 1000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # SQLite's own, so date(created_at) works in queries
PURGE_INTERVAL = timedelta(days=1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def timestamp(moment: datetime) -> str:
    """A stored time: UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime(TIME_FORMAT)


def settings() -> Dict[str, Any]:
    """The ``curation`` section of knowledge/language.yml."""
    return dict(language().get("curation") or {})


NEVER = "never"  # the retention that keeps every record
FROM_SETTINGS = "settings"  # Logbook(retention=…): KB_LOG_RETENTION_DAYS or curation.retention_days


def parse_retention(value: object) -> int | None:
    """Days to keep records: a whole number from 1 on, or None for ``never`` (keep everything).
    0 is refused: one person reads it as "keep nothing", another as "never purge"."""
    text = str(value).strip().lower()
    if text in (NEVER, "none", "forever"):
        return None
    try:
        days = int(text)
    except ValueError:
        raise ValueError(f"retention {value!r}: give a number of days (1 or more) or '{NEVER}'") from None
    if days < 1:
        raise ValueError(f"retention {days}: give 1 day or more, or '{NEVER}' to keep every record")
    return days


def retention_days() -> int | None:
    """KB_LOG_RETENTION_DAYS, else ``curation.retention_days``: days, or None to keep everything."""
    value = os.environ.get("KB_LOG_RETENTION_DAYS", "").strip()
    return parse_retention(value or settings().get("retention_days", 90))


def low_confidence() -> float:
    return float(settings().get("low_confidence", 0.6))


def _salt(log_path: Path) -> str:
    """KB_LOG_SALT, or a random salt kept (owner-readable only) next to the logbook."""
    salt = os.environ.get("KB_LOG_SALT")
    if salt:
        return salt
    path = log_path.with_name(log_path.stem + ".salt")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(16))
    return path.read_text().strip()


def _clip(text: str | None, limit: int) -> str:
    return (text or "").replace("\x00", "").strip()[:limit]


@dataclass(frozen=True)
class Period:
    """A half-open time range [since, until) in UTC."""

    since: datetime
    until: datetime

    @classmethod
    def last_days(cls, days: int, now: datetime | None = None) -> Period:
        until = now or utc_now()
        return cls(until - timedelta(days=days), until)

    @property
    def bounds(self) -> Dict[str, str]:
        return {"since": timestamp(self.since), "until": timestamp(self.until)}


class _Rows:
    """Reading a logbook's tables (``self.db``)."""

    db: sqlite_utils.Database

    def rows(self, table: str, period: Period | None = None) -> List[Dict[str, Any]]:
        """Every row of ``table`` (optionally within ``period``), oldest first."""
        return list(self.iter_rows(table, period))

    def iter_rows(self, table: str, period: Period | None = None) -> Iterator[Dict[str, Any]]:
        # Only a name from the TABLES constant is ever put into the SQL; values are parameters.
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        if period is None:
            return self.db.query(f"select * from [{table}] order by created_at, id")  # noqa: S608
        return self.db.query(
            f"select * from [{table}] where created_at >= :since and created_at < :until "  # noqa: S608
            "order by created_at, id",  # noqa: S608
            period.bounds,
        )


class Logbook(_Rows):
    """The logbook file; safe to share between the threads of one process."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        salt: str | None = None,
        retention: int | str | None = FROM_SETTINGS,
        now: datetime | None = None,
    ) -> None:
        """``retention``: days to keep records, None (or ``never``) to keep them all, or by default
        what the settings say."""
        self.retention = (
            retention_days()
            if retention == FROM_SETTINGS
            else None
            if retention is None
            else parse_retention(retention)
        )
        self.path = Path(path or paths.log_path())
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._salt = salt if salt is not None else _salt(self.path)
        connection = sqlite3.connect(self.path, check_same_thread=False, timeout=10)
        self.db = sqlite_utils.Database(connection)
        self._lock = threading.Lock()
        with self._lock:
            self.db.execute("pragma journal_mode = wal")
            self._create_tables()
        self._purged_at: datetime | None = None
        self.purge_if_due(now)

    def _create_tables(self) -> None:
        common = {"created_at": str, "channel": str}
        self.db["answers"].create(
            {"id": int, **common, "entry_id": str, "other_entry_id": str, "kind": str},
            pk="id",
            if_not_exists=True,
        )
        self.db["feedback"].create(
            {
                "id": int,
                **common,
                "sender_hash": str,
                "entry_id": str,
                "rating": str,
                "question": str,
                "comment": str,
            },
            pk="id",
            if_not_exists=True,
        )
        self.db["gaps"].create(
            {
                "id": int,
                **common,
                "sender_hash": str,
                "kind": str,
                "question": str,
                "action": str,
                "intent": str,
                "confidence": float,
                "entry_id": str,
            },
            pk="id",
            if_not_exists=True,
        )
        for table in TABLES:
            self.db[table].create_index(["created_at"], if_not_exists=True)

    def close(self) -> None:
        self.db.close()

    def sender_hash(self, sender: str | None) -> str | None:
        if not sender:
            return None
        return hashlib.sha256(f"{self._salt}:{sender}".encode()).hexdigest()

    def _insert(self, table: str, row: Dict[str, Any], at: datetime | None) -> int:
        row["created_at"] = timestamp(at or utc_now())
        with self._lock:
            return int(self.db[table].insert(row).last_pk)

    # -- writing -------------------------------------------------------------------
    def record_answer(
        self,
        entry_ids: Sequence[str],
        kind: str,
        channel: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """A knowledge answer about one entry (two for a comparison)."""
        if kind not in ANSWER_KINDS:
            raise ValueError(f"unknown answer kind {kind!r}; expected one of {ANSWER_KINDS}")
        if not entry_ids:
            raise ValueError("an answer names at least one entry")
        self.purge_if_due()
        row = {
            "entry_id": entry_ids[0],
            "other_entry_id": entry_ids[1] if len(entry_ids) > 1 else None,
            "kind": kind,
            "channel": channel,
        }
        return self._insert("answers", row, at)

    def record_feedback(
        self,
        entry_id: str | None,
        rating: str,
        question: str | None,
        channel: str | None = None,
        sender: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """A rating of the answer about ``entry_id``; returns the row id for the comment."""
        if rating not in RATINGS:
            raise ValueError(f"unknown rating {rating!r}; expected one of {RATINGS}")
        self.purge_if_due()
        row = {
            "entry_id": entry_id,
            "rating": rating,
            "question": _clip(question, MAX_QUESTION_CHARS),
            "channel": channel,
            "sender_hash": self.sender_hash(sender),
            "comment": None,
        }
        return self._insert("feedback", row, at)

    def add_comment(self, feedback_id: int, comment: str) -> bool:
        """What was missing, added to a rating; False when the rating no longer exists."""
        with self._lock:
            cursor = self.db.execute(
                "update feedback set comment = ? where id = ?",
                [_clip(comment, MAX_COMMENT_CHARS), int(feedback_id)],
            )
            self.db.conn.commit()
        return cursor.rowcount == 1

    def record_gap(
        self,
        kind: str,
        question: str | None,
        action: str,
        channel: str | None = None,
        sender: str | None = None,
        intent: str | None = None,
        confidence: float | None = None,
        entry_id: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """A question not answered well, and what the assistant did about it."""
        if kind not in GAP_KINDS:
            raise ValueError(f"unknown gap kind {kind!r}; expected one of {GAP_KINDS}")
        if action not in ACTIONS:
            raise ValueError(f"unknown action {action!r}; expected one of {ACTIONS}")
        self.purge_if_due()
        row = {
            "kind": kind,
            "question": _clip(question, MAX_QUESTION_CHARS),
            "action": action,
            "intent": intent,
            "confidence": None if confidence is None else round(float(confidence), 4),
            "entry_id": entry_id,
            "channel": channel,
            "sender_hash": self.sender_hash(sender),
        }
        return self._insert("gaps", row, at)

    # -- deleting ----------------------------------------------------------------------
    def forget(self, sender: str) -> Dict[str, int]:
        """Delete every record of one sender (their ratings, comments and unanswered questions);
        count per table. The answers table holds no sender: it has nothing of theirs."""
        hashed = self.sender_hash(sender)
        if hashed is None:
            return {table: 0 for table in SENDER_TABLES}
        return self._delete(SENDER_TABLES, "sender_hash = ?", hashed)

    # -- retention -------------------------------------------------------------------
    def purge(self, days: int | None = None, now: datetime | None = None) -> Dict[str, int]:
        """Delete records older than ``days`` (by default the retention period: with ``never``,
        nothing); count per table. Only an explicit ``days=0`` deletes every record."""
        days = self.retention if days is None else days
        if days is None:
            return {table: 0 for table in TABLES}
        if days < 0:
            raise ValueError("the retention period cannot be negative")
        cutoff = timestamp((now or utc_now()) - timedelta(days=days))
        return self._delete(TABLES, "created_at < ?", cutoff)

    def _delete(self, tables: Iterable[str], condition: str, value: Any) -> Dict[str, int]:
        """Delete the rows of ``tables`` that meet ``condition`` (one parameter), in one
        transaction; count per table. Tables and condition are this module's constants."""
        deleted: Dict[str, int] = {}
        with self._lock:
            for table in tables:
                cursor = self.db.execute(f"delete from [{table}] where {condition}", [value])  # noqa: S608
                deleted[table] = cursor.rowcount
            self.db.conn.commit()
        return deleted

    def purge_if_due(self, now: datetime | None = None) -> None:
        """Purge on opening and at most once a day after (a retention of ``never`` keeps everything)."""
        moment = now or utc_now()
        if self.retention is None or (self._purged_at and moment - self._purged_at < PURGE_INTERVAL):
            return
        self.purge(self.retention, moment)
        self._purged_at = moment


class LogbookReader(_Rows):
    """The logbook through a read-only connection, for the report: opening it creates no folder,
    salt or table and purges nothing; a logbook not written yet reads as empty."""

    def __init__(self, path: Path | str | None = None) -> None:
        self.path = Path(path or paths.log_path())
        uri = f"file:{quote(str(self.path.resolve()))}?mode=ro"
        self.db = (
            sqlite_utils.Database(sqlite3.connect(uri, uri=True, check_same_thread=False))
            if self.path.exists()
            else sqlite_utils.Database(memory=True)
        )

    def iter_rows(self, table: str, period: Period | None = None) -> Iterator[Dict[str, Any]]:
        if table in TABLES and not self.db[table].exists():
            return iter(())  # not written yet
        return super().iter_rows(table, period)

    def close(self) -> None:
        self.db.close()


@lru_cache(maxsize=4)
def _open(path: str) -> Logbook:
    return Logbook(path)


def open_logbook(path: Path | str | None = None) -> Logbook:
    """The logbook at ``path`` (default: ``KB_LOG_PATH``), opened once per process."""
    return _open(str(Path(path or paths.log_path()).resolve()))
