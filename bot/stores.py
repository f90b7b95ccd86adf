"""Stores for Rasa: the embedded SQLite tracker store, the PostgreSQL one of production, both keeping
conversations no longer than the retention, and a Redis lock store for several servers."""

from __future__ import annotations

import itertools
import json
import logging
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any, Callable, Iterable, List, Tuple, TypeVar

import redis
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.core.tracker_store import SerializedTrackerAsText, SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.forgetting import FORGET_SLOT
from knowledge.logbook import retention_days

logger = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT_S = 5.0

# The table and index of Rasa's SQLTrackerStore, so either store can open the other's file.
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER NOT NULL,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT,
    PRIMARY KEY (id)
);
CREATE INDEX IF NOT EXISTS ix_events_sender_id ON events (sender_id);
"""
# Two more indexes (Rasa's store ignores them) find the latest session start and count its events
# in the index alone: 4 ms → 0.6 ms per read of a conversation of 2,700 events (measured).
INDEX_SENDER_TYPE_TIME = (
    "CREATE INDEX IF NOT EXISTS ix_events_sender_type_time ON events (sender_id, type_name, timestamp)"
)
INDEX_SENDER_TIME = "CREATE INDEX IF NOT EXISTS ix_events_sender_time ON events (sender_id, timestamp)"
INDEXES = f"{INDEX_SENDER_TYPE_TIME};\n{INDEX_SENDER_TIME};\n"

# The latest session of a conversation, as Rasa's SQLTrackerStore defines it: the events whose
# timestamp is not before the latest session start, or all of them when there is none.
LATEST_SESSION = f"""
    sender_id = :sender AND (
        timestamp >= (SELECT max(timestamp) FROM events
                      WHERE sender_id = :sender AND type_name = '{SessionStarted.type_name}')
        OR (SELECT max(timestamp) FROM events
            WHERE sender_id = :sender AND type_name = '{SessionStarted.type_name}') IS NULL)
"""
SELECT_LATEST_SESSION = f"SELECT data FROM events WHERE {LATEST_SESSION} ORDER BY id"
SELECT_ALL_SESSIONS = "SELECT data FROM events WHERE sender_id = :sender ORDER BY id"
COUNT_LATEST_SESSION = f"SELECT count(*) FROM events WHERE {LATEST_SESSION}"
# What identifies the stored state of a conversation's latest session: events are only appended
# (with growing ids) or deleted whole, and ids can be given again after a deletion, so the session's
# first event (its id and time: the session's start) as well as its count and last id.
STATE_OF_LATEST_SESSION = f"""
    SELECT count(*), min(id), min(timestamp), max(id) FROM events WHERE {LATEST_SESSION}"""
SELECT_LATEST_SESSION_AFTER = f"SELECT data FROM events WHERE {LATEST_SESSION} AND id > :after ORDER BY id"
INSERT = """
    INSERT INTO events (sender_id, type_name, timestamp, intent_name, action_name, data)
    VALUES (?, ?, ?, ?, ?, ?)
"""


# A conversation whose last event is older than the retention is deleted whole, in either store.
DELETE_OLD_CONVERSATIONS = """
    DELETE FROM events WHERE sender_id IN (
        SELECT sender_id FROM events GROUP BY sender_id HAVING max(timestamp) < :cutoff)
