"""bot/stores.py: the SQLite tracker store keeps what Rasa's SQL store keeps; both tracker stores
keep conversations no longer than the retention; the Redis lock store keeps every ticket when
several servers change a lock at once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
import uuid
from typing import List

import pytest
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockStore
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.forgetting import FORGET_SLOT
from bot.stores import DAY_S, AtomicRedisLockStore, RetainingSQLTrackerStore, Retention, SQLiteTrackerStore
from tests.bot.servers import Redis

# The SQLite tracker store.

DOMAIN = Domain.from_dict(
    {
        "slots": {
            "term": {"type": "text", "mappings": [{"type": "custom"}]},
            FORGET_SLOT: {"type": "bool", "influence_conversation": False, "mappings": [{"type": "custom"}]},
        }
    }
)


def rasa_store(db) -> SQLTrackerStore:
    return SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(db))


def our_store(db) -> SQLiteTrackerStore:
    # Built as Rasa builds a tracker store named by module path in endpoints.yml.
    config = EndpointConfig(type="bot.stores.SQLiteTrackerStore", db=str(db))
    store = TrackerStore.create(config, domain=DOMAIN)
    assert isinstance(store, SQLiteTrackerStore)
    return store


def turn(text: str, clock: List[float], new_session: bool = False) -> list:
    """The events of one turn as Rasa appends them, with increasing timestamps."""

    def at(event):
        clock[0] += 0.01
        event.timestamp = clock[0]
        return event

    events = []
    if new_session:
        events += [
            at(ActionExecuted("action_session_start")),
            at(SessionStarted()),
            at(ActionExecuted("action_listen")),
        ]
    return events + [
        at(UserUttered(text, {"name": "ask_definition", "confidence": 0.9})),
        at(SlotSet("term", text)),
        at(ActionExecuted("action_answer_term")),
        at(BotUttered(f"{text}：……")),
        at(ActionExecuted("action_listen")),
    ]


def converse(store, sender: str, clock: List[float]) -> None:
    """Three turns in two sessions, each read from the store, extended and saved as Rasa does."""
    for text, new_session in (("腰部客户", True), ("头部客户", False), ("战略客户", True)):
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
        for event in turn(text, clock, new_session):
            tracker.update(event)
        asyncio.run(store.save(tracker))


def stored_rows(db) -> list:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT sender_id, type_name, timestamp, intent_name, action_name, data FROM events ORDER BY id"
        ).fetchall()


def dicts(tracker: DialogueStateTracker) -> list:
    return [event.as_dict() for event in tracker.events]


def test_it_stores_the_same_rows_as_rasas_sql_store(tmp_path):
    start = time.time()
    converse(rasa_store(tmp_path / "rasa.db"), "someone", [start])
    converse(our_store(tmp_path / "ours.db"), "someone", [start])
    rows = stored_rows(tmp_path / "ours.db")
    assert len(rows) == 3 + 5 + 5 + 3 + 5  # every event once, none lost, none doubled
    assert rows == stored_rows(tmp_path / "rasa.db")


@pytest.mark.parametrize(
    "writer, reader", [(our_store, rasa_store), (rasa_store, our_store)], ids=["ours-rasa", "rasa-ours"]
)
def test_either_store_reads_the_others_file(tmp_path, writer, reader):
    db = tmp_path / "tracker.db"
    converse(writer(db), "someone", [time.time()])
    written, read = writer(db), reader(db)
    for method in ("retrieve", "retrieve_full_tracker"):
        as_read, as_written = (asyncio.run(getattr(store, method)("someone")) for store in (read, written))
        assert dicts(as_read) == dicts(as_written)
    latest = asyncio.run(read.retrieve("someone"))
    asked = [e.text for e in latest.events if isinstance(e, UserUttered)]
    assert asked == ["战略客户"]  # the latest session only
    assert latest.get_slot("term") == "战略客户"
    assert asyncio.run(read.keys()) == asyncio.run(written.keys()) == ["someone"]


def test_saving_again_or_from_another_process_stores_nothing_twice(tmp_path):
    db, clock = tmp_path / "tracker.db", [time.time()]
    first, second = our_store(db), our_store(db)  # two connections, as two processes would have
    converse(first, "someone", clock)
    before = len(stored_rows(db))
    tracker = asyncio.run(second.retrieve("someone"))
    for event in turn("关键客户", clock):
        tracker.update(event)
    start = threading.Barrier(8)

    def save(store) -> None:
        start.wait()
        asyncio.run(store.save(tracker))

    threads = [threading.Thread(target=save, args=(store,)) for store in [first, second] * 4]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    asyncio.run(first.save(tracker))
    assert len(stored_rows(db)) == before + 5
    assert dicts(asyncio.run(first.retrieve("someone"))) == dicts(tracker)


def test_unknown_conversations_and_existence(tmp_path):
    store = our_store(tmp_path / "sub" / "tracker.db")  # the folder is created
    assert asyncio.run(store.retrieve("nobody")) is None
    assert asyncio.run(store.exists("nobody")) is False
    converse(store, "someone", [time.time()])
    assert asyncio.run(store.exists("someone")) is True
    assert asyncio.run(store.exists("nobody")) is False


# Conversations kept no longer than the retention.


def _old_and_recent_conversations(store, now: float) -> None:
    """``old`` last spoke 91 days ago (with an earlier session before), ``recent`` 89 days ago."""
    converse(store, "old", [now - 120 * DAY_S])
    for event in turn("铅质客户", [now - 91 * DAY_S]):
        tracker = asyncio.run(store.retrieve("old"))
        tracker.update(event)
        asyncio.run(store.save(tracker))
    converse(store, "recent", [now - 95 * DAY_S])
    for event in turn("白金客户", [now - 89 * DAY_S]):
        tracker = asyncio.run(store.retrieve("recent"))
        tracker.update(event)
        asyncio.run(store.save(tracker))


def _purged_then_kept(store, keep: List[str], now: float) -> None:
    store.retention = Retention(90)
    store.purge_if_due(now)
    assert sorted(asyncio.run(store.keys())) == keep
    assert asyncio.run(store.retrieve_full_tracker("old")) is None  # every session of it
    # …and once a day at most: a conversation gone stale since is purged the next day, not before.
    store.retention.days = 88
    store.purge_if_due(now + 3600)
    assert sorted(asyncio.run(store.keys())) == keep
    store.purge_if_due(now + DAY_S + 1)
    assert list(asyncio.run(store.keys())) == []


def test_a_conversation_idle_for_longer_than_the_retention_is_deleted_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")  # nothing purged while the test writes
    store = our_store(tmp_path / "t.db")
    now = time.time()
    _old_and_recent_conversations(store, now)
    _purged_then_kept(store, ["recent"], now)
    assert stored_rows(tmp_path / "t.db") == []


def test_never_keeps_every_conversation_and_a_refused_setting_purges_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")
    store = our_store(tmp_path / "t.db")
    _old_and_recent_conversations(store, time.time())
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "0")  # could be read as "delete all": refused
    reopened = our_store(tmp_path / "t.db")
    assert reopened.retention.days is None
    assert sorted(asyncio.run(reopened.keys())) == ["old", "recent"]


def test_the_store_purges_when_it_opens(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")
    _old_and_recent_conversations(our_store(tmp_path / "t.db"), time.time())
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "90")
    assert sorted(asyncio.run(our_store(tmp_path / "t.db").keys())) == ["recent"]


def production_store(postgres) -> RetainingSQLTrackerStore:
    """The store of the production endpoints, on the test's PostgreSQL, built by Rasa."""
    config = EndpointConfig(
        type="bot.stores.RetainingSQLTrackerStore", url="127.0.0.1", port=postgres.port,
        dialect="postgresql", db=postgres.database, username=postgres.user, password=postgres.password,
    )  # fmt: skip
    return TrackerStore.create(config, domain=DOMAIN)


