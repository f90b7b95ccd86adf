"""The embedded tracker store: Rasa's SQL tracker store on an SQLite file, tuned for a chat server.

Every message reads the conversation and commits its new events. In SQLite's default rollback
journal each commit syncs the file twice and blocks readers; in WAL mode with ``synchronous=NORMAL``
a commit is one append, readers never wait for a writer, and a crash of the process loses nothing
that was committed (only a power loss can drop the last commits).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain

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