"""
DELETE_CONVERSATION = "DELETE FROM events WHERE sender_id = :sender"
PURGE_INTERVAL_S = 24 * 3600.0
DAY_S = 24 * 3600.0


class Retention:
    """How long conversations are kept: the logbook's retention (``KB_LOG_RETENTION_DAYS``, else
    ``curation.retention_days``; ``never`` keeps them), one period for everything stored about
    people. A store purges when it opens and at most once a day after, on a save."""

    def __init__(self, days: int | None | str = "settings") -> None:
        if days == "settings":
            try:
                days = retention_days()
            except ValueError as error:  # refused (0, not a number): keep everything, say so
                logger.error("conversation retention: %s; nothing is purged", error)
                days = None
        self.days = days
        self._purged_at: float | None = None

    def cutoff_if_due(self, now: float | None = None) -> float | None:
        """The timestamp before which conversations go, when a purge is due; else None."""
        moment = time.time() if now is None else now
        if self.days is None or (self._purged_at is not None and moment - self._purged_at < PURGE_INTERVAL_S):
            return None
        self._purged_at = moment
        return moment - self.days * DAY_S


def asks_to_be_forgotten(tracker: DialogueStateTracker) -> bool:
    """The person asked for this conversation to be deleted (``bot/forgetting.py``)."""
    return FORGET_SLOT in tracker.slots and tracker.get_slot(FORGET_SLOT) is True


class _KeepsConversationsForTheRetention:
    """What both tracker stores do to keep conversations no longer than the retention, and to
    forget one when its person asks."""

    retention: Retention

    def purge(self, cutoff: float) -> int:
        """Delete every conversation whose last event is older than ``cutoff``; return the events deleted."""
        raise NotImplementedError

    def delete(self, sender_id: str) -> int:
        """Delete every event of one conversation, in all its sessions; return how many."""
        raise NotImplementedError

    def forget(self, tracker: DialogueStateTracker) -> bool:
        """Delete the conversation instead of saving it, when its person asked; say whether."""
        if not asks_to_be_forgotten(tracker):
            return False
        deleted = self.delete(tracker.sender_id)
        logger.info("deleted a conversation (%d events) at its person's request", deleted)
        return True

    def purge_if_due(self, now: float | None = None) -> None:
        cutoff = self.retention.cutoff_if_due(now)
        if cutoff is not None:
            deleted = self.purge(cutoff)
            if deleted:
                days = self.retention.days
                logger.info("deleted %d events of conversations idle for more than %s days", deleted, days)


# How many events the trackers a store keeps in memory may hold together, the least recently saved
# going first: an event takes about 2 kB (a 320-message conversation, 2,722 events, took 5.9 MB).
REMEMBERED_EVENTS = 20_000

StoredState = Tuple[int, int, float, int]  # the latest session's count, first id and time, last id
Kept = Tuple[DialogueStateTracker, StoredState, "Event | None"]  # …and the tracker's last event then


class _SavedTrackers:
    """The trackers this process saved last, each with the stored state it was saved as.

    Reading a conversation back meant parsing and replaying every event of its session: at message
    150 that was half of a message's time on the Rasa server (profiled), and it grew with each
    message. A tracker is kept here when it is saved, taken out when it is read (so no two callers
    ever hold the same object), and given back only when the store still holds exactly what was
    saved, or holds that and more events appended by another process, which are then applied to
    it: what a fresh read would return either way."""

    def __init__(self, events: int = REMEMBERED_EVENTS) -> None:
        self.events = events
        self._trackers: OrderedDict[str, Kept] = OrderedDict()
        self._held = 0  # events in the trackers kept
        self._lock = threading.Lock()

    def keep(self, tracker: DialogueStateTracker, state: StoredState) -> None:
        with self._lock:
            self._drop(tracker.sender_id)
            if state[0] > self.events:
                return
            last = tracker.events[-1] if tracker.events else None
            self._trackers[tracker.sender_id] = (tracker, state, last)
            self._held += state[0]
            while self._held > self.events:
                self._drop(next(iter(self._trackers)))

    def _drop(self, sender_id: str) -> Kept | None:
        kept = self._trackers.pop(sender_id, None)
        if kept is not None:
            self._held -= kept[1][0]
        return kept

    def take(self, sender_id: str) -> Tuple[DialogueStateTracker, StoredState] | None:
        with self._lock:
            kept = self._drop(sender_id)
        if kept is None:
            return None
        tracker, state, last = kept
        if len(tracker.events) != state[0] or (tracker.events[-1] if tracker.events else None) is not last:
            return None  # changed since it was saved (events added and not saved)
        return tracker, state

    def forget(self, sender_id: str | None = None) -> None:
        """Drop one conversation's tracker, or every one."""
        with self._lock:
            if sender_id is None:
                self._trackers.clear()
                self._held = 0
            else:
                self._drop(sender_id)


