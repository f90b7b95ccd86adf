"""The curators' logbook: what was answered, how users rated it, and what was not answered well.

One database with four tables — a SQLite file (``KB_LOG_PATH``, default ``build/logbook.db``),
or in production the shared PostgreSQL (``KB_LOG_URL``, e.g.
``postgresql://user:password@host:5432/rasa``), so that every action server writes to one logbook
and the report counts them all:

- ``answers``: one row per knowledge answer given (entry ids, kind, channel, time),
  with no question text and no sender: it only counts which terms are asked about;
- ``feedback``: a 有用/没用 rating with the entry id, the question as asked, the
  channel, the hashed sender, the time, and the comment a 没用 may add;
- ``gaps``: a question that fell back, matched nothing, was ambiguous or was
  answered while the NLU was unsure, with what the assistant did about it;
- ``handoffs``: each time a salesperson was handed to an expert (``bot/handoff.py``): the question,
  the expert, when the first reply came, how many there were, and how and when it closed. The
  plain sender id, which the operators' page needs to reach the conversation, is kept only while
  the handoff is open and erased when it closes (the hash stays, for a deletion).

Personal data stays minimal: sender ids are stored as salted SHA-256 hashes
(salt from ``KB_LOG_SALT``, else a generated file next to a SQLite logbook or one row that every
server shares in a PostgreSQL one), questions are cut to a bounded length, and records older than
the retention period (``curation.retention_days`` in ``knowledge/language.yml``, 90 days, or
``KB_LOG_RETENTION_DAYS``; ``never`` keeps them all) are purged when the logbook opens and once a
day after. The SQL is SQLAlchemy's, every value a parameter.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Sequence
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool, QueuePool

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
HANDOFF_CLOSED = ("salesperson", "expert", "timeout")
"""How a handoff ended: 结束人工 from the salesperson, the expert closed it, or no word from the
expert within the timeout."""
TABLES = ("answers", "feedback", "gaps", "handoffs")
SENDER_TABLES = ("feedback", "gaps", "handoffs")  # the tables that know who wrote a row (hashed)

MAX_QUESTION_CHARS = 500
MAX_COMMENT_CHARS = 1000
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"  # SQLite's own, so date(created_at) works in queries
PURGE_INTERVAL = timedelta(days=1)
LOG_URL_VARIABLE = "KB_LOG_URL"  # a database URL: the logbook lives there, not in KB_LOG_PATH

METADATA = sa.MetaData()


def _table(name: str, *columns: sa.Column) -> sa.Table:
    """A logbook table: an id, the time (UTC text, so that the SQLite files written before read the
    same), the channel, then its own columns."""
    return sa.Table(
        name,
        METADATA,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("created_at", sa.Text, index=True),
        sa.Column("channel", sa.Text),
        *columns,
    )


_TABLES: Dict[str, sa.Table] = {
    "answers": _table(
        "answers",
        sa.Column("entry_id", sa.Text),
        sa.Column("other_entry_id", sa.Text),
        sa.Column("kind", sa.Text),
    ),
    "feedback": _table(
        "feedback",
        *(sa.Column(name, sa.Text) for name in ("sender_hash", "entry_id", "rating", "question", "comment")),
    ),
    "gaps": _table(
        "gaps",
        *(sa.Column(name, sa.Text) for name in ("sender_hash", "kind", "question", "action", "intent")),
        sa.Column("confidence", sa.Float),
        sa.Column("entry_id", sa.Text),
    ),
    "handoffs": _table(
        "handoffs",
        # ``sender``: the conversation id in plain, only while the handoff is open.
        *(
            sa.Column(name, sa.Text)
            for name in ("sender_hash", "sender", "expert_id", "question", "deadline")
        ),
        sa.Column("first_reply_at", sa.Text),
        sa.Column("replies", sa.Integer),
        sa.Column("closed_at", sa.Text),
        sa.Column("closed_how", sa.Text),
    ),
}
# The salt of a logbook in a database server, one row that every server of the logbook reads.
SALT_TABLE = sa.Table(
    "logbook_salt", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True), sa.Column("salt", sa.Text)
)


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


def location(where: Path | str | None = None) -> str:
    """Where the logbook lives: ``where``, else ``KB_LOG_URL``, else ``KB_LOG_PATH``; a database URL
    (``postgresql://…``) or a SQLite file's path."""
    if where is None:
        where = os.environ.get(LOG_URL_VARIABLE, "").strip() or paths.log_path()
    return str(where)


def is_url(where: str) -> bool:
    return "://" in where


def shown(where: str) -> str:
    """``where`` without a password, for a report or a log line."""
    return make_url(where).render_as_string(hide_password=True) if is_url(where) else where


def _engine(where: str, read_only: bool = False) -> Engine:
    if is_url(where):
        url = make_url(where)
        postgres = url.get_backend_name() == "postgresql"
        options = {"options": "-c default_transaction_read_only=on"} if read_only and postgres else {}
        return sa.create_engine(url, connect_args=options, pool_pre_ping=True, future=True)
    path = Path(where)
    if read_only:
        uri = f"sqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true"
        return sa.create_engine(uri, poolclass=NullPool, future=True)
    arguments = {"timeout": 10, "check_same_thread": False}
    # Connections are kept open and used again (a new one per answer recorded was a tenth of the
    # action server's time under load, profiled); in WAL mode with synchronous=NORMAL a commit is
    # an append without waiting for the disk: a crash of the process loses nothing committed.
    engine = sa.create_engine(
        f"sqlite:///{path}", connect_args=arguments, poolclass=QueuePool, pool_size=2, future=True
    )
    sa.event.listen(engine, "connect", _sqlite_settings)
    return engine


def _sqlite_settings(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _execute(connection: sa.engine.Connection, statement: Any) -> Any:
    """Run a SQLAlchemy Core statement, whose values are all bound parameters; SQL text is refused."""
    if isinstance(statement, (str, sa.sql.elements.TextClause)):
        raise TypeError("the logbook runs SQLAlchemy statements, never SQL text")
    return connection.execute(statement)  # noqa: S608 - a Core statement (checked above), no text


def _file_salt(log_path: Path) -> str:
    """A random salt kept (owner-readable only) next to a SQLite logbook."""
    path = log_path.with_name(log_path.stem + ".salt")
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(16))
    return path.read_text().strip()


def _shared_salt(engine: Engine) -> str:
    """The salt every server of a logbook in a database server shares: written by the first."""
    query = sa.select(SALT_TABLE.c.salt).where(SALT_TABLE.c.id == 1)
    with engine.connect() as connection:
        salt = _execute(connection, query).scalar()
    if salt is None:
        try:
            with engine.begin() as connection:
                _execute(connection, SALT_TABLE.insert().values(id=1, salt=secrets.token_hex(16)))
        except sa.exc.IntegrityError:
            pass  # another server wrote it first
        with engine.connect() as connection:
            salt = _execute(connection, query).scalar_one()
    return str(salt)


def _create(engine: Engine, metadata: sa.MetaData) -> None:
    """The tables that are missing; two servers opening a new logbook at once both succeed."""
    try:
        metadata.create_all(engine, checkfirst=True)
    except (sa.exc.IntegrityError, sa.exc.ProgrammingError):
        metadata.create_all(engine, checkfirst=True)  # the other one created them meanwhile


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
    """Reading a logbook's tables (``self.engine``)."""

    engine: Engine

    def _locate(self, path: Path | str | None) -> None:
        """``where`` (a database URL or a file's path) and ``path`` (the file, None for a URL)."""
        self.where = location(path)
        self.path = None if is_url(self.where) else Path(self.where)

    @property
    def location(self) -> str:
        """Where the logbook lives, without a password."""
        return shown(self.where)

    def rows(self, table: str, period: Period | None = None) -> List[Dict[str, Any]]:
        """Every row of ``table`` (optionally within ``period``), oldest first."""
        return list(self.iter_rows(table, period))

    def iter_rows(self, table: str, period: Period | None = None) -> Iterator[Dict[str, Any]]:
        if table not in TABLES:
            raise ValueError(f"unknown table {table!r}")
        t = _TABLES[table]
        query = sa.select(t).order_by(t.c.created_at, t.c.id)
        if period is not None:
            bounds = period.bounds
            query = query.where(t.c.created_at >= bounds["since"], t.c.created_at < bounds["until"])
        with self.engine.connect() as connection:
            return iter([dict(row._mapping) for row in _execute(connection, query)])

    def table_names(self) -> List[str]:
        return sa.inspect(self.engine).get_table_names()

    def open_handoffs(self, now: datetime | None = None) -> List[Dict[str, Any]]:
        """The handoffs not closed and not past their timeout, oldest first."""
        t = _TABLES["handoffs"]
        query = (
            sa.select(t)
            .where(t.c.closed_at.is_(None), t.c.deadline > timestamp(now or utc_now()))
            .order_by(t.c.id)
        )
        with self.engine.connect() as connection:
            return [dict(row._mapping) for row in _execute(connection, query)]

    def handoff(self, handoff_id: int) -> Dict[str, Any] | None:
        t = _TABLES["handoffs"]
        with self.engine.connect() as connection:
            row = _execute(connection, sa.select(t).where(t.c.id == int(handoff_id))).first()
        return None if row is None else dict(row._mapping)

    def close(self) -> None:
        self.engine.dispose()


class Logbook(_Rows):
    """The logbook; safe to share between the threads of one process and between processes."""

    def __init__(
        self,
        path: Path | str | None = None,
        *,
        salt: str | None = None,
        retention: int | str | None = FROM_SETTINGS,
        now: datetime | None = None,
    ) -> None:
        """``path``: a SQLite file or a database URL (default: ``KB_LOG_URL``, else ``KB_LOG_PATH``);
        ``retention``: days to keep records, None (or ``never``) to keep them all, or by default
        what the settings say."""
        self.retention = (
            retention_days()
            if retention == FROM_SETTINGS
            else None
            if retention is None
            else parse_retention(retention)
        )
        self._locate(path)
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = _engine(self.where)
        if self.path is not None:
            with self.engine.connect() as connection:
                connection.exec_driver_sql("pragma journal_mode = wal")
        _create(self.engine, METADATA)
        if salt is None:
            salt = os.environ.get("KB_LOG_SALT") or None
        if salt is None and self.path is None:
            _create(self.engine, SALT_TABLE.metadata)
            salt = _shared_salt(self.engine)
        self._salt = salt if salt is not None else _file_salt(self.path)
        self._purged_at: datetime | None = None
        self.purge_if_due(now)

    def sender_hash(self, sender: str | None) -> str | None:
        if not sender:
            return None
        return hashlib.sha256(f"{self._salt}:{sender}".encode()).hexdigest()

    def _insert(self, table: str, row: Dict[str, Any], at: datetime | None) -> int:
        row["created_at"] = timestamp(at or utc_now())
        with self.engine.begin() as connection:
            return int(_execute(connection, _TABLES[table].insert().values(**row)).inserted_primary_key[0])

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
        feedback = _TABLES["feedback"]
        update = feedback.update().where(feedback.c.id == int(feedback_id))
        with self.engine.begin() as connection:
            result = _execute(connection, update.values(comment=_clip(comment, MAX_COMMENT_CHARS)))
        return result.rowcount == 1

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

    def open_handoff(
        self,
        sender: str,
        expert_id: str,
        question: str | None,
        deadline: datetime,
        channel: str | None = None,
        at: datetime | None = None,
    ) -> int:
        """A new handoff of ``sender``'s conversation to ``expert_id``; its number."""
        self.purge_if_due()
        self.expire_handoffs(at)
        row = {
            "sender_hash": self.sender_hash(sender),
            "sender": sender,
            "expert_id": expert_id,
            "question": _clip(question, MAX_QUESTION_CHARS),
            "deadline": timestamp(deadline),
            "replies": 0,
            "channel": channel,
        }
        return self._insert("handoffs", row, at)

    def handoff_replied(self, handoff_id: int, deadline: datetime, at: datetime | None = None) -> bool:
        """The expert answered an open handoff: one reply more, the first one's time, a new deadline."""
        t = _TABLES["handoffs"]
        moment = timestamp(at or utc_now())
        update = (
            t.update()
            .where(t.c.id == int(handoff_id), t.c.closed_at.is_(None))
            .values(
                replies=t.c.replies + 1,
                first_reply_at=sa.func.coalesce(t.c.first_reply_at, moment),
                deadline=timestamp(deadline),
            )
        )
        with self.engine.begin() as connection:
            return _execute(connection, update).rowcount == 1

    def close_handoff(self, handoff_id: int, how: str, at: datetime | None = None) -> bool:
        """Close an open handoff (``how``: one of HANDOFF_CLOSED); its plain sender id goes."""
        if how not in HANDOFF_CLOSED:
            raise ValueError(f"unknown way to close a handoff {how!r}; expected one of {HANDOFF_CLOSED}")
        t = _TABLES["handoffs"]
        update = (
            t.update()
            .where(t.c.id == int(handoff_id), t.c.closed_at.is_(None))
            .values(closed_at=timestamp(at or utc_now()), closed_how=how, sender=None)
        )
        with self.engine.begin() as connection:
            return _execute(connection, update).rowcount == 1

    def expire_handoffs(self, now: datetime | None = None) -> int:
        """Close the handoffs past their timeout (closed at their deadline); how many."""
        t = _TABLES["handoffs"]
        update = (
            t.update()
            .where(t.c.closed_at.is_(None), t.c.deadline <= timestamp(now or utc_now()))
            .values(closed_at=t.c.deadline, closed_how="timeout", sender=None)
        )
        with self.engine.begin() as connection:
            return _execute(connection, update).rowcount

    def open_counts(self, now: datetime | None = None) -> Dict[str, int]:
        """Open handoffs per expert."""
        counts: Dict[str, int] = {}
        for row in self.open_handoffs(now):
            counts[row["expert_id"]] = counts.get(row["expert_id"], 0) + 1
        return counts

    # -- deleting ----------------------------------------------------------------------
    def forget(self, sender: str) -> Dict[str, int]:
        """Delete every record of one sender (their ratings, comments and unanswered questions);
        count per table. The answers table holds no sender: it has nothing of theirs."""
        hashed = self.sender_hash(sender)
        if hashed is None:
            return {table: 0 for table in SENDER_TABLES}
        return self._delete(SENDER_TABLES, lambda t: t.c.sender_hash == hashed)

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
        return self._delete(TABLES, lambda t: t.c.created_at < cutoff)

    def _delete(self, tables: Iterable[str], condition: Callable[[sa.Table], Any]) -> Dict[str, int]:
        """Delete the rows of ``tables`` that meet ``condition`` in one transaction; count per table."""
        deleted: Dict[str, int] = {}
        with self.engine.begin() as connection:
            for table in tables:
                deleted[table] = _execute(
                    connection, _TABLES[table].delete().where(condition(_TABLES[table]))
                ).rowcount
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
        self._locate(path)
        missing = self.path is not None and not self.path.exists()
        self.engine = sa.create_engine("sqlite://", future=True) if missing else _engine(self.where, True)
        self._present = set(self.table_names())

    def iter_rows(self, table: str, period: Period | None = None) -> Iterator[Dict[str, Any]]:
        if table in TABLES and table not in self._present:
            return iter(())  # not written yet
        return super().iter_rows(table, period)


@lru_cache(maxsize=4)
def _open(path: str) -> Logbook:
    return Logbook(path)


def open_logbook(path: Path | str | None = None) -> Logbook:
    """The logbook at ``path`` (default: ``KB_LOG_URL``, else ``KB_LOG_PATH``), opened once per process."""
    where = location(path)
    return _open(where if is_url(where) else str(Path(where).resolve()))
