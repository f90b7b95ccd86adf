"""Remember which platform messages were already handled, so a retried callback is answered once.

A messaging platform retries a callback it thinks failed (WeCom: three times, 5 s apart), with the
same message id. ``SeenMessages`` keeps ids in memory for ``ttl`` seconds, at most ``capacity`` of
them (the oldest go first). It is per process: with several Rasa servers behind a load balancer a
retry can reach a server that has not seen the id, so the README says to route callbacks to one
server or accept the rare double answer.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Callable


class SeenMessages:
    """A bounded set of message ids that forgets each id ``ttl`` seconds after it was first seen."""

    def __init__(
        self, ttl: float = 600, capacity: int = 100_000, clock: Callable[[], float] = time.monotonic
    ):
        self.ttl, self.capacity, self.clock = ttl, capacity, clock
        self._seen: OrderedDict[str, float] = OrderedDict()

    def first_time(self, message_id: str) -> bool:
        """True the first time an id is offered (within its ttl), False for every repeat."""
        now = self.clock()
        self._forget_expired(now)
        if message_id in self._seen:
            return False
        self._seen[message_id] = now + self.ttl
        while len(self._seen) > self.capacity:
            self._seen.popitem(last=False)
        return True

    def _forget_expired(self, now: float) -> None:
        while self._seen:
            oldest, expires = next(iter(self._seen.items()))
            if expires > now:
                return
            del self._seen[oldest]

    def __len__(self) -> int:
        return len(self._seen)