def test_the_production_store_keeps_conversations_no_longer_either(postgres, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")
    store = production_store(postgres)
    assert isinstance(store, RetainingSQLTrackerStore)
    now = time.time()
    _old_and_recent_conversations(store, now)
    assert sorted(asyncio.run(store.keys())) == ["old", "recent"]
    _purged_then_kept(store, ["recent"], now)


def test_the_production_store_has_the_indexes_that_find_the_latest_session(postgres):
    import sqlalchemy

    store = production_store(postgres)
    with store.session_scope() as session:
        query = sqlalchemy.text("SELECT indexname FROM pg_indexes WHERE tablename = 'events'")
        names = {row[0] for row in session.execute(query)}
    assert {"ix_events_sender_type_time", "ix_events_sender_time"} <= names, names
    production_store(postgres)  # opening it again adds nothing and fails on nothing


# A conversation deleted at its person's request.


def _forgotten(store) -> None:
    """``alice`` (two sessions) asks to be forgotten; ``bob`` does not: only bob's events remain."""
    now = time.time()
    converse(store, "alice", [now - 100])
    converse(store, "bob", [now - 50])
    tracker = asyncio.run(store.retrieve("alice"))
    tracker.update(ActionExecuted("action_forget_conversation", timestamp=now))
    tracker.update(SlotSet(FORGET_SLOT, True, timestamp=now))
    asyncio.run(store.save(tracker))
    assert list(asyncio.run(store.keys())) == ["bob"]
    assert asyncio.run(store.retrieve_full_tracker("alice")) is None  # every session of it
    assert asyncio.run(store.exists("alice")) is False
    # A slot set to anything but True (or a tracker without the slot) is saved as always.
    bob = asyncio.run(store.retrieve("bob"))
    bob.update(SlotSet(FORGET_SLOT, False, timestamp=now))
    asyncio.run(store.save(bob))
    assert asyncio.run(store.retrieve("bob")).get_slot(FORGET_SLOT) is False
    # The next message of alice starts a conversation of its own.
    converse(store, "alice", [now])
    assert sorted(asyncio.run(store.keys())) == ["alice", "bob"]


def test_a_conversation_saved_with_the_forget_slot_is_deleted_whole(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")
    store = our_store(tmp_path / "t.db")
    _forgotten(store)
    assert {row[0] for row in stored_rows(tmp_path / "t.db")} == {"alice", "bob"}


def test_the_production_store_forgets_a_conversation_too(postgres, monkeypatch):
    monkeypatch.setenv("KB_LOG_RETENTION_DAYS", "never")
    store = production_store(postgres)
    for sender in asyncio.run(store.keys()):
        store.delete(sender)  # the earlier test's conversations
    _forgotten(store)


def test_the_file_is_in_wal_mode(tmp_path):
    db = tmp_path / "tracker.db"
    converse(our_store(db), "someone", [time.time()])
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_latest_session_is_found_and_counted_in_the_indexes_alone(tmp_path):
    from bot.stores import STATE_OF_LATEST_SESSION

    db = tmp_path / "tracker.db"
    converse(our_store(db), "someone", [time.time()])
    with sqlite3.connect(db) as connection:
        plan = connection.execute(f"EXPLAIN QUERY PLAN {STATE_OF_LATEST_SESSION}", {"sender": "someone"})
        searches = [row[-1] for row in plan if row[-1].startswith(("SEARCH", "SCAN"))]
    assert searches and all("USING COVERING INDEX" in search for search in searches), searches


# Trackers read back from memory.


def fresh_read(db, sender: str) -> list:
    """What a store that never saw the conversation reads from the file."""
    tracker = asyncio.run(our_store(db).retrieve(sender))
    return None if tracker is None else dicts(tracker)


def one_more_turn(store, sender: str, clock: List[float], text: str, new_session: bool = False):
    """A turn read from the store, extended and saved as Rasa does; the tracker saved."""
    tracker = asyncio.run(store.retrieve(sender))
    for event in turn(text, clock, new_session):
        tracker.update(event)
    asyncio.run(store.save(tracker))
    return tracker


def remembered(db, clock: List[float]):
    """A store that saved a conversation it now holds in memory (a session begun this turn is not
    held: the file's latest session leaves out the start action before it)."""
    store = our_store(db)
    converse(store, "someone", clock)
    one_more_turn(store, "someone", clock, "关键客户")
    assert "someone" in store.saved._trackers
    return store


def test_a_tracker_it_saved_is_read_back_from_memory_as_the_file_holds_it(tmp_path):
    db, clock = tmp_path / "t.db", [time.time()]
    store = our_store(db)
    converse(store, "someone", clock)
    tracker = one_more_turn(store, "someone", clock, "关键客户")
    again = asyncio.run(store.retrieve("someone"))
    assert again is tracker  # not parsed and replayed again
    assert dicts(again) == fresh_read(db, "someone")
    assert again.get_slot("term") == "关键客户"
    # Taken out while read: a second reader gets its own copy from the file.
    other = asyncio.run(store.retrieve("someone"))
    assert other is not tracker and dicts(other) == dicts(tracker)


def test_events_another_process_appended_are_applied_to_the_tracker_in_memory(tmp_path):
    db, clock = tmp_path / "t.db", [time.time()]
    first, second = remembered(db, clock), our_store(db)
    elsewhere = one_more_turn(second, "someone", clock, "大客户")
    read = asyncio.run(first.retrieve("someone"))
    assert dicts(read) == fresh_read(db, "someone") == dicts(elsewhere)
    assert read.get_slot("term") == "大客户" and read.latest_message.text == "大客户"


@pytest.mark.parametrize("change", ["new session", "deleted", "deleted and begun again", "… at more length"])
def test_a_conversation_changed_otherwise_elsewhere_is_read_from_the_file(tmp_path, change):
    db, clock = tmp_path / "t.db", [time.time()]
    first, second = remembered(db, clock), our_store(db)
    if change == "new session":
        one_more_turn(second, "someone", clock, "铁质客户", new_session=True)
    else:
        second.delete("someone")
        if change != "deleted":
            converse(second, "someone", clock)
        if change == "… at more length":  # its latest session now longer than the one in memory
            for text in ("白金客户", "黄金客户"):
                one_more_turn(second, "someone", clock, text)
    read = asyncio.run(first.retrieve("someone"))
    assert (None if read is None else dicts(read)) == fresh_read(db, "someone")
    if change == "new session":
        assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["铁质客户"]


def test_a_tracker_changed_after_saving_is_not_handed_back(tmp_path):
    db, clock = tmp_path / "t.db", [time.time()]
    store = remembered(db, clock)
    tracker = asyncio.run(store.retrieve("someone"))
    asyncio.run(store.save(tracker))
    tracker.update(UserUttered("没存下的话"))  # changed, not saved (a turn that failed)
    read = asyncio.run(store.retrieve("someone"))
    assert read is not tracker and dicts(read) == fresh_read(db, "someone")
    assert "没存下的话" not in [e.text for e in read.events if isinstance(e, UserUttered)]


def test_a_forgotten_conversation_is_forgotten_in_memory_too(tmp_path):
    db, clock = tmp_path / "t.db", [time.time()]
    store = remembered(db, clock)
    tracker = asyncio.run(store.retrieve("someone"))
    tracker.update(SlotSet(FORGET_SLOT, True))
    asyncio.run(store.save(tracker))
    assert asyncio.run(store.retrieve("someone")) is None
    assert stored_rows(db) == []


def test_the_trackers_in_memory_hold_no_more_events_than_the_bound(tmp_path):
    db, clock = tmp_path / "t.db", [time.time()]
    store = our_store(db)
    store.saved.events = 40
    for n in range(8):  # a session of two turns each: 12 events as the file holds them
        converse(store, f"person{n}", clock)
        assert len(one_more_turn(store, f"person{n}", clock, "头部客户").events) == 12
    held = [n for n in range(8) if store.saved.take(f"person{n}") is not None]
    assert held == [5, 6, 7]  # the three saved last
    for n in range(8):  # every conversation is still read right, from the file
        assert dicts(asyncio.run(store.retrieve(f"person{n}"))) == fresh_read(db, f"person{n}")


# The Redis lock store.


@pytest.fixture(scope="module")
def redis_server():
    server = Redis()
    server.start()
    yield server
    server.stop()


def stores(server: Redis, count: int) -> List[AtomicRedisLockStore]:
    # Built as Rasa builds a lock store named by module path in endpoints.yml.
    config = EndpointConfig(
        url="127.0.0.1",
        type="bot.stores.AtomicRedisLockStore",
        port=server.port,
        password=server.password,
        db=0,
    )
    return [LockStore.create(config) for _ in range(count)]


def test_rasa_builds_it_from_the_endpoints(redis_server):
    (store,) = stores(redis_server, 1)
    assert isinstance(store, AtomicRedisLockStore) and store.red.ping()


def test_tickets_issued_at_once_by_several_servers_are_all_kept(redis_server):
    servers, conversation = stores(redis_server, 4), uuid.uuid4().hex
    issued: List[int] = []
    start = threading.Barrier(16)

    def issue(index: int) -> None:
        store = servers[index % len(servers)]
        start.wait()
        for _ in range(10):
            issued.append(store.issue_ticket(conversation, lock_lifetime=60))

    threads = [threading.Thread(target=issue, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(issued) == len(set(issued)) == 160  # no ticket number given twice
    lock = servers[0].get_lock(conversation)
    assert sorted(t.number for t in lock.tickets) == sorted(issued)  # none overwritten


def test_cleanup_never_deletes_a_ticket_issued_meanwhile(redis_server):
    servers, conversation = stores(redis_server, 2), uuid.uuid4().hex
    kept: List[int] = []
    start = threading.Barrier(2)

    def serve_and_clean() -> None:
        start.wait()
        for _ in range(200):
            servers[0].cleanup(conversation, servers[0].issue_ticket(conversation, lock_lifetime=60))

    def issue_and_keep() -> None:
        start.wait()
        for _ in range(50):
            kept.append(servers[1].issue_ticket(conversation, lock_lifetime=60))

    threads = [threading.Thread(target=serve_and_clean), threading.Thread(target=issue_and_keep)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lock = servers[1].get_lock(conversation)
    assert lock is not None and {t.number for t in lock.tickets} == set(kept)
    for number in kept:
        servers[1].cleanup(conversation, number)
    assert servers[1].get_lock(conversation) is None


def test_a_lock_changed_between_read_and_write_is_read_again(redis_server, monkeypatch):
    # Another server issues a ticket exactly between this server's read and write of the lock:
    # Rasa's own store then writes back a list without it (and gives the same number twice).
    this, other = stores(redis_server, 2)
    conversation, state = uuid.uuid4().hex, {}
    issue = TicketLock.issue_ticket

    def issue_with_another_server_in_between(lock: TicketLock, lifetime: float) -> int:
        if "other" not in state:
            state["other"] = None
            state["other"] = other.issue_ticket(conversation, lock_lifetime=60)
        return issue(lock, lifetime)

    monkeypatch.setattr(TicketLock, "issue_ticket", issue_with_another_server_in_between)
    mine = this.issue_ticket(conversation, lock_lifetime=60)
    assert mine != state["other"]
    assert {t.number for t in this.get_lock(conversation).tickets} == {mine, state["other"]}