class SQLiteTrackerStore(_KeepsConversationsForTheRetention, TrackerStore, SerializedTrackerAsText):
    """Conversations in one SQLite file: `tracker_store: {type: bot.stores.SQLiteTrackerStore, db: <file>}`.

    It stores exactly what Rasa's SQLTrackerStore stores, in the same table, and reads it back the
    same way, but through the standard library's sqlite3 on one open connection per thread instead
    of SQLAlchemy's ORM and a new connection per call. Reading and saving a conversation took about
    a third of each message's time on the Rasa server that way (profiled); now it is a few percent.

    The file is in WAL mode with ``synchronous=NORMAL``: a commit is one append, readers never wait
    for a writer, and a crash of the process loses nothing committed (a power loss can drop the
    last commits). Each save counts what is stored and appends the rest in one write transaction,
    so two processes sharing the file cannot store an event twice.

    A tracker it saved is read back from memory (``_SavedTrackers``) when the file still holds what
    was saved, so a turn costs the same at message 150 as at message 1.
    """

    def __init__(
        self,
        domain: Domain | None = None,
        db: str = "build/tracker.db",
        event_broker: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(domain, event_broker, **kwargs)
        self.db = str(db)
        Path(self.db).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connection().executescript(SCHEMA + INDEXES)
        self.saved = _SavedTrackers()
        self.retention = Retention()
        self.purge_if_due()

    def purge(self, cutoff: float) -> int:
        self.saved.forget()
        with self._connection() as connection:
            return connection.execute(DELETE_OLD_CONVERSATIONS, {"cutoff": cutoff}).rowcount

    def delete(self, sender_id: str) -> int:
        self.saved.forget(sender_id)
        with self._connection() as connection:
            return connection.execute(DELETE_CONVERSATION, {"sender": sender_id}).rowcount

    def _connection(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            # Autocommit mode: transactions are begun explicitly where they are needed.
            connection = sqlite3.connect(self.db, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            self._local.connection = connection
        return connection

    def _events(self, sender_id: str, latest_session_only: bool) -> List[dict]:
        if latest_session_only:
            rows = self._connection().execute(SELECT_LATEST_SESSION, {"sender": sender_id})
        else:
            rows = self._connection().execute(SELECT_ALL_SESSIONS, {"sender": sender_id})
        return [json.loads(data) for (data,) in rows]

    def _tracker(self, sender_id: str, latest_session_only: bool) -> DialogueStateTracker | None:
        events = self._events(sender_id, latest_session_only)
        if not (self.domain and events):
            return None
        return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's latest session, or None if it has no events."""
        kept = self.saved.take(sender_id)
        if kept is not None and self.domain:
            tracker, (count, first_id, began, last_id) = kept
            stored = self._stored_state(sender_id)
            if stored == kept[1]:
                return tracker
            appended_to = stored[1:3] == (first_id, began) and stored[0] > count and stored[3] > last_id
            if appended_to:  # by another process: the same session, longer
                rows = self._connection().execute(
                    SELECT_LATEST_SESSION_AFTER, {"sender": sender_id, "after": last_id}
                )
                appended = deserialise_events([json.loads(data) for (data,) in rows])
                if count + len(appended) == stored[0]:
                    for event in appended:
                        tracker.update(event)
                    return tracker
        return self._tracker(sender_id, latest_session_only=True)

    def _stored_state(self, sender_id: str) -> StoredState:
        (state,) = self._connection().execute(STATE_OF_LATEST_SESSION, {"sender": sender_id})
        return state

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """The conversation with all its sessions."""
        return self._tracker(conversation_id, latest_session_only=False)

    async def exists(self, conversation_id: str) -> bool:
        row = (
            self._connection()
            .execute("SELECT 1 FROM events WHERE sender_id = ? LIMIT 1", (conversation_id,))
            .fetchone()
        )
        return row is not None

    async def keys(self) -> Iterable[str]:
        return [sender for (sender,) in self._connection().execute("SELECT DISTINCT sender_id FROM events")]

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet (or delete them all, when asked)."""
        if self.forget(tracker):
            return
        await self.stream_events(tracker)
        connection = self._connection()
        connection.execute("BEGIN IMMEDIATE")  # the write lock, before counting
        try:
            (stored,) = connection.execute(COUNT_LATEST_SESSION, {"sender": tracker.sender_id}).fetchone()
            new_events = itertools.islice(tracker.events, stored, None)
            connection.executemany(INSERT, [_row(tracker.sender_id, event) for event in new_events])
            state = self._stored_state(tracker.sender_id)
            connection.execute("COMMIT")
        except BaseException:
            if connection.in_transaction:
                connection.execute("ROLLBACK")
            raise
        if state[0] == len(tracker.events):  # it holds just the latest session, as a read would
            self.saved.keep(tracker, state)
        self.purge_if_due()


class RetainingSQLTrackerStore(_KeepsConversationsForTheRetention, SQLTrackerStore):
    """Rasa's SQL tracker store (PostgreSQL in production) that keeps conversations no longer than
    the retention, as the SQLite store does: `tracker_store: {type: bot.stores.RetainingSQLTrackerStore,
    dialect: postgresql, …}` with SQLTrackerStore's settings."""

    def __init__(self, domain: Domain | None = None, **kwargs: Any) -> None:
        super().__init__(domain, **kwargs)
        self._add_indexes()
        self.retention = Retention()
        self.purge_if_due()

    def _add_indexes(self) -> None:
        """The SQLite store's two covering indexes: Rasa finds the latest session's start for every
        read and save, by sender and event type, then reads the session by time."""
        import sqlalchemy

        with self.session_scope() as session:
            session.execute(sqlalchemy.text(INDEX_SENDER_TYPE_TIME))
            session.execute(sqlalchemy.text(INDEX_SENDER_TIME))
            session.commit()

    def purge(self, cutoff: float) -> int:
        import sqlalchemy

        with self.session_scope() as session:
            deleted = session.execute(sqlalchemy.text(DELETE_OLD_CONVERSATIONS), {"cutoff": cutoff}).rowcount
            session.commit()
        return deleted

    def delete(self, sender_id: str) -> int:
        import sqlalchemy

        with self.session_scope() as session:
            deleted = session.execute(sqlalchemy.text(DELETE_CONVERSATION), {"sender": sender_id}).rowcount
            session.commit()
        return deleted

    async def save(self, tracker: DialogueStateTracker) -> None:
        if self.forget(tracker):
            return
        await super().save(tracker)
        self.purge_if_due()


def _row(sender_id: str, event: Any) -> Tuple[Any, ...]:
    """An event as Rasa's SQLTrackerStore stores it."""
    data = event.as_dict()
    intent = data.get("parse_data", {}).get("intent", {}).get("name")
    return (sender_id, event.type_name, data.get("timestamp"), intent, data.get("name"), json.dumps(data))


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis lock store with every change of a lock made atomically.

    `lock_store: {type: bot.stores.AtomicRedisLockStore, url: …, port: …, password: …}`.
    Rasa's own store reads a conversation's ticket list, changes it and writes it back
    with plain GET and SET. Two servers issuing tickets at once can each write a list
    without the other's ticket, and one server's cleanup can delete a ticket another
    server has just issued; both messages are then processed at the same time and one
    turn's events overwrite the other's (seen in tests/bot/test_scale_out.py: 31 of 32
    concurrent messages stored). Here each change runs in a WATCH/MULTI transaction and
    is retried when another server changed the lock in between.
    """

    def __init__(self, endpoint_config: EndpointConfig | None = None, **kwargs: Any) -> None:
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(
        self, conversation_id: str, change: Callable[[TicketLock | None], Tuple[TicketLock | None, T]]
    ) -> T:
        """Apply ``change`` (old lock → new lock or None to delete, result) atomically; return the result."""
        key = self.key_prefix + conversation_id
        while True:
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock, result = change(TicketLock.from_dict(json.loads(raw)) if raw else None)
                    pipe.multi()
                    if lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue  # another server changed the lock: read it again

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> Tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        return self._change(conversation_id, change)

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> Tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            # Deleted only if nobody else holds a ticket, decided on the same read.
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, change)
