"""The store of handled message ids: each id once within its ttl, bounded in size, shared through Redis."""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from bot.channels.dedupe import RedisSeenMessages, SeenMessages, seen_messages_for
from tests.ports import free_port


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_id_is_new_once():
    seen = SeenMessages()
    assert seen.first_time("msg:1")
    assert not seen.first_time("msg:1")
    assert seen.first_time("msg:2")


def test_an_id_is_forgotten_after_its_ttl():
    clock = Clock()
    seen = SeenMessages(ttl=60, clock=clock)
    assert seen.first_time("msg:1")
    clock.now += 59
    assert not seen.first_time("msg:1")
    clock.now += 2
    assert seen.first_time("msg:1")
    assert len(seen) == 1


def test_the_oldest_ids_go_when_full():
    seen = SeenMessages(capacity=3)
    for i in range(5):
        assert seen.first_time(f"msg:{i}")
    assert len(seen) == 3
    assert seen.first_time("msg:0")
    assert not seen.first_time("msg:4")


@pytest.fixture(scope="module")
def redis_port(tmp_path_factory):
    """A real redis-server on a free port (the Debian package `make system` installs)."""
    if not shutil.which("redis-server"):
        pytest.fail("redis-server is missing: run `make system`")
    port = free_port()
    process = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(tmp_path_factory.mktemp("redis")),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.StrictRedis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                process.kill()
                raise
            time.sleep(0.05)
    yield port
    process.terminate()
    process.wait(10)


def test_two_servers_sharing_redis_answer_a_retry_once(redis_port):
    from rasa.core.lock_store import RedisLockStore

    first = seen_messages_for(RedisLockStore(port=redis_port), prefix="wecom:seen:")
    second = seen_messages_for(RedisLockStore(port=redis_port), prefix="wecom:seen:")
    assert isinstance(first, RedisSeenMessages)
    assert first.first_time("msg:9001")
    assert not second.first_time("msg:9001")
    assert redis.StrictRedis(port=redis_port, db=1).ttl("lock:wecom:seen:msg:9001") > 500


def test_a_memory_lock_store_means_a_memory_set():
    from rasa.core.lock_store import InMemoryLockStore

    assert isinstance(seen_messages_for(InMemoryLockStore(), prefix="wecom:seen:"), SeenMessages)


def test_a_failing_redis_falls_back_to_memory():
    seen = RedisSeenMessages(redis.StrictRedis(port=free_port(), socket_timeout=0.5))
    assert seen.first_time("msg:1")
    assert not seen.first_time("msg:1")
