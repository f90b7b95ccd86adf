"""Stores for Rasa: the embedded SQLite tracker store, and a Redis lock store for several servers.

The embedded tracker store is Rasa's SQL tracker store on an SQLite file, tuned for a chat server.

Every message reads the conversation and commits its new events. In SQLite's default rollback
journal each commit syncs the file twice and blocks readers; in WAL mode with ``synchronous=NORMAL``
a commit is one append, readers never wait for a writer, and a crash of the process loses nothing
that was committed (only a power loss can drop the last commits).
"""

from __future__ import annotations

import json
from typing import Any, Callable, Tuple, TypeVar

import redis
import sqlalchemy as sa
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000


def _tune(connection: Any, _record: Any) -> None:
    cursor = connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


class SQLiteTrackerStore(SQLTrackerStore):
    """`tracker_store: {type: bot.stores.SQLiteTrackerStore, db: <file>}` in endpoints.yml."""

    def __init__(self, domain: Domain | None = None, db: str = "build/tracker.db", **kwargs: Any) -> None:
        kwargs.pop("dialect", None)
        super().__init__(domain=domain, dialect="sqlite", db=db, **kwargs)
        # SQLAlchemy 1.4 opens a new connection per session for SQLite files, so every one is tuned.
        sa.event.listen(self.engine, "connect", _tune)


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
