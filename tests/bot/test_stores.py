"""bot/stores.py: the Redis lock store keeps every ticket when several servers change a lock at once."""

from __future__ import annotations

import threading
import uuid
from typing import List

import pytest
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.stores import AtomicRedisLockStore
from tests.bot.servers import Redis


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
