"""The store of handled message ids: each id once within its ttl, bounded in size."""

from __future__ import annotations

from bot.channels.dedupe import SeenMessages


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
